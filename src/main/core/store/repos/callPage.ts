import type { CallRow, VoicemailRow } from '../../../../shared/api/entities';
import type { CallDirection, CallResult } from '../../../../shared/primitives';
import type { Sql } from '../../policy/listSql';
import type { Db } from '../db';
import { inListOrder, jsonPage } from '../jsonPage';
import { stmt, wrappedSql } from '../stmt';

/**
 * A page of calls (or voicemails) in one statement: the policy's page query
 * (the UNION of visibility branches, newest first, LIMIT) is the first table
 * of a join that reads each call by primary key, its names, its voicemail and
 * its participants. SQLite runs the page query as a co-routine, so a page
 * costs its ~50 rows' B-tree lookups, with no second round trip carrying a
 * list of ids, and nothing is sorted. The rows come back as one JSON array
 * (store/jsonPage.ts), checked to be in list order.
 *
 * A call with several participants comes out as one row per participant
 * (same key, so adjacent); a call with none as one row of NULL participant
 * columns.
 */
const CALL_COLUMNS = `c.id, c.direction, c.result, c.bn_id, b.e164, c.external_number,
       (SELECT name FROM contacts k WHERE k.account_id = c.account_id AND k.phone = c.external_number ORDER BY k.id LIMIT 1),
       c.started_at, c.answered_at, c.ended_at, c.call_flow_id, f.name, c.group_id, g.name, c.has_voicemail`;
const CALL_JOINS = `LEFT JOIN business_numbers b ON b.id = c.bn_id
  LEFT JOIN call_flows f ON f.id = c.call_flow_id
  LEFT JOIN user_groups g ON g.id = c.group_id`;
const PARTICIPANT_COLUMNS = 'q.user_id, q.role, u.name, u.extension';
const PARTICIPANT_JOINS = `LEFT JOIN call_participants q ON q.call_id = c.id
  LEFT JOIN users u ON u.id = q.user_id`;

/** Index of the first participant column in a calls row (CALL_COLUMNS has 15). */
const CALL_P = 15;
/** …and in a voicemails row, after v.id, duration, transcript, has_audio, read. */
const VOICEMAIL_P = 20;

/** Where a row's list key is: the call's start (= the page query's k) and id. */
const KEY_AT = 7;
const ID_AT = 0;

/** The statement of a calls page, for a page query's text (kept per text: the page query's text is itself kept per shape). */
export const callPageStatementSql = (pageSql: string) =>
  `SELECT json_group_array(json_array(${CALL_COLUMNS}, ${PARTICIPANT_COLUMNS}))
  FROM (${pageSql}) page
  JOIN calls c ON c.id = page.id
  ${CALL_JOINS}
  ${PARTICIPANT_JOINS}`;

/**
 * The statement of a voicemails page; its last parameter is the reader (for
 * `read`). INDEXED BY: for an equality on call_id the planner takes the unique
 * index and then reads the table, where voicemails_call_list (migration 003)
 * carries every column shown.
 */
export const voicemailPageStatementSql = (pageSql: string) =>
  `SELECT json_group_array(json_array(${CALL_COLUMNS}, v.id, v.duration_seconds, v.transcript, v.audio_key IS NOT NULL,
       r.user_id IS NOT NULL, ${PARTICIPANT_COLUMNS}))
  FROM (${pageSql}) page
  JOIN calls c ON c.id = page.id
  JOIN voicemails v INDEXED BY voicemails_call_list ON v.call_id = c.id
  LEFT JOIN voicemail_reads r ON r.user_id = ? AND r.voicemail_id = v.id
  ${CALL_JOINS}
  ${PARTICIPANT_JOINS}`;

const wrapped = { calls: new Map<string, string>(), voicemails: new Map<string, string>() };

type Participant = CallRow['participants'][number];

/** Participants are listed by extension (as before: one page's few participants per call, sorted here). */
const byExtension = (a: Participant, b: Participant) =>
  a.extension < b.extension ? -1 : a.extension > b.extension ? 1 : 0;

function callOf(r: unknown[]): CallRow {
  return {
    id: r[0] as number,
    direction: r[1] as CallDirection,
    result: r[2] as CallResult,
    bnId: r[3] as number | null,
    bnE164: r[4] as string | null,
    externalNumber: r[5] as string | null,
    contactName: r[6] as string | null,
    startedAt: r[7] as number,
    answeredAt: r[8] as number | null,
    endedAt: r[9] as number | null,
    callFlowId: r[10] as number | null,
    callFlowName: r[11] as string | null,
    groupId: r[12] as number | null,
    groupName: r[13] as string | null,
    participants: [],
    hasVoicemail: r[14] === 1,
  };
}

function addParticipant(call: CallRow, r: unknown[], at: number) {
  if (r[at] === null) return;
  call.participants.push({
    userId: r[at] as number,
    name: r[at + 2] as string,
    extension: r[at + 3] as string,
    role: r[at + 1] as Participant['role'],
  });
}

function sortParticipants(calls: readonly CallRow[]) {
  for (const c of calls) if (c.participants.length > 1) c.participants.sort(byExtension);
}

/** Calls from rows in order, one row per participant. */
function readCalls(rows: readonly unknown[][]): CallRow[] {
  const out: CallRow[] = [];
  let last: CallRow | null = null;
  for (const r of rows) {
    if (last === null || last.id !== r[0]) {
      last = callOf(r);
      out.push(last);
    }
    addParticipant(last, r, CALL_P);
  }
  sortParticipants(out);
  return out;
}

/** One page of calls, newest first, for the policy's page query (policy/listSql.ts callPageSql). */
export function callPageRows(db: Db, page: Sql): CallRow[] {
  const rows = jsonPage(stmt(db, wrappedSql(wrapped.calls, page.sql, callPageStatementSql)), page.params);
  return readCalls(inListOrder(rows, KEY_AT, ID_AT));
}

/** One page of voicemails (with their calls), newest first, for a page query with `voicemailOnly`. */
export function voicemailPageRows(db: Db, page: Sql, readerId: number): VoicemailRow[] {
  const params = page.params.slice();
  params.push(readerId);
  const rows = inListOrder(
    jsonPage(stmt(db, wrappedSql(wrapped.voicemails, page.sql, voicemailPageStatementSql)), params),
    KEY_AT,
    ID_AT,
  );
  const out: VoicemailRow[] = [];
  const calls: CallRow[] = [];
  let last: VoicemailRow | null = null;
  for (const r of rows) {
    if (last === null || last.callId !== r[0]) {
      const call = callOf(r);
      calls.push(call);
      last = {
        id: r[15] as number,
        callId: call.id,
        durationSeconds: r[16] as number,
        transcript: r[17] as string,
        hasAudio: r[18] === 1,
        read: r[19] === 1,
        call,
      };
      out.push(last);
    }
    addParticipant(last.call, r, VOICEMAIL_P);
  }
  sortParticipants(calls);
  return out;
}

/** Full rows for a list of distinct call ids, in the order given (single calls, the export). */
export function callRows(db: Db, ids: readonly number[]): CallRow[] {
  if (ids.length === 0) return [];
  const statement = stmt(
    db,
    `SELECT json_group_array(json_array(${CALL_COLUMNS}, ${PARTICIPANT_COLUMNS}) ORDER BY page.key)
       FROM json_each(?) page
       JOIN calls c ON c.id = page.value
       ${CALL_JOINS}
       ${PARTICIPANT_JOINS}`,
  );
  return readCalls(jsonPage(statement, [JSON.stringify(ids)]));
}
