import type { ApiResult } from '../../shared/result';
import type { EventName, PushEvent } from '../../shared/api/events';
import type { AuthedCtx, Session } from './api/context';
import type { SipConfig } from '../sip/config';
import type { Audience, PhoneState, TeamServerInfo } from './api/context';
import type { Db } from './store/db';
import type { NewCall } from './store/repos/calls';

/** One client of the core: an Electron window or a browser WebSocket. It carries one session. */
export interface Connection {
  invoke(method: string, input: unknown): Promise<ApiResult<unknown>>;
  close(): void;
}

/** A connection to this process's core. */
export interface CoreConnection extends Connection {
  /**
   * Runs a read as this connection's user, the actor resolved from the
   * session as for a request (api/router.ts createSessionReader): the pages
   * of an export, read in the core without going through a list method.
   */
  read<T>(read: (ctx: AuthedCtx) => T): ApiResult<T>;
}

export interface CoreOptions {
  /** Path of the SQLite file, or ':memory:'. */
  dbPath: string;
  /** Path of a better-sqlite3 binary built for the running runtime (Electron). */
  nativeBinding?: string | undefined;
  /** Load the demo account when the database is empty. */
  demoIfEmpty?: boolean | undefined;
  /** The app's resources folder (demo voicemail recordings). */
  resourcesDir?: string | undefined;
  now?: (() => number) | undefined;
  /** The phone service's settings; without them `sip.credentials` answers that the phone service is not running. */
  sip?: SipConfig | null | undefined;
}

/** What a host knows of a client. */
export interface ConnectOptions {
  /** The remote address (browser host), for sign-in throttling and the audit log. */
  address?: string | null | undefined;
  /** The session was ended from elsewhere (password changed, user deactivated): close this client. */
  onEnd?: (() => void) | undefined;
}

export interface Core {
  /** A client; pass a session to share it between clients (browser tabs). */
  connect(onEvent: (event: PushEvent) => void, session?: Session, from?: ConnectOptions): CoreConnection;
  /**
   * A session for a joined desktop's device credential (`<id>.<secret>`), acting as the device's user;
   * null when the credential is wrong, the device revoked or the user deactivated. Records last seen.
   */
  deviceSession(credential: string): Session | null;
  /** Whether a device may still connect: not revoked, its user active. */
  deviceUsable(deviceId: number): boolean;
  /** Whether a session is signed in and not ended (signed out, password changed, user deactivated). */
  isCurrent(session: Session): boolean;
  /**
   * What a kept browser session is checked against when a host restarts: it
   * changes when the user's password changes or the user is deactivated
   * (null then), so a session those ended does not come back.
   */
  sessionStamp(userId: number): string | null;
  /** A signed-in session for the user again (a host restarted), or null when the stamp no longer matches. */
  resumeSession(userId: number, stamp: string): Session | null;
  /** The account database, for the phone service that runs beside the core in the same process. */
  readonly db: Db;
  /** Writes a call the phone service saw and tells whoever may see it; returns its id. */
  recordCall(call: NewCall): number;
  /** Whether the phone service runs (and with which settings), or why not; read by every request. */
  setPhone(state: PhoneState): void;
  /** The team server's address and pinned fingerprint, for invitation links; null when not serving a team. */
  setTeamServer(info: TeamServerInfo | null): void;
  /** Tells whoever the audience names that something changed outside a request (the phone service's news). */
  announce(name: EventName, audience: Audience): void;
  close(): void;
}

export type { PhoneState, Session, TeamServerInfo } from './api/context';
export { createCore, createSession } from './api/core';
