import type { ApiResult } from '../../shared/result';
import type { PushEvent } from '../../shared/api/events';

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
  now?: (() => number) | undefined;
}

export interface Core {
  connect(onEvent: (event: PushEvent) => void): Connection;
  close(): void;
}

export { createCore } from './api/core';
