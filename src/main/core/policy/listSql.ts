import type { Branch } from './visibility';

/**
 * Builds the role-filtered list queries of POLICY.md §3. Each visibility
 * branch becomes one SELECT that walks an index in list order
 * (newest first); the branches are merged with UNION under one ORDER BY and
 * LIMIT, so SQLite stops after a page no matter how long the history is.
 */
export interface Keyset {
  k: number;
  id: number;
}

export function encodeCursor(row: Keyset): string {
  return `${row.k}:${row.id}`;
}

export function decodeCursor(cursor: string | undefined): Keyset | null {
  if (!cursor) return null;
  const [k, id] = cursor.split(':').map(Number);
  return k === undefined || id === undefined ? null : { k, id };
}

/**
 * Splits rows fetched with limit + 1 into the page and the cursor of the next
 * one: the key of the page's last row, present only when that extra row came.
 */
export function splitPage<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => Keyset,
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  rows.length = limit;
  return { items: rows, nextCursor: encodeCursor(keyOf(rows[limit - 1]!)) };
}

export interface CallListFilter {
  direction?: string | undefined;
  result?: string | undefined;
  bnId?: number | undefined;
  callFlowId?: number | undefined;
  groupId?: number | undefined;
  userId?: number | undefined;
  search?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  voicemailOnly?: boolean | undefined;
  /** Only voicemails this user has not listened to. */
  unreadBy?: number | undefined;
  /** Only calls carrying this tag of the account's tag list. */
  tagId?: number | undefined;
  /** Only calls with a recording (that can be played). */
  hasRecording?: boolean | undefined;
  /**
   * Only calls started in this hour of the viewer's day: the range cut into
   * spans of one offset from UTC (daylight saving moves it), each span's
   * calls whose local time of day falls in the hour (api/handlers/calls.ts
   * hourFilter). At most HOUR_SPANS_MAX spans.
   */
  hour?: HourFilter | undefined;
  /**
   * The search, already resolved to the outside numbers it matches
   * (store/repos/numberSearch.ts): the page is then driven by those numbers'
   * calls instead of a scan of every branch (`search` is not tested again).
   */
  numbers?: readonly string[] | undefined;
  /**
   * For a search the branches scan (`numbers` unset): the numbers of the
   * contacts whose name matches it, found once for the request
   * (store/repos/numberSearch.ts contactNumbers); without it each branch
   * looks the contacts up itself.
   */
  contactNumbers?: readonly string[] | undefined;
}

export interface ThreadListFilter {
  bnId?: number | undefined;
  /** Only threads with a message this user has not read. */
  unreadBy?: number | undefined;
  search?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** As CallListFilter.numbers: the search resolved to the numbers it matches. */
  numbers?: readonly string[] | undefined;
  /** As CallListFilter.contactNumbers: for a scanned search, the matching contacts' numbers, found once. */
  contactNumbers?: readonly string[] | undefined;
}

export interface Sql {
  sql: string;
  params: unknown[];
}

export interface HourFilter {
  hour: number;
  /** [start, end) of each span of one offset, and the offset (ms to add to UTC). */
  spans: readonly { start: number; end: number; offset: number }[];
}

/** The most offset spans an hour filter may carry (a year has two daylight-saving changes). */
export const HOUR_SPANS_MAX = 7;
const HOUR_SHIFT = 17;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/**
 * The SQL text of a list query depends only on its shape: which branches, which
 * filters are set, whether there is a cursor. Values are always parameters. So
 * the text is built once per shape and kept (the same string object, so that
 * the prepared-statement cache finds it without re-hashing a fresh string),
 * and a request only gathers its parameters.
 */
const shapes = new Map<string, string>();
/** Far more than the shapes an account produces; a runaway mix of filters cannot grow it without bound. */
const MAX_SHAPES = 2000;

function shaped(key: string, build: () => string): string {
  let sql = shapes.get(key);
  if (sql === undefined) {
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    sql = build();
    shapes.set(key, sql);
  }
  return sql;
}

const ruleCode: Record<Branch['rule'], string> = {
  participant: 'p',
  group: 'g',
  callflow: 'f',
  'callflow-bn': 'b',
  numbers: 'n',
  all: 'a',
};

const shapeKey = (list: string, branches: readonly Branch[], flags: number, cursor: Keyset | null, limit: number) => {
  let key = `${list}${flags}${cursor ? '+' : '-'}${limit}`;
  for (const b of branches) key += ruleCode[b.rule];
  return key;
};

/** The branch's one parameter: whose, which group, flow, BN or account. */
function branchValue(b: Branch): number {
  switch (b.rule) {
    case 'participant':
      return b.userId;
    case 'group':
      return b.groupId;
    case 'callflow':
      return b.flowId;
    case 'callflow-bn':
    case 'numbers':
      return b.bnId;
    case 'all':
      return b.accountId;
  }
}

/**
 * A LIMIT written into the SQL text rather than bound: SQLite's planner reads
 * a bound LIMIT value, so a statement with `LIMIT ?` is compiled again every
 * time its parameters are bound, which for a page statement cost as much as
 * a sixth of the request (docs/performance.md). Page sizes are few (at most
 * 200 in the API), so the texts stay few.
 */
export function sqlLimit(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`Not a page limit: ${limit}`);
  return `LIMIT ${limit}`;
}

function union(selects: string[], limit: number): string {
  return `${selects.join('\nUNION\n')}\nORDER BY k DESC, id DESC ${sqlLimit(limit)}`;
}

/** Parameters of a union: per branch its value, the cursor, the filters' values. */
function unionParams(branches: readonly Branch[], cursor: Keyset | null, filterParams: readonly unknown[]) {
  const params: unknown[] = [];
  for (const b of branches) {
    params.push(branchValue(b));
    if (cursor) params.push(cursor.k, cursor.id);
    for (const p of filterParams) params.push(p);
  }
  return params;
}

/** Text search: part of the number (digits), or part of a contact's name. */
interface Search {
  digits: string | null;
  text: string;
}

function searchOf(search: string | undefined): Search | null {
  const text = search?.trim();
  if (!text) return null;
  const digits = text.replace(/[^\d]/g, '');
  return { digits: digits.length >= 2 ? digits : null, text };
}

function searchSql(col: string, s: { digits: boolean; listed?: boolean }): string {
  const name = s.listed
    ? `${col} IN (SELECT value FROM json_each(?))`
    : `${col} IN (SELECT phone FROM contacts WHERE account_id = ? AND name LIKE ? ESCAPE '\\')`;
  return s.digits ? `(${col} LIKE ? ESCAPE '\\' OR ${name})` : `(${name})`;
}

/** A calls search term: with the contacts' numbers listed once per request (C.searchListed) or looked up. */
const callSearchSql = (col: string, flags: number) =>
  searchSql(col, { digits: (flags & C.searchDigits) !== 0, listed: (flags & C.searchListed) !== 0 });

function pushSearch(params: unknown[], s: Search, accountId: number) {
  if (s.digits) params.push(`%${s.digits}%`);
  params.push(accountId, `%${likeEscape(s.text)}%`);
}

/** Which call filters are set, one bit each, in the order their terms appear. */
const C = {
  direction: 1,
  result: 2,
  bnId: 4,
  callFlowId: 8,
  groupId: 16,
  userId: 32,
  from: 64,
  to: 128,
  voicemailOnly: 256,
  unreadBy: 512,
  search: 1024,
  searchDigits: 2048,
  tagId: 4096,
  /** direction = 'internal', written as a literal so that the partial indexes of internal calls apply. */
  internal: 8192,
  /**
   * The search's contact-name part is the list of the matching contacts' numbers, found once for the
   * request (CallListFilter.contactNumbers), instead of a lookup of the contacts in every branch.
   */
  searchListed: 16384,
  /** Calls with a recording: a probe of the recordings' (call, time) index. */
  recorded: 32768,
  /** An hour of the local day; the number of its offset spans is kept in the bits from HOUR_SHIFT up. */
  hour: 65536,
} as const;

/** The hour filter's term on a start time column: one disjunct per offset span. */
function hourSql(column: string, flags: number): string {
  const spans = flags >>> HOUR_SHIFT;
  const one = `(${column} >= ? AND ${column} < ? AND (${column} + ?) % 86400000 >= ? AND (${column} + ?) % 86400000 < ?)`;
  return ` AND (${Array.from({ length: spans }, () => one).join(' OR ')})`;
}

/** Sets the hour filter's bits and parameters (in hourSql's order). */
function addHour(h: HourFilter, filterParams: unknown[]): number {
  const from = h.hour * 3_600_000;
  for (const s of h.spans) filterParams.push(s.start, s.end, s.offset, from, s.offset, from + 3_600_000);
  return C.hour | (h.spans.length << HOUR_SHIFT);
}

function callFilterSql(flags: number): string {
  let sql = '';
  if (flags & C.direction) sql += ' AND c.direction = ?';
  if (flags & C.internal) sql += " AND c.direction = 'internal'";
  if (flags & C.result) sql += ' AND c.result = ?';
  if (flags & C.bnId) sql += ' AND c.bn_id = ?';
  if (flags & C.callFlowId) sql += ' AND c.call_flow_id = ?';
  if (flags & C.groupId) sql += ' AND c.group_id = ?';
  if (flags & C.userId)
    sql += ' AND EXISTS (SELECT 1 FROM call_participants fp WHERE fp.call_id = c.id AND fp.user_id = ?)';
  if (flags & C.from) sql += ' AND c.started_at >= ?';
  if (flags & C.to) sql += ' AND c.started_at < ?';
  if (flags & C.hour) sql += hourSql('c.started_at', flags);
  if (flags & C.voicemailOnly) sql += ' AND c.has_voicemail = 1';
  if (flags & C.unreadBy)
    sql += ` AND NOT EXISTS (SELECT 1 FROM voicemails v JOIN voicemail_reads r ON r.voicemail_id = v.id
                    WHERE v.call_id = c.id AND r.user_id = ?)`;
  if (flags & C.search) sql += ` AND ${callSearchSql('c.external_number', flags)}`;
  if (flags & C.tagId) sql += ' AND EXISTS (SELECT 1 FROM call_tag_links tl WHERE tl.call_id = c.id AND tl.tag_id = ?)';
  if (flags & C.recorded) sql += ' AND EXISTS (SELECT 1 FROM recordings rc WHERE rc.call_id = c.id)';
  return sql;
}

/**
 * The filter terms on a participant row (`p`), which copies the call's list
 * columns (migration 013): the same terms and parameter order as
 * callFilterSql, with the call read only for a search of its number. A team
 * member is a probe of that member's own primary key at the same (time, call).
 */
function participantFilterSql(flags: number): string {
  let sql = '';
  if (flags & C.direction) sql += ' AND p.direction = ?';
  if (flags & C.internal) sql += " AND p.direction = 'internal'";
  if (flags & C.result) sql += ' AND p.result = ?';
  if (flags & C.bnId) sql += ' AND p.bn_id = ?';
  if (flags & C.callFlowId) sql += ' AND p.call_flow_id = ?';
  if (flags & C.groupId) sql += ' AND p.group_id = ?';
  if (flags & C.userId)
    sql +=
      ' AND EXISTS (SELECT 1 FROM call_participants fp WHERE fp.user_id = ? AND fp.started_at = p.started_at AND fp.call_id = p.call_id)';
  if (flags & C.from) sql += ' AND p.started_at >= ?';
  if (flags & C.to) sql += ' AND p.started_at < ?';
  if (flags & C.hour) sql += hourSql('p.started_at', flags);
  if (flags & C.voicemailOnly) sql += ' AND p.has_voicemail = 1';
  if (flags & C.unreadBy)
    sql += ` AND NOT EXISTS (SELECT 1 FROM voicemails v JOIN voicemail_reads r ON r.voicemail_id = v.id
                    WHERE v.call_id = p.call_id AND r.user_id = ?)`;
  if (flags & C.search) sql += ` AND ${callSearchSql('c.external_number', flags)}`;
  if (flags & C.tagId)
    sql += ' AND EXISTS (SELECT 1 FROM call_tag_links tl WHERE tl.call_id = p.call_id AND tl.tag_id = ?)';
  if (flags & C.recorded) sql += ' AND EXISTS (SELECT 1 FROM recordings rc WHERE rc.call_id = p.call_id)';
  return sql;
}

/**
 * The index a user's participant rows are walked by under these filters: the
 * (user, key, time) range of a chosen group, number or flow, or the user's
 * internal calls, else the primary key (or, for voicemails, its partial
 * index, left to the planner). Named, so that a range the filter makes exact
 * is never traded for a walk of all the user's calls.
 */
function participantIndex(flags: number): string {
  if (flags & C.voicemailOnly) return '';
  if (flags & C.groupId) return ' INDEXED BY call_participants_group_time';
  if (flags & C.bnId) return ' INDEXED BY call_participants_bn_time';
  if (flags & C.callFlowId) return ' INDEXED BY call_participants_flow_time';
  if (flags & C.internal) return ' INDEXED BY call_participants_internal_time';
  return '';
}

/** The participant branch: the user's own rows, in list order, filtered on the copied columns. */
function participantSelect(flags: number, cursor: boolean): string {
  return (
    `SELECT p.started_at AS k, p.call_id AS id FROM call_participants p${participantIndex(flags)}` +
    `${flags & C.search ? ' JOIN calls c ON c.id = p.call_id' : ''}` +
    ` WHERE p.user_id = ?${cursor ? ' AND (p.started_at, p.call_id) < (?, ?)' : ''}${participantFilterSql(flags)}`
  );
}

/** One branch's SELECT of (k, id), walking that branch's index newest first. */
function callSelect(rule: Branch['rule'], flags: number, cursor: boolean): string {
  if (rule === 'participant') return participantSelect(flags, cursor);
  const column = {
    group: 'c.group_id',
    callflow: 'c.call_flow_id',
    'callflow-bn': 'c.bn_id',
    numbers: 'c.bn_id',
    all: 'c.account_id',
  }[rule];
  const driver = rule === 'all' && !(flags & C.voicemailOnly) ? keyDriver(flags) : '';
  return `SELECT c.started_at AS k, c.id AS id FROM calls c${driver} WHERE ${column} = ?${cursor ? ' AND (c.started_at, c.id) < (?, ?)' : ''}${callFilterSql(flags)}`;
}

/**
 * The index that drives the whole account's branch when a group, business
 * number or call flow is chosen: that key's own time-ordered index, which
 * also carries the account and every filtered column (migration
 * branch_filter_columns), so the page reads only that key's calls and no
 * table row, where the account's index would pass every call of the account.
 * With several chosen, the key with the fewest calls per value goes first
 * (an account has more groups than numbers, more numbers than flows). Named,
 * not left to the planner: its estimates rate the account index as cheaper.
 */
function keyDriver(flags: number): string {
  if (flags & C.groupId) return ' INDEXED BY calls_group_time';
  if (flags & C.bnId) return ' INDEXED BY calls_bn_time';
  if (flags & C.callFlowId) return ' INDEXED BY calls_flow_time';
  return '';
}

/** A branch the filter cannot match is dropped rather than scanned. */
function callBranchUseful(b: Branch, f: CallListFilter): boolean {
  if (b.rule === 'numbers' && f.bnId !== undefined) return b.bnId === f.bnId;
  if (b.rule === 'callflow' && f.callFlowId !== undefined) return b.flowId === f.callFlowId;
  if (b.rule === 'group' && f.groupId !== undefined) return b.groupId === f.groupId;
  return true;
}

/**
 * Visibility as one predicate over a call's columns, for a page driven by
 * something other than the branches' own indexes (a search's numbers). The
 * participant branch goes last: SQLite evaluates OR terms in order, and the
 * column tests before it decide most calls without a lookup.
 */
function visibleSql(
  rules: readonly Branch['rule'][],
  participant: string,
  column: (rule: Branch['rule']) => string,
): string {
  const terms = rules.filter((r) => r !== 'participant').map((r) => `${column(r)} = ?`);
  if (rules.includes('participant')) terms.push(participant);
  return terms.join(' OR ');
}

/** Branches in the order visibleSql tests them. */
const participantLast = (branches: readonly Branch[]) => [
  ...branches.filter((b) => b.rule !== 'participant'),
  ...branches.filter((b) => b.rule === 'participant'),
];

const callColumn = (rule: Branch['rule']) =>
  ({
    group: 'c.group_id',
    callflow: 'c.call_flow_id',
    'callflow-bn': 'c.bn_id',
    numbers: 'c.bn_id',
    all: 'c.account_id',
    participant: '',
  })[rule];

/**
 * One page of the calls of some outside numbers, newest first: each number's
 * calls are one range of calls_number (migration 004), which also carries
 * every column the group, flow and number branches and the filters test, so
 * only the calls kept are read; the calls the actor took part in are one
 * range per number of their own participant rows (call_participants_number,
 * migration 016), which copy the same columns. Both are sorted (few: the
 * caller chose this plan because the numbers carry few calls,
 * store/repos/numberSearch.ts).
 */
function callNumberPageSql(
  branches: readonly Branch[],
  accountId: number,
  f: CallListFilter,
  flags: number,
  filterParams: readonly unknown[],
  cursor: Keyset | null,
  limit: number,
): Sql {
  const columns = branches.filter((b) => b.rule !== 'participant');
  const own = branches.filter((b) => b.rule === 'participant');
  const numbers = JSON.stringify(f.numbers);
  const sql = shaped(shapeKey('cn', [...columns, ...own], flags, cursor, limit), () => {
    const selects: string[] = [];
    if (columns.length > 0) {
      const visible = visibleSql(
        columns.map((b) => b.rule),
        '',
        callColumn,
      );
      selects.push(
        `SELECT c.started_at AS k, c.id AS id FROM calls c INDEXED BY calls_number` +
          ` WHERE c.account_id = ? AND c.external_number IN (SELECT value FROM json_each(?))` +
          `${cursor ? ' AND (c.started_at, c.id) < (?, ?)' : ''}${callFilterSql(flags)} AND (${visible})`,
      );
    }
    for (let i = 0; i < own.length; i++) {
      selects.push(
        `SELECT p.started_at AS k, p.call_id AS id FROM call_participants p INDEXED BY call_participants_number` +
          ` WHERE p.user_id = ? AND p.external_number IN (SELECT value FROM json_each(?))` +
          `${cursor ? ' AND (p.started_at, p.call_id) < (?, ?)' : ''}${participantFilterSql(flags)}`,
      );
    }
    return union(selects, limit);
  });
  const params: unknown[] = [];
  if (columns.length > 0) {
    params.push(accountId, numbers);
    if (cursor) params.push(cursor.k, cursor.id);
    for (const p of filterParams) params.push(p);
    for (const b of columns) params.push(branchValue(b));
  }
  for (const b of own) {
    params.push(branchValue(b), numbers);
    if (cursor) params.push(cursor.k, cursor.id);
    for (const p of filterParams) params.push(p);
  }
  return { sql, params };
}

/** A group, business number or flow: the keys a branch or a filter may name. */
type CallKey = 'group' | 'bn' | 'flow';

const keyOfRule: Partial<Record<Branch['rule'], CallKey>> = {
  group: 'group',
  callflow: 'flow',
  'callflow-bn': 'bn',
  numbers: 'bn',
};
/** The index of each pair of keys (migration 013): a call has one group, flow and number at most. */
const pairIndex: Record<CallKey, Partial<Record<CallKey, string>>> = {
  group: { bn: 'calls_group_bn_time', flow: 'calls_flow_group_time' },
  bn: { group: 'calls_group_bn_time', flow: 'calls_bn_flow_time' },
  flow: { group: 'calls_flow_group_time', bn: 'calls_bn_flow_time' },
};
const keyInternalIndex: Record<CallKey, string> = {
  group: 'calls_group_internal_time',
  bn: 'calls_bn_internal_time',
  flow: 'calls_flow_internal_time',
};
const participantKeyIndex: Record<CallKey, string> = {
  group: 'call_participants_group_time',
  bn: 'call_participants_bn_time',
  flow: 'call_participants_flow_time',
};
const participantKeyColumn: Record<CallKey, string> = { group: 'p.group_id', bn: 'p.bn_id', flow: 'p.call_flow_id' };

/** One SELECT of the union: which branch, and the index that drives it. */
interface Arm {
  branch: Branch;
  /**
   * `p`: the actor's own participant rows; `m`: the team member's rows
   * within the branch (the `userId` filter); `x`: the actor's own calls
   * shared with that member (call_coparticipants, migration 016); `c`: the
   * branch's calls, by `index` when named.
   */
  kind: 'p' | 'm' | 'x' | 'c';
  index: string;
}

/**
 * The driving index of a group, flow or number branch under a filter: the
 * internal calls' own index for `internal`; else, when the filter names a
 * key the branch does not share, the index of that pair of keys, where the
 * branch's calls of that key are one exact range (a busy number inside a
 * quiet group, or none at all, costs what its matches cost); else the
 * planner's choice among the branch's own indexes.
 */
function columnIndex(b: Branch, f: CallListFilter, flags: number): string {
  const own = keyOfRule[b.rule];
  if (!own || flags & C.voicemailOnly) return '';
  if (flags & C.internal) return keyInternalIndex[own];
  const other: CallKey | undefined =
    f.groupId !== undefined && own !== 'group'
      ? 'group'
      : f.bnId !== undefined && own !== 'bn'
        ? 'bn'
        : f.callFlowId !== undefined && own !== 'flow'
          ? 'flow'
          : undefined;
  return other ? (pairIndex[own][other] ?? '') : '';
}

function armSql(a: Arm, flags: number, cursor: boolean): string {
  const range = cursor ? ' AND (p.started_at, p.call_id) < (?, ?)' : '';
  if (a.kind === 'p') return participantSelect(flags, cursor);
  if (a.kind === 'x') {
    // One range of the pairs (actor, member) in list order; the other filters test the actor's own row
    // (its copies of the call's columns), found by its whole primary key.
    const filters = participantFilterSql(flags & ~C.userId);
    return (
      `SELECT x.started_at AS k, x.call_id AS id FROM call_coparticipants x` +
      `${flags & C.search ? ' CROSS JOIN calls c ON c.id = x.call_id' : ''}` +
      ` WHERE x.other_id = ? AND x.user_id = ?${cursor ? ' AND (x.started_at, x.call_id) < (?, ?)' : ''}` +
      `${filters ? ` AND EXISTS (SELECT 1 FROM call_participants p WHERE p.user_id = x.user_id AND p.started_at = +x.started_at AND +p.call_id = x.call_id${filters})` : ''}`
    );
  }
  if (a.kind === 'm') {
    const rest = flags & ~C.userId;
    const key = keyOfRule[a.branch.rule];
    if (!key) {
      // The whole account: the member's rows (of this account's calls), by the filter's own index if any.
      return (
        `SELECT p.started_at AS k, p.call_id AS id FROM call_participants p${participantIndex(rest)} JOIN calls c ON c.id = p.call_id` +
        ` WHERE p.user_id = ? AND c.account_id = ?${range}${participantFilterSql(rest)}`
      );
    }
    return (
      `SELECT p.started_at AS k, p.call_id AS id FROM call_participants p INDEXED BY ${participantKeyIndex[key]}` +
      `${rest & C.search ? ' JOIN calls c ON c.id = p.call_id' : ''}` +
      ` WHERE p.user_id = ? AND ${participantKeyColumn[key]} = ?${range}${participantFilterSql(rest)}`
    );
  }
  if (!a.index) return callSelect(a.branch.rule, flags, cursor);
  const column = callColumn(a.branch.rule);
  return `SELECT c.started_at AS k, c.id AS id FROM calls c INDEXED BY ${a.index} WHERE ${column} = ?${cursor ? ' AND (c.started_at, c.id) < (?, ?)' : ''}${callFilterSql(flags)}`;
}

function armParams(
  a: Arm,
  member: number | undefined,
  memberAt: number,
  cursor: Keyset | null,
  filterParams: readonly unknown[],
): unknown[] {
  const params: unknown[] = [];
  const byMember = a.kind === 'm' || a.kind === 'x';
  if (byMember) params.push(member, branchValue(a.branch));
  else params.push(branchValue(a.branch));
  if (cursor) params.push(cursor.k, cursor.id);
  for (let i = 0; i < filterParams.length; i++) if (!byMember || i !== memberAt) params.push(filterParams[i]);
  return params;
}

/** Ids (and keys) of one page of calls the branches allow, newest first. */
export function callPageSql(
  branches: readonly Branch[],
  accountId: number,
  f: CallListFilter,
  cursor: Keyset | null,
  limit: number,
): Sql {
  const search = searchOf(f.search);
  let flags = 0;
  const filterParams: unknown[] = [];
  const add = (bit: number, value?: unknown) => {
    flags |= bit;
    if (value !== undefined) filterParams.push(value);
  };
  if (f.direction === 'internal') add(C.internal);
  else if (f.direction) add(C.direction, f.direction);
  if (f.result) add(C.result, f.result);
  if (f.bnId !== undefined) add(C.bnId, f.bnId);
  if (f.callFlowId !== undefined) add(C.callFlowId, f.callFlowId);
  if (f.groupId !== undefined) add(C.groupId, f.groupId);
  const memberAt = filterParams.length;
  if (f.userId !== undefined) add(C.userId, f.userId);
  if (f.from !== undefined) add(C.from, f.from);
  if (f.to !== undefined) add(C.to, f.to);
  if (f.hour) flags |= addHour(f.hour, filterParams);
  if (f.voicemailOnly) add(C.voicemailOnly);
  if (f.unreadBy !== undefined) add(C.unreadBy, f.unreadBy);
  if (f.numbers) {
    if (f.tagId !== undefined) add(C.tagId, f.tagId);
    if (f.hasRecording) add(C.recorded);
    const used =
      flags & (C.bnId | C.callFlowId | C.groupId) ? branches.filter((b) => callBranchUseful(b, f)) : branches;
    return used.length === 0 ? nothing : callNumberPageSql(used, accountId, f, flags, filterParams, cursor, limit);
  }
  if (search) {
    add(search.digits ? C.search | C.searchDigits : C.search);
    if (f.contactNumbers) {
      flags |= C.searchListed;
      if (search.digits) filterParams.push(`%${search.digits}%`);
      filterParams.push(JSON.stringify(f.contactNumbers));
    } else pushSearch(filterParams, search, accountId);
  }
  if (f.tagId !== undefined) add(C.tagId, f.tagId);
  if (f.hasRecording) add(C.recorded);
  const used = flags & (C.bnId | C.callFlowId | C.groupId) ? branches.filter((b) => callBranchUseful(b, f)) : branches;
  // A team member's calls within a group, flow or number branch are one range of that member's rows
  // (migration 013); the actor's own calls shared with the member, one range of their pairs (migration 016).
  const arms: Arm[] = used.map((b) =>
    b.rule === 'participant'
      ? { branch: b, kind: f.userId !== undefined && f.userId !== b.userId ? 'x' : 'p', index: '' }
      : f.userId !== undefined
        ? { branch: b, kind: 'm', index: '' }
        : { branch: b, kind: 'c', index: columnIndex(b, f, flags) },
  );
  let key = shapeKey('c', used, flags, cursor, limit);
  for (const a of arms) key += `|${a.kind}${a.index}`;
  const sql = shaped(key, () =>
    union(
      arms.map((a) => armSql(a, flags, cursor !== null)),
      limit,
    ),
  );
  const params: unknown[] = [];
  for (const a of arms) params.push(...armParams(a, f.userId, memberAt, cursor, filterParams));
  return { sql, params };
}

/** A page query that returns no row, for filters no branch can match. */
const nothing: Sql = { sql: 'SELECT 0 AS k, 0 AS id WHERE 0', params: [] };

/**
 * Every call the branches allow under the filter (no page, no order), as the
 * FROM and WHERE of a statement over `calls c`, for aggregates (the
 * dashboard). The same branches and filter terms as the list, so an
 * aggregate counts exactly the calls the list would show. `all` scans the
 * account's range through calls_dashboard (migration 008), which holds
 * every column an aggregate reads; the others gather ids through their
 * branches' indexes and read those calls.
 */
export function callSetSql(branches: readonly Branch[], accountId: number, f: CallListFilter): Sql {
  const search = searchOf(f.search);
  let flags = 0;
  const filterParams: unknown[] = [];
  const add = (bit: number, value?: unknown) => {
    flags |= bit;
    if (value !== undefined) filterParams.push(value);
  };
  if (f.direction) add(C.direction, f.direction);
  if (f.result) add(C.result, f.result);
  if (f.bnId !== undefined) add(C.bnId, f.bnId);
  if (f.callFlowId !== undefined) add(C.callFlowId, f.callFlowId);
  if (f.groupId !== undefined) add(C.groupId, f.groupId);
  if (f.userId !== undefined) add(C.userId, f.userId);
  if (f.from !== undefined) add(C.from, f.from);
  if (f.to !== undefined) add(C.to, f.to);
  if (f.hour) flags |= addHour(f.hour, filterParams);
  if (search) {
    add(search.digits ? C.search | C.searchDigits : C.search);
    pushSearch(filterParams, search, accountId);
  }
  if (f.tagId !== undefined) add(C.tagId, f.tagId);
  if (f.hasRecording) add(C.recorded);
  const used = flags & (C.bnId | C.callFlowId | C.groupId) ? branches.filter((b) => callBranchUseful(b, f)) : branches;
  if (used.length === 0) return { sql: 'calls c WHERE 0', params: [] };
  const only = used.length === 1 ? used[0]! : null;
  if (only?.rule === 'all') {
    return {
      sql: shaped(
        `s${flags}a`,
        () => `calls c INDEXED BY calls_dashboard WHERE c.account_id = ?${callFilterSql(flags)}`,
      ),
      params: [only.accountId, ...filterParams],
    };
  }
  // The participant branch also bounds its own index (user, time) by the range: unlike a page it reads to the end.
  const ranged = (rule: Branch['rule']) =>
    rule === 'participant'
      ? `${f.from !== undefined ? ' AND p.started_at >= ?' : ''}${f.to !== undefined ? ' AND p.started_at < ?' : ''}`
      : '';
  const sql = shaped(shapeKey('s', used, flags, null, 0), () => {
    const ids = used.map((b) => callSelect(b.rule, flags, false) + ranged(b.rule)).join('\nUNION\n');
    return `calls c WHERE c.id IN (SELECT id FROM (${ids}))`;
  });
  const params: unknown[] = [];
  for (const b of used) {
    params.push(branchValue(b), ...filterParams);
    if (b.rule === 'participant') {
      if (f.from !== undefined) params.push(f.from);
      if (f.to !== undefined) params.push(f.to);
    }
  }
  return { sql, params };
}

/** Which thread filters are set, one bit each, in the order their terms appear. */
const T = { bnId: 1, from: 2, to: 4, unreadBy: 8, search: 16, searchDigits: 32, searchListed: 64 } as const;

function threadFilterSql(flags: number): string {
  let sql = '';
  if (flags & T.bnId) sql += ' AND t.bn_id = ?';
  if (flags & T.from) sql += ' AND t.last_message_at >= ?';
  if (flags & T.to) sql += ' AND t.last_message_at < ?';
  if (flags & T.unreadBy)
    sql += ` AND t.last_direction = 'inbound' AND coalesce((SELECT read_at FROM thread_reads r WHERE r.thread_id = t.id AND r.user_id = ?), -1) < t.last_message_at`;
  if (flags & T.search)
    sql += ` AND ${searchSql('t.external_number', { digits: (flags & T.searchDigits) !== 0, listed: (flags & T.searchListed) !== 0 })}`;
  return sql;
}

function threadSelect(rule: Branch['rule'], flags: number, cursor: boolean): string {
  const filters = threadFilterSql(flags);
  if (rule === 'participant') {
    // thread_participants mirrors last_message_at, so this walks (user_id, last_message_at, thread_id) in order.
    return (
      `SELECT p.last_message_at AS k, p.thread_id AS id FROM thread_participants p${filters ? ' JOIN message_threads t ON t.id = p.thread_id' : ''}` +
      ` WHERE p.user_id = ?${cursor ? ' AND (p.last_message_at, p.thread_id) < (?, ?)' : ''}${filters}`
    );
  }
  const column = {
    group: 't.assigned_group_id',
    callflow: 't.bn_id',
    'callflow-bn': 't.bn_id',
    numbers: 't.bn_id',
    all: 't.account_id',
  }[rule];
  // A group's conversations with the chosen number are one range of their own index (migration 016).
  const index = rule === 'group' && flags & T.bnId ? ' INDEXED BY message_threads_group_bn_time' : '';
  return `SELECT t.last_message_at AS k, t.id AS id FROM message_threads t${index} WHERE ${column} = ?${cursor ? ' AND (t.last_message_at, t.id) < (?, ?)' : ''}${filters}`;
}

const threadColumn = (rule: Branch['rule']) =>
  ({
    group: 't.assigned_group_id',
    callflow: 't.bn_id',
    'callflow-bn': 't.bn_id',
    numbers: 't.bn_id',
    all: 't.account_id',
    participant: '',
  })[rule];

/** Threads of some outside numbers, as callNumberPageSql (message_threads_number carries the branches' columns). */
function threadNumberPageSql(
  branches: readonly Branch[],
  accountId: number,
  f: ThreadListFilter,
  flags: number,
  filterParams: readonly unknown[],
  cursor: Keyset | null,
  limit: number,
): Sql {
  const ordered = participantLast(branches);
  const sql = shaped(shapeKey('tn', ordered, flags, cursor, limit), () => {
    const visible = visibleSql(
      ordered.map((b) => b.rule),
      'EXISTS (SELECT 1 FROM thread_participants vp WHERE vp.user_id = ? AND vp.thread_id = t.id)',
      threadColumn,
    );
    return (
      `SELECT t.last_message_at AS k, t.id AS id FROM message_threads t INDEXED BY message_threads_number` +
      ` WHERE t.account_id = ? AND t.external_number IN (SELECT value FROM json_each(?))` +
      `${cursor ? ' AND (t.last_message_at, t.id) < (?, ?)' : ''}${threadFilterSql(flags)} AND (${visible})` +
      `\nORDER BY k DESC, id DESC ${sqlLimit(limit)}`
    );
  });
  const params: unknown[] = [accountId, JSON.stringify(f.numbers)];
  if (cursor) params.push(cursor.k, cursor.id);
  for (const p of filterParams) params.push(p);
  for (const b of ordered) params.push(branchValue(b));
  return { sql, params };
}

function threadBranchUseful(b: Branch, f: ThreadListFilter): boolean {
  // Threads follow the BN's routing, expressed as callflow-bn branches; a flow branch matches none.
  if (b.rule === 'callflow') return false;
  if ((b.rule === 'numbers' || b.rule === 'callflow-bn') && f.bnId !== undefined) return b.bnId === f.bnId;
  return true;
}

/** Ids (and keys) of one page of message threads the branches allow, most recent first. */
export function threadPageSql(
  branches: readonly Branch[],
  accountId: number,
  f: ThreadListFilter,
  cursor: Keyset | null,
  limit: number,
): Sql {
  const search = searchOf(f.search);
  let flags = 0;
  const filterParams: unknown[] = [];
  if (f.bnId !== undefined) {
    flags |= T.bnId;
    filterParams.push(f.bnId);
  }
  if (f.from !== undefined) {
    flags |= T.from;
    filterParams.push(f.from);
  }
  if (f.to !== undefined) {
    flags |= T.to;
    filterParams.push(f.to);
  }
  if (f.unreadBy !== undefined) {
    flags |= T.unreadBy;
    filterParams.push(f.unreadBy);
  }
  const used = branches.filter((b) => threadBranchUseful(b, f));
  if (f.numbers)
    return used.length === 0 ? nothing : threadNumberPageSql(used, accountId, f, flags, filterParams, cursor, limit);
  if (search) {
    flags |= search.digits ? T.search | T.searchDigits : T.search;
    if (f.contactNumbers) {
      flags |= T.searchListed;
      if (search.digits) filterParams.push(`%${search.digits}%`);
      filterParams.push(JSON.stringify(f.contactNumbers));
    } else pushSearch(filterParams, search, accountId);
  }
  const sql = shaped(shapeKey('t', used, flags, cursor, limit), () =>
    union(
      used.map((b) => threadSelect(b.rule, flags, cursor !== null)),
      limit,
    ),
  );
  return { sql, params: unionParams(used, cursor, filterParams) };
}
