import type { CallAccessLevel, ManagerPermission, Role } from '../../../../shared/primitives';
import type { Db } from '../db';
import { ids, stmt } from '../stmt';

export interface UserRecord {
  id: number;
  accountId: number;
  extension: string;
  name: string;
  email: string;
  title: string;
  timezone: string;
  role: Role;
  callAccess: CallAccessLevel;
  active: boolean;
  isOwner: boolean;
  defaultBnId: number | null;
  passwordHash: string | null;
}

interface Row {
  id: number;
  account_id: number;
  extension: string;
  name: string;
  email: string;
  title: string;
  timezone: string;
  role: Role;
  call_access: CallAccessLevel;
  active: number;
  is_owner: number;
  default_bn_id: number | null;
  password_hash: string | null;
}

const columns = `u.id, u.account_id, u.extension, u.name, u.email, u.title, u.timezone, u.role, u.call_access,
  u.active, (a.owner_user_id = u.id) AS is_owner, u.default_bn_id, u.password_hash`;

const toUser = (r: Row): UserRecord => ({
  id: r.id,
  accountId: r.account_id,
  extension: r.extension,
  name: r.name,
  email: r.email,
  title: r.title,
  timezone: r.timezone,
  role: r.role,
  callAccess: r.call_access,
  active: r.active === 1,
  isOwner: r.is_owner === 1,
  defaultBnId: r.default_bn_id,
  passwordHash: r.password_hash,
});

/** A user of this account, or null (another account's id reads as unknown). */
export function getUser(db: Db, accountId: number, id: number): UserRecord | null {
  const r = stmt(
    db,
    `SELECT ${columns} FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = ? AND u.account_id = ?`,
  ).get(id, accountId) as Row | undefined;
  return r ? toUser(r) : null;
}

/**
 * The users a login may name: by email, one per account that has a user with
 * that email (the password decides which, see docs/security.md); by
 * extension, every account's holder of it. Oldest first.
 */
export function findUsersForLogin(db: Db, login: string): UserRecord[] {
  const rows = login.includes('@')
    ? stmt(
        db,
        `SELECT ${columns} FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.email = ? ORDER BY u.id`,
      ).all(login.toLowerCase())
    : stmt(
        db,
        `SELECT ${columns} FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.extension = ? ORDER BY u.id`,
      ).all(login);
  return (rows as Row[]).map(toUser);
}

export interface UserListFilter {
  search?: string | undefined;
  role?: Role | undefined;
  groupId?: number | undefined;
  includeInactive: boolean;
}

export function listUsers(db: Db, accountId: number, f: UserListFilter): UserRecord[] {
  const like = f.search ? `%${f.search.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : null;
  return (
    stmt(
      db,
      `SELECT ${columns} FROM users u JOIN accounts a ON a.id = u.account_id
        WHERE u.account_id = ?
          AND (? OR u.active = 1)
          AND (? IS NULL OR u.role = ?)
          AND (? IS NULL OR u.id IN (SELECT user_id FROM group_members WHERE group_id = ?))
          AND (? IS NULL OR u.name LIKE ? ESCAPE '\\' OR u.extension LIKE ? ESCAPE '\\' OR u.email LIKE ? ESCAPE '\\')
        ORDER BY u.active DESC, CAST(u.extension AS INTEGER), u.name`,
    ).all(
      accountId,
      f.includeInactive ? 1 : 0,
      f.role ?? null,
      f.role ?? null,
      f.groupId ?? null,
      f.groupId ?? null,
      like,
      like,
      like,
      like,
    ) as Row[]
  ).map(toUser);
}

export interface NewUserRecord {
  accountId: number;
  extension: string;
  name: string;
  email: string;
  title: string;
  timezone: string;
  role: Role;
  callAccess: CallAccessLevel;
  passwordHash: string | null;
  createdAt: number;
}

export function insertUser(db: Db, u: NewUserRecord): number {
  return Number(
    stmt(
      db,
      `INSERT INTO users (account_id, extension, name, email, title, timezone, role, call_access, password_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      u.accountId,
      u.extension,
      u.name,
      u.email,
      u.title,
      u.timezone,
      u.role,
      u.callAccess,
      u.passwordHash,
      u.createdAt,
    ).lastInsertRowid,
  );
}

export type UserPatch = Partial<
  Pick<
    UserRecord,
    | 'extension'
    | 'name'
    | 'email'
    | 'title'
    | 'timezone'
    | 'role'
    | 'callAccess'
    | 'active'
    | 'defaultBnId'
    | 'passwordHash'
  >
>;

const patchColumns: Record<keyof UserPatch, string> = {
  extension: 'extension',
  name: 'name',
  email: 'email',
  title: 'title',
  timezone: 'timezone',
  role: 'role',
  callAccess: 'call_access',
  active: 'active',
  defaultBnId: 'default_bn_id',
  passwordHash: 'password_hash',
};

export function updateUser(db: Db, id: number, patch: UserPatch): void {
  const entries = (Object.entries(patch) as [keyof UserPatch, unknown][]).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return;
  const sets = entries.map(([k]) => `${patchColumns[k]} = ?`).join(', ');
  const values = entries.map(([, v]) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  stmt(db, `UPDATE users SET ${sets} WHERE id = ?`).run(...values, id);
}

export type NumberKind = 'call' | 'sms' | 'scope';

export interface UserNumbers {
  call: number[];
  sms: number[];
  scope: number[];
}

/** The user's stored number sets, live BNs only. */
export function getUserNumbers(db: Db, userId: number): UserNumbers {
  const rows = stmt(
    db,
    `SELECT n.kind, n.bn_id FROM user_numbers n JOIN business_numbers b ON b.id = n.bn_id
      WHERE n.user_id = ? AND b.released_at IS NULL ORDER BY n.bn_id`,
  ).all(userId) as { kind: NumberKind; bn_id: number }[];
  const out: UserNumbers = { call: [], sms: [], scope: [] };
  for (const r of rows) out[r.kind].push(r.bn_id);
  return out;
}

export function setUserNumbers(db: Db, userId: number, kind: NumberKind, bnIds: readonly number[]): void {
  stmt(db, 'DELETE FROM user_numbers WHERE user_id = ? AND kind = ?').run(userId, kind);
  const insert = stmt(db, 'INSERT INTO user_numbers (user_id, kind, bn_id) VALUES (?, ?, ?)');
  for (const bn of new Set(bnIds)) insert.run(userId, kind, bn);
}

export function getPermissions(db: Db, userId: number): ManagerPermission[] {
  return stmt(db, 'SELECT permission FROM manager_permissions WHERE user_id = ? ORDER BY permission')
    .pluck()
    .all(userId) as ManagerPermission[];
}

export function setPermissions(db: Db, userId: number, permissions: readonly ManagerPermission[]): void {
  stmt(db, 'DELETE FROM manager_permissions WHERE user_id = ?').run(userId);
  const insert = stmt(db, 'INSERT INTO manager_permissions (user_id, permission) VALUES (?, ?)');
  for (const p of new Set(permissions)) insert.run(userId, p);
}

export function userGroupIds(db: Db, userId: number): number[] {
  return ids(
    db,
    `SELECT m.group_id FROM group_members m JOIN user_groups g ON g.id = m.group_id
      WHERE m.user_id = ? AND g.deleted_at IS NULL ORDER BY m.group_id`,
    userId,
  );
}

export function setUserGroups(db: Db, userId: number, groupIds: readonly number[]): void {
  stmt(db, 'DELETE FROM group_members WHERE user_id = ?').run(userId);
  const insert = stmt(db, 'INSERT INTO group_members (group_id, user_id) VALUES (?, ?)');
  for (const g of new Set(groupIds)) insert.run(g, userId);
}

export function countActiveAdministrators(db: Db, accountId: number): number {
  return stmt(db, `SELECT count(*) FROM users WHERE account_id = ? AND role = 'administrator' AND active = 1`)
    .pluck()
    .get(accountId) as number;
}

export function extensionTaken(db: Db, accountId: number, extension: string, exceptId: number | null): boolean {
  return (
    stmt(db, 'SELECT 1 FROM users WHERE account_id = ? AND extension = ? AND id IS NOT ?').get(
      accountId,
      extension,
      exceptId,
    ) !== undefined
  );
}

/**
 * Emails are unique within an account only: whether another account has a
 * user with this email is none of this account's business.
 */
export function emailTaken(db: Db, accountId: number, email: string, exceptId: number | null): boolean {
  return (
    stmt(db, 'SELECT 1 FROM users WHERE account_id = ? AND email = ? AND id IS NOT ?').get(
      accountId,
      email.toLowerCase(),
      exceptId,
    ) !== undefined
  );
}

/** The user holding this extension in the account (active or not), or null: SIP identities are extensions. */
export function findUserByExtension(db: Db, accountId: number, extension: string): UserRecord | null {
  const r = stmt(
    db,
    `SELECT ${columns} FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.account_id = ? AND u.extension = ?`,
  ).get(accountId, extension) as Row | undefined;
  return r ? toUser(r) : null;
}

/** Active members of the account, by extension: the phone's directory. */
export function activeMembers(db: Db, accountId: number): { id: number; name: string; extension: string }[] {
  return stmt(db, 'SELECT id, name, extension FROM users WHERE account_id = ? AND active = 1 ORDER BY extension').all(
    accountId,
  ) as {
    id: number;
    name: string;
    extension: string;
  }[];
}
