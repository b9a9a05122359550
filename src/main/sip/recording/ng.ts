import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

/**
 * rtpengine's NG control protocol over UDP, as the phone service's main
 * process speaks it (Kamailio speaks it for offers and answers): a cookie,
 * a space, a bencoded dictionary; the reply carries the same cookie.
 */

export type Bencoded = string | number | Bencoded[] | { [key: string]: Bencoded };

export class NgError extends Error {}

export function bencode(v: Bencoded): Buffer {
  if (typeof v === 'number') return Buffer.from(`i${Math.trunc(v)}e`, 'latin1');
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([Buffer.from(`${b.length}:`, 'latin1'), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([Buffer.from('l'), ...v.map(bencode), Buffer.from('e')]);
  const parts: Buffer[] = [Buffer.from('d')];
  // Keys in byte order, as bencoding requires.
  for (const k of Object.keys(v).sort()) parts.push(bencode(k), bencode(v[k]!));
  parts.push(Buffer.from('e'));
  return Buffer.concat(parts);
}

export function bdecode(b: Buffer): Bencoded {
  let i = 0;
  const fail = () => {
    throw new NgError('Malformed bencoded reply');
  };
  const next = (depth: number): Bencoded => {
    if (depth > 32 || i >= b.length) fail();
    const c = b[i];
    if (c === 0x69 /* i */) {
      const end = b.indexOf(0x65, i);
      if (end < 0) fail();
      const n = Number(b.toString('latin1', i + 1, end));
      if (!Number.isFinite(n)) fail();
      i = end + 1;
      return n;
    }
    if (c === 0x6c /* l */ || c === 0x64 /* d */) {
      i++;
      const items: Bencoded[] = [];
      while (i < b.length && b[i] !== 0x65) items.push(next(depth + 1));
      if (i >= b.length) fail();
      i++;
      if (c === 0x6c) return items;
      const dict: Record<string, Bencoded> = {};
      for (let k = 0; k + 1 < items.length; k += 2) dict[String(items[k])] = items[k + 1]!;
      return dict;
    }
    const colon = b.indexOf(0x3a, i);
    if (colon < 0) fail();
    const len = Number(b.toString('latin1', i, colon));
    if (!Number.isSafeInteger(len) || len < 0 || colon + 1 + len > b.length) fail();
    const s = b.toString('utf8', colon + 1, colon + 1 + len);
    i = colon + 1 + len;
    return s;
  };
  return next(0);
}

/** One NG command; resolves with the reply dictionary, rejects on a timeout or a result other than "ok". */
export async function ngCommand(
  port: number,
  command: Record<string, Bencoded>,
  timeoutMs = 1000,
): Promise<Record<string, Bencoded>> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    const cookie = randomBytes(6).toString('hex');
    const reply = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new NgError(`rtpengine did not answer "${String(command.command)}"`)),
        timeoutMs,
      );
      socket.on('message', (m) => {
        if (m.toString('latin1', 0, cookie.length + 1) !== `${cookie} `) return;
        clearTimeout(timer);
        resolve(m.subarray(cookie.length + 1));
      });
    });
    socket.send(Buffer.concat([Buffer.from(`${cookie} `, 'latin1'), bencode(command)]), port, '127.0.0.1');
    const decoded = bdecode(await reply);
    if (typeof decoded !== 'object' || Array.isArray(decoded)) throw new NgError('Unexpected reply from rtpengine');
    if (decoded.result !== 'ok') {
      const why = typeof decoded['error-reason'] === 'string' ? decoded['error-reason'] : String(decoded.result);
      throw new NgError(`rtpengine refused "${String(command.command)}": ${why}`);
    }
    return decoded;
  } finally {
    socket.close();
  }
}
