import type { EventName } from '../../../shared/api/events';
import type { Actor, CallFacts, ThreadFacts } from '../policy';
import type { Db } from '../store/db';
import type { SipConfig } from '../../sip/config';

/** Who should hear of a change: everyone in the account, some users, or whoever can see an item. */
export type Audience =
  | { kind: 'account'; accountId: number }
  | { kind: 'users'; userIds: readonly number[] }
  | { kind: 'call'; call: CallFacts }
  | { kind: 'thread'; thread: ThreadFacts };

export interface SignInAttempts {
  failures: number;
  lockedUntil: number;
}

export interface Session {
  userId: number | null;
  /** An Administrator looking at the console exactly as this user sees it, read-only. */
  viewAsUserId: number | null;
  /** Failed sign-ins on this connection (guesses across logins). */
  signIn: SignInAttempts;
}

export interface Ctx {
  db: Db;
  now: () => number;
  /** The phone service's settings, when it runs. */
  sip: SipConfig | null;
  session: Session;
  /** Queue a push event; sent after the request's transaction commits. */
  emit(name: EventName, audience: Audience): void;
}

export interface AuthedCtx extends Ctx {
  actor: Actor;
}
