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
}

export interface ThreadListFilter {
  bnId?: number | undefined;
  /** Only threads with a message this user has not read. */
  unreadBy?: number | undefined;
  search?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export interface Sql {
  sql: string;
  params: unknown[];
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** Text search: part of the number (digits), or part of a contact's name. */
function searchClause(col: string, accountId: number, search: string | undefined): Sql | null {
  const text = search?.trim();
  if (!text) return null;
  const digits = text.replace(/[^\d]/g, '');
  const parts: string[] = [];
  const params: unknown[] = [];
  if (digits.length >= 2) {
    parts.push(`${col} LIKE ? ESCAPE '\\'`);
    params.push(`%${digits}%`);
  }
  parts.push(`${col} IN (SELECT phone FROM contacts WHERE account_id = ? AND name LIKE ? ESCAPE '\\')`);
  params.push(accountId, `%${likeEscape(text)}%`);
  return { sql: `(${parts.join(' OR ')})`, params };
}

function callFilters(f: CallListFilter, accountId: number): Sql {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...p: unknown[]) => {
    where.push(sql);
    params.push(...p);
  };
  if (f.direction) add('c.direction = ?', f.direction);
  if (f.result) add('c.result = ?', f.result);
  if (f.bnId !== undefined) add('c.bn_id = ?', f.bnId);
  if (f.callFlowId !== undefined) add('c.call_flow_id = ?', f.callFlowId);
  if (f.groupId !== undefined) add('c.group_id = ?', f.groupId);
  if (f.userId !== undefined)
    add('EXISTS (SELECT 1 FROM call_participants fp WHERE fp.call_id = c.id AND fp.user_id = ?)', f.userId);
  if (f.from !== undefined) add('c.started_at >= ?', f.from);
  if (f.to !== undefined) add('c.started_at < ?', f.to);
  if (f.voicemailOnly) add('c.has_voicemail = 1');
  if (f.unreadBy !== undefined)
    add(
      `NOT EXISTS (SELECT 1 FROM voicemails v JOIN voicemail_reads r ON r.voicemail_id = v.id
                    WHERE v.call_id = c.id AND r.user_id = ?)`,
      f.unreadBy,
    );
  const s = searchClause('c.external_number', accountId, f.search);
  if (s) add(s.sql, ...s.params);
  return { sql: where.map((w) => ` AND ${w}`).join(''), params };
}

/** A branch the filter cannot match is dropped rather than scanned. */
function callBranchUseful(b: Branch, f: CallListFilter): boolean {
  if (b.rule === 'numbers' && f.bnId !== undefined) return b.bnId === f.bnId;
  if (b.rule === 'callflow' && f.callFlowId !== undefined) return b.flowId === f.callFlowId;
  if (b.rule === 'group' && f.groupId !== undefined) return b.groupId === f.groupId;
  return true;
}

function union(selects: Sql[], limit: number): Sql {
  return {
    sql: `${selects.map((s) => s.sql).join('\nUNION\n')}\nORDER BY k DESC, id DESC LIMIT ?`,
    params: [...selects.flatMap((s) => s.params), limit],
  };
}

/** Ids (and keys) of one page of calls the branches allow, newest first. */
export function callPageSql(
  branches: readonly Branch[],
  accountId: number,
  filter: CallListFilter,
  cursor: Keyset | null,
  limit: number,
): Sql {
  const all = callFilters(filter, accountId);
  // The participant row carries has_voicemail itself (and its own partial index).
  const own = filter.voicemailOnly ? callFilters({ ...filter, voicemailOnly: false }, accountId) : all;
  const selects: Sql[] = [];
  for (const b of branches) {
    if (!callBranchUseful(b, filter)) continue;
    let filters = all;
    let head: Sql;
    let key = 'c.started_at, c.id';
    switch (b.rule) {
      case 'participant':
        // calls is joined only when a filter reads it.
        filters = own;
        head = {
          sql: `SELECT p.started_at AS k, p.call_id AS id FROM call_participants p${filters.sql ? ' JOIN calls c ON c.id = p.call_id' : ''} WHERE p.user_id = ?${filter.voicemailOnly ? ' AND p.has_voicemail = 1' : ''}`,
          params: [b.userId],
        };
        key = 'p.started_at, p.call_id';
        break;
      case 'group':
        head = { sql: 'SELECT c.started_at AS k, c.id AS id FROM calls c WHERE c.group_id = ?', params: [b.groupId] };
        break;
      case 'callflow':
        head = { sql: 'SELECT c.started_at AS k, c.id AS id FROM calls c WHERE c.call_flow_id = ?', params: [b.flowId] };
        break;
      case 'callflow-bn':
      case 'numbers':
        head = { sql: 'SELECT c.started_at AS k, c.id AS id FROM calls c WHERE c.bn_id = ?', params: [b.bnId] };
        break;
      case 'all':
        head = { sql: 'SELECT c.started_at AS k, c.id AS id FROM calls c WHERE c.account_id = ?', params: [b.accountId] };
        break;
    }
    const cur = cursor ? { sql: ` AND (${key}) < (?, ?)`, params: [cursor.k, cursor.id] } : { sql: '', params: [] };
    selects.push({ sql: head.sql + cur.sql + filters.sql, params: [...head.params, ...cur.params, ...filters.params] });
  }
  return union(selects, limit);
}

function threadFilters(f: ThreadListFilter, accountId: number): Sql {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.bnId !== undefined) {
    where.push('t.bn_id = ?');
    params.push(f.bnId);
  }
  if (f.from !== undefined) {
    where.push('t.last_message_at >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    where.push('t.last_message_at < ?');
    params.push(f.to);
  }
  if (f.unreadBy !== undefined) {
    where.push(
      `t.last_direction = 'inbound' AND coalesce((SELECT read_at FROM thread_reads r WHERE r.thread_id = t.id AND r.user_id = ?), -1) < t.last_message_at`,
    );
    params.push(f.unreadBy);
  }
  const s = searchClause('t.external_number', accountId, f.search);
  if (s) {
    where.push(s.sql);
    params.push(...s.params);
  }
  return { sql: where.map((w) => ` AND ${w}`).join(''), params };
}

/** Ids (and keys) of one page of message threads the branches allow, most recent first. */
export function threadPageSql(
  branches: readonly Branch[],
  accountId: number,
  filter: ThreadListFilter,
  cursor: Keyset | null,
  limit: number,
): Sql {
  const filters = threadFilters(filter, accountId);
  const selects: Sql[] = [];
  for (const b of branches) {
    if ((b.rule === 'numbers' || b.rule === 'callflow-bn') && filter.bnId !== undefined && b.bnId !== filter.bnId) continue;
    let head: Sql;
    let key = 't.last_message_at, t.id';
    switch (b.rule) {
      case 'participant':
        // thread_participants mirrors last_message_at, so this walks (user_id, last_message_at, thread_id) in order.
        head = {
          sql: `SELECT p.last_message_at AS k, p.thread_id AS id FROM thread_participants p${filters.sql ? ' JOIN message_threads t ON t.id = p.thread_id' : ''} WHERE p.user_id = ?`,
          params: [b.userId],
        };
        key = 'p.last_message_at, p.thread_id';
        break;
      case 'group':
        head = { sql: 'SELECT t.last_message_at AS k, t.id AS id FROM message_threads t WHERE t.assigned_group_id = ?', params: [b.groupId] };
        break;
      case 'callflow':
        // Threads follow the BN's routing, expressed as callflow-bn branches; a flow branch matches none.
        continue;
      case 'callflow-bn':
      case 'numbers':
        head = { sql: 'SELECT t.last_message_at AS k, t.id AS id FROM message_threads t WHERE t.bn_id = ?', params: [b.bnId] };
        break;
      case 'all':
        head = { sql: 'SELECT t.last_message_at AS k, t.id AS id FROM message_threads t WHERE t.account_id = ?', params: [b.accountId] };
        break;
    }
    const cur = cursor ? { sql: ` AND (${key}) < (?, ?)`, params: [cursor.k, cursor.id] } : { sql: '', params: [] };
    selects.push({ sql: head.sql + cur.sql + filters.sql, params: [...head.params, ...cur.params, ...filters.params] });
  }
  return union(selects, limit);
}
