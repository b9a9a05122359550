import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, signIn, startHost, type Host, type SocketClient } from '../helpers/host';

/**
 * Hostile clients against an in-process browser host: broken frames, bytes
 * that are not WebSocket at all, oversized and malformed messages. Each must
 * end only its own socket, while a signed-in client keeps its answers fast.
 */

let host: Host;
let url: string;
let port: number;

beforeAll(async () => {
  host = await startHost({ limits: { maxMessage: 64 * 1024 } });
  url = host.server.url;
  port = Number(new URL(url).port);
});
afterAll(() => host.close());

const ms = async (work: () => Promise<unknown>) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};

/** A raw TCP connection that completed the WebSocket handshake (or not, when `handshake` is false). */
function raw(handshake = true): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.once('connect', () => {
      if (!handshake) return resolve(s);
      s.write(
        [
          'GET /api HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          `Origin: ${url}`,
          '',
          '',
        ].join('\r\n'),
      );
      s.once('data', (d) => (String(d).startsWith('HTTP/1.1 101') ? resolve(s) : reject(new Error(String(d)))));
    });
  });
}

/** One client frame: masked unless told otherwise; `declared` lies about the length. */
function frame(
  opcode: number,
  payload: Buffer,
  o: { fin?: boolean; rsv?: number; masked?: boolean; declared?: number } = {},
): Buffer {
  const length = o.declared ?? payload.length;
  const first = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode;
  const maskBit = (o.masked ?? true) ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, maskBit | length]);
  else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!(o.masked ?? true)) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}

const closedWithin = (s: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (s.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => (clearTimeout(t), resolve(true)));
  });

/** The frames and bytes a hostile client sends after the handshake. */
const badFrames: [string, Buffer][] = [
  ['text over the size limit', frame(1, Buffer.alloc(70 * 1024, 0x61))],
  ['a declared length far over the limit', frame(1, Buffer.alloc(8), { declared: 2 ** 40 })],
  ['text that is not UTF-8', frame(1, Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]))],
  ['an unknown opcode', frame(3, Buffer.from('x'))],
  ['a reserved control opcode', frame(0xb, Buffer.from('x'))],
  ['RSV bits without an extension', frame(1, Buffer.from('{}'), { rsv: 7 })],
  ['an unmasked client frame', frame(1, Buffer.from('{}'), { masked: false })],
  ['a fragmented ping', frame(9, Buffer.from('x'), { fin: false })],
  ['a continuation with nothing to continue', frame(0, Buffer.from('x'))],
  ['a ping over 125 bytes', frame(9, Buffer.alloc(200))],
  ['a close with an invalid code', frame(8, Buffer.from([0x03, 0xe7]))],
  ['a close with a reason that is not UTF-8', frame(8, Buffer.from([0x03, 0xe8, 0xff, 0xff]))],
  ['garbage bytes', randomBytes(4096)],
];

/** Messages the ws library delivers, that the host must parse with care. */
const badMessages: [string, string | Buffer][] = [
  ['not JSON', '{not json'],
  ['JSON null', 'null'],
  ['a bare number', '42'],
  ['an array', '[1,2,3]'],
  ['no method', '{"id":1}'],
  ['a method that is not a string', '{"id":1,"method":{"toString":1}}'],
  ['an id that is not a number', '{"id":"1","method":"auth.me"}'],
  ['an unknown method', '{"id":1,"method":"__proto__","input":{}}'],
  [
    'prototype pollution in the input',
    '{"id":1,"method":"calls.list","input":{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}}',
  ],
  ['deeply nested JSON', `{"id":1,"method":"calls.list","input":${'['.repeat(20_000)}${']'.repeat(20_000)}}`],
  [
    'deep nesting inside strings is fine but unbalanced',
    `{"id":1,"method":"calls.list","input":"${'['.repeat(5000)}"}`,
  ],
  ['a huge string input', JSON.stringify({ id: 1, method: 'calls.list', input: { search: 'x'.repeat(60_000) } })],
  ['binary', Buffer.from([0, 1, 2, 3, 255])],
  ['an empty message', ''],
];

describe('a hostile client cannot stop the host', () => {
  let watcher: SocketClient;
  const slowest: number[] = [];
  let probing = true;

  beforeAll(async () => {
    const { cookie } = await signIn(url, 'morgan@teamline.demo');
    watcher = await open(url, { origin: url, cookie: cookie! });
  });

  /** A signed-in client asks every 20 ms while the fuzzing runs; every answer is timed. Bounded to 2,000 questions. */
  async function probe() {
    for (let i = 0; i < 2000 && probing; i++) {
      const t = performance.now();
      const r = await watcher.send('calls.list', { limit: 5 });
      slowest.push(performance.now() - t);
      expect(r.ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('ends only the socket of a bad frame, bad bytes or a bad message; others keep getting answers within 100 ms', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    const probing$ = probe();
    try {
      for (const [name, bytes] of badFrames) {
        const s = await raw();
        s.write(bytes);
        expect(await closedWithin(s, 2000), name).toBe(true);
      }
      // Not a WebSocket at all: garbage instead of a request, a huge header, a slow trickle.
      for (const bytes of [
        randomBytes(2048),
        Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX: ${'a'.repeat(70_000)}\r\n\r\n`),
      ]) {
        const s = await raw(false);
        s.write(bytes);
        expect(await closedWithin(s, 2000)).toBe(true);
      }
      for (const [name, message] of badMessages) {
        const c = await open(url, { origin: url });
        const answer = new Promise<unknown>((resolve) => {
          c.ws.once('message', (d) => resolve(JSON.parse(String(d))));
          c.ws.once('close', () => resolve('closed'));
        });
        c.ws.send(message);
        const got = await answer;
        expect(got, name).not.toBe('closed');
        expect(got, name).toMatchObject({ result: { ok: false } });
        c.ws.close();
      }
      // A burst of bad frames from many sockets at once.
      const many = await Promise.all(Array.from({ length: 12 }, () => raw()));
      many.forEach((s, i) => s.write(badFrames[i % badFrames.length]![1]));
      expect((await Promise.all(many.map((s) => closedWithin(s, 3000)))).every(Boolean)).toBe(true);
    } finally {
      // A quick machine may finish the fuzzing within a few probes: keep timing a little longer (bounded).
      for (let i = 0; i < 100 && slowest.length < 10; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      probing = false;
      await probing$;
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(slowest.length).toBeGreaterThan(5);
    // Within 100 ms, or, on a machine already slower than that without any
    // fuzzing (other test files running), within twice what it gives then.
    const quiet: number[] = [];
    for (let i = 0; i < 20; i++) quiet.push(await ms(() => watcher.send('calls.list', { limit: 5 })));
    expect(Math.max(...slowest)).toBeLessThan(Math.max(100, 2 * Math.max(...quiet)));
    // The watcher's socket is still the same, open one.
    expect((await watcher.send('auth.me', {})).ok).toBe(true);
  });
});
