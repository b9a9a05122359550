import type { ApiResult } from '../result';
import type { Input, Method, Output } from './contract';
import type { PushEvent } from './events';

/** What the preload (Electron) or the WebSocket client (browser) gives the renderer. */
export interface Bridge {
  invoke<M extends Method>(method: M, input: Input<M>): Promise<ApiResult<Output<M>>>;
  /** Subscribe to push events; returns the unsubscribe function. */
  on(listener: (event: PushEvent) => void): () => void;
}

/** The single IPC channel for requests and the one for events. */
export const INVOKE_CHANNEL = 'api:invoke';
export const EVENT_CHANNEL = 'api:event';
