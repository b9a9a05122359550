import type { Message } from '../../../../shared/api/entities';
import type { ThreadFacts } from '../../policy';
import type { Db } from '../db';
import { sqlLimit } from '../../policy/listSql';
import { stmt } from '../stmt';

export function threadFacts(db: Db, accountId: number, threadId: number): ThreadFacts | null {
  const r = stmt(
    db,
    `SELECT t.account_id, t.assigned_group_id, t.bn_id, b.call_flow_id
       FROM message_threads t JOIN business_numbers b ON b.id = t.bn_id WHERE t.id = ? AND t.account_id = ?`,
  ).get(threadId, accountId) as
    { account_id: number; assigned_group_id: number | null; bn_id: number; call_flow_id: number | null } | undefined;
  if (!r) return null;
  return {
    accountId: r.account_id,
    groupId: r.assigned_group_id,
    bnId: r.bn_id,
    bnFlowId: r.call_flow_id,
    participantIds: stmt(db, 'SELECT user_id FROM thread_participants WHERE thread_id = ?')
      .pluck()
      .all(threadId) as number[],
  };
}

export function findThread(db: Db, bnId: number, externalNumber: string): number | null {
  return (
    (stmt(db, 'SELECT id FROM message_threads WHERE bn_id = ? AND external_number = ?')
      .pluck()
      .get(bnId, externalNumber) as number | undefined) ?? null
  );
}

export function insertThread(
  db: Db,
  t: {
    accountId: number;
    bnId: number;
    externalNumber: string;
    assignedUserId: number | null;
    assignedGroupId: number | null;
    at: number;
  },
): number {
  const id = Number(
    stmt(
      db,
      `INSERT INTO message_threads (account_id, bn_id, external_number, assigned_user_id, assigned_group_id, last_message_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(t.accountId, t.bnId, t.externalNumber, t.assignedUserId, t.assignedGroupId, t.at).lastInsertRowid,
  );
  if (t.assignedUserId !== null) addThreadParticipant(db, id, t.assignedUserId);
  return id;
}

export function markThreadRead(db: Db, threadId: number, userId: number, at: number): void {
  stmt(
    db,
    `INSERT INTO thread_reads (user_id, thread_id, read_at) VALUES (?, ?, ?)
     ON CONFLICT (user_id, thread_id) DO UPDATE SET read_at = max(read_at, excluded.read_at)`,
  ).run(userId, threadId, at);
}

/** thread_participants.last_message_at mirrors the thread's, so a user's threads can be listed from an index in order. */
export function addThreadParticipant(db: Db, threadId: number, userId: number): void {
  stmt(
    db,
    `INSERT OR IGNORE INTO thread_participants (user_id, thread_id, last_message_at)
     SELECT ?, id, last_message_at FROM message_threads WHERE id = ?`,
  ).run(userId, threadId);
}

export function insertMessage(
  db: Db,
  m: {
    threadId: number;
    direction: 'inbound' | 'outbound';
    senderUserId: number | null;
    body: string;
    at: number;
    /** Delivery: `queued` puts an outbound message in the outbox; default `sent` (outbound) / `received` (inbound). */
    status?: 'received' | 'queued' | 'sent' | 'failed';
    segments?: number;
    smsRef?: string | null;
  },
): number {
  const status = m.status ?? (m.direction === 'inbound' ? 'received' : 'sent');
  const id = Number(
    stmt(
      db,
      `INSERT INTO messages (thread_id, direction, sender_user_id, body, sent_at, status, segments, sms_ref, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      m.threadId,
      m.direction,
      m.senderUserId,
      m.body,
      m.at,
      status,
      m.segments ?? 1,
      m.smsRef ?? null,
      status === 'queued' ? m.at : null,
    ).lastInsertRowid,
  );
  stmt(
    db,
    `UPDATE message_threads SET last_preview = ?, last_direction = ?, last_message_at = max(last_message_at, ?)
      WHERE id = ? AND last_message_at <= ?`,
  ).run(m.body.slice(0, 140), m.direction, m.at, m.threadId, m.at);
  stmt(db, 'UPDATE thread_participants SET last_message_at = ? WHERE thread_id = ? AND last_message_at < ?').run(
    m.at,
    m.threadId,
    m.at,
  );
  // What a user sends, they have read.
  if (m.senderUserId !== null) markThreadRead(db, m.threadId, m.senderUserId, m.at);
  if (m.senderUserId !== null) addThreadParticipant(db, m.threadId, m.senderUserId);
  return id;
}

/** Messages of one thread, newest first, keyset by (sent_at, id). */
export const messagePageSql = (after: boolean, limit: number) =>
  `SELECT m.id, m.thread_id, m.direction, m.sender_user_id, u.name AS sender_name, m.body, m.sent_at,
          m.status, m.status_reason, m.segments
     FROM messages m LEFT JOIN users u ON u.id = m.sender_user_id
    WHERE m.thread_id = ? AND (m.sent_at, m.id) >= (?, ?)${after ? ' AND (m.sent_at, m.id) < (?, ?)' : ''}
    ORDER BY m.sent_at DESC, m.id DESC ${sqlLimit(limit)}`;

/**
 * Where a user's view of a thread begins: the whole thread for whoever sees it
 * by their access or is its assignee; only from their own first message for
 * someone who sees it solely because they sent into it (docs/policy-decisions.md,
 * "Sending into a conversation"), so a message sent is never a key to the history.
 */
export function historyStart(
  db: Db,
  threadId: number,
  userId: number,
  seesWithoutSending: boolean,
): { k: number; id: number } {
  const whole = { k: -Infinity, id: -Infinity };
  if (seesWithoutSending) return whole;
  const assigned = stmt(db, 'SELECT assigned_user_id FROM message_threads WHERE id = ?').pluck().get(threadId) as
    number | null;
  if (assigned === userId) return whole;
  const first = stmt(
    db,
    'SELECT sent_at AS k, id FROM messages WHERE thread_id = ? AND sender_user_id = ? ORDER BY sent_at, id LIMIT 1',
  ).get(threadId, userId) as { k: number; id: number } | undefined;
  return first ?? whole;
}

export function messagePage(
  db: Db,
  threadId: number,
  cursor: { k: number; id: number } | null,
  limit: number,
  start: { k: number; id: number } = { k: -Infinity, id: -Infinity },
): Message[] {
  const rows = (
    cursor
      ? stmt(db, messagePageSql(true, limit)).all(threadId, start.k, start.id, cursor.k, cursor.id)
      : stmt(db, messagePageSql(false, limit)).all(threadId, start.k, start.id)
  ) as {
    id: number;
    thread_id: number;
    direction: 'inbound' | 'outbound';
    sender_user_id: number | null;
    sender_name: string | null;
    body: string;
    sent_at: number;
    status: 'received' | 'queued' | 'sending' | 'sent' | 'failed';
    status_reason: string | null;
    segments: number;
  }[];
  return rows.map((r) => ({
    id: r.id,
    threadId: r.thread_id,
    direction: r.direction,
    senderUserId: r.sender_user_id,
    senderName: r.sender_name,
    body: r.body,
    sentAt: r.sent_at,
    // A part with the proxy is still in the outbox as far as anyone can tell.
    status: r.status === 'sending' ? 'queued' : r.status,
    statusReason: r.status_reason,
    segments: r.segments,
  }));
}
