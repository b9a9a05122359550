import type { EventName } from '../../../shared/api/events';
import type { Actor, CallFacts, ThreadFacts } from '../policy';
import type { Db } from '../store/db';
import type { SipConfig } from '../../sip/config';
import type { PresenceState } from '../../../shared/primitives';

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

/** Who can take a call now, as the phone service knows it. */
export interface PresenceView {
  snapshot(): (userId: number, extension: string) => PresenceState;
}

export type PhoneState = { sip: SipConfig; problem: null; presence?: PresenceView } | { sip: null; problem: string };

export const PHONE_NOT_RUNNING: PhoneState = { sip: null, problem: 'The phone service is not running.' };

export interface Ctx {
  db: Db;
  now: () => number;
  /** The phone service: its settings while it runs, or why it does not. */
  phone: PhoneState;
  session: Session;
  /** Queue a push event; sent after the request's transaction commits. */
  emit(name: EventName, audience: Audience): void;
}

export interface AuthedCtx extends Ctx {
  actor: Actor;
}
