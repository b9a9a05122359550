import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../db';
import { stmt } from '../stmt';
import { digest, newSecret } from './invitations';

/**
 * Desktops that joined a team server. A device's credential is
 * `<id>.<secret>`: the id finds the row, the secret (256 random bits, stored
 * as its SHA-256) is compared in constant time. It is shown once, to the
 * desktop that joined.
 */

export interface DeviceRecord {
  id: number;
  accountId: number;
  userId: number;
  name: string;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

interface DeviceRow {
  id: number;
  account_id: number;
  user_id: number;
  name: string;
  created_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
}

const toDevice = (r: DeviceRow): DeviceRecord => ({
  id: r.id,
  accountId: r.account_id,
  userId: r.user_id,
  name: r.name,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
});

const columns = `d.id, d.account_id, d.user_id, d.name, d.created_at, d.last_seen_at, d.revoked_at`;

/** Last seen is written at most this often per device: a reconnecting desk does not write on every connect. */
export const LAST_SEEN_EVERY_MS = 60_000;

export const CREDENTIAL = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export function createDevice(
  db: Db,
  d: { accountId: number; userId: number; name: string; invitationId: number | null; now: number },
): { id: number; credential: string } {
  const secret = newSecret();
  const id = stmt(
    db,
    `INSERT INTO devices (account_id, user_id, name, secret_hash, invitation_id, created_at, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .pluck()
    .get(d.accountId, d.userId, d.name, digest(secret), d.invitationId, d.now, d.now) as number;
  return { id, credential: `${id}.${secret}` };
}

export function getDevice(db: Db, accountId: number, id: number): DeviceRecord | null {
  const r = stmt(db, `SELECT ${columns} FROM devices d WHERE d.account_id = ? AND d.id = ?`).get(accountId, id) as
    DeviceRow | undefined;
  return r ? toDevice(r) : null;
}

/** The user's devices: those in use first, newest first. */
export function listDevices(db: Db, accountId: number, userId: number): DeviceRecord[] {
  return (
    stmt(
      db,
      `SELECT ${columns} FROM devices d WHERE d.account_id = ? AND d.user_id = ?
        ORDER BY d.revoked_at IS NOT NULL, d.created_at DESC, d.id DESC LIMIT 100`,
    ).all(accountId, userId) as DeviceRow[]
  ).map(toDevice);
}

export function revokeDevice(db: Db, id: number, now: number): boolean {
  return stmt(db, `UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(now, id).changes === 1;
}

/**
 * The device a credential names, when the credential is right, the device
 * not revoked and its user active; null otherwise, the same way for every
 * reason.
 */
export function deviceForCredential(db: Db, credential: string): DeviceRecord | null {
  const m = CREDENTIAL.exec(credential);
  const r = m
    ? (stmt(
        db,
        `SELECT ${columns}, d.secret_hash, u.active FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ?`,
      ).get(Number(m[1])) as (DeviceRow & { secret_hash: string; active: number }) | undefined)
    : undefined;
  // Compared even when there is no such device, so the answer takes as long either way.
  const given = Buffer.from(digest(m?.[2] ?? ''), 'hex');
  const stored = Buffer.from(r?.secret_hash ?? digest('-'), 'hex');
  const same = timingSafeEqual(given, stored);
  if (!r || !same || r.revoked_at !== null || r.active !== 1) return null;
  return toDevice(r);
}

/** Whether a device may still be used: not revoked, and its user active. */
export function deviceUsable(db: Db, id: number): boolean {
  return (
    stmt(
      db,
      `SELECT 1 FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ? AND d.revoked_at IS NULL AND u.active = 1`,
    ).get(id) !== undefined
  );
}

/** Records that the device connected, at most once a minute. */
export function touchDevice(db: Db, id: number, now: number): void {
  stmt(db, `UPDATE devices SET last_seen_at = ? WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)`).run(
    now,
    id,
    now - LAST_SEEN_EVERY_MS,
  );
}
