import { can, encodeCursor, loadActor, type Actor, type Keyset } from '../../src/main/core/policy';
import type { Db } from '../../src/main/core/store/db';
import { stmt } from '../../src/main/core/store/stmt';
import { callRows, voicemailsForCalls } from '../../src/main/core/store/repos/calls';
import { threadRows } from '../../src/main/core/store/repos/threadPage';
import type { ListKind, Page } from './pages';

/**
 * The naive way to a role-filtered list: read candidate rows newest first
 * (every call of the account), decide each with can() in JS, stop when a page
 * is full. It is the generous version of "load and filter": candidates come
 * in batches from an index in list order and reading stops at a full page,
 * rather than loading the whole history first.
 */
const BATCH = 1000;

interface CallCandidate {
  id: number;
  k: number;
  account_id: number;
  group_id: number | null;
  call_flow_id: number | null;
  bn_id: number | null;
  parts: string | null;
}

interface ThreadCandidate {
  id: number;
  k: number;
  account_id: number;
  assigned_group_id: number | null;
  bn_id: number;
  flow_id: number | null;
  parts: string | null;
}

const ids = (csv: string | null) => (csv ? csv.split(',').map(Number) : []);

function visibleCallKeys(db: Db, actor: Actor, voicemailOnly: boolean, cursor: Keyset | null, want: number): Keyset[] {
  const candidates = stmt(
    db,
    `SELECT c.id, c.started_at AS k, c.account_id, c.group_id, c.call_flow_id, c.bn_id,
            (SELECT group_concat(p.user_id) FROM call_participants p WHERE p.call_id = c.id) AS parts
       FROM calls c
      WHERE c.account_id = ?${voicemailOnly ? ' AND c.has_voicemail = 1' : ''} AND (c.started_at, c.id) < (?, ?)
      ORDER BY c.started_at DESC, c.id DESC LIMIT ?`,
  );
  const out: Keyset[] = [];
  let from = cursor ?? { k: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER };
  // Bounded: each batch moves the cursor back; a short batch means the history is exhausted.
  for (;;) {
    const rows = candidates.all(actor.accountId, from.k, from.id, BATCH) as CallCandidate[];
    for (const r of rows) {
      const facts = {
        accountId: r.account_id,
        groupId: r.group_id,
        callFlowId: r.call_flow_id,
        bnId: r.bn_id,
        participantIds: ids(r.parts),
      };
      if (can(actor, 'call.view', facts).allowed) {
        out.push({ k: r.k, id: r.id });
        if (out.length === want) return out;
      }
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < BATCH) return out;
    from = { k: last.k, id: last.id };
  }
}

function visibleThreadKeys(db: Db, actor: Actor, cursor: Keyset | null, want: number): Keyset[] {
  const candidates = stmt(
    db,
    `SELECT t.id, t.last_message_at AS k, t.account_id, t.assigned_group_id, t.bn_id, b.call_flow_id AS flow_id,
            (SELECT group_concat(p.user_id) FROM thread_participants p WHERE p.thread_id = t.id) AS parts
       FROM message_threads t JOIN business_numbers b ON b.id = t.bn_id
      WHERE t.account_id = ? AND (t.last_message_at, t.id) < (?, ?)
      ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?`,
  );
  const out: Keyset[] = [];
  let from = cursor ?? { k: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER };
  for (;;) {
    const rows = candidates.all(actor.accountId, from.k, from.id, BATCH) as ThreadCandidate[];
    for (const r of rows) {
      const facts = {
        accountId: r.account_id,
        groupId: r.assigned_group_id,
        bnId: r.bn_id,
        bnFlowId: r.flow_id,
        participantIds: ids(r.parts),
      };
      if (can(actor, 'thread.view', facts).allowed) {
        out.push({ k: r.k, id: r.id });
        if (out.length === want) return out;
      }
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < BATCH) return out;
    from = { k: last.k, id: last.id };
  }
}

/** One page the naive way, mapped exactly as the API maps it, in a read transaction like a request. */
export function naivePage(db: Db, userId: number, list: ListKind, cursor: Keyset | null, limit: number): Page {
  return db
    .transaction((): Page => {
      const actor = loadActor(db, userId);
      if (!actor) throw new Error(`no actor ${userId}`);
      const keys =
        list === 'threads'
          ? visibleThreadKeys(db, actor, cursor, limit + 1)
          : visibleCallKeys(db, actor, list === 'voicemails', cursor, limit + 1);
      const page = keys.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor = keys.length > limit && last ? encodeCursor(last) : null;
      const pageIds = page.map((k) => k.id);
      if (list === 'threads') return { items: threadRows(db, pageIds, actor.userId), nextCursor };
      const rows = callRows(db, pageIds);
      if (list === 'calls') return { items: rows, nextCursor };
      const vms = voicemailsForCalls(db, pageIds, actor.userId);
      return { items: rows.flatMap((call) => (vms.has(call.id) ? [{ ...vms.get(call.id)!, call }] : [])), nextCursor };
    })
    .deferred();
}
