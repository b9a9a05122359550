import { createHmac } from 'node:crypto';

/**
 * TURN servers for the softphones' ICE, as the team server's settings give
 * them. Two ways to sign in to a TURN server:
 *
 * - a shared secret (coturn's `use-auth-secret`, the "TURN REST API"): the
 *   server gives each signed-in softphone its own credentials, valid for
 *   `ttlSeconds`, derived from the secret; the secret itself never leaves the
 *   main process, and a credential a browser leaks expires on its own;
 * - a static username and password (coturn's `user=`): the same for every
 *   softphone and handed to each, for a TURN server without shared secrets.
 */
export type TurnSettings = {
  urls: string[];
  auth:
    | { kind: 'shared-secret'; secret: string; ttlSeconds: number }
    | { kind: 'static'; username: string; password: string };
};

/** An RTCIceServer as a page's RTCPeerConnection takes it. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * coturn's time-limited credential: username `<expiry unix seconds>:<label>`,
 * password base64(HMAC-SHA1(secret, username)). The label names the user
 * (account and user id) in coturn's logs.
 */
export function turnRestCredential(
  secret: string,
  label: string,
  expiresAtSeconds: number,
): { username: string; credential: string } {
  const username = `${expiresAtSeconds}:${label}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The ICE servers for one user's softphone now: none without TURN settings. */
export function iceServersFor(
  turn: TurnSettings | null | undefined,
  user: { accountId: number; userId: number },
  now: number,
): IceServer[] {
  if (!turn) return [];
  if (turn.auth.kind === 'static')
    return [{ urls: turn.urls, username: turn.auth.username, credential: turn.auth.password }];
  const expiry = Math.floor(now / 1000) + turn.auth.ttlSeconds;
  return [{ urls: turn.urls, ...turnRestCredential(turn.auth.secret, `${user.accountId}-${user.userId}`, expiry) }];
}
