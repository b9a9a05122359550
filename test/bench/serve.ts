/**
 * The memory probe: a process that only opens the bench database the way the
 * app does and serves role-filtered lists through the API router, then
 * reports its peak RSS. Run by run.ts as a child so that generating the data
 * and the rest of the bench do not count.
 *
 *   node --import tsx test/bench/serve.ts '<json ServeJob>'
 */
import { readFileSync } from 'node:fs';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { openDatabase } from '../../src/main/core/store/db';
import { connectAs } from './connect';

export interface ServeJob {
  dbPath: string;
  now: number;
  rounds: number;
  cases: { userId: number; method: string; input: unknown }[];
}

export interface ServeReport {
  requests: number;
  seconds: number;
  rssAtStartMB: number;
  rssAfterOpenMB: number;
  rssAtEndMB: number;
  peakRssMB: number;
  heapUsedMB: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * This process's peak RSS. On Linux, VmHWM of /proc/self/status: getrusage's
 * ru_maxrss keeps the high-water mark of the parent that forked this child
 * (before exec), so it would report the bench's own peak, not this process's.
 */
function peakRss(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function main(job: ServeJob): Promise<ServeReport> {
  const rssAtStart = process.memoryUsage.rss();
  const db = openDatabase(job.dbPath);
  const core = createCoreWithDb(db, { now: () => job.now });
  const rssAfterOpen = process.memoryUsage.rss();
  const connect = connectAs(core.connect);
  const conns = new Map(job.cases.map((c) => [c.userId, connect(c.userId)]));
  const started = performance.now();
  let requests = 0;
  for (let r = 0; r < job.rounds; r++) {
    for (const c of job.cases) {
      const reply = await conns.get(c.userId)!.invoke(c.method, c.input);
      if (!reply.ok) throw new Error(`${c.method} failed: ${reply.error.message}`);
      requests++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const report: ServeReport = {
    requests,
    seconds: Math.round(seconds * 10) / 10,
    rssAtStartMB: mb(rssAtStart),
    rssAfterOpenMB: mb(rssAfterOpen),
    rssAtEndMB: mb(process.memoryUsage.rss()),
    peakRssMB: mb(peakRss()),
    heapUsedMB: mb(process.memoryUsage().heapUsed),
  };
  core.close();
  return report;
}

const arg = process.argv[2];
if (arg) {
  main(JSON.parse(arg) as ServeJob).then(
    (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
