import type { ApiResult } from '../../shared/result';
import type { PushEvent } from '../../shared/api/events';
import type { Session } from './api/context';
import type { SipConfig } from '../sip/config';

/** One client of the core: an Electron window or a browser WebSocket. It carries one session. */
export interface Connection {
  invoke(method: string, input: unknown): Promise<ApiResult<unknown>>;
  close(): void;
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

export interface Core {
  /** A client; pass a session to share it between clients (browser tabs). */
  connect(onEvent: (event: PushEvent) => void, session?: Session): Connection;
  close(): void;
}

export type { Session } from './api/context';
export { createCore, createSession } from './api/core';
