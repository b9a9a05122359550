import { loadavg } from 'node:os';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { openDatabase } from '../../src/main/core/store/db';
import { pickActors } from './actors';
import { connectAs } from './connect';
import { BENCH_NOW, ensureDataset } from './generate';
import { fmtUs, since, summarize, type Summary } from './stats';

/**
 * The dashboard at the bench account (issue target: 1M calls, every access
 * level, 90 days, p99 ≤ 20 ms): the router's `dashboard.get`, exactly as the
 * console asks for it, for the heaviest user of each access level, unfiltered
 * and with a result filter.
 */
export interface DashboardRun {
  label: string;
  filter: string;
  calls: number;
  latency: Summary;
}

const DAY = 86_400_000;

export async function runDashboardOnly(o: {
  calls: number;
  iterations: number;
  dataDir: string;
  log: (line: string) => void;
}): Promise<DashboardRun[]> {
  const loadStart = loadavg().map((x) => x.toFixed(2));
  const dataset = ensureDataset(o.dataDir, o.calls, undefined, o.log);
  const db = openDatabase(dataset.path);
  const core = createCoreWithDb(db, { now: () => BENCH_NOW });
  const connect = connectAs(core.connect);
  const to = BENCH_NOW;
  const from = to - 90 * DAY;
  const runs: DashboardRun[] = [];
  for (const actor of pickActors(db)) {
    const conn = connect(actor.userId);
    for (const [name, filter] of [
      ['90 days', {}],
      ['90 days, missed', { result: 'missed' }],
    ] as const) {
      const input = { ...filter, from, to, timezone: 'America/Los_Angeles' };
      let calls = 0;
      const samples: number[] = [];
      const iterations = Math.max(3, o.iterations);
      for (let i = 0; i < iterations + 2; i++) {
        const start = process.hrtime.bigint();
        const r = await conn.invoke('dashboard.get', input);
        const us = since(start);
        if (!r.ok) throw new Error(`${actor.label}: ${r.error.code} ${r.error.message}`);
        calls = (r.value as { totals: { total: number } }).totals.total;
        if (i >= 2) samples.push(us); // the first two warm the cache
      }
      const latency = summarize(samples);
      runs.push({ label: actor.label, filter: name, calls, latency });
      o.log(
        `  ${actor.label.padEnd(28)} ${name.padEnd(16)} ${String(calls).padStart(7)} calls  p50 ${fmtUs(latency.p50).padEnd(8)} p95 ${fmtUs(latency.p95).padEnd(8)} p99 ${fmtUs(latency.p99)}`,
      );
    }
    conn.close();
  }
  core.close();
  const worst = runs.reduce((a, b) => (b.latency.p99 > a.latency.p99 ? b : a));
  o.log(
    `dashboard p99: worst ${fmtUs(worst.latency.p99)} (${worst.label}, ${worst.filter}); ${runs.filter((r) => r.latency.p99 > 20_000).length} of ${runs.length} over 20 ms`,
  );
  o.log(
    `load average at the start ${loadStart.join(', ')}, at the end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
  );
  return runs;
}
