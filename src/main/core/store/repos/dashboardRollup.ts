import type { DashboardCell } from '../../../../shared/api/callReview';
import type { RollupScope } from '../../policy/dashboardScope';
import type { Sql } from '../../policy/listSql';
import { rollupColumns } from '../migrations/014_call_rollups';
import type { Db } from '../db';
import { stmt } from '../stmt';
import type { DashboardKind, DashboardRow, OffsetSegment } from './callReview';

/**
 * The dashboard's figures from the call rollups (migration 014): the time
 * figures from `call_rollup_time` (one row per bucket and value of the
 * visible column, grouped in SQL), the breakdowns from the running totals of
 * `call_rollup_cum` (two seeks per series). Exactly what a scan of the same
 * calls counts, for a range of whole buckets; the caller reads the edges and
 * the viewer's own calls from the calls (addCallFigures) first.
 */

const QUARTER = 900_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const prefixOf: Record<string, string> = { inbound: 'i', outbound: 'o', internal: 'x' };
const resultField: Record<string, string> = { answered: 'a', missed: 'm', voicemail: 'v' };

/** The figures of a cell but the total, as SQL over the 21 columns (`col` turns a column into an expression). */
function cellSql(direction: string | undefined, result: string | undefined, col: (c: string) => string): string[] {
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
  ];
}

if (rollupColumns.length !== 21) throw new Error('The call rollups changed shape');

const cellOf = (r: ArrayLike<number>, at: number): DashboardCell => ({
  total: r[at]! + r[at + 1]! + r[at + 2]!,
  answered: r[at]!,
  missed: r[at + 1]!,
  voicemail: r[at + 2]!,
  waitMs: r[at + 3]!,
  waitCount: r[at + 4]!,
  talkMs: r[at + 5]!,
  talkCount: r[at + 6]!,
});

/** What a series gained in [from, to): its running total before `to` less the one before `from`. */
function seriesSql(scope: RollupScope, select: string, where: string, keys: number): string {
  const cells = aliased(
    cellSql(scope.direction, scope.result, (c) => `coalesce(hi.${c}, 0) - coalesce(lo.${c}, 0)`),
    keys,
  );
  return `SELECT ${select}, ${cells}
    FROM call_rollup_series s
    LEFT JOIN call_rollup_cum hi ON hi.series_id = s.id
      AND hi.q = (SELECT max(x.q) FROM call_rollup_cum x WHERE x.series_id = s.id AND x.q < ?)
    LEFT JOIN call_rollup_cum lo ON lo.series_id = s.id
      AND lo.q = (SELECT max(x.q) FROM call_rollup_cum x WHERE x.series_id = s.id AND x.q < ?)
    WHERE s.account_id = ? AND ${where}`;
}

/**
 * Rows of a statement as one JSON array of arrays: each row's figures cross
 * from SQLite into the process as one string, parsed at once, instead of a
 * value at a time (several times faster for the thousands of small rows the
 * rollups answer with). `columns` is how many the statement selects, as k0…
 */
function jsonRows(db: Db, sql: string, columns: number, params: unknown[]): number[][] {
  const names = Array.from({ length: columns }, (_, i) => `k${i}`).join(', ');
  const text = stmt(db, `SELECT json_group_array(json_array(${names})) FROM (${sql})`)
    .pluck()
    .get(...params) as string;
  return JSON.parse(text) as number[][];
}

/** Figures as SQL, aliased k<first>, k<first + 1>… */
const aliased = (cells: string[], first: number) => cells.map((c, i) => `${c} AS k${first + i}`).join(', ');

/**
 * Buckets of `span` from `from` (seven figures each) into the total, hour of
 * day, day and single hour figures: each bucket read on the viewer's clock by
 * its offset segment (the scan's own rule: a segment holds from its start).
 */
function addBuckets(
  sums: DashboardSums,
  acc: Float64Array,
  segments: readonly OffsetSegment[],
  span: number,
  from: number,
) {
  const total = emptyCell();
  let seg = 0;
  for (let i = 0, at = 0; at < acc.length; i++, at += 7) {
    const count = acc[at]! + acc[at + 1]! + acc[at + 2]!;
    if (count === 0) continue;
    const t = from + i * span;
    while (seg + 1 < segments.length && segments[seg + 1]!.start <= t) seg++;
    const offset = segments[seg]!.offset;
    const lt = t + offset;
    const cell = cellOf(acc, at);
    add(total, cell);
    sums.add('hour', Math.floor(lt / HOUR) % 24, cell);
    sums.add('day', Math.floor(lt / DAY), cell);
    sums.add('slot', Math.floor(lt / HOUR) * HOUR - offset, cell);
  }
  sums.add('total', null, total);
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
  private readonly kinds = new Map<DashboardKind, Map<number | null, DashboardCell>>();

  /** `busiest`: how many single hours the answer names. */
  constructor(readonly busiest: number) {}

  add(kind: DashboardKind, key: number | null, cell: DashboardCell) {
    if (cell.total === 0) return;
    let rows = this.kinds.get(kind);
    if (!rows) this.kinds.set(kind, (rows = new Map()));
    const row = rows.get(key);
    if (row) add(row, cell);
    else rows.set(key, { ...cell });
  }

  addRows(rows: readonly DashboardRow[]) {
    for (const { kind, key, ...cell } of rows) this.add(kind, key, cell);
  }

  /** Every row, the single hours (`slot`) cut to the busiest, most calls first, then earliest. */
  result(): DashboardRow[] {
    const busiest = this.busiest;
    const out: DashboardRow[] = [];
    for (const [kind, rows] of this.kinds) {
      const kept: DashboardRow[] = [];
      for (const [key, cell] of rows) kept.push({ kind, key, ...cell });
      if (kind === 'slot') {
        kept.sort((a, b) => b.total - a.total || a.key! - b.key!);
        kept.length = Math.min(kept.length, busiest);
      }
      out.push(...kept);
    }
    return out;
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
  const one = scope.vals.length === 1;
  const vals = one ? scope.vals[0] : JSON.stringify(scope.vals);
  const valIs = one ? 'val = ?' : 'val IN (SELECT value FROM json_each(?))';

  // The time rows: one range of the primary key per value, summed per bucket here by index (no sort).
  const acc = new Float64Array(((to - from) / span) * 7);
  const time = jsonRows(
    db,
    `SELECT t AS k0, ${aliased(
      cellSql(scope.direction, scope.result, (c) => c),
      1,
    )} FROM call_rollup_time
      WHERE dim = ? AND ${valIs} AND span = ? AND t >= ? AND t < ?`,
    8,
    [scope.dim, vals, span, from, to],
  );
  for (const r of time) {
    const at = ((r[0]! - from) / span) * 7;
    for (let k = 0; k < 7; k++) acc[at + k]! += r[k + 1]!;
  }
  addBuckets(sums, acc, segments, span, from);

  const combos = jsonRows(
    db,
    seriesSql(scope, 's.bn AS k0, s.flow AS k1, s.grp AS k2', `s.dim = 'c'${scope.combo.sql}`, 3),
    10,
    [to, from, scope.accountId, ...scope.combo.params],
  );
  for (const r of combos) {
    const cell = cellOf(r, 3);
    sums.add('bn', r[0] || null, cell);
    sums.add('flow', r[1] || null, cell);
    sums.add('group', r[2] || null, cell);
  }

  // One series per person and value: a person's values are summed by sums.add.
  const people = jsonRows(db, seriesSql(scope, 's.user_id AS k0', `s.dim = ? AND s.${valIs}`, 1), 8, [
    to,
    from,
    scope.accountId,
    scope.dim,
    vals,
  ]);
  for (const r of people) sums.add('agent', r[0]!, cellOf(r, 1));
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

/** The offset segment in force at t (segments in order, few). */
function offsetAt(segments: readonly OffsetSegment[], t: number): number {
  let offset = segments[0]!.offset;
  for (let i = 1; i < segments.length && segments[i]!.start <= t; i++) offset = segments[i]!.offset;
  return offset;
}

/**
 * Adds the figures of a set of calls (`set`: a FROM and WHERE over `calls c`,
 * as the scan takes it), read one row per call with its people and summed
 * here: for the viewer's own calls beyond their column branches, which are
 * few (hundreds), where the scan's grouped statement costs several times
 * more than reading them. Counts exactly what dashboardRows counts.
 */
export function addCallFigures(db: Db, sums: DashboardSums, set: Sql, segments: readonly OffsetSegment[]) {
  const sql = `SELECT c.started_at, c.result, c.bn_id, c.call_flow_id, c.group_id,
      CASE WHEN c.result = 'answered' AND c.answered_at >= c.started_at THEN c.answered_at - c.started_at END,
      CASE WHEN c.result = 'answered' AND c.ended_at >= c.answered_at THEN c.ended_at - c.answered_at END,
      (SELECT group_concat(q.user_id) FROM call_participants q WHERE q.call_id = c.id)
    FROM ${set.sql}`;
  const rows = stmt(db, sql)
    .raw(true)
    .all(...set.params) as [
    number,
    string,
    number | null,
    number | null,
    number | null,
    number | null,
    number | null,
    string | null,
  ][];
  const total = emptyCell();
  for (const [t, result, bn, flow, grp, wait, talk, people] of rows) {
    const cell: DashboardCell = {
      total: 1,
      answered: result === 'answered' ? 1 : 0,
      missed: result === 'missed' ? 1 : 0,
      voicemail: result === 'voicemail' ? 1 : 0,
      waitMs: wait ?? 0,
      waitCount: wait === null ? 0 : 1,
      talkMs: talk ?? 0,
      talkCount: talk === null ? 0 : 1,
    };
    const offset = offsetAt(segments, t);
    const lt = t + offset;
    add(total, cell);
    sums.add('hour', Math.floor(lt / HOUR) % 24, cell);
    sums.add('day', Math.floor(lt / DAY), cell);
    sums.add('slot', Math.floor(lt / HOUR) * HOUR - offset, cell);
    sums.add('bn', bn, cell);
    sums.add('flow', flow, cell);
    sums.add('group', grp, cell);
    if (people !== null) for (const u of people.split(',')) sums.add('agent', Number(u), cell);
  }
  sums.add('total', null, total);
}
