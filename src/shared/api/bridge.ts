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
  /**
   * Desktop only: save the CSV export of this ticket (exports.prepare) to a
   * file the user picks in a native dialog; resolves when it has ended.
   */
  /** `filename` is what the save dialog proposes (the ticket's, e.g. calls-2026-12-03.csv). */
  saveExport?(token: string, onProgress: (p: ExportProgress) => void, filename?: string): Promise<ExportProgress>;
  cancelExport?(token: string): void;
}

/** Where a desktop export stands: `running` while rows are written, then how it ended. */
export interface ExportProgress {
  token: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  rows: number;
  /** Bytes written to the file so far. */
  bytes?: number;
  /** Rows the export will hold, when the list can tell (an estimate for large call lists). */
  total: number | null;
  file?: string;
  message?: string;
}

/** The single IPC channel for requests and the one for events. */
export const INVOKE_CHANNEL = 'api:invoke';
export const EVENT_CHANNEL = 'api:event';
/** Renderer → desktop host: show or close a call notification (never reaches the core). */
export const NOTICE_CHANNEL = 'host:call-notice';
/** Renderer → desktop host: save an export's ticket to a file, cancel it; host → renderer: its progress. */
export const EXPORT_SAVE_CHANNEL = 'host:export-save';
export const EXPORT_CANCEL_CHANNEL = 'host:export-cancel';
export const EXPORT_PROGRESS_CHANNEL = 'host:export-progress';
