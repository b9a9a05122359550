import type { Bridge } from '../../../shared/api/bridge';
import type { Input, Method, Output } from '../../../shared/api/contract';
import type { PushEvent } from '../../../shared/api/events';
import type { ApiResult } from '../../../shared/result';
import type { DeskStatus } from '../../../shared/api/desk';

/**
 * The browser console's connection, as the "Reconnecting…" banner shows it
 * (the same banner as a joined desktop's): lost, and when the next try is.
 */
const statusListeners = new Set<(s: DeskStatus) => void>();
let lastStatus: DeskStatus | null = null;
function setStatus(s: DeskStatus) {
  lastStatus = s;
  for (const l of statusListeners) l(s);
}
export function onBrowserConnection(listener: (s: DeskStatus) => void): () => void {
  statusListeners.add(listener);
  if (lastStatus) listener(lastStatus);
  return () => statusListeners.delete(listener);
}

/**
 * The renderer talks to one Bridge. In Electron the preload provides it; in a
 * browser it is a WebSocket to the browser host on the same origin, which
 * reconnects by itself and fails pending requests clearly when it cannot.
 */
export function createTransport(): Bridge {
  const injected = (window as { api?: Bridge }).api;
  return injected ?? createWebSocketBridge(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`);
}

type Pending = { resolve: (r: ApiResult<unknown>) => void; timer: number };

export function createWebSocketBridge(url: string): Bridge {
  const listeners = new Set<(e: PushEvent) => void>();
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retry = 0;

  const offline = (message: string): ApiResult<never> => ({ ok: false, error: { code: 'internal', message } });

  let opened = false;
  function connect() {
    const ws = new WebSocket(url);
    socket = ws;
    opened = false;
    ws.onopen = () => {
      retry = 0;
      opened = true;
      setStatus({ state: 'online', server: location.host });
      for (const m of queue.splice(0)) ws.send(m);
      // A reconnect may have missed events: ask every view to re-read.
      for (const l of listeners) l({ name: 'access.changed' });
    };
    ws.onmessage = (msg) => {
      const data = JSON.parse(String(msg.data)) as { id?: number; result?: ApiResult<unknown>; event?: PushEvent };
      if (data.event) for (const l of listeners) l(data.event);
      else if (typeof data.id === 'number' && data.result) {
        const p = pending.get(data.id);
        if (p) {
          window.clearTimeout(p.timer);
          pending.delete(data.id);
          p.resolve(data.result);
        }
      }
    };
    ws.onclose = (e) => {
      // A socket we replaced on purpose (signed in or out) reconnects no more.
      if (socket !== ws) return;
      socket = null;
      // The session ended or was replaced: straight back, as whoever the cookie now says.
      if (e.code === 4001 || e.code === 4002) return void window.setTimeout(connect, 50);
      const delay = Math.min(10_000, 250 * 2 ** retry++);
      // The server restarting or out of reach: the session is kept there, so the page carries on once it is back.
      setStatus({
        state: 'reconnecting',
        server: location.host,
        attempt: retry,
        retryInSeconds: Math.max(1, Math.round(delay / 1000)),
      });
      // Refused twice before opening: load the page once, which clears a
      // cookie the host does not know (it restarted) or a second one someone
      // planted, then try again.
      if (!opened && retry === 2)
        void fetch('/', { cache: 'no-store', credentials: 'same-origin' }).catch(() => undefined);
      window.setTimeout(connect, delay);
    };
  }
  connect();

  /** Starts over on a new socket, so the host binds it to the cookie it just set or withdrew. */
  function reconnect() {
    const old = socket;
    socket = null;
    old?.close();
    connect();
  }

  /**
   * Signing in and out go over HTTP, not the socket: only an HTTP answer can
   * set the HttpOnly cookie, and signing in always gets a new session id.
   */
  async function overHttp(method: 'POST' | 'DELETE', input: unknown): Promise<ApiResult<unknown>> {
    try {
      const res = await fetch('/api/session', {
        method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify(input) : null,
      });
      const result = (await res.json()) as ApiResult<unknown>;
      if (result.ok || method === 'DELETE') reconnect();
      return result;
    } catch {
      return offline('The app is not reachable right now. Check that it is running and try again.');
    }
  }

  return {
    invoke<M extends Method>(method: M, input: Input<M>) {
      if (method === 'auth.signIn' || method === 'auth.signOut') {
        return overHttp(method === 'auth.signIn' ? 'POST' : 'DELETE', input) as Promise<ApiResult<Output<M>>>;
      }
      const id = nextId++;
      const message = JSON.stringify({ id, method, input });
      return new Promise((resolve) => {
        const timer = window.setTimeout(() => {
          pending.delete(id);
          resolve(offline('The app is not reachable right now. Check that it is running and try again.'));
        }, 15_000);
        pending.set(id, { resolve: resolve as Pending['resolve'], timer });
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(message);
        else queue.push(message);
      });
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
