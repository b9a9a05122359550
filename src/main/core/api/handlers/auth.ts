import { demoPasswords } from '../../demo/people';
import {
  dummyHash,
  HashingBusy,
  hashPasswordAsync,
  verifyPasswordAmong,
  verifyPasswordAsync,
} from '../../domain/password';
import { can, loadActor } from '../../policy';
import { writeAudit } from '../audit';
import { stmt } from '../../store/stmt';
import { findUsersForLogin, getUser, updateUser } from '../../store/repos/users';
import { ApiFailure, conflict, enforce, invalid, notFound } from '../failure';
import type { AuthedCtx, Ctx } from '../context';
import type { Handlers, Preparer } from '../handler';
import { LOCAL_ADDRESS } from '../signInGuard';
import { meView } from '../views';

const tooMany = (waitMs: number) =>
  new ApiFailure(
    'forbidden',
    `Too many failed attempts. Try again in ${waitMs > 90_000 ? `${Math.ceil(waitMs / 60_000)} minutes` : `${Math.max(1, Math.ceil(waitMs / 1000))} seconds`}.`,
  );

/** A password check, or the hashing queue being full (a flood): refused as busy rather than queued without end. */
async function refusedWhenBusy<T>(check: Promise<T>): Promise<T> {
  try {
    return await check;
  } catch (error) {
    if (error instanceof HashingBusy)
      throw new ApiFailure('forbidden', 'Too many sign-ins at once. Try again in a moment.');
    throw error;
  }
}

const checkPassword = (password: string, stored: string | null) =>
  refusedWhenBusy(verifyPasswordAsync(password, stored));

const addressOf = (ctx: Ctx) => ctx.client.address ?? LOCAL_ADDRESS;

/**
 * How many password hashes a sign-in by email always checks. An email is
 * unique within an account only, so it may name users of several accounts;
 * checking at least this many keeps the answer's timing the same whether it
 * names none, one or up to this many.
 */
export const EMAIL_SIGN_IN_CHECKS = 2;

const accountName = (ctx: Ctx, accountId: number) =>
  (stmt(ctx.db, 'SELECT name FROM accounts WHERE id = ?').pluck().get(accountId) as string | undefined) ?? '';

/**
 * Whether each demo user's stored hash still takes the demo password, by
 * hash: a changed password has a new hash, so the answer never goes stale.
 */
const demoHashes = new Map<string, boolean>();

interface SignInFound {
  userId: number;
  accountId: number;
  passwordHash: string;
}

/**
 * The password part of signing in and changing a password, before their
 * transaction: throttled, then hashed off the main thread. A failed sign-in
 * is counted and audited here, in its own short transaction, since the
 * request itself changes nothing.
 */
export const authPreparers: { [M in 'auth.signIn' | 'auth.changePassword' | 'auth.demoUsers']: Preparer<M> } = {
  'auth.signIn': async (ctx, { login, password, accountId }): Promise<SignInFound> => {
    const byEmail = login.includes('@');
    const matches = findUsersForLogin(ctx.db, login);
    if (!byEmail && matches.length > 1)
      throw invalid('That extension exists in several accounts; sign in with your email address.');
    const address = addressOf(ctx);
    const keys = matches.length > 0 ? matches.map((u) => `id:${u.id}`) : [`login:${login.toLowerCase()}`];
    const { throttle } = ctx.security;
    const wait = throttle.wait(address, keys, ctx.now());
    if (wait > 0) throw tooMany(wait);
    // One email may name a user in several accounts: the password chooses.
    // Every candidate's hash is checked, padded with hashes that never
    // verify, so the time taken does not tell how many accounts have the
    // email (up to EMAIL_SIGN_IN_CHECKS) nor whether any has.
    const hashes = matches.map((u) => u.passwordHash || dummyHash());
    const checks = byEmail ? Math.max(EMAIL_SIGN_IN_CHECKS, hashes.length) : 1;
    while (hashes.length < checks) hashes.push(dummyHash());
    const verified = await refusedWhenBusy(verifyPasswordAmong(password, hashes));
    const opened = matches.filter((_, i) => verified[i]);
    if (opened.length === 0) {
      throttle.failed(address, keys, ctx.now());
      for (const user of matches)
        ctx.security.failedAudit.record({ id: user.id, accountId: user.accountId, name: user.name }, login, address);
    }
    // Attempts that raced past the check while others failed get the same
    // answer whatever their password, so a burst learns nothing more.
    const after = throttle.wait(address, keys, ctx.now());
    if (after > 0) throw tooMany(after);
    if (opened.length === 0) throw new ApiFailure('unauthenticated', 'Wrong email, extension or password.');
    for (const user of opened) throttle.succeeded(address, `id:${user.id}`);
    const user = opened.length === 1 ? opened[0]! : opened.find((u) => u.accountId === accountId);
    if (!user) {
      // Only someone who holds the password of each of these accounts learns their names.
      const names = opened.map((u) => `${accountName(ctx, u.accountId)} (${u.accountId})`).join(', ');
      throw new ApiFailure(
        'conflict',
        `This email and password open more than one account: ${names}. Choose the account to sign in to.`,
        {
          accountId: opened.map((u) => u.accountId).join(','),
          // One field per account so the sign-in form can offer them by name.
          ...Object.fromEntries(opened.map((u) => [`account:${u.accountId}`, accountName(ctx, u.accountId)])),
        },
      );
    }
    return { userId: user.id, accountId: user.accountId, passwordHash: user.passwordHash ?? '' };
  },

  'auth.changePassword': async (ctx, { current, next }) => {
    const self = getUser(ctx.db, ctx.actor.accountId, ctx.actor.userId);
    if (!self) throw new ApiFailure('unauthenticated', 'Please sign in.');
    const address = addressOf(ctx);
    const key = `id:${self.id}`;
    const wait = ctx.security.throttle.wait(address, key, ctx.now());
    if (wait > 0) throw tooMany(wait);
    if (!(await checkPassword(current, self.passwordHash))) {
      ctx.security.throttle.failed(address, key, ctx.now());
      throw invalid('Your current password is not right.', { current: 'Not right' });
    }
    return { passwordHash: self.passwordHash, nextHash: await hashPasswordAsync(next) };
  },

  'auth.demoUsers': async (ctx) => {
    const rows = stmt(
      ctx.db,
      `SELECT u.name, u.extension, u.email, u.role, u.password_hash AS hash FROM users u JOIN accounts a ON a.id = u.account_id
        WHERE a.name = ? AND u.active = 1 ORDER BY CAST(u.extension AS INTEGER)`,
    ).all('Teamline Demo') as {
      name: string;
      extension: string;
      email: string;
      role: 'agent' | 'manager' | 'administrator';
      hash: string | null;
    }[];
    const listed = [];
    for (const { hash, ...r } of rows) {
      const password = demoPasswords[r.email];
      if (!password || !hash) continue;
      let still = demoHashes.get(hash);
      if (still === undefined) {
        still = await checkPassword(password, hash);
        if (demoHashes.size >= 1000) demoHashes.clear();
        demoHashes.set(hash, still);
      }
      if (still) listed.push({ ...r, password });
    }
    return listed;
  },
};

function auditSelf(
  ctx: Ctx | AuthedCtx,
  accountId: number,
  userId: number,
  action: string,
  summary: string,
  after: unknown,
): void {
  writeAudit(ctx.db, {
    accountId,
    at: ctx.now(),
    actorUserId: userId,
    action,
    targetType: 'user',
    targetId: userId,
    summary,
    before: null,
    after,
  });
  ctx.emit('audit.changed', { kind: 'account', accountId });
}

export const authHandlers: Handlers<'auth'> = {
  'auth.signIn': (ctx) => {
    const found = ctx.prepared as SignInFound;
    const user = getUser(ctx.db, found.accountId, found.userId);
    // The password may have changed while it was being checked.
    if (!user || user.passwordHash !== found.passwordHash)
      throw new ApiFailure('unauthenticated', 'Wrong email, extension or password.');
    if (!user.active) throw new ApiFailure('unauthenticated', 'This user has been deactivated. Ask an Administrator.');
    const actor = loadActor(ctx.db, user.id);
    if (!actor) throw new ApiFailure('unauthenticated', 'This user cannot sign in.');
    const { session } = ctx;
    session.userId = user.id;
    session.viewAsUserId = null;
    session.generation = ctx.security.generations.of(user.id);
    session.ended = false;
    auditSelf(ctx, user.accountId, user.id, 'auth.signIn', `${user.name} signed in`, { address: addressOf(ctx) });
    return meView(ctx.db, actor, user);
  },

  'auth.signOut': (ctx) => {
    const userId = ctx.actor.viewedBy?.userId ?? ctx.actor.userId;
    const name = ctx.actor.viewedBy?.name ?? ctx.actor.name;
    auditSelf(ctx, ctx.actor.accountId, userId, 'auth.signOut', `${name} signed out`, { address: addressOf(ctx) });
    ctx.session.userId = null;
    ctx.session.viewAsUserId = null;
    ctx.session.ended = true;
    return null;
  },

  'auth.me': (ctx) => {
    const self = getUser(ctx.db, ctx.actor.accountId, ctx.actor.userId);
    if (!self) throw new ApiFailure('unauthenticated', 'Please sign in.');
    return meView(ctx.db, ctx.actor, self);
  },

  /**
   * Only while the demo account is loaded: its people, for the sign-in
   * screen, each with the demo password only while it is still theirs.
   */
  'auth.demoUsers': (ctx) => ctx.prepared as ReturnType<Handlers<'auth'>['auth.demoUsers']>,

  'auth.viewAs': (ctx, { userId }) => {
    const real = loadActor(ctx.db, ctx.actor.viewedBy?.userId ?? ctx.actor.userId);
    if (!real) throw new ApiFailure('unauthenticated', 'Please sign in.');
    if (userId === null || userId === real.userId) {
      ctx.session.viewAsUserId = null;
      return meView(ctx.db, real, getUser(ctx.db, real.accountId, real.userId)!);
    }
    const target = getUser(ctx.db, real.accountId, userId);
    if (!target) throw notFound('That user');
    enforce(can(real, 'user.viewAs', { accountId: target.accountId }));
    const viewed = loadActor(ctx.db, target.id);
    if (!viewed) throw conflict(`${target.name} is deactivated; there is nothing to see as them.`);
    ctx.session.viewAsUserId = target.id;
    writeAudit(ctx.db, {
      accountId: real.accountId,
      at: ctx.now(),
      actorUserId: real.userId,
      action: 'user.viewAs',
      targetType: 'user',
      targetId: target.id,
      summary: `Viewed the console as ${target.name}`,
      before: null,
      after: null,
    });
    return meView(ctx.db, { ...viewed, viewedBy: { userId: real.userId, name: real.name } }, target);
  },

  'auth.changePassword': (ctx) => {
    const { passwordHash, nextHash } = ctx.prepared as { passwordHash: string | null; nextHash: string };
    const self = getUser(ctx.db, ctx.actor.accountId, ctx.actor.userId);
    if (!self) throw new ApiFailure('unauthenticated', 'Please sign in.');
    if (self.passwordHash !== passwordHash)
      throw conflict('Your password was changed meanwhile. Sign in again and retry.');
    updateUser(ctx.db, self.id, { passwordHash: nextHash });
    // Every other session of this user ends; this one goes on.
    ctx.endSessions(self.id);
    auditSelf(
      ctx,
      self.accountId,
      self.id,
      'auth.passwordChanged',
      `${self.name} changed their password; their other sessions were ended`,
      null,
    );
    return null;
  },
};
