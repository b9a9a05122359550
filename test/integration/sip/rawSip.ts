import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/**
 * SIP over UDP by hand, for what sipp cannot do: send from a chosen
 * loopback address (127.0.0.2 is "another address"), replay a captured
 * message byte for byte, and listen as a peer that logs whatever reaches
 * it. Every wait is bounded.
 */

export class RawUa {
  readonly received: string[] = [];
  private waiters: { match: (m: string) => boolean; resolve: (m: string | null) => void }[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly ip: string,
    readonly port: number,
  ) {
    socket.on('message', (data) => {
      const m = data.toString('utf8');
      this.received.push(m);
      const i = this.waiters.findIndex((w) => w.match(m));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    });
  }

  /** A UDP socket on `ip` (any 127.x address works on Linux) and `port` (0: any free one). */
  static async open(ip = '127.0.0.1', port = 0): Promise<RawUa> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, ip, () => resolve());
    });
    return new RawUa(socket, ip, socket.address().port);
  }

  send(message: string, to: string): void {
    const [host, port] = to.split(':');
    this.socket.send(message, Number(port), host);
  }

  /** The next message (already received or arriving within `ms`) that `match` accepts, or null. */
  next(match: (m: string) => boolean, ms = 2000): Promise<string | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        resolve(null);
      }, ms);
      const done = (m: string | null) => (clearTimeout(timer), resolve(m));
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Sends a request and waits for its final response (matched by CSeq), or null after `ms`. */
  async request(message: string, to: string, ms = 2000): Promise<string | null> {
    const cseq = header(message, 'CSeq');
    const callId = header(message, 'Call-ID');
    const pending = this.next(
      (m) => /^SIP\/2\.0 [2-6]\d\d /.test(m) && header(m, 'CSeq') === cseq && header(m, 'Call-ID') === callId,
      ms,
    );
    this.send(message, to);
    return pending;
  }

  close(): void {
    this.socket.close();
  }
}

/** A header's value (the first, by full name), or null. */
export function header(message: string, name: string): string | null {
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(message.split('\r\n\r\n')[0]!);
  return m ? m[1]!.trim() : null;
}

export function status(message: string | null): string {
  return message ? message.split('\r\n')[0]! : 'no answer';
}

export const token = () => randomBytes(6).toString('hex');

/** A request from `ua`: headers in order, Via and Content-Length filled in. */
export function sipRequest(ua: RawUa, startLine: string, headers: string[], body = ''): string {
  return [
    startLine,
    `Via: SIP/2.0/UDP ${ua.ip}:${ua.port};branch=z9hG4bK${token()};rport`,
    'Max-Forwards: 70',
    ...headers,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The Authorization value answering a 401/407 challenge (RFC 2617, qop=auth when offered). */
export function digest(
  challenge: string,
  o: { method: string; uri: string; username: string; password: string; nc?: number },
): string {
  const value = header(challenge, 'WWW-Authenticate') ?? header(challenge, 'Proxy-Authenticate') ?? '';
  const param = (name: string) => new RegExp(`${name}="?([^",]*)"?`).exec(value)?.[1] ?? '';
  const realm = param('realm');
  const nonce = param('nonce');
  const qop = /qop="?[^"]*auth/.test(value) ? 'auth' : '';
  const ha1 = md5(`${o.username}:${realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = token();
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  return (
    `Digest username="${o.username}", realm="${realm}", nonce="${nonce}", uri="${o.uri}", response="${response}", algorithm=MD5` +
    (qop ? `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"` : '')
  );
}

/** The messages of a sipp trace that the UA sent, whole, starting with `start`. */
export function sent(messages: string, start: string): string[] {
  return messages
    .split(/^-{20,}.*$/m)
    .map((block) => block.trim())
    .filter((block) => /^(UDP|TCP) message sent/.test(block))
    .map((block) => block.slice(block.indexOf('\n') + 1).trim())
    .filter((message) => message.startsWith(`${start} `));
}

/** A message from a sipp trace, ready to send again (CRLF line ends, its Content-Length recounted). */
export function wire(traced: string): string {
  const text = traced.replace(/\r/g, '');
  const cut = text.indexOf('\n\n');
  const head = (cut >= 0 ? text.slice(0, cut) : text).split('\n').filter((l) => !/^Content-Length:/i.test(l));
  const bodyLines =
    cut >= 0
      ? text
          .slice(cut + 2)
          .split('\n')
          .filter((l) => l !== '')
      : [];
  const body = bodyLines.length ? `${bodyLines.join('\r\n')}\r\n` : '';
  return [...head, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}
