import type { EventName } from '../../../shared/api/events';
import type { Actor, CallFacts, ThreadFacts } from '../policy';
import type { Db } from '../store/db';
import type { SipConfig } from '../../sip/config';
import type { TrunkState } from '../../../shared/api/carrier';
import type { Availability, PresenceState } from '../../../shared/primitives';
import type { Security } from './signInGuard';

/** Who should hear of a change: everyone in the account, some users, or whoever can see an item. */
export type Audience =
  | { kind: 'account'; accountId: number }
  | { kind: 'users'; userIds: readonly number[] }
  | { kind: 'call'; call: CallFacts }
  | { kind: 'thread'; thread: ThreadFacts };

export interface Session {
  userId: number | null;
  /** An Administrator looking at the console exactly as this user sees it, read-only. */
  viewAsUserId: number | null;
  /** The user's session generation at sign-in; a newer one (password changed, user deactivated) ends this session. */
  generation: number;
  /** Ended from elsewhere (password changed, user deactivated, signed out): a host drops its id and closes its sockets. */
  ended: boolean;
  /** Set when a joined desktop signed in with its device credential: revoking the device ends this session. */
  deviceId?: number | null | undefined;
}

/** How desktops reach this console when it runs as a team server: for invitation links. */
export interface TeamServerInfo {
  /** `host:port` as phones and browsers use it. */
  address: string;
  /** The SHA-256 fingerprint a joining desktop pins (`AA:BB:…`). */
  pin: string;
}

/** Who a connection is, as far as the host knows: where it connects from. */
export interface ClientInfo {
  /** The remote address (browser host); the desktop app's own window has none. */
  address: string | null;
}

/** Who can take a call now, as the phone service knows it. */
export interface PresenceView {
  snapshot(): (userId: number, extension: string) => PresenceState;
  setAvailability(userId: number, availability: Availability): void;
  availabilityOf(userId: number): Availability;
}

/** The carrier's trunks as the phone service sees them now. */
export interface CarrierView {
  state(trunkId: number): TrunkState;
  /** The trunks changed: the proxy is told (after the request commits). */
  changed(): void;
  /** Registers the trunk again now. */
  test(trunkId: number): void;
}

/** Access to the phone withdrawn (a joined desktop revoked, a user deactivated): told after the change commits. */
export type PhoneWithdraw = (w: { userId: number; deviceId: number | null }) => void;

/** Call recording on the media relay (src/main/sip/recording/recorder.ts), as a request uses it. */
export interface PhoneRecorder {
  /** The user's answered call with this SIP Call-ID, when it may be recorded at all (mode always or on demand). */
  liveCallOf(
    sipCallId: string,
    userId: number,
  ): { mode: 'always' | 'never' | 'on_demand'; recording: boolean; paused?: boolean } | null;
  /** Whether the call is one it may record, whoever is on it. */
  hasCall(sipCallId: string): boolean;
  startOnDemand(sipCallId: string, userId: number): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Stops an on-demand recording; Record again continues it. */
  stopOnDemand(sipCallId: string, userId: number): Promise<{ ok: true } | { ok: false; reason: string }>;
}

export type PhoneState =
  | {
      sip: SipConfig;
      problem: null;
      presence?: PresenceView;
      carrier?: CarrierView;
      withdraw?: PhoneWithdraw;
      /** Absent when calls are not recorded here (no media relay, or no data directory). */
      recorder?: PhoneRecorder;
    }
  | { sip: null; problem: string };

export const PHONE_NOT_RUNNING: PhoneState = { sip: null, problem: 'The phone service is not running.' };

export interface Ctx {
  db: Db;
  now: () => number;
  /** The phone service: its settings while it runs, or why it does not. */
  phone: PhoneState;
  session: Session;
  client: ClientInfo;
  security: Security;
  /** Queue a push event; sent after the request's transaction commits. */
  emit(name: EventName, audience: Audience): void;
  /** Ends every session of the user (but this request's own), after the request's transaction commits. */
  endSessions(userId: number): void;
  /** Ends the sessions of a joined desktop (device revoked), after the request's transaction commits. */
  endDevice(deviceId: number): void;
  /** Set when the console runs as a team server. */
  teamServer: TeamServerInfo | null;
  /** What the method's asynchronous part (password hashing) found, before its transaction began. */
  prepared?: unknown;
}

export interface AuthedCtx extends Ctx {
  actor: Actor;
}
