import type { z } from 'zod';
import { contract, publicMethods, readOnlyMethods, type Method } from '../../../shared/api/contract';
import type { EventName } from '../../../shared/api/events';
import type { ApiResult } from '../../../shared/result';
import { humanIssue } from '../../../shared/api/humanErrors';
import { can, loadActor, UnknownPolicyValue, type Actor } from '../policy';
import type { Db } from '../store/db';
import {
  PHONE_NOT_RUNNING,
  type Audience,
  type AuthedCtx,
  type ClientInfo,
  type Ctx,
  type PhoneState,
  type Session,
  type TeamServerInfo,
} from './context';
import type { Security } from './signInGuard';
import { ApiFailure } from './failure';
import { handlers, preparers } from './handlers';

export interface RouterOptions {
  db: Db;
  now: () => number;
  /** Check every reply against its output schema (tests and development). */
  validateOutput: boolean;
  /** Called after a request's transaction commits, with the events it raised. */
  publish: (events: { name: EventName; audience: Audience }[]) => void;
  log?: (message: string, error: unknown) => void;
  /** Read for every request: the phone service may start, stop or fail while the core runs. */
  phone?: (() => PhoneState) | undefined;
  security: Security;
  /** Ends every session of a user but `keep` (password changed, user deactivated). */
  endSessions: (userId: number, keep: Session) => void;
  /** Ends the sessions of a revoked device. */
  endDevice?: ((deviceId: number) => void) | undefined;
  teamServer?: (() => TeamServerInfo | null) | undefined;
}

const LOCAL_CLIENT: ClientInfo = { address: null };

/**
 * Turns zod's issues into one readable message and a per-field map. Every
 * message is already in people's words (humanIssue, or the schema's own), and
 * names its field, so the first one stands alone as the request's message.
 */
function describe(error: z.ZodError): ApiFailure {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.join('.') || '(input)';
    fields[path] ??= issue.message;
  }
  const [first] = Object.entries(fields);
  return new ApiFailure('invalid', first ? first[1] : 'Some of what was entered is not valid.', fields);
}

/**
 * The one guarded pipeline every request takes: known method → parse input →
 * actor from the session (never from the input) → handler, which authorizes
 * through the policy before it changes anything → reply. A request runs in one
 * transaction, so a refusal or an error part-way changes nothing.
 */
export function createRouter(options: RouterOptions) {
  const { db, now } = options;
  // One transaction function for every request (each db.transaction() call builds four wrapper functions).
  const inTransaction = db.transaction(
    (handler: (ctx: Ctx | AuthedCtx, input: unknown) => unknown, ctx: Ctx | AuthedCtx, input: unknown) =>
      handler(ctx, input),
  );

  const fail = (method: string, error: unknown): ApiResult<unknown> => {
    if (error instanceof ApiFailure) return { ok: false, error: error.toError() };
    if (error instanceof UnknownPolicyValue)
      return { ok: false, error: { code: 'forbidden', message: 'Access refused.' } };
    if (isConstraint(error)) {
      return { ok: false, error: { code: 'conflict', message: 'That change conflicts with existing data.' } };
    }
    options.log?.(`Request ${String(method).slice(0, 60)} failed`, error);
    return { ok: false, error: { code: 'internal', message: 'Something went wrong; nothing was changed.' } };
  };

  /**
   * Answers synchronously, except for the few methods that hash a password:
   * those hash first, outside any transaction and off the main thread, then
   * commit in a short transaction of their own.
   */
  return function dispatch(
    session: Session,
    method: string,
    rawInput: unknown,
    client: ClientInfo = LOCAL_CLIENT,
  ): ApiResult<unknown> | Promise<ApiResult<unknown>> {
    const events: { name: EventName; audience: Audience }[] = [];
    const ending: number[] = [];
    const endingDevices: number[] = [];
    try {
      if (!Object.hasOwn(contract, method))
        throw new ApiFailure('invalid', `Unknown method: ${String(method).slice(0, 60)}`);
      const m = method as Method;
      const spec = contract[m];
      const parsed = spec.input.safeParse(rawInput ?? {}, { error: humanIssue });
      if (!parsed.success) throw describe(parsed.error);

      const phone = options.phone?.() ?? PHONE_NOT_RUNNING;
      const emit: Ctx['emit'] = (name, audience) => events.push({ name, audience });
      const endSessions: Ctx['endSessions'] = (userId) => ending.push(userId);
      const endDevice: Ctx['endDevice'] = (deviceId) => endingDevices.push(deviceId);
      const teamServer = options.teamServer?.() ?? null;
      const base = {
        db,
        now,
        phone,
        session,
        client,
        security: options.security,
        emit,
        endSessions,
        endDevice,
        teamServer,
      };
      let ctx: Ctx | AuthedCtx = base;
      if (!publicMethods.has(m)) {
        const actor = resolveActor(db, session, options.security);
        if (!actor) {
          if (session.userId !== null) session.ended = true;
          session.userId = null;
          session.viewAsUserId = null;
          throw new ApiFailure('unauthenticated', 'Please sign in.');
        }
        if (actor.viewedBy && !readOnlyMethods.has(m) && m !== 'auth.viewAs' && m !== 'auth.signOut') {
          throw new ApiFailure('forbidden', `You are viewing as ${actor.name}: this view is read-only.`);
        }
        ctx = { ...base, actor };
      }
      const handler = handlers[m] as (ctx: Ctx | AuthedCtx, input: unknown) => unknown;
      const run = (c: Ctx | AuthedCtx): ApiResult<unknown> => {
        const value = readOnlyMethods.has(m)
          ? inTransaction.deferred(handler, c, parsed.data)
          : inTransaction.immediate(handler, c, parsed.data);
        if (options.validateOutput) {
          const check = spec.output.safeParse(value);
          if (!check.success) throw new Error(`Output of ${m} does not match its schema: ${check.error.message}`);
        }
        for (const userId of ending) options.endSessions(userId, session);
        for (const deviceId of endingDevices) options.endDevice?.(deviceId);
        if (events.length > 0) options.publish(events);
        return { ok: true, value };
      };
      const prepare = preparers[m] as ((ctx: Ctx | AuthedCtx, input: unknown) => Promise<unknown>) | undefined;
      if (!prepare) return run(ctx);
      const prepared = ctx;
      return prepare(prepared, parsed.data).then(
        (found) => {
          try {
            return run({ ...prepared, prepared: found });
          } catch (error) {
            return fail(method, error);
          }
        },
        (error: unknown) => fail(method, error),
      );
    } catch (error) {
      return fail(method, error);
    }
  };
}

/**
 * A read the core runs itself as a session's user, outside the API's
 * methods: the pages of an export (core/export). The actor is resolved from
 * the session exactly as for a request (a session ended, a password changed
 * or a view no longer allowed refuse it, as `unauthenticated`), and the read
 * runs in a read transaction, like a read-only method. It may not change
 * anything: nothing it emits is published.
 */
export function createSessionReader(options: RouterOptions) {
  const { db, now } = options;
  const inTransaction = db.transaction(<T>(read: (ctx: AuthedCtx) => T, ctx: AuthedCtx) => read(ctx));
  return function readAs<T>(session: Session, read: (ctx: AuthedCtx) => T): ApiResult<T> {
    try {
      const actor = resolveActor(db, session, options.security);
      if (!actor) throw new ApiFailure('unauthenticated', 'Please sign in.');
      const ctx: AuthedCtx = {
        db,
        now,
        phone: options.phone?.() ?? PHONE_NOT_RUNNING,
        session,
        client: LOCAL_CLIENT,
        security: options.security,
        emit: () => {},
        endSessions: () => {},
        endDevice: () => {},
        teamServer: options.teamServer?.() ?? null,
        actor,
      };
      return { ok: true, value: inTransaction.deferred(read, ctx) as T };
    } catch (error) {
      if (error instanceof ApiFailure) return { ok: false, error: error.toError() };
      if (error instanceof UnknownPolicyValue)
        return { ok: false, error: { code: 'forbidden', message: 'Access refused.' } };
      options.log?.('A session read failed', error);
      return { ok: false, error: { code: 'internal', message: 'Something went wrong.' } };
    }
  };
}

const isConstraint = (e: unknown) =>
  typeof e === 'object' &&
  e !== null &&
  'code' in e &&
  String((e as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT');

export type Dispatch = ReturnType<typeof createRouter>;

/**
 * The actor of a request: the signed-in user, or, while an Administrator
 * views as someone, that user marked read-only. A view ends by itself when
 * the Administrator or the user no longer qualifies.
 */
function resolveActor(db: Db, session: Session, security: Security): Actor | null {
  if (session.userId === null || session.ended) return null;
  if (session.generation !== security.generations.of(session.userId)) return null;
  const real = loadActor(db, session.userId);
  if (!real || session.viewAsUserId === null) return real;
  const target = loadActor(db, session.viewAsUserId);
  if (!target || !can(real, 'user.viewAs', { accountId: target.accountId }).allowed) {
    session.viewAsUserId = null;
    return real;
  }
  return { ...target, viewedBy: { userId: real.userId, name: real.name } };
}
