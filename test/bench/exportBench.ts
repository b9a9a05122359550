/**
 * The CSV export of the whole calls list at the bench's size, as the owner:
 *
 *   tsx test/bench/exportBench.ts [--calls 1000000] [--data bench/.data]
 *
 * Streams through the very path the hosts use (exports.prepare, then
 * core/export/csvExport.ts page by page through the session's connection)
 * into a file, and reports rows, bytes, time, rows per second and the
 * process's RSS: before, the peak during the export (sampled every 50 ms),
 * and the growth. Issue 15's target: 1,000,000 rows within 10 s, peak RSS
 * growth at most 100 MB.
 */
import { once } from 'node:events';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCoreWithDb, createSession } from '../../src/main/core/api/core';
import { csvExport } from '../../src/main/core/export/csvExport';
import { takeTicket } from '../../src/main/core/export/tickets';
import { openDatabase } from '../../src/main/core/store/db';
import { BENCH_NOW, ensureDataset } from './generate';
import { defaults } from './run';

export interface ExportRun {
  rows: number;
  bytes: number;
  seconds: number;
  /** CPU time of the process (user + system) during the export: the time without other processes' share of the machine. */
  cpuSeconds: number;
  rowsPerSecond: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssGrowthMb: number;
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

export async function measureExport(dbPath: string): Promise<ExportRun> {
  const db = openDatabase(dbPath);
  const core = createCoreWithDb(db, { now: () => BENCH_NOW });
  const owner = db.prepare('SELECT owner_user_id FROM accounts ORDER BY id LIMIT 1').pluck().get() as number;
  const session = createSession();
  session.userId = owner;
  const conn = core.connect(() => {}, session);
  const prepared = await conn.invoke('exports.prepare', { kind: 'calls', filter: {} });
  if (!prepared.ok) throw new Error(prepared.error.message);
  const ticket = takeTicket((prepared.value as { token: string }).token);
  if (!ticket) throw new Error('no ticket');
  const file = join(tmpdir(), `teamline-export-bench-${process.pid}.csv`);
  const out = createWriteStream(file);
  global.gc?.();
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let rows = 0;
  out.write('\uFEFF');
  for await (const page of csvExport(conn, ticket.kind, ticket.filter)) {
    rows = page.rows;
    if (!out.write(page.chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  const bytes = statSync(file).size;
  rmSync(file, { force: true });
  conn.close();
  core.close();
  return {
    rows,
    bytes,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    rowsPerSecond: Math.round(rows / seconds),
    rssBeforeMb: mb(rssBefore),
    rssPeakMb: mb(peak),
    rssGrowthMb: mb(peak - rssBefore),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const calls = Number(arg('--calls') ?? defaults.calls);
  const dataDir = resolve(arg('--data') ?? defaults.dataDir);
  const dataset = ensureDataset(dataDir, calls, undefined, (l) => console.log(l));
  measureExport(dataset.path).then(
    (r) =>
      console.log(
        `export of ${r.rows.toLocaleString('en-US')} calls (${mb(r.bytes)} MB of CSV): ${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds.toFixed(1)} s), ` +
          `${r.rowsPerSecond.toLocaleString('en-US')} rows/s; RSS ${r.rssBeforeMb} MB before, peak ${r.rssPeakMb} MB (+${r.rssGrowthMb} MB)`,
      ),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
