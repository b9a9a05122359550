import { callBranches, type Actor } from '../../policy';
import { rollupScope } from '../../policy/dashboardScope';
import { callSetSql, type CallListFilter } from '../../policy/listSql';
import type { Db } from '../../store/db';
import { BUSIEST_HOURS, dashboardRows, type DashboardRow, type OffsetSegment } from '../../store/repos/callReview';
import { addCallFigures, addRollupFigures, DashboardSums, rollupSpan } from '../../store/repos/dashboardRollup';

/**
 * Where the figures came from: `rollup`, the rollups (with the viewer's own
 * calls beyond their column branches and any partial buckets read from the
 * calls); `calls`, the visible calls read one row each and summed in the
 * process (what the rollups cannot key); `scan`, the grouped statement over
 * the same calls, the reference both are checked against.
 */
export type FigureSource = 'rollup' | 'calls' | 'scan';

/**
 * The dashboard's rows for the calls the actor may see in [from, to) under
 * the list's filter (docs/performance.md, "The dashboard"). From the
 * rollups when they can answer: whole buckets from the rollups, the viewer's
 * own calls beyond their column branches and the partial buckets at the
 * range's ends from the calls. Otherwise — a viewer with no column branch (a
 * personal user), a team member, a tag or a search filter, filters on two of
 * number, flow and group, a zone whose clock is not on quarter hours — from
 * the visible calls themselves, one row each. All count the same calls as
 * the scan; the property test test/integration/dashboard.rollup.property.test.ts
 * holds them equal.
 */
export function dashboardFigures(
  db: Db,
  actor: Actor,
  f: CallListFilter & { from: number; to: number },
  segments: readonly OffsetSegment[],
  options: { source?: FigureSource } = {},
): { rows: DashboardRow[]; source: FigureSource } {
  const branches = callBranches(actor);
  if (options.source === 'scan') {
    return { rows: dashboardRows(db, callSetSql(branches, actor.accountId, f), segments), source: 'scan' };
  }
  const sums = new DashboardSums(BUSIEST_HOURS);
  const calls = () => {
    addCallFigures(db, sums, callSetSql(branches, actor.accountId, f), segments);
    return { rows: sums.result(), source: 'calls' as const };
  };
  if (options.source === 'calls') return calls();
  const scope = rollupScope(branches, actor.accountId, f);
  if (!scope) return calls();
  // No column value visible (a personal user, or a filter outside the branches): the viewer's own calls are all.
  if (scope.vals.length === 0) {
    if (scope.own) addCallFigures(db, sums, scope.own(f.from, f.to), segments);
    return { rows: sums.result(), source: 'calls' };
  }
  const span = rollupSpan(segments);
  if (span === null) return calls();
  const start = Math.ceil(f.from / span) * span;
  const end = Math.floor(f.to / span) * span;
  if (start >= end) return calls();

  if (f.from < start) addCallFigures(db, sums, callSetSql(branches, actor.accountId, { ...f, to: start }), segments);
  if (end < f.to) addCallFigures(db, sums, callSetSql(branches, actor.accountId, { ...f, from: end }), segments);
  addRollupFigures(db, sums, scope, segments, span, start, end);
  if (scope.own) addCallFigures(db, sums, scope.own(start, end), segments);
  return { rows: sums.result(), source: 'rollup' };
}
