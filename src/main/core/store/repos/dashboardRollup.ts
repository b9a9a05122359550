import type { DashboardCell } from '../../../../shared/api/callReview';
import type { RollupScope } from '../../policy/dashboardScope';
import { rollupColumns } from '../migrations/014_call_rollups';
import type { Db } from '../db';
import { stmt } from '../stmt';
import type { DashboardKind, DashboardRow, OffsetSegment } from './callReview';

/**
 * The dashboard's figures from the call rollups (migration 014): the time
 * figures from `call_rollup_time` (one row per bucket and value of the
 * visible column), the breakdowns from the running totals of
 * `call_rollup_cum` (two seeks per series). Exactly what a scan of the same
 * calls counts, for a range of whole buckets; the caller scans the edges.
 */

const QUARTER = 900_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const prefixOf: Record<string, string> = { inbound: 'i', outbound: 'o', internal: 'x' };
const resultField: Record<string, string> = { answered: 'a', missed: 'm', voicemail: 'v' };

/** The figures of a cell but the total, as SQL over the 21 columns (`col` turns a column into an expression). */
function cellSql(direction: string | undefined, result: string | undefined, col: (c: string) => string): string {
  const dirs = direction ? [prefixOf[direction]!] : ['i', 'o', 'x'];
  const results = result ? [resultField[result]!] : ['a', 'm', 'v'];
  const sum = (field: string, when: boolean) => (when ? dirs.map((d) => col(`${d}_${field}`)).join(' + ') : '0');
  const answered = results.includes('a');
  // No total: it is answered + missed + voicemail (cellOf), one sum fewer per row.
  return [
    sum('a', answered),
    sum('m', results.includes('m')),
    sum('v', results.includes('v')),
    sum('ws', answered),
    sum('wn', answered),
    sum('ts', answered),
    sum('tn', answered),
  ].join(', ');
}

if (rollupColumns.length !== 21) throw new Error('The call rollups changed shape');

type CellRow = [number, number, number, number, number, number, number];

const cellOf = (r: readonly number[], at: number): DashboardCell => ({
  total: r[at]! + r[at + 1]! + r[at + 2]!,
  answered: r[at]!,
  missed: r[at + 1]!,
  voicemail: r[at + 2]!,
  waitMs: r[at + 3]!,
  waitCount: r[at + 4]!,
  talkMs: r[at + 5]!,
  talkCount: r[at + 6]!,
});

/** The time rows of the visible values, summed per bucket of `span` in [from, to). */
function timeRows(db: Db, scope: RollupScope, span: number, from: number, to: number): [number, ...CellRow][] {
  const cells = cellSql(scope.direction, scope.result, (c) => `sum(${c})`);
  const sql =
    scope.vals.length === 1
      ? `SELECT t, ${cells} FROM call_rollup_time WHERE dim = ? AND val = ? AND span = ? AND t >= ? AND t < ? GROUP BY t`
      : `SELECT t, ${cells} FROM call_rollup_time
          WHERE dim = ? AND val IN (SELECT value FROM json_each(?)) AND span = ? AND t >= ? AND t < ? GROUP BY t`;
  const vals = scope.vals.length === 1 ? scope.vals[0] : JSON.stringify(scope.vals);
  return stmt(db, sql).raw(true).all(scope.dim, vals, span, from, to) as [number, ...CellRow][];
}

/** What a series gained in [from, to): its running total before `to` less the one before `from`. */
function seriesSql(scope: RollupScope, select: string, where: string): string {
  const cells = cellSql(scope.direction, scope.result, (c) => `coalesce(hi.${c}, 0) - coalesce(lo.${c}, 0)`);
  return `SELECT ${select}, ${cells}
    FROM call_rollup_series s
    LEFT JOIN call_rollup_cum hi ON hi.series_id = s.id
      AND hi.q = (SELECT max(x.q) FROM call_rollup_cum x WHERE x.series_id = s.id AND x.q < ?)
    LEFT JOIN call_rollup_cum lo ON lo.series_id = s.id
      AND lo.q = (SELECT max(x.q) FROM call_rollup_cum x WHERE x.series_id = s.id AND x.q < ?)
    WHERE s.account_id = ? AND ${where}`;
}

/** Local time of a UTC instant by the segments (the last one starting at or before it). */
function offsetOf(segments: readonly OffsetSegment[], t: number): number {
  let offset = segments[0]!.offset;
  for (const s of segments) {
    if (s.start <= t) offset = s.offset;
    else break;
  }
  return offset;
}

function add(into: DashboardCell, c: DashboardCell) {
  into.total += c.total;
  into.answered += c.answered;
  into.missed += c.missed;
  into.voicemail += c.voicemail;
  into.waitMs += c.waitMs;
  into.waitCount += c.waitCount;
  into.talkMs += c.talkMs;
  into.talkCount += c.talkCount;
}

/** Rows by (kind, key), summing cells that meet: rollup rows and scanned ones. */
export class DashboardSums {
  private readonly rows = new Map<string, DashboardRow>();

  add(kind: DashboardKind, key: number | null, cell: DashboardCell) {
    if (cell.total === 0) return;
    const id = `${kind}:${key}`;
    const row = this.rows.get(id);
    if (row) add(row, cell);
    else this.rows.set(id, { kind, key, ...cell });
  }

  addRows(rows: readonly DashboardRow[]) {
    for (const { kind, key, ...cell } of rows) this.add(kind, key, cell);
  }

  /** Every row, the single hours (`slot`) cut to the busiest `busiest`, most calls first, then earliest. */
  result(busiest: number): DashboardRow[] {
    const rows = [...this.rows.values()];
    const slots = rows
      .filter((r) => r.kind === 'slot')
      .sort((a, b) => b.total - a.total || a.key! - b.key!)
      .slice(0, busiest);
    return [...rows.filter((r) => r.kind !== 'slot'), ...slots];
  }
}

/** The bucket the rollups can answer a zone's range in: hours, quarter hours, or none (a scan). */
export function rollupSpan(segments: readonly OffsetSegment[]): number | null {
  const fits = (span: number) => segments.every((s, i) => s.offset % span === 0 && (i === 0 || s.start % span === 0));
  if (fits(HOUR)) return HOUR;
  if (fits(QUARTER)) return QUARTER;
  return null;
}

/**
 * Adds the figures of the calls the scope shows, started in [from, to)
 * (whole buckets of `span`), to `sums`.
 */
export function addRollupFigures(
  db: Db,
  sums: DashboardSums,
  scope: RollupScope,
  segments: readonly OffsetSegment[],
  span: number,
  from: number,
  to: number,
) {
  if (scope.vals.length === 0 || from >= to) return;
  const total = emptyCell();
  for (const [t, ...r] of timeRows(db, scope, span, from, to)) {
    const cell = cellOf(r, 0);
    const offset = offsetOf(segments, t);
    const lt = t + offset;
    const hourStart = Math.floor(lt / HOUR) * HOUR;
    add(total, cell);
    sums.add('hour', Math.floor(lt / HOUR) % 24, cell);
    sums.add('day', Math.floor(lt / DAY), cell);
    sums.add('slot', hourStart - offset, cell);
  }
  sums.add('total', null, total);

  const combos = stmt(db, seriesSql(scope, 's.bn, s.flow, s.grp', `s.dim = 'c'${scope.combo.sql}`))
    .raw(true)
    .all(to, from, scope.accountId, ...scope.combo.params) as [number, number, number, ...CellRow][];
  for (const [bn, flow, grp, ...r] of combos) {
    const cell = cellOf(r, 0);
    sums.add('bn', bn || null, cell);
    sums.add('flow', flow || null, cell);
    sums.add('group', grp || null, cell);
  }

  const one = scope.vals.length === 1;
  const people = stmt(
    db,
    seriesSql(scope, 's.user_id', `s.dim = ? AND ${one ? 's.val = ?' : 's.val IN (SELECT value FROM json_each(?))'}`),
  )
    .raw(true)
    .all(to, from, scope.accountId, scope.dim, one ? scope.vals[0] : JSON.stringify(scope.vals)) as [
    number,
    ...CellRow,
  ][];
  for (const [user, ...r] of people) sums.add('agent', user, cellOf(r, 0));
}

export const emptyCell = (): DashboardCell => ({
  total: 0,
  answered: 0,
  missed: 0,
  voicemail: 0,
  waitMs: 0,
  waitCount: 0,
  talkMs: 0,
  talkCount: 0,
});
