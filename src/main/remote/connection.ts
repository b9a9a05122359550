import { WebSocket } from 'ws';
import {
  createSocketBridge,
  type ConnectionState,
  type SocketBridge,
  type SocketLike,
} from '../../shared/api/socketBridge';
import { certificateRefusal, pinnedTlsOptions, type PinMismatchError } from './pin';

/**
 * The desktop's connection to a team server: the same API the embedded core
 * answers, relayed over one WSS connection with the server's certificate
 * pinned, signed in with this desktop's device credential. The Electron host
 * hands `invoke` and `on` to the renderer as they are, so `window.api` does
 * not know whether the account is on this computer or on the server.
 */
export interface RemoteOptions {
  /** `wss://pbx.example.com:8443/api` */
  url: string;
  /** The pinned fingerprint and the certificate it names (kept when the desktop joined). */
  pin: string;
  pinnedPem: string;
  /** `<device id>.<secret>`, sent only to the pinned server. */
  deviceCredential: string;
  onState?: ((state: ConnectionState) => void) | undefined;
  maxBackoffMs?: number | undefined;
  requestTimeoutMs?: number | undefined;
}

/** Close codes and upgrade answers by which the server says "this device may not come back". */
export const DEVICE_REVOKED_CLOSE = 4401;

export function connectToServer(o: RemoteOptions): SocketBridge {
  if (!o.url.startsWith('wss://')) throw new Error('A team server is reached over wss:// only');
  let mismatch: PinMismatchError | null = null;
  let refusedStatus: number | null = null;
  const tls = pinnedTlsOptions(o.pin, o.pinnedPem, (e) => (mismatch = e));

  return createSocketBridge({
    open() {
      mismatch = null;
      refusedStatus = null;
      const ws = new WebSocket(o.url, {
        ...tls,
        headers: { authorization: `Device ${o.deviceCredential}` },
        handshakeTimeout: 10_000,
        maxPayload: 16 * 1024 * 1024,
      });
      ws.on('error', (error) => {
        mismatch ??= certificateRefusal(o.pin, error);
      });
      ws.on('unexpected-response', (_req, res) => {
        refusedStatus = res.statusCode ?? 0;
        res.resume();
        ws.terminate();
      });
      return ws as unknown as SocketLike;
    },
    refusal(code) {
      if (mismatch) return mismatch.message;
      if (code === DEVICE_REVOKED_CLOSE || refusedStatus === 401) {
        return 'This desktop is no longer signed in to your team: it was removed or the account was deactivated. Ask your administrator for a new invitation.';
      }
      return null;
    },
    onState: o.onState,
    maxBackoffMs: o.maxBackoffMs,
    requestTimeoutMs: o.requestTimeoutMs,
  });
}
