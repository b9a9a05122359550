import type { Bridge } from '../../../shared/api/bridge';
import type { PushEvent } from '../../../shared/api/events';
import type { ApiResult } from '../../../shared/result';

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

  function connect() {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retry = 0;
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
    ws.onclose = () => {
      socket = null;
      const delay = Math.min(10_000, 250 * 2 ** retry++);
      window.setTimeout(connect, delay);
    };
  }
  connect();

  return {
    invoke(method, input) {
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
