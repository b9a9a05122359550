import { demoPasswords } from '../../demo/people';
import { dummyHash, hashPassword, verifyPassword } from '../../domain/password';
import { can, loadActor } from '../../policy';
import { writeAudit } from '../audit';
import type { Db } from '../../store/db';
import { stmt } from '../../store/stmt';
import { findUsersForLogin, getUser, updateUser } from '../../store/repos/users';
import { ApiFailure, conflict, enforce, invalid, notFound } from '../failure';
import type { SignInAttempts } from '../context';
import type { Handlers } from '../handler';
import { meView } from '../views';

const LOCK_AFTER = 5;
const LOCK_MS = 30_000;

/**
 * Failed sign-ins, per database and login, so a new connection does not
 * start a fresh count; each session counts too, for guesses across logins.
 */
const attempts = new WeakMap<Db, Map<string, SignInAttempts>>();
function attemptsFor(db: Db, login: string): SignInAttempts {
  let byLogin = attempts.get(db);
  if (!byLogin) attempts.set(db, (byLogin = new Map()));
  const key = login.toLowerCase();
  let entry = byLogin.get(key);
  if (!entry) byLogin.set(key, (entry = { failures: 0, lockedUntil: 0 }));
  return entry;
}

export const authHandlers: Handlers<'auth'> = {
  'auth.signIn': (ctx, { login, password }) => {
    const { session } = ctx;
    const perLogin = attemptsFor(ctx.db, login);
    const counters = [session.signIn, perLogin];
    if (counters.some((c) => ctx.now() < c.lockedUntil)) {
      throw new ApiFailure('forbidden', 'Too many failed attempts. Wait half a minute and try again.');
    }
    const matches = findUsersForLogin(ctx.db, login);
    if (matches.length > 1) throw invalid('That extension exists in several accounts; sign in with your email address.');
    const user = matches[0];
    const ok = verifyPassword(password, user?.passwordHash ?? dummyHash);
    if (!user || !ok) {
      for (const c of counters) {
        c.failures += 1;
        if (c.failures >= LOCK_AFTER) {
          c.lockedUntil = ctx.now() + LOCK_MS;
          c.failures = 0;
        }
      }
      throw new ApiFailure('unauthenticated', 'Wrong email, extension or password.');
    }
    if (!user.active) throw new ApiFailure('unauthenticated', 'This user has been deactivated. Ask an Administrator.');
    const actor = loadActor(ctx.db, user.id);
    if (!actor) throw new ApiFailure('unauthenticated', 'This user cannot sign in.');
    session.userId = user.id;
    for (const c of counters) c.failures = 0;
    return meView(ctx.db, actor, user);
  },

  'auth.signOut': (ctx) => {
    ctx.session.userId = null;
    ctx.session.viewAsUserId = null;
    return null;
  },

  'auth.me': (ctx) => {
    const self = getUser(ctx.db, ctx.actor.accountId, ctx.actor.userId);
    if (!self) throw new ApiFailure('unauthenticated', 'Please sign in.');
    return meView(ctx.db, ctx.actor, self);
  },

  /** Only while the demo account is loaded: its people, for the sign-in screen. */
  'auth.demoUsers': (ctx) => {
    const rows = stmt(
      ctx.db,
      `SELECT u.name, u.extension, u.email, u.role FROM users u JOIN accounts a ON a.id = u.account_id
        WHERE a.name = ? AND u.active = 1 ORDER BY CAST(u.extension AS INTEGER)`,
    ).all('Teamline Demo') as { name: string; extension: string; email: string; role: 'agent' | 'manager' | 'administrator' }[];
    return rows.flatMap((r) => {
      const password = demoPasswords[r.email];
      return password ? [{ ...r, password }] : [];
    });
  },

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

  'auth.changePassword': (ctx, { current, next }) => {
    const self = getUser(ctx.db, ctx.actor.accountId, ctx.actor.userId);
    if (!self || !verifyPassword(current, self.passwordHash)) throw invalid('Your current password is not right.', { current: 'Not right' });
    updateUser(ctx.db, self.id, { passwordHash: hashPassword(next) });
    return null;
  },
};
