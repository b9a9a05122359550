import type { Group } from '../../../../shared/api/entities';
import type { Db } from '../db';
import { ids, stmt } from '../stmt';

export function getGroup(db: Db, accountId: number, id: number): Group | null {
  const r = stmt(db, 'SELECT id, name FROM user_groups WHERE id = ? AND account_id = ? AND deleted_at IS NULL').get(
    id,
    accountId,
  ) as { id: number; name: string } | undefined;
  return r ? { id: r.id, name: r.name, memberIds: groupMemberIds(db, r.id) } : null;
}

export function groupMemberIds(db: Db, groupId: number): number[] {
  return ids(db, 'SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id', groupId);
}

export function listGroups(db: Db, accountId: number): Group[] {
  const rows = stmt(
    db,
    'SELECT id, name FROM user_groups WHERE account_id = ? AND deleted_at IS NULL ORDER BY name',
  ).all(accountId) as {
    id: number;
    name: string;
  }[];
  const members = stmt(
    db,
    `SELECT m.group_id, m.user_id FROM group_members m JOIN user_groups g ON g.id = m.group_id
      WHERE g.account_id = ? AND g.deleted_at IS NULL ORDER BY m.user_id`,
  ).all(accountId) as { group_id: number; user_id: number }[];
  const byGroup = new Map<number, number[]>();
  for (const m of members) byGroup.set(m.group_id, [...(byGroup.get(m.group_id) ?? []), m.user_id]);
  return rows.map((r) => ({ id: r.id, name: r.name, memberIds: byGroup.get(r.id) ?? [] }));
}

export function groupNameTaken(db: Db, accountId: number, name: string, exceptId: number | null): boolean {
  return (
    stmt(
      db,
      'SELECT 1 FROM user_groups WHERE account_id = ? AND name = ? COLLATE NOCASE AND deleted_at IS NULL AND id IS NOT ?',
    ).get(accountId, name, exceptId) !== undefined
  );
}

export function insertGroup(db: Db, accountId: number, name: string, at: number): number {
  return Number(
    stmt(db, 'INSERT INTO user_groups (account_id, name, created_at) VALUES (?, ?, ?)').run(accountId, name, at)
      .lastInsertRowid,
  );
}

export function renameGroup(db: Db, id: number, name: string): void {
  stmt(db, 'UPDATE user_groups SET name = ? WHERE id = ?').run(name, id);
}

export function setGroupMembers(db: Db, groupId: number, userIds: readonly number[]): void {
  stmt(db, 'DELETE FROM group_members WHERE group_id = ?').run(groupId);
  const insert = stmt(db, 'INSERT INTO group_members (group_id, user_id) VALUES (?, ?)');
  for (const u of new Set(userIds)) insert.run(groupId, u);
}

/** Deleting a group keeps the calls that landed in it; nobody sees them through the group any more. */
export function deleteGroup(db: Db, id: number, at: number): void {
  stmt(db, 'DELETE FROM group_members WHERE group_id = ?').run(id);
  stmt(db, 'UPDATE user_groups SET deleted_at = ? WHERE id = ?').run(at, id);
}

/** Call flows whose steps ring this group. */
export function flowsRingingGroup(db: Db, groupId: number): { id: number; name: string }[] {
  return stmt(
    db,
    `SELECT DISTINCT f.id, f.name FROM call_flow_targets t JOIN call_flows f ON f.id = t.call_flow_id
      WHERE t.group_id = ? AND f.deleted_at IS NULL ORDER BY f.name`,
  ).all(groupId) as { id: number; name: string }[];
}
