import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db';
import { stmt } from '../stmt';

/**
 * Invitations to join a team server. The token is 256 random bits and only
 * its SHA-256 is stored (a slow hash adds nothing to a secret nobody can
 * guess); it is looked up by that digest, so no comparison leaks timing.
 */

export type InvitationStatus = 'pending' | 'used' | 'expired' | 'revoked';

export interface InvitationRecord {
  id: number;
  accountId: number;
  userId: number;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
  status: InvitationStatus;
}

/** Seven days: a welcome email's link, long enough for a weekend. */
export const DEFAULT_INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;

export const newSecret = () => randomBytes(32).toString('base64url');
export const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A token's shape: what `newSecret` makes. Anything else is no token of ours. */
export const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function statusOf(r: { used_at: number | null; revoked_at: number | null; expires_at: number }, now: number) {
  if (r.revoked_at !== null) return 'revoked' as const;
  if (r.used_at !== null) return 'used' as const;
  return r.expires_at <= now ? ('expired' as const) : ('pending' as const);
}

interface InvitationRow {
  id: number;
  account_id: number;
  user_id: number;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

const columns = `i.id, i.account_id, i.user_id, COALESCE(c.name, '') AS created_by, i.created_at, i.expires_at, i.used_at, i.revoked_at`;

const toInvitation = (r: InvitationRow, now: number): InvitationRecord => ({
  id: r.id,
  accountId: r.account_id,
  userId: r.user_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  revokedAt: r.revoked_at,
  status: statusOf(r, now),
});

export function createInvitation(
  db: Db,
  i: { accountId: number; userId: number; createdBy: number; now: number; expiresAt: number },
): { id: number; token: string } {
  const token = newSecret();
  const id = stmt(
    db,
    `INSERT INTO invitations (account_id, user_id, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .pluck()
    .get(i.accountId, i.userId, digest(token), i.createdBy, i.now, i.expiresAt) as number;
  return { id, token };
}

export function getInvitation(db: Db, accountId: number, id: number, now: number): InvitationRecord | null {
  const r = stmt(
    db,
    `SELECT ${columns} FROM invitations i LEFT JOIN users c ON c.id = i.created_by WHERE i.account_id = ? AND i.id = ?`,
  ).get(accountId, id) as InvitationRow | undefined;
  return r ? toInvitation(r, now) : null;
}

/** The invitation a token names, whatever its state (the caller says why it cannot be used). */
export function findInvitationByToken(db: Db, token: string, now: number): InvitationRecord | null {
  if (!TOKEN.test(token)) return null;
  const r = stmt(
    db,
    `SELECT ${columns} FROM invitations i LEFT JOIN users c ON c.id = i.created_by WHERE i.token_hash = ?`,
  ).get(digest(token)) as InvitationRow | undefined;
  return r ? toInvitation(r, now) : null;
}

/** The user's invitations, newest first: pending ones, and the last few used, expired or revoked. */
export function listInvitations(db: Db, accountId: number, userId: number, now: number): InvitationRecord[] {
  return (
    stmt(
      db,
      `SELECT ${columns} FROM invitations i LEFT JOIN users c ON c.id = i.created_by
        WHERE i.account_id = ? AND i.user_id = ? ORDER BY i.created_at DESC, i.id DESC LIMIT 50`,
    ).all(accountId, userId) as InvitationRow[]
  ).map((r) => toInvitation(r, now));
}

/** Marks a pending invitation used; false when it no longer was (used or revoked meanwhile, expired). */
export function useInvitation(db: Db, id: number, now: number): boolean {
  return (
    stmt(
      db,
      `UPDATE invitations SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
    ).run(now, id, now).changes === 1
  );
}

/** Revokes an invitation not yet used; false when it was used or revoked already. */
export function revokeInvitation(db: Db, id: number, now: number): boolean {
  return (
    stmt(db, `UPDATE invitations SET revoked_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL`).run(
      now,
      id,
    ).changes === 1
  );
}
