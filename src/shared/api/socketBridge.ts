import type { ApiResult } from '../result';
import type { Bridge } from './bridge';
import type { PushEvent } from './events';

/**
 * The API over one WebSocket that comes back by itself: requests are
 * `{id, method, input}`, replies `{id, result}`, pushes `{event}`. Used by the
 * browser (its own WebSocket) and by the desktop's connection to a team
 * server (Node's, with the server's certificate pinned), so both reconnect,
 * time out and report their state the same way.
 */

/** What this needs of a WebSocket: the browser's and the `ws` package's both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
const OPEN = 1;

export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'online' }
  /** Lost; the next try is in `retryInMs`. */
  | { state: 'reconnecting'; attempt: number; retryInMs: number }
  /** The server refused this client for good (a revoked device, a certificate that is not the pinned one). */
  | { state: 'refused'; reason: string };

export interface SocketBridgeOptions {
  /** Opens a new socket, or throws / returns a refusal when it must not (a pin mismatch). */
  open(): SocketLike;
  /** A close code or reason that means "do not come back": returns the reason to show, or null. */
  refusal?: ((code: number, reason: string) => string | null) | undefined;
  /** Called before each reconnect (e.g. to get a fresh cookie). */
  beforeReconnect?: (() => Promise<void>) | undefined;
  onState?: ((state: ConnectionState) => void) | undefined;
  /** How long a request waits for the connection and its reply. */
  requestTimeoutMs?: number | undefined;
  maxBackoffMs?: number | undefined;
  /** Tests give a fixed random source; jitter spreads a team's reconnects after a server restart. */
  random?: (() => number) | undefined;
}

export interface SocketBridge extends Bridge {
  state(): ConnectionState;
  /** Try again now (the network came back, the computer woke up). */
  retryNow(): void;
  close(): void;
}

type Pending = {
  resolve: (r: ApiResult<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
  message: string;
  /** Sent on the current socket; never sent twice, so a change is never made twice. */
  sent: boolean;
};

const unreachable = (message: string): ApiResult<never> => ({ ok: false, error: { code: 'internal', message } });

export function createSocketBridge(o: SocketBridgeOptions): SocketBridge {
  const listeners = new Set<(e: PushEvent) => void>();
  const pending = new Map<number, Pending>();
  const timeoutMs = o.requestTimeoutMs ?? 15_000;
  const maxBackoff = o.maxBackoffMs ?? 30_000;
  const random = o.random ?? Math.random;
  let socket: SocketLike | null = null;
  let current: ConnectionState = { state: 'connecting' };
  let nextId = 1;
  let attempt = 0;
  let everOnline = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  function setState(s: ConnectionState) {
    current = s;
    o.onState?.(s);
  }

  function failAll(message: string, onlySent = false) {
    for (const [id, p] of pending) {
      if (onlySent && !p.sent) continue;
      clearTimeout(p.timer);
      pending.delete(id);
      p.resolve(unreachable(message));
    }
  }

  function connect() {
    retryTimer = null;
    if (closed) return;
    let ws: SocketLike;
    try {
      ws = o.open();
    } catch (error) {
      refuse(error instanceof Error ? error.message : String(error));
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState({ state: 'online' });
      // Requests made while away go out now.
      for (const p of pending.values()) {
        ws.send(p.message);
        p.sent = true;
      }
      // A reconnect may have missed events: every view reads again.
      if (everOnline) for (const l of listeners) l({ name: 'access.changed' });
      everOnline = true;
    };
    ws.onmessage = (msg) => {
      let data: { id?: unknown; result?: ApiResult<unknown>; event?: PushEvent };
      try {
        data = JSON.parse(String(msg.data)) as typeof data;
      } catch {
        return;
      }
      if (data.event) for (const l of listeners) l(data.event);
      else if (typeof data.id === 'number' && data.result) {
        const p = pending.get(data.id);
        if (p) {
          clearTimeout(p.timer);
          pending.delete(data.id);
          p.resolve(data.result);
        }
      }
    };
    ws.onerror = () => undefined;
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      failAll('The connection was lost before the server answered. Check whether it was done, then try again.', true);
      const reason = o.refusal?.(ev.code, ev.reason) ?? null;
      if (reason !== null) refuse(reason);
      else scheduleReconnect();
    };
  }

  function refuse(reason: string) {
    socket = null;
    setState({ state: 'refused', reason });
    failAll(reason);
  }

  function scheduleReconnect() {
    if (closed) return;
    attempt++;
    const base = Math.min(maxBackoff, 500 * 2 ** Math.min(attempt - 1, 16));
    const retryInMs = Math.round(base / 2 + (random() * base) / 2);
    setState({ state: 'reconnecting', attempt, retryInMs });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void (o.beforeReconnect?.() ?? Promise.resolve()).catch(() => undefined).then(connect);
    }, retryInMs);
  }

  connect();

  return {
    invoke(method, input) {
      const id = nextId++;
      const message = JSON.stringify({ id, method, input });
      return new Promise((resolve) => {
        if (current.state === 'refused') {
          resolve(unreachable(current.reason));
          return;
        }
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(unreachable('The server is not reachable right now. Teamline keeps trying; try again in a moment.'));
        }, timeoutMs);
        const p: Pending = { resolve: resolve as Pending['resolve'], timer, message, sent: false };
        pending.set(id, p);
        if (socket && socket.readyState === OPEN) {
          socket.send(message);
          p.sent = true;
        }
      }) as never;
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    state: () => current,
    retryNow() {
      if (closed || current.state !== 'reconnecting' || retryTimer === null) return;
      clearTimeout(retryTimer);
      retryTimer = null;
      connect();
    },
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      failAll('The connection to the server was closed.');
      socket?.close(1000, 'closed');
      socket = null;
    },
  };
}
