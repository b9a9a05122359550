import type { AppliedTag, CallTag, DashboardCell } from '../../../../shared/api/callReview';
import type { Sql } from '../../policy/listSql';
import type { Db } from '../db';
import { stmt } from '../stmt';

/** The account's call tags, by name. */
export function listTags(db: Db, accountId: number): CallTag[] {
  return stmt(db, 'SELECT id, name FROM call_tags WHERE account_id = ? ORDER BY name COLLATE NOCASE, id').all(
    accountId,
  ) as CallTag[];
}

export function getTag(db: Db, accountId: number, tagId: number): CallTag | null {
  return (
    (stmt(db, 'SELECT id, name FROM call_tags WHERE id = ? AND account_id = ?').get(tagId, accountId) as
      CallTag | undefined) ?? null
  );
}

/** Another tag of the account with this name, whatever its case. */
export function tagNamed(db: Db, accountId: number, name: string, exceptId: number | null): CallTag | null {
  return (
    (stmt(db, 'SELECT id, name FROM call_tags WHERE account_id = ? AND name = ? COLLATE NOCASE AND id IS NOT ?').get(
      accountId,
      name,
      exceptId,
    ) as CallTag | undefined) ?? null
  );
}

export function insertTag(db: Db, accountId: number, name: string, now: number): number {
  return Number(
    stmt(db, 'INSERT INTO call_tags (account_id, name, created_at) VALUES (?, ?, ?)').run(accountId, name, now)
      .lastInsertRowid,
  );
}

export function renameTag(db: Db, tagId: number, name: string): void {
  stmt(db, 'UPDATE call_tags SET name = ? WHERE id = ?').run(name, tagId);
}

/** Deletes the tag and takes it off every call; answers how many calls carried it. */
export function deleteTag(db: Db, tagId: number): number {
  const { changes } = stmt(db, 'DELETE FROM call_tag_links WHERE tag_id = ?').run(tagId);
  stmt(db, 'DELETE FROM call_tags WHERE id = ?').run(tagId);
  return changes;
}

/** True when the tag was not on the call before. */
export function addTagToCall(db: Db, callId: number, tagId: number, userId: number, now: number): boolean {
  return (
    stmt(db, 'INSERT OR IGNORE INTO call_tag_links (call_id, tag_id, added_by, added_at) VALUES (?, ?, ?, ?)').run(
      callId,
      tagId,
      userId,
      now,
    ).changes > 0
  );
}

export function removeTagFromCall(db: Db, callId: number, tagId: number): boolean {
  return stmt(db, 'DELETE FROM call_tag_links WHERE call_id = ? AND tag_id = ?').run(callId, tagId).changes > 0;
}

export interface NoteRecord {
  id: number;
  callId: number;
  authorId: number;
  authorName: string;
  body: string;
  createdAt: number;
  editedAt: number | null;
}

const NOTE_COLUMNS = `n.id, n.call_id AS callId, n.author_id AS authorId, u.name AS authorName, n.body,
  n.created_at AS createdAt, n.edited_at AS editedAt`;

/** A note of a call of this account. */
export function getNote(db: Db, accountId: number, noteId: number): NoteRecord | null {
  return (
    (stmt(
      db,
      `SELECT ${NOTE_COLUMNS} FROM call_notes n JOIN calls c ON c.id = n.call_id JOIN users u ON u.id = n.author_id
        WHERE n.id = ? AND c.account_id = ?`,
    ).get(noteId, accountId) as NoteRecord | undefined) ?? null
  );
}

export function insertNote(db: Db, callId: number, authorId: number, body: string, now: number): number {
  return Number(
    stmt(db, 'INSERT INTO call_notes (call_id, author_id, body, created_at) VALUES (?, ?, ?, ?)').run(
      callId,
      authorId,
      body,
      now,
    ).lastInsertRowid,
  );
}

export function editNote(db: Db, noteId: number, body: string, now: number): void {
  stmt(db, 'UPDATE call_notes SET body = ?, edited_at = ? WHERE id = ?').run(body, now, noteId);
}

export function deleteNote(db: Db, noteId: number): void {
  stmt(db, 'DELETE FROM call_notes WHERE id = ?').run(noteId);
}

/** Notes of some calls, oldest first per call. */
export function notesOf(db: Db, callIds: readonly number[]): NoteRecord[] {
  return stmt(
    db,
    `SELECT ${NOTE_COLUMNS} FROM call_notes n JOIN users u ON u.id = n.author_id
      WHERE n.call_id IN (SELECT value FROM json_each(?)) ORDER BY n.call_id, n.id`,
  ).all(JSON.stringify(callIds)) as NoteRecord[];
}

/** Tags on some calls, by name per call. */
export function tagsOf(db: Db, callIds: readonly number[]): (AppliedTag & { callId: number })[] {
  return stmt(
    db,
    `SELECT l.call_id AS callId, t.id, t.name, u.name AS addedBy, l.added_at AS addedAt
       FROM call_tag_links l JOIN call_tags t ON t.id = l.tag_id LEFT JOIN users u ON u.id = l.added_by
      WHERE l.call_id IN (SELECT value FROM json_each(?)) ORDER BY l.call_id, t.name COLLATE NOCASE, t.id`,
  ).all(JSON.stringify(callIds)) as (AppliedTag & { callId: number })[];
}

/** Where the viewer's clock stands from `start` on: offset in milliseconds to add to UTC. */
export interface OffsetSegment {
  start: number;
  offset: number;
}

export type DashboardKind = 'total' | 'hour' | 'day' | 'slot' | 'bn' | 'flow' | 'group' | 'agent';

export interface DashboardRow extends DashboardCell {
  kind: DashboardKind;
  key: number | null;
}

const kindCode: Record<string, DashboardKind> = {
  t: 'total',
  h: 'hour',
  d: 'day',
  s: 'slot',
  b: 'bn',
  f: 'flow',
  g: 'group',
  a: 'agent',
};

const CELL = `count(*), total(r = 'answered'), total(r = 'missed'), total(r = 'voicemail'), total(w), count(w), total(tk), count(tk)`;

const dashboardSql = new Map<string, string>();

/** How many single hours the dashboard names as the busiest. */
export const BUSIEST_HOURS = 5;

/**
 * Every figure of the dashboard in one statement over one set of calls: the
 * set is the policy's (policy/listSql.ts callSetSql: the list's branches and
 * filters), read once into `v` with its local time (the viewer's offset,
 * segment by segment across daylight-saving changes), then grouped once per
 * breakdown. `slot` is a single local hour of the range, keyed by the UTC
 * time it starts at.
 */
export function dashboardRows(
  db: Db,
  set: Sql,
  segments: readonly OffsetSegment[],
  /** Every single hour rather than the busiest: for figures that are summed with others. */
  allSlots = false,
): DashboardRow[] {
  const sql = dashboardSqlFor(set, segments.length, allSlots);
  // The CASE reads its segments from the last boundary back to the first.
  const offsetParams: unknown[] = [];
  for (let i = 1; i < segments.length; i++) offsetParams.push(segments[i]!.start, segments[i - 1]!.offset);
  offsetParams.push(segments[segments.length - 1]!.offset);
  const rows = stmt(db, sql)
    .raw(true)
    .all(...offsetParams, ...set.params) as [string, number | null, ...number[]][];
  return rows.map(([kind, key, total, answered, missed, voicemail, waitMs, waitCount, talkMs, talkCount]) => ({
    kind: kindCode[kind]!,
    key,
    total: total!,
    answered: answered!,
    missed: missed!,
    voicemail: voicemail!,
    waitMs: waitMs!,
    waitCount: waitCount!,
    talkMs: talkMs!,
    talkCount: talkCount!,
  }));
}

/** The statement's text for a set's text and a number of offset segments (kept per shape). */
export function dashboardSqlFor(set: Sql, segmentCount: number, allSlots = false): string {
  const shape = `${set.sql}\u0000${segmentCount}${allSlots ? '*' : ''}`;
  let sql = dashboardSql.get(shape);
  if (sql === undefined) {
    let offset = '?';
    for (let i = segmentCount - 1; i >= 1; i--) offset = `CASE WHEN c.started_at < ? THEN ? ELSE ${offset} END`;
    const groups = [
      `SELECT 't' AS kind, NULL AS key, ${CELL} FROM v`,
      `SELECT 'h', (lt / 3600000) % 24, ${CELL} FROM v GROUP BY 2`,
      `SELECT 'd', lt / 86400000, ${CELL} FROM v GROUP BY 2`,
      allSlots
        ? `SELECT 's', (lt / 3600000) * 3600000 - (lt - t) AS slot, ${CELL} FROM v GROUP BY 2`
        : `SELECT * FROM (SELECT 's', (lt / 3600000) * 3600000 - (lt - t) AS slot, ${CELL} FROM v GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT ${BUSIEST_HOURS})`,
      `SELECT 'b', bn, ${CELL} FROM v GROUP BY 2`,
      `SELECT 'f', fl, ${CELL} FROM v GROUP BY 2`,
      `SELECT 'g', gr, ${CELL} FROM v GROUP BY 2`,
      // CROSS JOIN keeps v outside: otherwise the planner may scan every participant row of the account.
      `SELECT 'a', p.user_id, ${CELL} FROM v CROSS JOIN call_participants p ON p.call_id = v.id GROUP BY 2`,
    ];
    sql = `WITH v AS MATERIALIZED (
      SELECT c.id, c.result AS r, c.bn_id AS bn, c.call_flow_id AS fl, c.group_id AS gr, c.started_at AS t,
             c.started_at + CAST(${offset} AS INTEGER) AS lt,
             CASE WHEN c.result = 'answered' AND c.answered_at >= c.started_at THEN c.answered_at - c.started_at END AS w,
             CASE WHEN c.result = 'answered' AND c.ended_at >= c.answered_at THEN c.ended_at - c.answered_at END AS tk
        FROM ${set.sql}
    )
    ${groups.join('\nUNION ALL\n')}`;
    dashboardSql.set(shape, sql);
  }
  return sql;
}

/** Names for a dashboard's breakdown keys (deleted and released ones too: history keeps them). */
export function dashboardNames(
  db: Db,
  accountId: number,
  ids: { bn: number[]; flow: number[]; group: number[]; agent: number[] },
) {
  const of = <T>(sql: string, list: number[]) => stmt(db, sql).all(accountId, JSON.stringify(list)) as T[];
  return {
    bn: of<{ id: number; e164: string; label: string }>(
      'SELECT id, e164, label FROM business_numbers WHERE account_id = ? AND id IN (SELECT value FROM json_each(?))',
      ids.bn,
    ),
    flow: of<{ id: number; name: string }>(
      'SELECT id, name FROM call_flows WHERE account_id = ? AND id IN (SELECT value FROM json_each(?))',
      ids.flow,
    ),
    group: of<{ id: number; name: string }>(
      'SELECT id, name FROM user_groups WHERE account_id = ? AND id IN (SELECT value FROM json_each(?))',
      ids.group,
    ),
    agent: of<{ id: number; name: string; extension: string }>(
      'SELECT id, name, extension FROM users WHERE account_id = ? AND id IN (SELECT value FROM json_each(?))',
      ids.agent,
    ),
  };
}
