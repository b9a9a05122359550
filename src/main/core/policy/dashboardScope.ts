import type { CallListFilter, Sql } from './listSql';
import type { Branch } from './visibility';

/**
 * The dashboard's visible calls as predicates over the call rollups' keys
 * (migration 014, docs/performance.md "The dashboard"), built from the very
 * branches the calls list uses (visibility.ts).
 *
 * A viewer's column branches all test one column — the account, business
 * numbers, call flows or groups — and each call has one value of that
 * column, so the calls they show are the disjoint union of those values'
 * calls: a sum of rollup rows keyed by that column. The participant branch
 * adds the viewer's own calls that no column branch covers; those are few and
 * are read from the calls themselves (`own`). A filter on the branches'
 * column narrows the values; a filter on another of the three columns,
 * a team member, a tag or a search has no rollup key, and the caller scans.
 */
export type RollupDim = 'a' | 'b' | 'f' | 'g';

export interface RollupScope {
  accountId: number;
  /** The column the visible calls are summed by, and its values (an empty list: no calls from the rollups). */
  dim: RollupDim;
  vals: number[];
  /** Over a combination series `s` (bn, flow, grp; 0 for none): which combinations are visible and pass the filter. */
  combo: Sql;
  direction: string | undefined;
  result: string | undefined;
  /**
   * The viewer's own calls that no column branch shows, under the filter,
   * as the FROM and WHERE of a statement over `calls c`, for a range of
   * [from, to) given as its last two parameters; null when there is no
   * participant branch.
   */
  own: ((from: number, to: number) => Sql) | null;
}

const ruleDim: Partial<Record<Branch['rule'], RollupDim>> = { group: 'g', callflow: 'f', numbers: 'b' };
const dimColumn: Record<Exclude<RollupDim, 'a'>, { call: string; combo: string }> = {
  b: { call: 'c.bn_id', combo: 's.bn' },
  f: { call: 'c.call_flow_id', combo: 's.flow' },
  g: { call: 'c.group_id', combo: 's.grp' },
};

const branchValue = (b: Branch): number =>
  b.rule === 'group' ? b.groupId : b.rule === 'callflow' ? b.flowId : b.rule === 'numbers' ? b.bnId : 0;

/** The rollups' view of these branches under this filter, or null when only a scan can answer. */
export function rollupScope(branches: readonly Branch[], accountId: number, f: CallListFilter): RollupScope | null {
  if (f.userId !== undefined || f.tagId !== undefined || f.search?.trim() || f.voicemailOnly || f.unreadBy) {
    return null;
  }
  const filters: [Exclude<RollupDim, 'a'>, number][] = [];
  if (f.bnId !== undefined) filters.push(['b', f.bnId]);
  if (f.callFlowId !== undefined) filters.push(['f', f.callFlowId]);
  if (f.groupId !== undefined) filters.push(['g', f.groupId]);
  const filterOf = (dim: RollupDim) => filters.find(([d]) => d === dim)?.[1];

  const all = branches.find((b) => b.rule === 'all');
  const columns = branches.filter((b) => b.rule !== 'participant' && b.rule !== 'all');
  const participant = branches.find((b) => b.rule === 'participant');
  let dim: RollupDim;
  let vals: number[];
  if (all) {
    if (filters.length > 1) return null;
    const only = filters[0];
    dim = only ? only[0] : 'a';
    vals = only ? [only[1]] : [accountId];
  } else {
    const dims = new Set(columns.map((b) => ruleDim[b.rule]));
    if (dims.has(undefined) || dims.size > 1) return null;
    dim = [...dims][0] ?? filters[0]?.[0] ?? 'g';
    // A filter on another column has no key in the branches' rollup.
    if (filters.some(([d]) => d !== dim)) {
      if (columns.length > 0) return null;
    }
    const wanted = filterOf(dim);
    vals = columns.map(branchValue).filter((v) => wanted === undefined || v === wanted);
  }

  // Which combinations are visible: the branches' column among its values (all of the account's for `all`), and the filter.
  let comboSql = '';
  const comboParams: unknown[] = [];
  if (dim !== 'a') {
    comboSql += ` AND ${dimColumn[dim].combo} IN (SELECT value FROM json_each(?))`;
    comboParams.push(JSON.stringify(vals));
  }
  for (const [d, v] of filters) {
    comboSql += ` AND ${dimColumn[d].combo} = ?`;
    comboParams.push(v);
  }

  let own: RollupScope['own'] = null;
  if (participant && participant.rule === 'participant') {
    const terms: string[] = [];
    const params: unknown[] = [];
    if (dim !== 'a' && vals.length > 0) {
      const col = dimColumn[dim].call;
      terms.push(`(${col} IS NULL OR ${col} NOT IN (SELECT value FROM json_each(?)))`);
      params.push(JSON.stringify(vals));
    }
    if (f.direction) {
      terms.push('c.direction = ?');
      params.push(f.direction);
    }
    if (f.result) {
      terms.push('c.result = ?');
      params.push(f.result);
    }
    for (const [d, v] of filters) {
      terms.push(`${dimColumn[d].call} = ?`);
      params.push(v);
    }
    const where = terms.map((t) => ` AND ${t}`).join('');
    const sql =
      `calls c WHERE c.id IN (SELECT p.call_id FROM call_participants p` +
      ` WHERE p.user_id = ? AND p.started_at >= ? AND p.started_at < ?)${where}`;
    own = (from, to) => ({ sql, params: [participant.userId, from, to, ...params] });
  }
  return {
    accountId,
    dim,
    vals,
    combo: { sql: comboSql, params: comboParams },
    direction: f.direction,
    result: f.result,
    own,
  };
}
