import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * What a hostile client sends a browser host: broken WebSocket frames, bytes
 * that are not WebSocket at all, malformed messages. Used by the host fuzz
 * test and the host benchmark (test/bench/host.ts).
 */

/** A raw TCP connection to the host at `url` that completed the WebSocket handshake (or not, when `handshake` is false). */
export function rawSocket(url: string, handshake = true): Promise<Socket> {
  const port = Number(new URL(url).port);
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
export function frame(
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

export const closedWithin = (s: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (s.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => (clearTimeout(t), resolve(true)));
  });

/** The frames and bytes a hostile client sends after the handshake. */
export const badFrames: [string, Buffer][] = [
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
export const badMessages: [string, string | Buffer][] = [
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
