import { createHash } from 'node:crypto';

/**
 * Kamailio's topoh module hides Call-IDs toward a trunk as "!!:" and a
 * base64 whose alphabet is shuffled by the mask key (th_mask.c). The proxy
 * must write the same tokens where topoh does not look: the Call-ID inside
 * an attended transfer's Replaces. This is topoh's shuffle, computed once
 * here and handed to the proxy's configuration as a 64-character alphabet.
 */

const BASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-';
const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export const TOPOH_CALLID_PREFIX = '!!:';

const CCITT = Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  return c;
});

/** Kamailio's crcitt_string (CRC-16, polynomial 0x8408, inverted in and out). */
function crcitt(s: Buffer): number {
  let crc = 0xffff;
  for (const byte of s) crc = (CCITT[(crc ^ byte) & 0xff]! ^ (crc >>> 8)) & 0xffff;
  return ~crc & 0xffff;
}

/** The alphabet topoh uses for `key` (th_shuffle over its initial table). */
export function topohAlphabet(key: string): string {
  const k = Buffer.from(key, 'latin1');
  if (k.length === 0 || k.some((b) => b > 0x7f)) throw new Error('The mask key must be plain ASCII');
  const md5 = createHash('md5').update(k).update(k).digest();
  const words = [0, 1, 2, 3].map((i) => md5.readUInt32LE(i * 4));
  const crc = crcitt(k);
  const table = BASE.split('');
  for (let last = 64; last > 1; last--) {
    const at = (crc + last + k.length) % 4;
    const r = ((words[at]! + k[(crc + last + k.length) % k.length]!) >>> 0) % last;
    [table[r], table[last - 1]] = [table[last - 1]!, table[r]!];
  }
  return table.join('');
}

/** A Call-ID as topoh writes it toward a trunk. */
export function topohMask(value: string, key: string): string {
  const alphabet = topohAlphabet(key);
  const b64 = Buffer.from(value, 'latin1').toString('base64');
  let out = TOPOH_CALLID_PREFIX;
  for (const c of b64) out += c === '=' ? '*' : alphabet[STANDARD.indexOf(c)];
  return out;
}

/** The Call-ID a topoh token stands for, or null when `value` is not one. */
export function topohUnmask(value: string, key: string): string | null {
  if (!value.startsWith(TOPOH_CALLID_PREFIX)) return null;
  const alphabet = topohAlphabet(key);
  let b64 = '';
  for (const c of value.slice(TOPOH_CALLID_PREFIX.length)) {
    if (c === '*') b64 += '=';
    else {
      const i = alphabet.indexOf(c);
      if (i < 0) return null;
      b64 += STANDARD[i];
    }
  }
  return Buffer.from(b64, 'base64').toString('latin1');
}
