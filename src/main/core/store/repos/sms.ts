import type { FlowStep } from '../../../../shared/api/entities';
import type { Db } from '../db';
import { stmt } from '../stmt';

/**
 * SMS over the carrier: the outbox's state machine, opt-outs and the parts
 * of long inbound texts (migration 012). Every transition is one UPDATE
 * guarded by the state it leaves, so a transition that lost a race (or
 * that a restart made stale) changes nothing.
 */

export interface OutboxRow {
  id: number;
  threadId: number;
  accountId: number;
  bnId: number;
  from: string;
  to: string;
  body: string;
  status: 'queued' | 'sending';
  partsSent: number;
  attempts: number;
  nextAttemptAt: number | null;
  smsRef: string;
  queuedAt: number;
}

/** The oldest message of the account's outbox: messages go out one at a time, in order. */
export function outboxHead(db: Db, accountId: number): OutboxRow | null {
  const r = stmt(
    db,
    `SELECT m.id, m.thread_id, t.account_id, t.bn_id, b.e164, t.external_number, m.body, m.status, m.parts_sent,
            m.attempts, m.next_attempt_at, m.sms_ref, m.sent_at
       FROM messages m
       JOIN message_threads t ON t.id = m.thread_id
       JOIN business_numbers b ON b.id = t.bn_id
      WHERE m.status IN ('queued','sending') AND t.account_id = ?
      ORDER BY m.id LIMIT 1`,
  ).get(accountId) as
    | {
        id: number;
        thread_id: number;
        account_id: number;
        bn_id: number;
        e164: string;
        external_number: string;
        body: string;
        status: 'queued' | 'sending';
        parts_sent: number;
        attempts: number;
        next_attempt_at: number | null;
        sms_ref: string | null;
        sent_at: number;
      }
    | undefined;
  if (!r) return null;
  return {
    id: r.id,
    threadId: r.thread_id,
    accountId: r.account_id,
    bnId: r.bn_id,
    from: r.e164,
    to: r.external_number,
    body: r.body,
    status: r.status,
    partsSent: r.parts_sent,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    smsRef: r.sms_ref ?? `m${r.id}`,
    queuedAt: r.sent_at,
  };
}

/**
 * After a restart: a message that was with the proxy when the process
 * ended may or may not have reached the carrier. It goes out again as the
 * same attempt (the attempt count, which names the Call-ID, is put back),
 * so the carrier gets the very request it may have had, with the same
 * Call-ID and CSeq, and can tell the repeat.
 */
export function requeueSending(db: Db, accountId: number): number {
  return stmt(
    db,
    `UPDATE messages SET status = 'queued', attempts = max(0, attempts - 1)
      WHERE status = 'sending' AND thread_id IN (SELECT id FROM message_threads WHERE account_id = ?)`,
  ).run(accountId).changes;
}

export function markSending(db: Db, id: number): boolean {
  return (
    stmt(db, `UPDATE messages SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'queued'`).run(
      id,
    ).changes === 1
  );
}

export function markPartSent(db: Db, id: number, partsSent: number): void {
  stmt(db, `UPDATE messages SET parts_sent = ? WHERE id = ? AND status = 'sending' AND parts_sent < ?`).run(
    partsSent,
    id,
    partsSent,
  );
}

export function markSent(db: Db, id: number, parts: number): void {
  stmt(
    db,
    `UPDATE messages SET status = 'sent', status_reason = NULL, parts_sent = ?, segments = ?, next_attempt_at = NULL
      WHERE id = ? AND status = 'sending'`,
  ).run(parts, parts, id);
}

export function markRetry(db: Db, id: number, reason: string, at: number): void {
  stmt(
    db,
    `UPDATE messages SET status = 'queued', status_reason = ?, next_attempt_at = ? WHERE id = ? AND status IN ('sending','queued')`,
  ).run(reason, at, id);
}

export function markFailed(db: Db, id: number, reason: string): void {
  stmt(
    db,
    `UPDATE messages SET status = 'failed', status_reason = ?, next_attempt_at = NULL WHERE id = ? AND status IN ('sending','queued')`,
  ).run(reason, id);
}

/**
 * Fails every text of a conversation still waiting in the outbox (not one
 * the proxy has now: that is with the carrier already). Returns how many.
 */
export function cancelQueued(db: Db, threadId: number, reason: string): number {
  return stmt(
    db,
    `UPDATE messages SET status = 'failed', status_reason = ?, next_attempt_at = NULL
      WHERE thread_id = ? AND direction = 'outbound' AND status = 'queued'`,
  ).run(reason, threadId).changes;
}

/** The message an outbox reference names, while it is with the proxy. */
export function sendingMessage(db: Db, accountId: number, id: number): { to: string; from: string } | null {
  const r = stmt(
    db,
    `SELECT t.external_number AS "to", b.e164 AS "from" FROM messages m
       JOIN message_threads t ON t.id = m.thread_id JOIN business_numbers b ON b.id = t.bn_id
      WHERE m.id = ? AND m.status = 'sending' AND t.account_id = ?`,
  ).get(id, accountId) as { to: string; from: string } | undefined;
  return r ?? null;
}

/** Whether a trunk takes a long text in one MESSAGE. */
export function trunkTakesLongSms(db: Db, trunkId: number): boolean {
  return stmt(db, 'SELECT sms_long FROM carrier_trunks WHERE id = ?').pluck().get(trunkId) === 1;
}

export function optOut(db: Db, bnId: number, externalNumber: string): { keyword: string; at: number } | null {
  const r = stmt(db, 'SELECT keyword, opted_out_at FROM sms_opt_outs WHERE bn_id = ? AND external_number = ?').get(
    bnId,
    externalNumber,
  ) as { keyword: string; opted_out_at: number } | undefined;
  return r ? { keyword: r.keyword, at: r.opted_out_at } : null;
}

/** Records an opt-out; false when the number had already opted out. */
export function addOptOut(
  db: Db,
  o: { accountId: number; bnId: number; externalNumber: string; keyword: string; at: number },
): boolean {
  return (
    stmt(
      db,
      `INSERT OR IGNORE INTO sms_opt_outs (bn_id, external_number, account_id, keyword, opted_out_at) VALUES (?, ?, ?, ?, ?)`,
    ).run(o.bnId, o.externalNumber, o.accountId, o.keyword, o.at).changes === 1
  );
}

/** Lifts an opt-out; false when there was none. */
export function removeOptOut(db: Db, bnId: number, externalNumber: string): boolean {
  return (
    stmt(db, 'DELETE FROM sms_opt_outs WHERE bn_id = ? AND external_number = ?').run(bnId, externalNumber).changes === 1
  );
}

export function inboundSeen(db: Db, smsRef: string): boolean {
  return stmt(db, 'SELECT 1 FROM messages WHERE sms_ref = ?').pluck().get(smsRef) !== undefined;
}

/**
 * Keeps one part of a long text; when every part is there, returns the
 * whole text (parts in order) and forgets the parts.
 */
export function addPart(
  db: Db,
  p: { bnId: number; externalNumber: string; ref: number; seq: number; total: number; body: string; at: number },
): string | null {
  stmt(
    db,
    `INSERT OR IGNORE INTO sms_parts (bn_id, external_number, ref, seq, total, body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(p.bnId, p.externalNumber, p.ref, p.seq, p.total, p.body, p.at);
  const parts = stmt(
    db,
    'SELECT seq, body FROM sms_parts WHERE bn_id = ? AND external_number = ? AND ref = ? AND total = ? ORDER BY seq',
  ).all(p.bnId, p.externalNumber, p.ref, p.total) as { seq: number; body: string }[];
  if (parts.length < p.total) return null;
  stmt(db, 'DELETE FROM sms_parts WHERE bn_id = ? AND external_number = ? AND ref = ?').run(
    p.bnId,
    p.externalNumber,
    p.ref,
  );
  return parts.map((x) => x.body).join('');
}

/** Parts of texts still incomplete since before `before`: handed over as they are (a part may never come). */
export function takeStaleParts(
  db: Db,
  before: number,
): { bnId: number; externalNumber: string; ref: number; body: string; at: number }[] {
  const groups = stmt(
    db,
    `SELECT bn_id, external_number, ref, min(received_at) AS at FROM sms_parts
      GROUP BY bn_id, external_number, ref HAVING min(received_at) < ?`,
  ).all(before) as { bn_id: number; external_number: string; ref: number; at: number }[];
  return groups.map((g) => {
    const parts = stmt(
      db,
      'SELECT seq, total, body FROM sms_parts WHERE bn_id = ? AND external_number = ? AND ref = ? ORDER BY seq',
    ).all(g.bn_id, g.external_number, g.ref) as { seq: number; total: number; body: string }[];
    stmt(db, 'DELETE FROM sms_parts WHERE bn_id = ? AND external_number = ? AND ref = ?').run(
      g.bn_id,
      g.external_number,
      g.ref,
    );
    // A missing part shows as "…" where it belongs.
    const total = Math.max(...parts.map((p) => p.total));
    const bySeq = new Map(parts.map((p) => [p.seq, p.body]));
    const body = Array.from({ length: total }, (_, i) => bySeq.get(i + 1) ?? '…').join('');
    return { bnId: g.bn_id, externalNumber: g.external_number, ref: g.ref, body, at: g.at };
  });
}

/**
 * Who a new inbound conversation is assigned to (POLICY §1): the first step
 * of the business number's call flow that rings a group or a user, in the
 * order a caller meets them — a menu's options in their order, the open
 * hours path before the closed branch. No flow, or none such: nobody (the
 * conversation is then seen by whoever's access covers the number).
 */
export function firstAssignee(steps: FlowStep[]): { userId: number | null; groupId: number | null } | null {
  const closed: FlowStep[][] = [];
  for (const s of steps) {
    if (s.kind === 'ring_group' && s.groupId) return { userId: null, groupId: s.groupId };
    if (s.kind === 'ring_user' && s.userId) return { userId: s.userId, groupId: null };
    if (s.kind === 'menu') {
      for (const b of s.branches ?? []) {
        const found = firstAssignee(b.steps);
        if (found) return found;
      }
    }
    if (s.kind === 'hours') for (const b of s.branches ?? []) closed.push(b.steps);
  }
  for (const c of closed) {
    const found = firstAssignee(c);
    if (found) return found;
  }
  return null;
}
