import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/**
 * A very small SIP-over-WebSocket phone for the tests, behaving like the
 * softphone's sip.js (contactName = extension, `.invalid` host, WS
 * transport): it registers with digest auth, answers INVITEs and BYEs.
 */

interface SipMessage {
  start: string;
  headers: [string, string][];
  body: string;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const rand = () => randomBytes(6).toString('hex');

export function parse(raw: string): SipMessage {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [start = '', ...lines] = head.split('\r\n');
  return {
    start,
    headers: lines.map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
    body,
  };
}

const header = (m: SipMessage, name: string) => m.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
const all = (m: SipMessage, name: string) => m.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase());
const status = (m: SipMessage) => Number(m.start.split(' ')[1]);

export class WsPhone {
  readonly invites: SipMessage[] = [];
  private waiters: ((m: SipMessage) => boolean)[] = [];
  private readonly host = `${rand()}.invalid`;
  private readonly callId = `${rand()}@${this.host}`;
  private cseq = 1;

  private constructor(
    private readonly ws: WebSocket,
    private readonly ext: string,
    private readonly domain: string,
  ) {
    ws.on('message', (data) => this.onMessage(parse(data.toString())));
  }

  /** `options`: e.g. the CA that a `wss://` proxy's certificate is checked with. */
  static connect(url: string, ext: string, domain: string, options?: WebSocket.ClientOptions): Promise<WsPhone> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'sip', options);
      ws.once('open', () => resolve(new WsPhone(ws, ext, domain)));
      ws.once('error', reject);
    });
  }

  private send(lines: string[], body = '') {
    this.ws.send([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
  }

  /** The next message matching `test`, within `ms`. */
  private next(test: (m: SipMessage) => boolean, ms = 3000): Promise<SipMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SIP reply over WebSocket in time')), ms);
      this.waiters.push((m) => {
        if (!test(m)) return false;
        clearTimeout(timer);
        resolve(m);
        return true;
      });
    });
  }

  private onMessage(m: SipMessage) {
    const i = this.waiters.findIndex((w) => w(m));
    if (i >= 0) {
      this.waiters.splice(i, 1);
      return;
    }
    if (m.start.startsWith('INVITE ')) this.answer(m);
    else if (m.start.startsWith('BYE ')) this.reply(m, '200 OK');
  }

  private reply(req: SipMessage, line: string, extra: string[] = [], body = '', toTag = '') {
    const to = header(req, 'To') ?? '';
    this.send(
      [
        `SIP/2.0 ${line}`,
        ...all(req, 'Via').map(([, v]) => `Via: ${v}`),
        ...all(req, 'Record-Route').map(([, v]) => `Record-Route: ${v}`),
        `From: ${header(req, 'From')}`,
        `To: ${to}${toTag && !/;tag=/.test(to) ? `;tag=${toTag}` : ''}`,
        `Call-ID: ${header(req, 'Call-ID')}`,
        `CSeq: ${header(req, 'CSeq')}`,
        ...extra,
      ],
      body,
    );
  }

  private answer(invite: SipMessage) {
    this.invites.push(invite);
    const tag = rand();
    this.reply(invite, '180 Ringing', [], '', tag);
    const sdp = [
      'v=0',
      `o=ws 1 1 IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=audio 9 RTP/AVP 0',
      '',
    ].join('\r\n');
    setTimeout(
      () =>
        this.reply(
          invite,
          '200 OK',
          [`Contact: <sip:${this.ext}@${this.host};transport=ws>`, 'Content-Type: application/sdp'],
          sdp,
          tag,
        ),
      100,
    );
  }

  /** Registers `sip:<aor>@domain` with these credentials; resolves with the final status code. */
  async register(
    c: { authorizationUsername: string; password: string },
    o: { aor?: string; contactName?: string; expires?: number } = {},
  ) {
    const aor = o.aor ?? this.ext;
    const uri = `sip:${this.domain}`;
    const request = (auth: string | null) => {
      const cseq = this.cseq++;
      this.send([
        `REGISTER ${uri} SIP/2.0`,
        `Via: SIP/2.0/WSS ${this.host};branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        `To: <sip:${aor}@${this.domain}>`,
        `From: <sip:${aor}@${this.domain}>;tag=${rand()}`,
        `Call-ID: ${this.callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:${o.contactName ?? this.ext}@${this.host};transport=ws>;expires=${o.expires ?? 300}`,
        ...(auth ? [`Authorization: ${auth}`] : []),
      ]);
      return this.next(
        (m) => m.start.startsWith('SIP/2.0 ') && header(m, 'CSeq') === `${cseq} REGISTER` && status(m) >= 200,
      );
    };
    let r = await request(null);
    if (status(r) === 401) {
      const challenge = header(r, 'WWW-Authenticate') ?? '';
      const field = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(challenge)?.[1] ?? '';
      const realm = field('realm');
      const nonce = field('nonce');
      const cnonce = rand();
      const nc = '00000001';
      const ha1 = md5(`${c.authorizationUsername}:${realm}:${c.password}`);
      const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${md5(`REGISTER:${uri}`)}`);
      r = await request(
        `Digest algorithm=MD5, username="${c.authorizationUsername}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, cnonce="${cnonce}", nc=${nc}`,
      );
    }
    return { code: status(r), reason: r.start.split(' ').slice(2).join(' ') };
  }

  close() {
    this.ws.close();
  }
}
