import type { Thread } from '../../../../shared/api/entities';
import type { Sql } from '../../policy/listSql';
import type { Db } from '../db';
import { inListOrder, jsonPage } from '../jsonPage';
import { stmt, wrappedSql } from '../stmt';

/**
 * Message threads as lists show them: a page in one statement, like calls
 * (store/repos/callPage.ts). Each row is one json_array, the page one JSON
 * array (store/jsonPage.ts). The viewer's read state is a LEFT JOIN on
 * thread_reads (primary key (user_id, thread_id)), so its parameter comes
 * after the page query's in the text of the statement.
 */
const THREAD_COLUMNS = `t.id, t.bn_id, b.e164, t.external_number,
       (SELECT name FROM contacts k WHERE k.account_id = t.account_id AND k.phone = t.external_number ORDER BY k.id LIMIT 1),
       t.assigned_user_id, t.assigned_group_id, t.last_message_at, t.last_preview,
       t.last_direction = 'inbound' AND coalesce(r.read_at, -1) < t.last_message_at`;
const THREAD_JOINS = `JOIN business_numbers b ON b.id = t.bn_id
  LEFT JOIN thread_reads r ON r.user_id = ? AND r.thread_id = t.id`;

/**
 * The statement of a threads page: the policy's page query (policy/listSql.ts
 * threadPageSql) is the first table of the join, run as a co-routine, so the
 * page is one statement that sorts nothing; the rows are checked to be in
 * list order (last message, then id: the page query's key).
 */
export const threadPageStatementSql = (pageSql: string) =>
  `SELECT json_group_array(json_array(${THREAD_COLUMNS}))
  FROM (${pageSql}) page
  JOIN message_threads t ON t.id = page.id
  ${THREAD_JOINS}`;

const wrapped = new Map<string, string>();

/** Where a row's list key is: the last message (= the page query's k) and the id. */
const KEY_AT = 7;
const ID_AT = 0;

function readThreads(rows: readonly unknown[][]): Thread[] {
  const out: Thread[] = [];
  for (const r of rows) {
    out.push({
      id: r[0] as number,
      bnId: r[1] as number,
      bnE164: r[2] as string,
      externalNumber: r[3] as string,
      contactName: r[4] as string | null,
      assignedUserId: r[5] as number | null,
      assignedGroupId: r[6] as number | null,
      lastMessageAt: r[7] as number,
      lastMessagePreview: r[8] as string,
      unread: r[9] === 1,
    });
  }
  return out;
}

/** One page of threads, most recent first, for the policy's page query. */
export function threadPageRows(db: Db, page: Sql, viewerId: number): Thread[] {
  const params = page.params.slice();
  params.push(viewerId);
  const statement = stmt(db, wrappedSql(wrapped, page.sql, threadPageStatementSql));
  return readThreads(inListOrder(jsonPage(statement, params), KEY_AT, ID_AT));
}

/** Rows for a list of distinct thread ids, in the order given. */
export function threadRows(db: Db, ids: readonly number[], viewerId: number): Thread[] {
  if (ids.length === 0) return [];
  const statement = stmt(
    db,
    `SELECT json_group_array(json_array(${THREAD_COLUMNS}) ORDER BY page.key)
       FROM json_each(?) page
       JOIN message_threads t ON t.id = page.value
       ${THREAD_JOINS}`,
  );
  return readThreads(jsonPage(statement, [JSON.stringify(ids), viewerId]));
}
