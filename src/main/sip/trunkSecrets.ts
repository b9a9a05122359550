import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from '../core/store/db';

/**
 * Carrier passwords at rest: AES-256-GCM under a 32-byte key kept in a file
 * beside the database (`carrier.key`, owner-only), never in the database.
 * A copied database alone does not give the passwords away, and a sealed
 * value is bound to its trunk (the additional data), so it cannot be moved
 * to another trunk's row. Sealed form: `v1.<iv>.<tag>.<ciphertext>`, base64url.
 */

export const KEY_FILE = 'carrier.key';
/** The proxy's topology-hiding key (topoh's mask key), beside the carrier key. */
export const TOPOH_KEY_FILE = 'topoh.key';

export class SecretKeyError extends Error {}

/** Reads the key, or creates it (0600, exclusively) on first use. A key file of the wrong shape is an error, never replaced: that would lose every password. */
export function loadOrCreateKey(file: string, bytes = 32): Buffer {
  if (existsSync(file)) {
    const st = lstatSync(file);
    if (!st.isFile()) throw new SecretKeyError(`${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0) chmodSync(file, 0o600);
    const hex = readFileSync(file, 'utf8').trim();
    if (hex.length !== bytes * 2 || !/^[0-9a-f]+$/.test(hex)) throw new SecretKeyError(`${file} does not hold a key`);
    return Buffer.from(hex, 'hex');
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(bytes);
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    // Another process created it in between: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(file, bytes);
    throw error;
  }
  try {
    writeSync(fd, key.toString('hex'));
    if ((fstatSync(fd).mode & 0o077) !== 0) chmodSync(file, 0o600);
  } finally {
    closeSync(fd);
  }
  return key;
}

// An in-memory database (tests, a demo) keeps no file: its key lives as long as the process.
const memoryKeys = new WeakMap<Db, Buffer>();

/** The key for this database: `carrier.key` in the database's folder. */
export function keyFor(db: Db): Buffer {
  if (db.memory || db.name === '' || db.name === ':memory:') {
    let key = memoryKeys.get(db);
    if (!key) memoryKeys.set(db, (key = randomBytes(32)));
    return key;
  }
  return loadOrCreateKey(join(dirname(db.name), KEY_FILE));
}

const memoryTopoh = new WeakMap<Db, string>();

/**
 * The proxy's topology-hiding key (32 hex characters): `topoh.key` beside
 * the database, owner-only, made once. Kept across restarts of the phone
 * service, so the Call-IDs topoh handed to a carrier before a restart still
 * decode (calls going on, a BYE) and a text sent again after a restart
 * carries the same masked Call-ID, which a carrier de-duplicates.
 */
export function topohKeyFor(db: Db): string {
  if (db.memory || db.name === '' || db.name === ':memory:') {
    let key = memoryTopoh.get(db);
    if (!key) memoryTopoh.set(db, (key = randomBytes(16).toString('hex')));
    return key;
  }
  return loadOrCreateKey(join(dirname(db.name), TOPOH_KEY_FILE), 16).toString('hex');
}

const b64 = (b: Buffer) => b.toString('base64url');

export function seal(key: Buffer, plain: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1.${b64(iv)}.${b64(cipher.getAuthTag())}.${b64(body)}`;
}

/** The password, or an error when the key, the trunk or the bytes are not the ones it was sealed with. */
export function open(key: Buffer, sealed: string, context: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') throw new SecretKeyError('Not a sealed carrier secret');
  const [iv, tag, body] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv!);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError('The carrier password cannot be read with this key');
  }
}

/** What a trunk's sealed password is bound to. */
export const trunkContext = (accountId: number, contactToken: string) => `teamline-trunk:${accountId}:${contactToken}`;
