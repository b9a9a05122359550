import type { CallDirection, CallResult } from '../../../../shared/primitives';
import type { CallFacts } from '../../policy';
import type { Db } from '../db';
import { stmt } from '../stmt';

export type ParticipantRole = 'placed' | 'answered' | 'transferred' | 'missed' | 'voicemail';

export interface NewCall {
  accountId: number;
  direction: CallDirection;
  result: CallResult;
  bnId: number | null;
  externalNumber: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  callFlowId: number | null;
  groupId: number | null;
  participants: readonly { userId: number; role: ParticipantRole }[];
  events: readonly { at: number; kind: string; userId?: number | null; groupId?: number | null; detail?: string }[];
  voicemail: {
    durationSeconds: number;
    transcript: string;
    /** A recording already stored (the demo's shared ones), or… */
    audioKey?: string | null;
    /** …this call's own recording, stored with it. */
    audio?: { mime: string; data: Buffer } | null;
  } | null;
}

/**
 * Records a finished call with everything its visibility depends on
 * (participants, flow, group, BN). Run inside a transaction.
 */
export function insertCall(db: Db, c: NewCall): number {
  const id = Number(
    stmt(
      db,
      `INSERT INTO calls (account_id, direction, result, bn_id, external_number, started_at, answered_at, ended_at,
                          call_flow_id, group_id, has_voicemail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      c.accountId,
      c.direction,
      c.result,
      c.bnId,
      c.externalNumber,
      c.startedAt,
      c.answeredAt,
      c.endedAt,
      c.callFlowId,
      c.groupId,
      c.voicemail ? 1 : 0,
    ).lastInsertRowid,
  );
  // The call's list columns are copied so the participant branch of a filtered list tests them on its own rows
  // (migrations 002 and 013): a call's columns do not change once recorded.
  const participant = stmt(
    db,
    `INSERT OR IGNORE INTO call_participants (user_id, started_at, call_id, role, has_voicemail,
                                             direction, result, bn_id, call_flow_id, group_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const p of c.participants)
    participant.run(
      p.userId,
      c.startedAt,
      id,
      p.role,
      c.voicemail ? 1 : 0,
      c.direction,
      c.result,
      c.bnId,
      c.callFlowId,
      c.groupId,
    );
  const event = stmt(
    db,
    'INSERT INTO call_events (call_id, seq, at, kind, user_id, group_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  c.events.forEach((e, seq) => event.run(id, seq, e.at, e.kind, e.userId ?? null, e.groupId ?? null, e.detail ?? ''));
  if (c.voicemail) {
    let audioKey = c.voicemail.audioKey ?? null;
    if (c.voicemail.audio) {
      audioKey = `call-${id}`;
      insertVoicemailAudio(db, audioKey, c.voicemail.audio.mime, c.voicemail.audio.data);
    }
    stmt(db, 'INSERT INTO voicemails (call_id, duration_seconds, transcript, audio_key) VALUES (?, ?, ?, ?)').run(
      id,
      c.voicemail.durationSeconds,
      c.voicemail.transcript,
      audioKey,
    );
  }
  return id;
}

/** The facts a visibility decision needs, for a call of this account. */
export function callFacts(db: Db, accountId: number, callId: number): CallFacts | null {
  const r = stmt(db, 'SELECT account_id, group_id, call_flow_id, bn_id FROM calls WHERE id = ? AND account_id = ?').get(
    callId,
    accountId,
  ) as { account_id: number; group_id: number | null; call_flow_id: number | null; bn_id: number | null } | undefined;
  if (!r) return null;
  return {
    accountId: r.account_id,
    groupId: r.group_id,
    callFlowId: r.call_flow_id,
    bnId: r.bn_id,
    participantIds: stmt(db, 'SELECT user_id FROM call_participants WHERE call_id = ?').pluck().all(callId) as number[],
  };
}

/** Rows of calls by id live with the list pages, which read the same columns. */
export { callRows } from './callPage';

export function callEvents(db: Db, callId: number) {
  return (
    stmt(
      db,
      `SELECT e.at, e.kind, e.user_id, u.name AS user_name, e.group_id, g.name AS group_name, e.detail
         FROM call_events e LEFT JOIN users u ON u.id = e.user_id LEFT JOIN user_groups g ON g.id = e.group_id
        WHERE e.call_id = ? ORDER BY e.seq`,
    ).all(callId) as {
      at: number;
      kind: string;
      user_id: number | null;
      user_name: string | null;
      group_id: number | null;
      group_name: string | null;
      detail: string;
    }[]
  ).map((e) => ({
    at: e.at,
    kind: e.kind,
    userId: e.user_id,
    userName: e.user_name,
    groupId: e.group_id,
    groupName: e.group_name,
    detail: e.detail,
  }));
}

export interface VoicemailRecord {
  id: number;
  callId: number;
  durationSeconds: number;
  transcript: string;
}

export function voicemailsForCalls(
  db: Db,
  callIds: readonly number[],
  readerId: number,
): Map<number, VoicemailRecord & { hasAudio: boolean; read: boolean }> {
  const rows = stmt(
    db,
    `SELECT v.id, v.call_id, v.duration_seconds, v.transcript, v.audio_key IS NOT NULL AS has_audio,
            EXISTS (SELECT 1 FROM voicemail_reads r WHERE r.voicemail_id = v.id AND r.user_id = ?) AS read
       FROM voicemails v WHERE v.call_id IN (SELECT value FROM json_each(?))`,
  )
    .raw(true)
    .all(readerId, JSON.stringify(callIds)) as [
    id: number,
    callId: number,
    durationSeconds: number,
    transcript: string,
    hasAudio: number,
    read: number,
  ][];
  const out = new Map<number, VoicemailRecord & { hasAudio: boolean; read: boolean }>();
  for (const [id, callId, durationSeconds, transcript, hasAudio, read] of rows) {
    out.set(callId, { id, callId, durationSeconds, transcript, hasAudio: hasAudio === 1, read: read === 1 });
  }
  return out;
}

export function voicemailCallId(db: Db, accountId: number, voicemailId: number): number | null {
  return (
    (stmt(db, 'SELECT v.call_id FROM voicemails v JOIN calls c ON c.id = v.call_id WHERE v.id = ? AND c.account_id = ?')
      .pluck()
      .get(voicemailId, accountId) as number | undefined) ?? null
  );
}

export function voicemailAudio(db: Db, voicemailId: number): { mime: string; data: Buffer } | null {
  return (
    (stmt(
      db,
      'SELECT a.mime, a.data FROM voicemails v JOIN voicemail_audio a ON a.key = v.audio_key WHERE v.id = ?',
    ).get(voicemailId) as { mime: string; data: Buffer } | undefined) ?? null
  );
}

export function insertVoicemailAudio(db: Db, key: string, mime: string, data: Buffer): void {
  stmt(db, 'INSERT OR REPLACE INTO voicemail_audio (key, mime, data) VALUES (?, ?, ?)').run(key, mime, data);
}

export function markVoicemailRead(db: Db, voicemailId: number, userId: number): void {
  stmt(db, 'INSERT OR IGNORE INTO voicemail_reads (voicemail_id, user_id) VALUES (?, ?)').run(voicemailId, userId);
}

/** The BN this external number last called or was called from, for the caller-ID default. */
/**
 * The BN of the newest call of a page query (the policy's, so only calls the
 * actor may see) that is one of `among`.
 */
export function lastBnAmong(db: Db, page: { sql: string; params: unknown[] }, among: readonly number[]): number | null {
  return (
    (stmt(
      db,
      `SELECT c.bn_id FROM (${page.sql}) p JOIN calls c ON c.id = p.id
        WHERE c.bn_id IN (SELECT value FROM json_each(?)) ORDER BY p.k DESC, p.id DESC LIMIT 1`,
    )
      .pluck()
      .get(...page.params, JSON.stringify(among)) as number | undefined) ?? null
  );
}
