import type { ApiResult } from '../result';
import type { Input, Method, Output } from './contract';
import type { PushEvent } from './events';

/** An incoming call shown by the desktop as a system notification with Answer and Decline. */
export interface CallNotice {
  /** The softphone's line id, echoed back in the `call.action` event. */
  lineId: string;
  title: string;
  body: string;
}

/** What the preload (Electron) or the WebSocket client (browser) gives the renderer. */
export interface Bridge {
  invoke<M extends Method>(method: M, input: Input<M>): Promise<ApiResult<Output<M>>>;
  /** Subscribe to push events; returns the unsubscribe function. */
  on(listener: (event: PushEvent) => void): () => void;
  /** Desktop only: a system notification for a ringing call; its buttons come back as `call.action` events. */
  showCallNotice?(notice: CallNotice): void;
  closeCallNotice?(lineId: string): void;
}

/** The single IPC channel for requests and the one for events. */
export const INVOKE_CHANNEL = 'api:invoke';
export const EVENT_CHANNEL = 'api:event';
/** Renderer → desktop host: show or close a call notification (never reaches the core). */
export const NOTICE_CHANNEL = 'host:call-notice';
