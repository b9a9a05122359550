import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';

/** scrypt cost. Tests may lower it; stored hashes carry their own parameters. */
let cost = { N: 16384, r: 8, p: 1 };

export function setPasswordCost(next: { N: number; r: number; p: number }): void {
  cost = next;
}

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 32, { ...cost, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export function verifyPassword(password: string, stored: string | null): boolean {
  if (!stored) return false;
  const [scheme, N, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !N || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = scryptSync(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(expected, actual);
}

let dummy = { cost, hash: hashPassword(randomBytes(12).toString('hex')) };

/**
 * A hash that never verifies, at the current cost, to spend the same time as
 * a real check when there is no user (or no password) to check against.
 */
export function dummyHash(): string {
  if (dummy.cost !== cost) dummy = { cost, hash: hashPassword(randomBytes(12).toString('hex')) };
  return dummy.hash;
}

/**
 * scrypt off the main thread, on at most half the machine's cores: each one
 * holds a libuv worker and a core for tens of milliseconds, and the main
 * thread (the console, the phone service's decisions) needs a core too, as do
 * the workers that read the renderer's files. A flood of sign-ins waits in
 * this queue instead of starving them; past `MAX_WAITING` it is refused.
 */
const MAX_RUNNING = Math.max(1, Math.floor(availableParallelism() / 2));
const MAX_WAITING = 64;
let running = 0;
const waiting: (() => void)[] = [];

export class HashingBusy extends Error {
  constructor() {
    super('Too many sign-ins at once');
  }
}

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) throw new HashingBusy();
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running += 1;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function scryptRaw(
  password: string,
  salt: Buffer,
  length: number,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, length, { ...params, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

function scryptAsync(
  password: string,
  salt: Buffer,
  length: number,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return withHashSlot(() => scryptRaw(password, salt, length, params));
}

export async function hashPasswordAsync(password: string): Promise<string> {
  const salt = randomBytes(16);
  const params = cost;
  const key = await scryptAsync(password, salt, 32, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

async function verifyRaw(password: string, stored: string | null): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = (stored ?? '').split('$');
  if (scheme !== 'scrypt' || !N || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scryptRaw(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(expected, actual);
}

/** As verifyPassword, without blocking the process; may throw HashingBusy. */
export function verifyPasswordAsync(password: string, stored: string | null): Promise<boolean> {
  return withHashSlot(() => verifyRaw(password, stored));
}

/**
 * One password against several hashes (a sign-in by an email that several
 * accounts use), one after the other in a single turn of the queue: a flood
 * of such sign-ins fills the queue no faster than any other, each just takes
 * longer. May throw HashingBusy.
 */
export function verifyPasswordAmong(password: string, stored: readonly (string | null)[]): Promise<boolean[]> {
  return withHashSlot(async () => {
    const out: boolean[] = [];
    for (const hash of stored) out.push(await verifyRaw(password, hash));
    return out;
  });
}
