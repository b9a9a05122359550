import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { normalizePin } from './pin';

/**
 * The window's own connections to a joined team server (the softphone's SIP
 * over secure WebSocket to its Kamailio) go through Chromium, which does not
 * know the server's own CA. The Electron host asks this for each certificate
 * Chromium could not verify: it is accepted only for the joined server's
 * host, valid now, issued for that name, and chained by signature to the
 * pinned certificate, the same rule as the main process's own connection.
 */

/** `host` of `host:port` / `[v6]:port`, lowercased, without brackets. */
export function serverHost(server: string): string {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::\d+)?$/.exec(server);
  return (m?.[1] ?? m?.[2] ?? server).toLowerCase();
}

/**
 * `chainPems` as Chromium hands it: the server's certificate first, then its
 * issuers. True when the pinned certificate vouches for `hostname`.
 */
export function pinnedChainTrusted(
  hostname: string,
  chainPems: readonly string[],
  pin: string,
  server: string,
  now = Date.now(),
): boolean {
  const want = normalizePin(pin);
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!want || host !== serverHost(server) || chainPems.length === 0) return false;
  let chain: X509Certificate[];
  try {
    chain = chainPems.map((p) => new X509Certificate(p));
  } catch {
    return false;
  }
  const leaf = chain[0]!;
  const named = isIP(host) ? leaf.checkIP(host) !== undefined : leaf.checkHost(host) !== undefined;
  if (!named) return false;
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i]!;
    if (now < Date.parse(c.validFrom) || now > Date.parse(c.validTo)) return false;
    if (c.fingerprint256 === want) return true;
    const issuer = chain[i + 1];
    // Each link must be signed by the next, up to the pinned one.
    if (!issuer || !issuer.ca || !c.verify(issuer.publicKey)) return false;
  }
  return false;
}

/**
 * The Origin the softphone's WebSocket presents to the joined server's
 * Kamailio, which accepts the console's own page only: the app's window (a
 * file: page) speaks as the server's console, for that server's host only.
 * Null for any other request, which is left as it is.
 */
export function sipOriginFor(requestUrl: string, server: string): string | null {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return null;
  }
  if (u.protocol !== 'wss:' || u.hostname.replace(/^\[|\]$/g, '').toLowerCase() !== serverHost(server)) return null;
  return `https://${server.toLowerCase()}`;
}
