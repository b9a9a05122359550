import { loadActor, type Keyset } from '../../src/main/core/policy';
import type { Db } from '../../src/main/core/store/db';
import type { BenchActor } from './actors';
import { listKinds, pageStatement, type ListKind } from './pages';

export interface QueryPlan {
  actor: string;
  level: string;
  list: ListKind;
  page: 'first' | 'deep';
  sql: string;
  plan: string[];
  /** A table walked end to end rather than searched by an index. */
  fullScan: boolean;
  /** A sort or a de-duplication that needs a temporary B-tree (the page cannot stop early). */
  tempBtree: boolean;
}

const FULL_SCAN = /\bSCAN (c|p|t|calls|messages|message_threads|call_participants|thread_participants)\b(?! USING)/;

/** EXPLAIN QUERY PLAN of each hot list statement (page query and rows), as the app runs it for each actor. */
export function listPlans(
  db: Db,
  actors: readonly BenchActor[],
  deep: Record<ListKind, { cursor: Keyset }>,
): QueryPlan[] {
  const out: QueryPlan[] = [];
  for (const a of actors) {
    const actor = loadActor(db, a.userId)!;
    for (const list of listKinds) {
      for (const page of ['first', 'deep'] as const) {
        const q = pageStatement(db, actor, list, page === 'deep' ? deep[list].cursor : null, 51);
        const rows = db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as {
          id: number;
          parent: number;
          detail: string;
        }[];
        const depth = new Map<number, number>([[0, -1]]);
        const plan = rows.map((r) => {
          const d = (depth.get(r.parent) ?? -1) + 1;
          depth.set(r.id, d);
          return `${'  '.repeat(d)}${r.detail}`;
        });
        const text = plan.join('\n');
        out.push({
          actor: a.key,
          level: a.level,
          list,
          page,
          sql: q.sql,
          plan,
          fullScan: FULL_SCAN.test(text),
          tempBtree: /TEMP B-TREE/.test(text),
        });
      }
    }
  }
  return out;
}
