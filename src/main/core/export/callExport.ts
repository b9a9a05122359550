import type { AuthedCtx } from '../api/context';
import { callPageQuery } from '../api/handlers/calls';
import { encodeCursor } from '../policy/listSql';
import { inListOrder, jsonPage } from '../store/jsonPage';
import { stmt, wrappedSql } from '../store/stmt';
import { callRawLine, cellMemo } from './csv';
import type { ExportFilter } from './csvExport';

/**
 * The calls export's pages, read in the core (docs/performance.md,
 * "Exports"): the calls list's own page query (policy/listSql.ts
 * callPageSql, through api/handlers/calls.ts callPageQuery, so the same
 * branches, filters, search plan and checks of the filter's ids), with pages
 * of EXPORT_CALL_PAGE rows, wrapped in one statement that returns each call
 * once with its columns and its participants, the names from maps read once
 * per export, and the page's tags and notes in one statement each. The rows are written straight from the statement's arrays by the
 * unrolled writer (export/csv.ts callRawLine): no call objects, no second
 * check of ids the role-filtered page query itself produced.
 */
export const EXPORT_CALL_PAGE = 1000;

/**
 * A row: started, direction, result, BN id, other party, flow id, group id,
 * the participants as `user role` pairs (call_participants_call_role order:
 * by user), answered, ended, voicemail, id. The names are the export's own
 * maps (CallExportNames), read once per export: a join per row for each was
 * a third of the statement's time.
 */
const ROW_COLUMNS = `c.started_at, c.direction, c.result, c.bn_id, c.external_number, c.call_flow_id, c.group_id,
       (SELECT group_concat(q.user_id || ' ' || q.role) FROM call_participants q INDEXED BY call_participants_call_role
         WHERE q.call_id = c.id),
       c.answered_at, c.ended_at, c.has_voicemail, c.id`;

const rowSql = (pageSql: string) =>
  `SELECT json_group_array(json_array(${ROW_COLUMNS}))
  FROM (${pageSql}) page
  JOIN calls c ON c.id = page.id`;

const wrapped = new Map<string, string>();

/** Where the list key is in a row: the call's start and id. */
const KEY_AT = 0;
const ID_AT = 11;

/**
 * The account's names an export row shows, read once when the export starts:
 * business numbers, flows, groups, team members (name and extension) and
 * contacts (the first by id for a phone, as the list shows). A team's text
 * is kept per distinct set of participants (few), up to a bound.
 */
export class CallExportNames {
  private loaded = false;
  private bns = new Map<number, string>();
  private flows = new Map<number, string>();
  private groups = new Map<number, string>();
  private users = new Map<number, { name: string; extension: string }>();
  private contacts = new Map<string, string>();
  private teams = new Map<string, string>();
  /** Text cells, remembered per value (csv.ts cellMemo). */
  readonly cell = cellMemo();

  load(ctx: AuthedCtx): void {
    if (this.loaded) return;
    const a = ctx.actor.accountId;
    const pairs = (sql: string) => stmt(ctx.db, sql).raw(true).all(a) as [number, string][];
    for (const [id, e164] of pairs('SELECT id, e164 FROM business_numbers WHERE account_id = ?'))
      this.bns.set(id, e164);
    for (const [id, name] of pairs('SELECT id, name FROM call_flows WHERE account_id = ?')) this.flows.set(id, name);
    for (const [id, name] of pairs('SELECT id, name FROM user_groups WHERE account_id = ?')) this.groups.set(id, name);
    for (const [id, name, extension] of stmt(ctx.db, 'SELECT id, name, extension FROM users WHERE account_id = ?')
      .raw(true)
      .all(a) as [number, string, string][])
      this.users.set(id, { name, extension });
    for (const [phone, name] of stmt(ctx.db, 'SELECT phone, name FROM contacts WHERE account_id = ? ORDER BY id')
      .raw(true)
      .all(a) as [string, string][])
      if (!this.contacts.has(phone)) this.contacts.set(phone, name);
    this.loaded = true;
  }

  bn = (id: number | null) => (id === null ? null : (this.bns.get(id) ?? null));
  flow = (id: number | null) => (id === null ? null : (this.flows.get(id) ?? null));
  group = (id: number | null) => (id === null ? null : (this.groups.get(id) ?? null));
  contact = (phone: string | null) => (phone === null ? null : (this.contacts.get(phone) ?? null));

  /** "Name (ext, role); …" by extension, as the list orders a call's participants. */
  team(key: string | null): string | null {
    if (key === null) return null;
    let text = this.teams.get(key);
    if (text === undefined) {
      const people = key.split(',').map((pair) => {
        const at = pair.indexOf(' ');
        const user = this.users.get(Number(pair.slice(0, at)));
        return { name: user?.name ?? '', extension: user?.extension ?? '', role: pair.slice(at + 1) };
      });
      if (people.length > 1)
        people.sort((x, y) => (x.extension < y.extension ? -1 : x.extension > y.extension ? 1 : 0));
      text = people.map((p) => `${p.name} (${p.extension}, ${p.role})`).join('; ');
      if (this.teams.size >= 10_000) this.teams.clear();
      this.teams.set(key, text);
    }
    return text;
  }
}

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
  names: CallExportNames = new CallExportNames(),
): CallExportPage {
  names.load(ctx);
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
    const cells: unknown[] = new Array(13);
    for (const r of rows) {
      const id = r[ID_AT] as number;
      const number = r[4] as string | null;
      cells[0] = r[0];
      cells[1] = r[1];
      cells[2] = r[2];
      cells[3] = names.bn(r[3] as number | null);
      cells[4] = number;
      cells[5] = names.contact(number);
      cells[6] = names.flow(r[5] as number | null);
      cells[7] = names.group(r[6] as number | null);
      cells[8] = names.team(r[7] as string | null);
      cells[9] = r[8];
      cells[10] = r[9];
      cells[11] = r[10];
      cells[12] = id;
      chunk += callRawLine(cells, tags.get(id) ?? '', notes.get(id) ?? '', names.cell);
    }
  }
  const last = rows[rows.length - 1];
  return {
    chunk,
    rows: rows.length,
    nextCursor: more && last ? encodeCursor({ k: last[KEY_AT] as number, id: last[ID_AT] as number }) : null,
  };
}
