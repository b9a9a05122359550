import { randomBytes } from 'node:crypto';

/**
 * Just enough SIP (RFC 3261) for a user agent server that answers calls
 * the proxy hands it on loopback: parse a request, answer it, and send a BYE
 * inside the dialog it set up. Anything it cannot parse is dropped.
 */

export interface SipRequest {
  method: string;
  uri: string;
  headers: Map<string, string[]>;
  body: string;
}

export interface SipResponse {
  status: number;
  reason: string;
  headers: Map<string, string[]>;
  body: string;
}

/** Compact header forms (RFC 3261 §7.3.3) and canonical case. */
const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  e: 'content-encoding',
  s: 'subject',
};

const MAX_MESSAGE = 16_384;

function parseHeaders(lines: string[]): Map<string, string[]> | null {
  const headers = new Map<string, string[]>();
  let last: string | null = null;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) {
      const list = headers.get(last)!;
      list[list.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    let name = line.slice(0, colon).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const value = line.slice(colon + 1).trim();
    // Via, Record-Route and Route may carry several values in one header, separated by commas.
    const values = name === 'via' || name === 'record-route' || name === 'route' ? splitList(value) : [value];
    headers.set(name, [...(headers.get(name) ?? []), ...values]);
    last = name;
  }
  return headers;
}

/** Splits a header value on commas outside <...> and quotes. */
function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth--;
    else if (!quoted && depth === 0 && ch === ',') {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter(Boolean);
}

function split(text: string): { start: string; headers: Map<string, string[]>; body: string } | null {
  if (text.length > MAX_MESSAGE) return null;
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = text.slice(0, end).split('\r\n');
  const start = lines.shift() ?? '';
  const headers = parseHeaders(lines);
  if (!headers) return null;
  const length = Number(headers.get('content-length')?.[0] ?? '0');
  if (!Number.isInteger(length) || length < 0) return null;
  const body = text.slice(end + 4, end + 4 + length);
  return { start, headers, body };
}

export function parseRequest(text: string): SipRequest | null {
  const m = split(text);
  if (!m) return null;
  const line = /^([A-Z]{3,12}) (\S+) SIP\/2\.0$/.exec(m.start);
  if (!line) return null;
  for (const required of ['via', 'from', 'to', 'call-id', 'cseq']) if (!m.headers.get(required)?.length) return null;
  return { method: line[1]!, uri: line[2]!, headers: m.headers, body: m.body };
}

export function parseResponse(text: string): SipResponse | null {
  const m = split(text);
  if (!m) return null;
  const line = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(m.start);
  if (!line) return null;
  return { status: Number(line[1]), reason: line[2] ?? '', headers: m.headers, body: m.body };
}

export const header = (m: { headers: Map<string, string[]> }, name: string): string => m.headers.get(name)?.[0] ?? '';

/** The tag parameter of a From or To value. */
export const tagOf = (value: string): string | null => /;\s*tag=([^;>\s]+)/i.exec(value)?.[1] ?? null;

/** The URI inside a name-addr (`"Name" <sip:...>;tag=x`) or an addr-spec. */
export function uriOf(value: string): string {
  const angle = /<([^>]*)>/.exec(value);
  return (angle ? angle[1]! : value.split(';')[0]!).trim();
}

/** user, host and port of a sip: URI. */
export function parseUri(uri: string): { user: string; host: string; port: number; params: string } | null {
  const m = /^sips?:(?:([^@;]+)@)?([^:;>]+)(?::(\d{1,5}))?(;[^?]*)?/i.exec(uri);
  if (!m) return null;
  return { user: m[1] ?? '', host: m[2]!, port: Number(m[3] ?? 5060), params: m[4] ?? '' };
}

export const newTag = () => randomBytes(6).toString('hex');
export const newBranch = () => `z9hG4bK${randomBytes(8).toString('hex')}`;

function serialize(start: string, headers: [string, string][], body: string): string {
  const lines = [
    start,
    ...headers.map(([n, v]) => `${n}: ${v}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  return lines.join('\r\n');
}

/** A response to `req`; `toTag` is added to To unless it carries one. */
export function buildResponse(
  req: SipRequest,
  status: number,
  reason: string,
  o: { toTag?: string; contact?: string; extra?: [string, string][]; body?: string; contentType?: string } = {},
): string {
  const headers: [string, string][] = [];
  for (const via of req.headers.get('via') ?? []) headers.push(['Via', via]);
  if (status > 100) for (const rr of req.headers.get('record-route') ?? []) headers.push(['Record-Route', rr]);
  headers.push(['From', header(req, 'from')]);
  const to = header(req, 'to');
  headers.push(['To', o.toTag && !tagOf(to) && status > 100 ? `${to};tag=${o.toTag}` : to]);
  headers.push(['Call-ID', header(req, 'call-id')]);
  headers.push(['CSeq', header(req, 'cseq')]);
  if (o.contact) headers.push(['Contact', o.contact]);
  headers.push(['Server', 'Teamline media']);
  for (const e of o.extra ?? []) headers.push(e);
  if (o.body) headers.push(['Content-Type', o.contentType ?? 'application/sdp']);
  return serialize(`SIP/2.0 ${status} ${reason}`, headers, o.body ?? '');
}

/** What a UAS remembers of a dialog to send requests in it. */
export interface Dialog {
  callId: string;
  /** Our side (the To of the INVITE, with our tag). */
  local: string;
  /** Their side (the From of the INVITE). */
  remote: string;
  remoteTarget: string;
  /** Record-Route of the INVITE, in order: the route set toward the caller. */
  routeSet: string[];
  localCseq: number;
}

/** A request inside `dialog`, and where to send it (the first route, else the remote target). */
export function buildInDialog(
  dialog: Dialog,
  method: string,
  via: { host: string; port: number },
): { text: string; host: string; port: number } | null {
  dialog.localCseq += 1;
  const next = parseUri(uriOf(dialog.routeSet[0] ?? `<${dialog.remoteTarget}>`));
  if (!next) return null;
  const headers: [string, string][] = [
    ['Via', `SIP/2.0/UDP ${via.host}:${via.port};branch=${newBranch()};rport`],
    ['Max-Forwards', '70'],
    ...dialog.routeSet.map((r): [string, string] => ['Route', r]),
    ['From', dialog.local],
    ['To', dialog.remote],
    ['Call-ID', dialog.callId],
    ['CSeq', `${dialog.localCseq} ${method}`],
    ['User-Agent', 'Teamline media'],
  ];
  return { text: serialize(`${method} ${dialog.remoteTarget} SIP/2.0`, headers, ''), host: next.host, port: next.port };
}
