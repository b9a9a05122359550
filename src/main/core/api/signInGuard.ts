import type { Db } from '../store/db';
import { writeAudit } from './audit';

/**
 * Failed sign-ins, counted three ways (see docs/security.md, "Sign-in
 * throttling"):
 *
 * - per address and user: a few free mistakes, then an exponential wait;
 * - per address, whatever the login: the same, with more room, against one
 *   client spraying a common password over many logins;
 * - per user, from anywhere: past a threshold, every address that has
 *   already failed for this user waits too, so a spread-out attack gets one
 *   guess per address; an address with a clean record for the user is not
 *   held back, so an attacker cannot lock the owner out.
 *
 * A user is the account user the login resolves to (email and extension
 * count together); a login that names nobody is counted under its text.
 * Counters are forgotten a day after their last failure and the table is
 * bounded: when full, forgotten entries go first, then the least recently
 * touched.
 */
export const THROTTLE = {
  pairFree: 5,
  addressFree: 30,
  userFree: 10,
  firstWaitMs: 30_000,
  maxWaitMs: 15 * 60_000,
  forgetMs: 24 * 60 * 60_000,
  maxEntries: 10_000,
} as const;

interface Counter {
  failures: number;
  blockedUntil: number;
  lastAt: number;
}

/** Where a client connects from; the desktop app's own window has no address. */
export const LOCAL_ADDRESS = 'local';

export class SignInThrottle {
  private readonly counters = new Map<string, Counter>();

  constructor(private readonly maxEntries: number = THROTTLE.maxEntries) {}

  get size(): number {
    return this.counters.size;
  }

  /**
   * Milliseconds this attempt must wait before its password is even checked;
   * 0 when it may go ahead. A login that may name several users (an email
   * used in several accounts) waits for the longest of them.
   */
  wait(address: string, users: string | readonly string[], now: number): number {
    const byAddress = this.counters.get(`a:${address}`);
    let until = byAddress?.blockedUntil ?? 0;
    for (const user of typeof users === 'string' ? [users] : users) {
      const pair = this.counters.get(pairKey(address, user));
      const byUser = this.counters.get(`u:${user}`);
      until = Math.max(until, pair?.blockedUntil ?? 0);
      if (pair && pair.failures > 0 && byUser) until = Math.max(until, byUser.blockedUntil);
    }
    return Math.max(0, until - now);
  }

  /** One failed attempt: counted once for the address, and for every user the login may name. */
  failed(address: string, users: string | readonly string[], now: number): void {
    this.bump(`a:${address}`, THROTTLE.addressFree, now);
    for (const user of typeof users === 'string' ? [users] : users) {
      this.bump(pairKey(address, user), THROTTLE.pairFree, now);
      this.bump(`u:${user}`, THROTTLE.userFree, now);
    }
  }

  /** The right password from this address: its own record for the user starts over; the others keep counting. */
  succeeded(address: string, user: string): void {
    this.counters.delete(pairKey(address, user));
  }

  private bump(key: string, free: number, now: number): void {
    const c = this.counters.get(key) ?? { failures: 0, blockedUntil: 0, lastAt: now };
    this.counters.delete(key);
    c.failures += 1;
    c.lastAt = now;
    if (c.failures >= free) {
      const wait = Math.min(THROTTLE.maxWaitMs, THROTTLE.firstWaitMs * 2 ** Math.min(20, c.failures - free));
      c.blockedUntil = Math.max(c.blockedUntil, now + wait);
    }
    if (this.counters.size >= this.maxEntries) this.evict(now);
    this.counters.set(key, c);
  }

  private evict(now: number): void {
    for (const [key, c] of this.counters) {
      if (now - c.lastAt > THROTTLE.forgetMs && c.blockedUntil <= now) this.counters.delete(key);
    }
    // Still full: the least recently touched go (Map order is touch order).
    for (const key of this.counters.keys()) {
      if (this.counters.size < this.maxEntries) break;
      this.counters.delete(key);
    }
  }
}

const pairKey = (address: string, user: string) => `p:${address}|${user}`;

/**
 * Audit rows for failed sign-ins, at most two per user per minute: the first
 * failure is written at once; the rest of that minute is summed into one row
 * when the minute ends, so a flood cannot fill the disk.
 */
export class FailedSignInAudit {
  private readonly windows = new Map<
    number,
    {
      accountId: number;
      name: string;
      start: number;
      count: number;
      logins: Set<string>;
      addresses: Set<string>;
      timer: NodeJS.Timeout | null;
    }
  >();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    /** Tells the account's audit readers a row was written. */
    private readonly announce: (accountId: number) => void,
    private readonly windowMs = 60_000,
  ) {}

  record(user: { id: number; accountId: number; name: string }, login: string, address: string): void {
    const at = this.now();
    const open = this.windows.get(user.id);
    if (open && at - open.start < this.windowMs) {
      open.count += 1;
      if (open.logins.size < 5) open.logins.add(login);
      if (open.addresses.size < 5) open.addresses.add(address);
      open.timer ??= setTimeout(() => this.flush(user.id), Math.max(0, open.start + this.windowMs - at)).unref();
      return;
    }
    if (open) this.flush(user.id);
    this.write(user.accountId, user.id, at, `Failed sign-in as ${user.name}`, { login, address, attempts: 1 });
    this.windows.set(user.id, {
      accountId: user.accountId,
      name: user.name,
      start: at,
      count: 0,
      logins: new Set(),
      addresses: new Set(),
      timer: null,
    });
  }

  /** Writes what a window held back (called when it ends, and when the core closes). */
  flush(userId?: number): void {
    for (const [id, w] of this.windows) {
      if (userId !== undefined && id !== userId) continue;
      if (w.timer) clearTimeout(w.timer);
      this.windows.delete(id);
      if (w.count === 0) continue;
      this.write(w.accountId, id, this.now(), `${w.count} more failed sign-ins as ${w.name} within a minute`, {
        logins: [...w.logins],
        addresses: [...w.addresses],
        attempts: w.count,
      });
    }
  }

  private write(accountId: number, userId: number, at: number, summary: string, after: unknown): void {
    if (!this.db.open) return;
    this.db
      .transaction(() =>
        writeAudit(this.db, {
          accountId,
          at,
          actorUserId: null,
          action: 'auth.signInFailed',
          targetType: 'user',
          targetId: userId,
          summary,
          before: null,
          after,
        }),
      )
      .immediate();
    this.announce(accountId);
  }
}

/**
 * Which generation of sessions each user is on. Changing a password or
 * deactivating a user starts a new one; a session signed in under an older
 * generation is over.
 */
export class SessionGenerations {
  private readonly byUser = new Map<number, number>();
  of(userId: number): number {
    return this.byUser.get(userId) ?? 0;
  }
  next(userId: number): number {
    const n = this.of(userId) + 1;
    this.byUser.set(userId, n);
    return n;
  }
}

export interface Security {
  throttle: SignInThrottle;
  failedAudit: FailedSignInAudit;
  generations: SessionGenerations;
}

export const createSecurity = (db: Db, now: () => number, announce: (accountId: number) => void): Security => ({
  throttle: new SignInThrottle(),
  failedAudit: new FailedSignInAudit(db, now, announce),
  generations: new SessionGenerations(),
});
