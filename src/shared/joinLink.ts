/**
 * An invitation as a link: `teamline://join?server=<host:port>&fp=<sha256 hex>&token=<…>`
 * for the desktop app, and `https://<server>/join#fp=<…>&token=<…>` for a
 * browser, where the token is in the fragment so that no server or proxy
 * log ever holds it.
 */
export interface JoinLink {
  /** `host:port` (`[v6]:port` for an IPv6 address). */
  server: string;
  /** Lowercase SHA-256 hex, 64 characters, no separators. */
  fingerprint: string;
  token: string;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const SERVER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

/** `AA:BB:…` or any spelling of a SHA-256 fingerprint → 64 lowercase hex digits; null otherwise. */
export function fingerprintHex(text: string): string | null {
  const hex = text
    .trim()
    .replace(/^sha-?256[:=\s]*/i, '')
    .replace(/[:\s-]/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

export function appLink(l: JoinLink): string {
  const q = new URLSearchParams({ server: l.server, fp: l.fingerprint, token: l.token });
  return `teamline://join?${q.toString()}`;
}

export function webLink(l: JoinLink): string {
  const q = new URLSearchParams({ fp: l.fingerprint, token: l.token });
  return `https://${l.server}/join#${q.toString()}`;
}

export class JoinLinkError extends Error {}

/** Reads either form of the link (pasted with spaces or angle brackets around it, too). */
export function parseJoinLink(text: string): JoinLink {
  const raw = text.trim().replace(/^<|>$/g, '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new JoinLinkError('This is not an invitation link. Copy the whole link your administrator sent.');
  }
  let params: URLSearchParams;
  let server: string;
  if (url.protocol === 'teamline:') {
    // `teamline://join?…`: some platforms hand the path as `//join`, others as host `join`.
    if (url.host !== 'join' && !url.pathname.replace(/^\/+/, '').startsWith('join')) {
      throw new JoinLinkError('This teamline:// link is not an invitation.');
    }
    params = url.searchParams;
    server = params.get('server') ?? '';
  } else if (url.protocol === 'https:' && url.pathname === '/join') {
    params = new URLSearchParams(url.hash.replace(/^#/, ''));
    server = url.host;
  } else {
    throw new JoinLinkError('An invitation link starts with teamline://join or https://…/join.');
  }
  const fingerprint = fingerprintHex(params.get('fp') ?? '');
  const token = params.get('token') ?? '';
  if (!SERVER.test(server)) throw new JoinLinkError('The link does not name a server address.');
  if (!fingerprint) throw new JoinLinkError('The link has no valid certificate fingerprint; copy the whole link.');
  if (!TOKEN.test(token)) throw new JoinLinkError('The link has no valid invitation code; copy the whole link.');
  return { server, fingerprint, token };
}
