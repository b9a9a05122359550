import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

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

/** A hash that never verifies, to spend the same time when the user does not exist. */
export const dummyHash = hashPassword(randomBytes(12).toString('hex'));
