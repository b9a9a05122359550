import { callBranches, type Actor } from '../../policy';
import { rollupScope } from '../../policy/dashboardScope';
import { callSetSql, type CallListFilter } from '../../policy/listSql';
import type { Db } from '../../store/db';
import { BUSIEST_HOURS, dashboardRows, type DashboardRow, type OffsetSegment } from '../../store/repos/callReview';
import { addRollupFigures, DashboardSums, rollupSpan } from '../../store/repos/dashboardRollup';

export type FigureSource = 'rollup' | 'scan';

/**
 * The dashboard's rows for the calls the actor may see in [from, to) under
 * the list's filter. From the rollups when they can answer (docs/performance.md,
 * "The dashboard"): whole buckets from the rollups, the viewer's own calls
 * beyond their column branches and the partial buckets at the range's ends
 * from the calls. Otherwise (a team member, a tag, a search, filters on two
 * of number, flow and group, a zone whose clock is not on quarter hours) a
 * scan of the visible calls. Both count the same calls; the property test
 * test/integration/dashboard.rollup.property.test.ts holds them equal.
 */
export function dashboardFigures(
  db: Db,
  actor: Actor,
  f: CallListFilter & { from: number; to: number },
  segments: readonly OffsetSegment[],
  options: { source?: FigureSource } = {},
): { rows: DashboardRow[]; source: FigureSource } {
  const branches = callBranches(actor);
  const scan = () => ({
    rows: dashboardRows(db, callSetSql(branches, actor.accountId, f), segments),
    source: 'scan' as const,
  });
  if (options.source === 'scan') return scan();
  // A result filter reads the calls' result column, while the rollups keep
  // the outcome each call is counted under; where the two part (a corrected
  // call), only the scan counts the calls the list shows.
  if (f.result) return scan();
  const scope = rollupScope(branches, actor.accountId, f);
  const span = rollupSpan(segments);
  // No column value visible (a personal user, or a filter outside the branches): the rollups add nothing.
  if (!scope || span === null || scope.vals.length === 0) return scan();
  const start = Math.ceil(f.from / span) * span;
  const end = Math.floor(f.to / span) * span;
  if (start >= end) return scan();

  const sums = new DashboardSums();
  const scanned = (set: Parameters<typeof dashboardRows>[1]) => sums.addRows(dashboardRows(db, set, segments, true));
  if (f.from < start) scanned(callSetSql(branches, actor.accountId, { ...f, to: start }));
  if (end < f.to) scanned(callSetSql(branches, actor.accountId, { ...f, from: end }));
  addRollupFigures(db, sums, scope, segments, span, start, end);
  if (scope.own) scanned(scope.own(start, end));
  return { rows: sums.result(BUSIEST_HOURS), source: 'rollup' };
}
