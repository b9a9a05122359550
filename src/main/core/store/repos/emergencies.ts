import type { EmergencyNotice } from '../../../../shared/api/carrier';
import { formatE164 } from '../../../../shared/phone';
import type { Db } from '../db';
import { stmt } from '../stmt';

/** Calls to the emergency services, and which Administrators have seen the notice of each. */

export function insertEmergency(
  db: Db,
  e: {
    accountId: number;
    at: number;
    userId: number;
    extension: string;
    number: string;
    bnId: number | null;
    callerId: string | null;
  },
): number {
  return Number(
    stmt(
      db,
      `INSERT INTO emergency_calls (account_id, at, user_id, extension, number, bn_id, caller_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(e.accountId, e.at, e.userId, e.extension, e.number, e.bnId, e.callerId).lastInsertRowid,
  );
}

interface Row {
  id: number;
  at: number;
  user_id: number;
  user_name: string;
  extension: string;
  number: string;
  caller_id: string | null;
  acks: string;
}

const select = `SELECT e.id, e.at, e.user_id, u.name AS user_name, e.extension, e.number, e.caller_id,
    (SELECT json_group_array(json_object('userId', k.user_id, 'name', ku.name, 'at', k.at))
       FROM emergency_acks k JOIN users ku ON ku.id = k.user_id WHERE k.emergency_id = e.id) AS acks
  FROM emergency_calls e JOIN users u ON u.id = e.user_id`;

function toNotice(r: Row, viewerId: number): EmergencyNotice {
  const acks = (JSON.parse(r.acks) as { userId: number; name: string; at: number }[]).sort((a, b) => a.at - b.at);
  return {
    id: r.id,
    at: r.at,
    userId: r.user_id,
    userName: r.user_name,
    extension: r.extension,
    number: r.number,
    callerId: r.caller_id ? formatE164(r.caller_id) : null,
    acknowledged: acks.some((a) => a.userId === viewerId),
    acknowledgedBy: acks.map((a) => ({ name: a.name, at: a.at })),
  };
}

/** The account's emergency calls since `since`, newest first (at most 50). */
export function listEmergencies(db: Db, accountId: number, since: number, viewerId: number): EmergencyNotice[] {
  return (
    stmt(db, `${select} WHERE e.account_id = ? AND e.at >= ? ORDER BY e.at DESC, e.id DESC LIMIT 50`).all(
      accountId,
      since,
    ) as Row[]
  ).map((r) => toNotice(r, viewerId));
}

export function getEmergency(db: Db, accountId: number, id: number, viewerId: number): EmergencyNotice | null {
  const r = stmt(db, `${select} WHERE e.id = ? AND e.account_id = ?`).get(id, accountId) as Row | undefined;
  return r ? toNotice(r, viewerId) : null;
}

/** Records that `userId` has seen the notice; false when they had already. */
export function acknowledgeEmergency(db: Db, id: number, userId: number, at: number): boolean {
  return (
    stmt(db, 'INSERT OR IGNORE INTO emergency_acks (emergency_id, user_id, at) VALUES (?, ?, ?)').run(id, userId, at)
      .changes === 1
  );
}
