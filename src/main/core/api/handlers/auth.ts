import { demoPasswords } from '../../demo/people';
import { dummyHash, HashingBusy, hashPasswordAsync, verifyPasswordAsync } from '../../domain/password';
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
async function checkPassword(password: string, stored: string | null): Promise<boolean> {
  try {
    return await verifyPasswordAsync(password, stored);
  } catch (error) {
    if (error instanceof HashingBusy)
      throw new ApiFailure('forbidden', 'Too many sign-ins at once. Try again in a moment.');
    throw error;
  }
}

const addressOf = (ctx: Ctx) => ctx.client.address ?? LOCAL_ADDRESS;

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
  'auth.signIn': async (ctx, { login, password }): Promise<SignInFound> => {
    const matches = findUsersForLogin(ctx.db, login);
    if (matches.length > 1)
      throw invalid('That extension exists in several accounts; sign in with your email address.');
    const user = matches[0];
    const address = addressOf(ctx);
    const key = user ? `id:${user.id}` : `login:${login.toLowerCase()}`;
    const { throttle } = ctx.security;
    const wait = throttle.wait(address, key, ctx.now());
    if (wait > 0) throw tooMany(wait);
    const ok = await checkPassword(password, user?.passwordHash ?? dummyHash);
    if (!user || !ok) {
      throttle.failed(address, key, ctx.now());
      if (user)
        ctx.security.failedAudit.record({ id: user.id, accountId: user.accountId, name: user.name }, login, address);
    }
    // Attempts that raced past the check while others failed get the same
    // answer whatever their password, so a burst learns nothing more.
    const after = throttle.wait(address, key, ctx.now());
    if (after > 0) throw tooMany(after);
    if (!user || !ok) throw new ApiFailure('unauthenticated', 'Wrong email, extension or password.');
    throttle.succeeded(address, key);
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
