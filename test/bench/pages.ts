import {
  callBranches,
  callPageSql,
  encodeCursor,
  loadActor,
  threadBranches,
  threadPageSql,
  type Actor,
  type Keyset,
} from '../../src/main/core/policy';
import type { Sql } from '../../src/main/core/policy/listSql';
import type { Db } from '../../src/main/core/store/db';
import { stmt } from '../../src/main/core/store/stmt';
import { callRows, voicemailsForCalls } from '../../src/main/core/store/repos/calls';
import { callPageStatementSql, voicemailPageStatementSql } from '../../src/main/core/store/repos/callPage';
import { bnRouting } from '../../src/main/core/store/repos/flows';
import { threadPageStatementSql, threadRows } from '../../src/main/core/store/repos/threadPage';

export type ListKind = 'calls' | 'voicemails' | 'threads';
export const listKinds: readonly ListKind[] = ['calls', 'voicemails', 'threads'];
export const methodOf = { calls: 'calls.list', voicemails: 'voicemails.list', threads: 'messages.threads' } as const;

export interface Page {
  items: { id: number }[];
  nextCursor: string | null;
}

/** The app's own list query for this actor (the UNION of per-branch index scans). */
export function listSql(db: Db, actor: Actor, list: ListKind, cursor: Keyset | null, limit: number): Sql {
  return list === 'threads'
    ? threadPageSql(threadBranches(actor, bnRouting(db, actor.accountId)), actor.accountId, {}, cursor, limit)
    : callPageSql(
        callBranches(actor),
        actor.accountId,
        list === 'voicemails' ? { voicemailOnly: true } : {},
        cursor,
        limit,
      );
}

/**
 * The one statement the app runs for a page: the list query above as the
 * first table of a join that reads the page's rows (store/repos/callPage.ts,
 * store/repos/threads.ts). Voicemails and threads take the reader last.
 */
export function pageStatement(db: Db, actor: Actor, list: ListKind, cursor: Keyset | null, limit: number): Sql {
  const q = listSql(db, actor, list, cursor, limit);
  if (list === 'calls') return { sql: callPageStatementSql(q.sql), params: q.params };
  const sql = list === 'voicemails' ? voicemailPageStatementSql(q.sql) : threadPageStatementSql(q.sql);
  return { sql, params: [...q.params, actor.userId] };
}

/** How many rows this actor sees up to `cursor` (the last row of the page before): what OFFSET skips to reach the same page. */
export function visibleBefore(db: Db, userId: number, list: ListKind, cursor: Keyset): number {
  const actor = loadActor(db, userId)!;
  const q = listSql(db, actor, list, null, Number.MAX_SAFE_INTEGER);
  return db
    .prepare(`SELECT count(*) FROM (${q.sql}) WHERE (k, id) >= (?, ?)`)
    .pluck()
    .get(...q.params, cursor.k, cursor.id) as number;
}

/**
 * The same page with OFFSET paging: the same role-filtered query, but the
 * position is a row count, so SQLite walks and discards every row before it.
 */
export function offsetPage(db: Db, userId: number, list: ListKind, offset: number, limit: number): Page {
  return db
    .transaction((): Page => {
      const actor = loadActor(db, userId);
      if (!actor) throw new Error(`no actor ${userId}`);
      const q = listSql(db, actor, list, null, limit + 1);
      if (!/LIMIT \d+$/.test(q.sql)) throw new Error('unexpected list query shape');
      // A literal, like the app's LIMIT: a bound one would make SQLite compile the statement on every run.
      const keys = stmt(db, `${q.sql} OFFSET ${offset}`).all(...q.params) as Keyset[];
      const page = keys.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor = keys.length > limit && last ? encodeCursor(last) : null;
      const ids = page.map((k) => k.id);
      if (list === 'threads') return { items: threadRows(db, ids, actor.userId), nextCursor };
      const rows = callRows(db, ids);
      if (list === 'calls') return { items: rows, nextCursor };
      const vms = voicemailsForCalls(db, ids, actor.userId);
      return { items: rows.flatMap((call) => (vms.has(call.id) ? [{ ...vms.get(call.id)!, call }] : [])), nextCursor };
    })
    .deferred();
}

/**
 * The deep position of each list: a keyset cursor half way back through the
 * history, that is past 500,000 calls at 1M calls (and past half of the
 * message threads). Every actor's deep page starts there.
 */
export function deepCursors(db: Db): Record<ListKind, { cursor: Keyset; depth: number }> {
  const calls = db.prepare('SELECT count(*) FROM calls').pluck().get() as number;
  const threads = db.prepare('SELECT count(*) FROM message_threads').pluck().get() as number;
  const callDepth = Math.min(500_000, Math.floor(calls / 2));
  const threadDepth = Math.floor(threads / 2);
  const call = db
    .prepare('SELECT started_at AS k, id FROM calls ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET ?')
    .get(callDepth - 1) as Keyset;
  const thread = db
    .prepare(
      'SELECT last_message_at AS k, id FROM message_threads ORDER BY last_message_at DESC, id DESC LIMIT 1 OFFSET ?',
    )
    .get(threadDepth - 1) as Keyset;
  return {
    calls: { cursor: call, depth: callDepth },
    voicemails: { cursor: call, depth: callDepth },
    threads: { cursor: thread, depth: threadDepth },
  };
}
