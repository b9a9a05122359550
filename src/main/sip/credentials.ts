import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { iceServersFor, type IceServer, type TurnSettings } from './turn';

/**
 * Time-limited SIP credentials, derived rather than stored: nothing to leak
 * from a database, and nothing long-lived in the renderer.
 *
 *   authorization username = `<expiry unix seconds>.<extension>`, or
 *     `<expiry unix seconds>.<extension>.<device id>` for a joined desktop
 *   password = base64url(HMAC-SHA256(accountKey, `<authorization username>:<user id>`))
 *   accountKey = HMAC-SHA256(secret, `teamline-sip-account:<account id>`)
 *
 * The account key keeps another account's credentials from working here;
 * the user id keeps credentials from passing to whoever is given the
 * extension next. The proxy never sees the secret, only an HA1 per request.
 * A joined desktop's device id is part of what is signed: revoking that
 * desktop refuses its credentials at once (the device is checked on every
 * REGISTER and call) and tells its registrations apart from the user's
 * other phones, so that only they are removed.
 */

export interface IssuedCredentials {
  /** The AOR user: the extension. */
  username: string;
  authorizationUsername: string;
  password: string;
  /** Unix milliseconds. */
  expiresAt: number;
  domain: string;
  wsUrl: string;
  /** TURN servers for the softphone's ICE, with this user's own short-lived credentials (empty: none). */
  iceServers: IceServer[];
}

export interface SipIdentity {
  accountId: number;
  userId: number;
  extension: string;
  /** The joined desktop the credentials are for, if any. */
  deviceId?: number | null | undefined;
}

const AUTH_USER = /^(\d{10})\.(\d{2,6})(?:\.([1-9]\d{0,14}))?$/;

function accountKey(secret: Buffer, accountId: number): Buffer {
  return createHmac('sha256', secret).update(`teamline-sip-account:${accountId}`).digest();
}

export function sipPassword(secret: Buffer, identity: SipIdentity, authorizationUsername: string): string {
  return createHmac('sha256', accountKey(secret, identity.accountId))
    .update(`${authorizationUsername}:${identity.userId}`)
    .digest('base64url');
}

export function issueCredentials(
  config: {
    secret: Buffer;
    domain: string;
    wsUrl: string;
    credentialTtlSeconds: number;
    turn?: TurnSettings | null | undefined;
  },
  identity: SipIdentity,
  now: number,
): IssuedCredentials {
  const expirySeconds = Math.floor(now / 1000) + config.credentialTtlSeconds;
  const device = identity.deviceId ? `.${identity.deviceId}` : '';
  const authorizationUsername = `${expirySeconds}.${identity.extension}${device}`;
  return {
    username: identity.extension,
    authorizationUsername,
    password: sipPassword(config.secret, identity, authorizationUsername),
    expiresAt: expirySeconds * 1000,
    domain: config.domain,
    wsUrl: config.wsUrl,
    iceServers: iceServersFor(config.turn, identity, now),
  };
}

/** The parts of an authorization username, or null when it is not one of ours. */
export function parseAuthorizationUsername(
  value: string,
): { expiresAt: number; extension: string; deviceId: number | null } | null {
  const m = AUTH_USER.exec(value);
  if (!m) return null;
  return { expiresAt: Number(m[1]) * 1000, extension: m[2]!, deviceId: m[3] ? Number(m[3]) : null };
}

/** RFC 2617 HA1 = MD5(username:realm:password): what the proxy needs to check a digest. */
export function ha1(authorizationUsername: string, realm: string, password: string): string {
  return createHash('md5').update(`${authorizationUsername}:${realm}:${password}`).digest('hex');
}

/** Constant-time string comparison for the proxy's token. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
