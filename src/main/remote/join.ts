import { isIP } from 'node:net';
import { WebSocket } from 'ws';
import type { Input, Output } from '../../shared/api/contract';
import { parseJoinLink, type JoinLink } from '../../shared/joinLink';
import type { ApiResult } from '../../shared/result';
import { fetchPinnedCertificate, normalizePin, pinnedTlsOptions, PinMismatchError } from './pin';

/**
 * Joining a team with an invitation link, in plain Node (the desktop's main
 * process runs it; the renderer only shows the form): read the link, fetch
 * the server's certificate and keep it only if its chain holds the pinned
 * fingerprint, then, over a connection that trusts nothing else, read the
 * invitation and use it. What comes back (the device credential and the
 * pinned certificate) is what `connectToServer` needs from then on; the
 * Electron host keeps the credential with safeStorage.
 */

export interface Joined {
  /** `wss://host:port/api` */
  url: string;
  server: string;
  /** `AA:BB:…` */
  pin: string;
  pinnedPem: string;
  deviceId: number;
  deviceCredential: string;
  userName: string;
  login: string;
  accountName: string;
}

export class JoinError extends Error {}

function splitServer(server: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(server);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3] ?? 443);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new JoinError(`"${server}" is not a server address.`);
  return { host, port };
}

/** One request over a pinned connection that is not signed in, then closed. */
async function ask<M extends 'invitations.inspect' | 'invitations.redeem'>(
  link: JoinLink,
  pinnedPem: string,
  method: M,
  input: Input<M>,
  timeoutMs: number,
): Promise<Output<M>> {
  const pin = normalizePin(link.fingerprint)!;
  let mismatch: PinMismatchError | null = null;
  const tls = pinnedTlsOptions(pin, pinnedPem, (e) => (mismatch = e));
  const ws = new WebSocket(`wss://${link.server}/api`, {
    ...tls,
    // The console's own origin: the sign-in socket is open to its own pages only.
    headers: { origin: `https://${link.server}` },
    handshakeTimeout: timeoutMs,
    maxPayload: 1024 * 1024,
  });
  try {
    const result = await new Promise<ApiResult<unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new JoinError(`No answer from ${link.server}.`)), timeoutMs);
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, method, input })));
      ws.on('message', (data) => {
        let m: { id?: unknown; result?: ApiResult<unknown> };
        try {
          m = JSON.parse(String(data)) as typeof m;
        } catch {
          return;
        }
        if (m.id !== 1 || !m.result) return;
        clearTimeout(timer);
        resolve(m.result);
      });
      ws.on('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        res.resume();
        reject(new JoinError(`The server at ${link.server} refused the connection (HTTP ${res.statusCode ?? '?'}).`));
      });
      ws.on('error', (error) => {
        clearTimeout(timer);
        reject(mismatch ?? new JoinError(`Cannot reach ${link.server}: ${error.message}`));
      });
      ws.on('close', () => {
        clearTimeout(timer);
        reject(mismatch ?? new JoinError(`The server at ${link.server} closed the connection.`));
      });
    });
    if (!result.ok) throw new JoinError(result.error.message);
    return result.value as Output<M>;
  } finally {
    ws.removeAllListeners('close');
    ws.on('error', () => {});
    ws.close();
  }
}

async function pinned(link: JoinLink, timeoutMs: number): Promise<string> {
  const pin = normalizePin(link.fingerprint);
  if (!pin) throw new JoinError('The invitation has no valid certificate fingerprint.');
  const { host, port } = splitServer(link.server);
  try {
    return await fetchPinnedCertificate({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      pin,
      timeoutMs,
    });
  } catch (error) {
    if (error instanceof PinMismatchError) throw error;
    throw new JoinError(`Cannot reach ${link.server}: ${(error as Error).message}`);
  }
}

/** What an invitation link is for (whom, which account, still usable), asked of the pinned server. */
export async function inspectInvitation(
  text: string,
  o: { timeoutMs?: number } = {},
): Promise<Output<'invitations.inspect'> & { server: string }> {
  const link = parseJoinLink(text);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const pem = await pinned(link, timeoutMs);
  return { ...(await ask(link, pem, 'invitations.inspect', { token: link.token }, timeoutMs)), server: link.server };
}

/**
 * Uses the invitation: sets the invitee's password and returns this
 * desktop's device credential. Throws PinMismatchError when the server's
 * certificate is not the one the link names, JoinLinkError for a link that
 * is not one, and JoinError with the server's reason otherwise (used,
 * expired, withdrawn).
 */
export async function joinWithInvitation(
  text: string,
  o: { password: string; deviceName: string; timeoutMs?: number },
): Promise<Joined> {
  const link = parseJoinLink(text);
  const timeoutMs = o.timeoutMs ?? 15_000;
  const pinnedPem = await pinned(link, timeoutMs);
  const r = await ask(
    link,
    pinnedPem,
    'invitations.redeem',
    { token: link.token, password: o.password, deviceName: o.deviceName },
    timeoutMs,
  );
  if (!r.device) throw new JoinError('The server made no device credential for this desktop.');
  return {
    url: `wss://${link.server}/api`,
    server: link.server,
    pin: normalizePin(link.fingerprint)!,
    pinnedPem,
    deviceId: r.device.id,
    deviceCredential: r.device.credential,
    userName: r.userName,
    login: r.login,
    accountName: r.accountName,
  };
}
