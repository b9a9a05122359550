import { encodeCursor, type Keyset } from '../../src/main/core/policy';
import type { Db } from '../../src/main/core/store/db';
import type { BenchActor } from './actors';
import type { Connect } from './connect';
import { naivePage } from './naive';
import { deepCursors, listKinds, methodOf, offsetPage, visibleBefore, type ListKind, type Page } from './pages';
import { round, since, summarize, type Summary } from './stats';

export const PAGE = 50;

export interface ListOptions {
  /** Timed requests per case through the API router. */
  iterations: number;
  warmup: number;
  /** At most this many timed runs per case of the naive and OFFSET ways (they can take a second each; 0: not run)… */
  altIterations: number;
  /** …and no more than this much time per case once one run is done. */
  altBudgetMs: number;
}

export interface ListResult {
  actor: string;
  label: string;
  level: string;
  branches: number;
  list: ListKind;
  page: 'first' | 'deep';
  /** Rows on the page. */
  rows: number;
  keyset: Summary;
  /**
   * CPU time of the same requests (user + system, this process): what the
   * request costs without the time the scheduler gave to other processes.
   */
  keysetCpu: Summary;
  naive: Summary;
  /** null on the first page, where OFFSET 0 is the keyset query itself. */
  offset: Summary | null;
  /** Rows OFFSET skips to reach the deep page for this actor. */
  offsetSkips: number;
  naiveRatio: number;
  offsetRatio: number | null;
  /** The naive and OFFSET ways returned exactly the router's page. */
  samePage: boolean;
}

interface Case {
  actor: BenchActor;
  list: ListKind;
  page: 'first' | 'deep';
  input: { limit: number; cursor?: string };
  cursor: Keyset | null;
  samples: number[];
  cpu: number[];
  reply?: Page;
}

export function listCases(actors: readonly BenchActor[], db: Db) {
  const deep = deepCursors(db);
  const cases: Case[] = [];
  for (const actor of actors) {
    for (const list of listKinds) {
      for (const page of ['first', 'deep'] as const) {
        const cursor = page === 'deep' ? deep[list].cursor : null;
        cases.push({
          actor,
          list,
          page,
          cursor,
          input: cursor ? { limit: PAGE, cursor: encodeCursor(cursor) } : { limit: PAGE },
          samples: [],
          cpu: [],
        });
      }
    }
  }
  return { cases, deep };
}

/**
 * Every case through the API router (parse, actor, authorize, query, map),
 * interleaved round by round so that a noisy moment on the machine spreads
 * over all cases instead of landing on one; then the naive and OFFSET ways.
 */
export async function measureLists(
  db: Db,
  connect: Connect,
  actors: readonly BenchActor[],
  o: ListOptions,
  log: (s: string) => void,
): Promise<ListResult[]> {
  const { cases } = listCases(actors, db);
  const conns = new Map(actors.map((a) => [a.userId, connect(a.userId)]));
  for (let round = 0; round < o.warmup + o.iterations; round++) {
    for (const c of cases) {
      const conn = conns.get(c.actor.userId)!;
      const cpu = process.cpuUsage();
      const t = process.hrtime.bigint();
      const r = await conn.invoke(methodOf[c.list], c.input);
      const us = since(t);
      const used = process.cpuUsage(cpu);
      if (!r.ok) throw new Error(`${methodOf[c.list]} failed for ${c.actor.label}: ${r.error.message}`);
      if (round >= o.warmup) {
        c.samples.push(us);
        c.cpu.push(used.user + used.system);
      }
      c.reply ??= r.value as Page;
    }
  }
  for (const conn of conns.values()) conn.close();
  log(`    router: ${cases.length} cases × ${o.iterations} requests`);

  const results: ListResult[] = [];
  for (const c of cases) {
    const keyset = summarize(c.samples);
    const reply = c.reply!;
    const same = (p: Page) =>
      p.nextCursor === reply.nextCursor && p.items.map((i) => i.id).join() === reply.items.map((i) => i.id).join();
    const timed = (run: () => Page) => {
      const samples: number[] = [];
      let ok = true;
      const started = performance.now();
      for (let i = 0; i < o.altIterations; i++) {
        const t = process.hrtime.bigint();
        const page = run();
        samples.push(since(t));
        ok &&= same(page);
        if (performance.now() - started > o.altBudgetMs) break;
      }
      return { s: summarize(samples), ok };
    };
    const alternatives = o.altIterations > 0;
    const naive = timed(() => naivePage(db, c.actor.userId, c.list, c.cursor, PAGE));
    const skips = c.cursor && alternatives ? visibleBefore(db, c.actor.userId, c.list, c.cursor) : 0;
    const offset = c.cursor && alternatives ? timed(() => offsetPage(db, c.actor.userId, c.list, skips, PAGE)) : null;
    results.push({
      actor: c.actor.key,
      label: c.actor.label,
      level: c.actor.level,
      branches: c.list === 'threads' ? c.actor.threadBranches : c.actor.branches,
      list: c.list,
      page: c.page,
      rows: reply.items.length,
      keyset,
      keysetCpu: summarize(c.cpu),
      naive: naive.s,
      offset: offset?.s ?? null,
      offsetSkips: skips,
      naiveRatio: round(naive.s.p50 / keyset.p50, 2),
      offsetRatio: offset ? round(offset.s.p50 / keyset.p50, 2) : null,
      samePage: naive.ok && (offset?.ok ?? true),
    });
  }
  log(`    naive and OFFSET: done`);
  return results;
}
