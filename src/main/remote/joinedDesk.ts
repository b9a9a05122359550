import type { DeskStatus } from '../../shared/api/desk';
import type { PushEvent } from '../../shared/api/events';
import type { ConnectionState, SocketBridge } from '../../shared/api/socketBridge';
import type { ApiResult } from '../../shared/result';
import { connectToServer } from './connection';
import type { Joined } from './join';

/**
 * A joined desktop's main process: one pinned WSS connection to the team
 * server that every window's `window.api` is relayed over, in place of the
 * embedded core, and the connection's state as the renderer shows it (the
 * "Reconnecting…" banner). Plain Node: the Electron host only carries it.
 */

export type { DeskStatus };

export function deskStatus(server: string, s: ConnectionState): DeskStatus {
  switch (s.state) {
    case 'online':
    case 'connecting':
      return { state: s.state, server };
    case 'reconnecting':
      return { state: 'reconnecting', server, attempt: s.attempt, retryInSeconds: Math.ceil(s.retryInMs / 1000) };
    case 'refused':
      return { state: 'refused', server, reason: s.reason };
  }
}

/** The same shape as the embedded core's per-window connection. */
export interface DeskConnection {
  invoke(method: string, input: unknown): Promise<ApiResult<unknown>>;
  close(): void;
}

export interface JoinedDesk {
  /** A window's connection: its requests go to the server, the server's events come back to it. */
  connect(send: (e: PushEvent) => void): DeskConnection;
  status(): DeskStatus;
  onStatus(listener: (s: DeskStatus) => void): () => void;
  /** The computer woke up or the network came back: try now rather than at the end of the backoff. */
  retryNow(): void;
  close(): void;
}

export function startJoinedDesk(
  joined: Pick<Joined, 'url' | 'server' | 'pin' | 'pinnedPem' | 'deviceCredential'>,
  o: { maxBackoffMs?: number; requestTimeoutMs?: number } = {},
): JoinedDesk {
  const statusListeners = new Set<(s: DeskStatus) => void>();
  let current: DeskStatus = { state: 'connecting', server: joined.server };
  const bridge: SocketBridge = connectToServer({
    url: joined.url,
    pin: joined.pin,
    pinnedPem: joined.pinnedPem,
    deviceCredential: joined.deviceCredential,
    maxBackoffMs: o.maxBackoffMs ?? 30_000,
    requestTimeoutMs: o.requestTimeoutMs,
    onState: (s) => {
      current = deskStatus(joined.server, s);
      for (const l of statusListeners) l(current);
    },
  });
  current = deskStatus(joined.server, bridge.state());

  return {
    connect(send) {
      const off = bridge.on(send);
      let open = true;
      return {
        invoke: (method, input) =>
          open
            ? (bridge.invoke(method as never, input as never) as Promise<ApiResult<unknown>>)
            : Promise.resolve({ ok: false, error: { code: 'internal', message: 'This window was closed.' } }),
        close() {
          open = false;
          off();
        },
      };
    },
    status: () => current,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    retryNow: () => bridge.retryNow(),
    close() {
      statusListeners.clear();
      bridge.close();
    },
  };
}
