import type { AuthedCtx } from '../api/context';
import { callPageQuery } from '../api/handlers/calls';
import { encodeCursor } from '../policy/listSql';
import { inListOrder, jsonPage } from '../store/jsonPage';
import { stmt, wrappedSql } from '../store/stmt';
import { callRawLine } from './csv';
import type { ExportFilter } from './csvExport';

/**
 * The calls export's pages, read in the core (docs/performance.md,
 * "Exports"): the calls list's own page query (policy/listSql.ts
 * callPageSql, through api/handlers/calls.ts callPageQuery, so the same
 * branches, filters, search plan and checks of the filter's ids), with pages
 * of EXPORT_CALL_PAGE rows, wrapped in one statement that returns each call
 * once with every cell the CSV holds (names joined in SQL, the team as one
 * string in extension order), and the page's tags and notes in one statement
 * each. The rows are written straight from the statement's arrays by the
 * unrolled writer (export/csv.ts callRawLine): no call objects, no second
 * check of ids the role-filtered page query itself produced.
 */
export const EXPORT_CALL_PAGE = 1000;

/** Cells of a row, by position (callRawLine reads them in this order). */
const ROW_COLUMNS = `c.started_at, c.direction, c.result, b.e164, c.external_number,
       (SELECT name FROM contacts k WHERE k.account_id = c.account_id AND k.phone = c.external_number ORDER BY k.id LIMIT 1),
       f.name, g.name,
       (SELECT group_concat(u.name || ' (' || u.extension || ', ' || q.role || ')', '; ' ORDER BY u.extension, q.user_id)
          FROM call_participants q INDEXED BY call_participants_call_role JOIN users u ON u.id = q.user_id WHERE q.call_id = c.id),
       c.answered_at, c.ended_at, c.has_voicemail, c.id`;

const rowSql = (pageSql: string) =>
  `SELECT json_group_array(json_array(${ROW_COLUMNS}))
  FROM (${pageSql}) page
  JOIN calls c ON c.id = page.id
  LEFT JOIN business_numbers b ON b.id = c.bn_id
  LEFT JOIN call_flows f ON f.id = c.call_flow_id
  LEFT JOIN user_groups g ON g.id = c.group_id`;

const wrapped = new Map<string, string>();

/** Where the list key is in a row: the call's start and id. */
const KEY_AT = 0;
const ID_AT = 12;

/** A page's tags, one cell per call, by name as the call's annotations list them. */
const TAGS_SQL = `SELECT l.call_id, group_concat(t.name, '; ' ORDER BY t.name COLLATE NOCASE, t.id)
   FROM call_tag_links l JOIN call_tags t ON t.id = l.tag_id
  WHERE l.call_id IN (SELECT value FROM json_each(?)) GROUP BY l.call_id`;
/** A page's notes, oldest first per call, with their authors. */
const NOTES_SQL = `SELECT n.call_id, u.name, n.created_at, n.body FROM call_notes n JOIN users u ON u.id = n.author_id
  WHERE n.call_id IN (SELECT value FROM json_each(?)) ORDER BY n.call_id, n.id`;

const iso = (t: number) => new Date(t).toISOString();

export interface CallExportPage {
  chunk: string;
  rows: number;
  nextCursor: string | null;
}

/** One page of the calls export as CSV text, from `cursor` on, as the context's actor sees the list. */
export function callExportPage(
  ctx: AuthedCtx,
  filter: ExportFilter['calls'],
  cursor: string | null,
  limit: number = EXPORT_CALL_PAGE,
): CallExportPage {
  const q = callPageQuery(ctx, { ...filter, limit, ...(cursor ? { cursor } : {}) });
  const rows = inListOrder(jsonPage(stmt(ctx.db, wrappedSql(wrapped, q.sql, rowSql)), q.params), KEY_AT, ID_AT);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  let chunk = '';
  if (rows.length > 0) {
    const ids = JSON.stringify(rows.map((r) => r[ID_AT]));
    const tags = new Map<number, string>();
    for (const [id, names] of stmt(ctx.db, TAGS_SQL).raw(true).all(ids) as [number, string][]) tags.set(id, names);
    const notes = new Map<number, string>();
    for (const [id, author, at, body] of stmt(ctx.db, NOTES_SQL).raw(true).all(ids) as [
      number,
      string,
      number,
      string,
    ][]) {
      const note = `${author} (${iso(at)}): ${body}`;
      const before = notes.get(id);
      notes.set(id, before === undefined ? note : `${before}\n${note}`);
    }
    const annotated = tags.size > 0 || notes.size > 0;
    for (const r of rows) {
      const id = r[ID_AT] as number;
      chunk += annotated ? callRawLine(r, tags.get(id) ?? '', notes.get(id) ?? '') : callRawLine(r, '', '');
    }
  }
  const last = rows[rows.length - 1];
  return {
    chunk,
    rows: rows.length,
    nextCursor: more && last ? encodeCursor({ k: last[KEY_AT] as number, id: last[ID_AT] as number }) : null,
  };
}
