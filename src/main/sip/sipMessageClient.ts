import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/**
 * A minimal SIP user agent client for one kind of request: MESSAGE (RFC 3428)
 * over UDP to the local proxy, which relays it to the carrier. It keeps the
 * non-INVITE client transaction of RFC 3261 §17.1.2: retransmits from 0.5 s
 * doubling to 4 s until a final answer, gives up after 32 s (Timer F, read
 * as 408). Nothing else: no dialogs, no authentication (the proxy answers
 * the carrier's challenges with the trunk's credentials).
 */

export interface SipMessageRequest {
  requestUri: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  /** Extra header lines (`Name: value`). */
  headers: string[];
  body: string;
}

export interface SipAnswer {
  /** The final status code; 408 when nothing final came back in time. */
  code: number;
  reason: string;
}

const T1 = 500;
const T2 = 4000;
const TIMER_F = 64 * T1;

interface Pending {
  resolve: (a: SipAnswer) => void;
  retransmit: NodeJS.Timeout | null;
  timeout: NodeJS.Timeout;
}

export class SipMessageClient {
  private socket: Socket | null = null;
  private readonly pending = new Map<string, Pending>();
  private localPort = 0;

  constructor(
    private readonly o: {
      listenIp: string;
      /** Where the proxy takes SIP over UDP now (it may have been restarted on the same port). */
      proxy: () => { host: string; port: number } | null;
      timerF?: number;
    },
  ) {}

  private async open(): Promise<Socket> {
    if (this.socket) return this.socket;
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, this.o.listenIp, () => resolve());
    });
    socket.on('message', (data) => this.onMessage(data.toString('utf8')));
    socket.on('error', () => undefined);
    socket.unref();
    this.localPort = (socket.address() as AddressInfo).port;
    this.socket = socket;
    return socket;
  }

  private onMessage(text: string) {
    const status = /^SIP\/2\.0 (\d{3}) ?([^\r\n]*)/.exec(text);
    if (!status) return;
    const via = /^(?:Via|v):[^\r\n]*branch=([^;,\s\r\n]+)/im.exec(text)?.[1];
    const p = via ? this.pending.get(via) : undefined;
    if (!p) return;
    const code = Number(status[1]);
    if (code < 200) {
      // A provisional answer: retransmissions go on at T2 (§17.1.2.2).
      return;
    }
    this.finish(via!, { code, reason: status[2]!.trim() });
  }

  private finish(branch: string, answer: SipAnswer) {
    const p = this.pending.get(branch);
    if (!p) return;
    this.pending.delete(branch);
    if (p.retransmit) clearTimeout(p.retransmit);
    clearTimeout(p.timeout);
    p.resolve(answer);
  }

  async send(r: SipMessageRequest): Promise<SipAnswer> {
    const proxy = this.o.proxy();
    if (!proxy) return { code: 503, reason: 'The phone service is not running' };
    const socket = await this.open();
    const branch = `z9hG4bK${randomBytes(10).toString('hex')}`;
    const tag = randomBytes(6).toString('hex');
    const body = Buffer.from(r.body, 'utf8');
    const head = [
      `MESSAGE ${r.requestUri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.o.listenIp}:${this.localPort};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <${r.from}>;tag=${tag}`,
      `To: <${r.to}>`,
      `Call-ID: ${r.callId}`,
      `CSeq: ${r.cseq} MESSAGE`,
      ...r.headers,
      'Content-Type: text/plain; charset=UTF-8',
      `Content-Length: ${body.length}`,
      '',
      '',
    ].join('\r\n');
    const packet = Buffer.concat([Buffer.from(head, 'utf8'), body]);
    return new Promise<SipAnswer>((resolve) => {
      const transmit = () => socket.send(packet, proxy.port, proxy.host, () => undefined);
      let interval = T1;
      const p: Pending = {
        resolve,
        retransmit: null,
        timeout: setTimeout(
          () => this.finish(branch, { code: 408, reason: 'Request Timeout' }),
          this.o.timerF ?? TIMER_F,
        ),
      };
      const again = () => {
        p.retransmit = setTimeout(() => {
          transmit();
          interval = Math.min(interval * 2, T2);
          again();
        }, interval);
      };
      this.pending.set(branch, p);
      transmit();
      again();
    });
  }

  close() {
    for (const branch of [...this.pending.keys()]) this.finish(branch, { code: 408, reason: 'Stopped' });
    this.socket?.close();
    this.socket = null;
  }
}
