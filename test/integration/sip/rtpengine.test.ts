import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freeUdpRange } from '../../../src/main/sip/ports';
import { startRtpengine, type RunningRtpengine } from '../../../src/main/sip/rtpengine';

/**
 * The media relay on its own, driven over its NG control protocol as the
 * proxy drives it (offer, answer, delete), with plain RTP on both sides:
 * it must start and carry audio where another process holds the ports a
 * system rtpengine uses (Debian's config: HTTP 2225, NG 2223, CLI 2224) and
 * part of its own media range, and beside a second relay on the same range.
 */

type Bencoded = string | number | Bencoded[] | { [key: string]: Bencoded };

function bencode(v: Bencoded): string {
  if (typeof v === 'number') return `i${v}e`;
  if (typeof v === 'string') return `${Buffer.byteLength(v)}:${v}`;
  if (Array.isArray(v)) return `l${v.map(bencode).join('')}e`;
  return `d${Object.keys(v)
    .sort()
    .map((k) => bencode(k) + bencode(v[k]!))
    .join('')}e`;
}

function bdecode(s: string): Bencoded {
  let i = 0;
  const next = (): Bencoded => {
    const c = s[i];
    if (c === 'i') {
      const end = s.indexOf('e', i);
      const n = Number(s.slice(i + 1, end));
      i = end + 1;
      return n;
    }
    if (c === 'l' || c === 'd') {
      i++;
      const items: Bencoded[] = [];
      while (s[i] !== 'e') items.push(next());
      i++;
      if (c === 'l') return items;
      const dict: Record<string, Bencoded> = {};
      for (let k = 0; k < items.length; k += 2) dict[items[k] as string] = items[k + 1]!;
      return dict;
    }
    const colon = s.indexOf(':', i);
    const len = Number(s.slice(i, colon));
    const str = s.slice(colon + 1, colon + 1 + len);
    i = colon + 1 + len;
    return str;
  };
  return next();
}

async function bindUdp(port = 0): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => resolve());
  });
  return s;
}

/** One NG command and its reply (the relay's replies carry the cookie we sent). */
async function ng(relay: RunningRtpengine, command: Record<string, Bencoded>): Promise<Record<string, Bencoded>> {
  const s = await bindUdp();
  try {
    const cookie = `t${Math.random().toString(36).slice(2, 10)}`;
    const reply = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${String(command.command)}`)), 3000);
      s.on('message', (m) => {
        const text = m.toString('latin1');
        if (!text.startsWith(`${cookie} `)) return;
        clearTimeout(timer);
        resolve(text.slice(cookie.length + 1));
      });
    });
    s.send(`${cookie} ${bencode(command)}`, relay.ngPort, '127.0.0.1');
    const decoded = bdecode(await reply) as Record<string, Bencoded>;
    expect(decoded.result, JSON.stringify(decoded)).toBe('ok');
    return decoded;
  } finally {
    s.close();
  }
}

const sdp = (port: number, session: string) =>
  [
    'v=0',
    `o=- ${session} 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');

const mediaPort = (body: Bencoded) => Number(/^m=audio (\d+) /m.exec(String(body))?.[1]);

/** An RTP packet (PCMU) whose payload names the side that sent it. */
function rtp(seq: number, ssrc: number, tag: string): Buffer {
  const b = Buffer.alloc(12 + 160, 0xff);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(ssrc, 8);
  b.write(tag, 12, 'latin1');
  return b;
}

/**
 * A call through the relay between two plain RTP endpoints: each side's
 * packets reach the other, through the ports the relay put in the SDP.
 * Returns the relay's ports that were used.
 */
async function callThrough(relay: RunningRtpengine, callId: string): Promise<number[]> {
  const a = await bindUdp();
  const b = await bindUdp();
  try {
    const offer = await ng(relay, {
      command: 'offer',
      'call-id': callId,
      'from-tag': 'caller',
      sdp: sdp(a.address().port, '1'),
      replace: ['origin', 'session-connection'],
      ICE: 'remove',
      'transport-protocol': 'RTP/AVP',
    });
    const towardB = mediaPort(offer.sdp!);
    const answer = await ng(relay, {
      command: 'answer',
      'call-id': callId,
      'from-tag': 'caller',
      'to-tag': 'callee',
      sdp: sdp(b.address().port, '2'),
      replace: ['origin', 'session-connection'],
      ICE: 'remove',
      'transport-protocol': 'RTP/AVP',
    });
    const towardA = mediaPort(answer.sdp!);
    expect(towardA).toBeGreaterThan(0);
    expect(towardB).toBeGreaterThan(0);

    const heard = (s: Socket, tag: string) =>
      new Promise<void>((resolve) =>
        s.on('message', (m) => m.subarray(12, 12 + tag.length).toString('latin1') === tag && resolve()),
      );
    const aHearsB = heard(a, 'from-b');
    const bHearsA = heard(b, 'from-a');
    // A few packets each way, 20 ms apart, as a phone sends them.
    let done = false;
    const both = Promise.all([aHearsB, bHearsA]).then(() => (done = true));
    for (let seq = 1; seq <= 100 && !done; seq++) {
      a.send(rtp(seq, 0x1111, 'from-a'), towardA, '127.0.0.1');
      b.send(rtp(seq, 0x2222, 'from-b'), towardB, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.race([
      both,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no media through the relay')), 1000)),
    ]);
    await ng(relay, { command: 'delete', 'call-id': callId, 'from-tag': 'caller' });
    return [towardA, towardB];
  } finally {
    a.close();
    b.close();
  }
}

const held: { close(): void }[] = [];
const relays: RunningRtpengine[] = [];
const dirs: string[] = [];

/** Takes a port the way another program would; one that is already taken is held all the same. */
async function holdTcp(port: number) {
  const server: Server = createServer();
  await new Promise<void>((resolve) => {
    server.once('error', () => resolve());
    server.listen(port, '127.0.0.1', () => (held.push(server), resolve()));
  });
}
async function holdUdp(port: number) {
  try {
    held.push(await bindUdp(port));
  } catch {
    // Held by someone else already.
  }
}

afterAll(async () => {
  for (const r of relays) await r.stop();
  for (const h of held) h.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it('starts and relays audio both ways while its default ports and part of its media range are taken, beside a second relay', async () => {
  // What Debian's rtpengine.conf would have it listen on: HTTP, NG, CLI.
  await holdTcp(2225);
  await holdUdp(2223);
  await holdUdp(2224);
  // A media range of four RTP/RTCP pairs, two of whose RTP ports another program holds.
  let first = await freeUdpRange(9);
  if (first % 2 === 1) first += 1;
  const taken = [first, first + 4];
  for (const p of taken) await holdUdp(p);

  const start = async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'tl-rtpengine-'));
    dirs.push(runDir);
    const relay = await startRtpengine({ runDir, portMin: first, portMax: first + 7 });
    relays.push(relay);
    return relay;
  };
  const relay = await start();
  const ports = await callThrough(relay, 'relay-test-1');
  for (const p of ports) {
    expect(p).toBeGreaterThanOrEqual(first);
    expect(p).toBeLessThanOrEqual(first + 7);
    expect(taken).not.toContain(p);
  }
  // No HTTP listener of its own (the system config's listen-http is not read).
  expect(relay.readLog()).not.toMatch(/websocket|\[http\]/i);

  // A second copy (another Teamline on this machine) starts too, on the default range, and carries a call.
  const runDir = mkdtempSync(join(tmpdir(), 'tl-rtpengine-'));
  dirs.push(runDir);
  const second = await startRtpengine({ runDir });
  relays.push(second);
  expect(second.ngPort).not.toBe(relay.ngPort);
  await callThrough(second, 'relay-test-2');
  // And the first still does.
  await callThrough(relay, 'relay-test-3');
}, 30_000);
