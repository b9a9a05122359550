/**
 * `npm run bench`: Teamline at scale, side by side with the alternatives.
 *
 *   tsx test/bench/run.ts [--calls 1000000] [--curve 10000,100000] [--iterations 1000]
 *                         [--out bench] [--data bench/.data] [--smoke] [--lists-only]
 *
 * Builds (or reuses) the generated account, then measures single decisions,
 * role-filtered lists, writes, payload and memory, and writes
 * <out>/results.json and <out>/RESULTS.md. See docs/performance.md.
 *
 * --dashboard times the dashboard (90 days) for the heaviest user of each
 * access level (test/bench/dashboard.ts).
 *
 * --lists-only times the router's list requests at --calls, exactly as the
 * full run does (same cases, interleaving, warm-up), without the naive and
 * OFFSET ways or anything else, prints them and writes no file: for iterating
 * on the list path. Only a full run writes the results.
 *
 * --filtered [text] does the same for the filtered and searched lists only
 * (test/bench/filtered.ts), those whose "list filter" contains text if given.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { openDatabase } from '../../src/main/core/store/db';
import { pickActors } from './actors';
import { connectAs } from './connect';
import { measureDecisions } from './decisions';
import { BENCH_NOW, ensureDataset } from './generate';
import { listCases, measureLists, type ListOptions } from './lists';
import { measureFiltered } from './filtered';
import { methodOf } from './pages';
import { fmtUs } from './stats';
import { measurePayload } from './payload';
import { listPlans } from './plans';
import {
  carryOverSections,
  evaluateTargets,
  renderConsole,
  renderMarkdown,
  type BenchResults,
  type ListRun,
} from './report';
import type { ServeJob, ServeReport } from './serve';
import { measureWrites } from './writes';
import { measureDashboard, renderDashboardMarkdown, runDashboardOnly } from './dashboard';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');

export interface BenchOptions {
  calls: number;
  /** Extra history sizes for the list benchmark's growth curve. */
  curve: number[];
  iterations: number;
  outDir: string;
  dataDir: string;
  smoke: boolean;
  listsOnly: boolean;
  /** Only the dashboard at every access level (test/bench/dashboard.ts). */
  dashboardOnly?: boolean;
  /** Only the filtered lists, those whose name contains this ('' for all). */
  filteredOnly: string | null;
  log: (line: string) => void;
}

export const defaults: BenchOptions = {
  calls: 1_000_000,
  curve: [10_000, 100_000],
  iterations: 1000,
  outDir: join(root, 'bench'),
  dataDir: join(root, 'bench', '.data'),
  smoke: false,
  listsOnly: false,
  filteredOnly: null,
  log: (line) => console.log(line),
};

/** The smoke run of `npm test`: 10k calls, one iteration of everything. */
export const smokeOptions = (outDir: string, dataDir: string): BenchOptions => ({
  ...defaults,
  calls: 10_000,
  curve: [],
  iterations: 1,
  outDir,
  dataDir,
  smoke: true,
  log: () => {},
});

/** A dependency's installed version (read from its folder: some packages do not export package.json). */
const version = (pkg: string) => {
  const main = createRequire(join(root, 'package.json')).resolve(pkg);
  const dir = main.slice(0, main.lastIndexOf(`node_modules/${pkg}/`) + `node_modules/${pkg}/`.length);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
};

function serveInChild(job: ServeJob): ServeReport {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'serve.ts'), JSON.stringify(job)], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    timeout: 15 * 60_000,
  });
  if (child.status !== 0) throw new Error(`memory probe failed (${child.status ?? child.signal}): ${child.stderr}`);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ServeReport;
}

export async function runBench(o: BenchOptions): Promise<BenchResults> {
  const started = performance.now();
  const loadAverageStart = loadavg().map((x) => Number(x.toFixed(2)));
  const step = (what: string) => o.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${what}`);
  const listOptions: ListOptions = o.smoke
    ? { iterations: 1, warmup: 0, altIterations: 1, altBudgetMs: 0 }
    : { iterations: o.iterations, warmup: Math.min(50, o.iterations), altIterations: 15, altBudgetMs: 2000 };

  const sizes = [...new Set([...o.curve, o.calls])].sort((a, b) => a - b);
  const datasets = new Map(
    sizes.map((calls) => {
      step(`dataset: ${calls.toLocaleString('en-US')} calls`);
      return [calls, ensureDataset(o.dataDir, calls, undefined, o.log)];
    }),
  );
  const dataset = datasets.get(o.calls)!;

  // One process, one connection to the main dataset, as the app holds it.
  const db = openDatabase(dataset.path);
  const core = createCoreWithDb(db, { now: () => BENCH_NOW });
  const connect = connectAs(core.connect);
  const actors = pickActors(db);
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string;

  step('a. single decisions: can() vs CASL vs casbin');
  const decisions = await measureDecisions(
    db,
    o.smoke
      ? { count: 2000, rounds: 1, casbinCount: 200, seed: 1 }
      : { count: 200_000, rounds: 7, casbinCount: 20_000, seed: 1 },
  );

  const lists: ListRun[] = [];
  step(`b. lists at ${o.calls.toLocaleString('en-US')} calls`);
  lists.push({ calls: o.calls, actors, results: await measureLists(db, connect, actors, listOptions, o.log) });
  const { cases, deep } = listCases(actors, db);
  const plans = listPlans(db, actors, deep);

  step('f. dashboard');
  const dashboard = await measureDashboard(
    db,
    connect,
    actors,
    o.smoke
      ? { iterations: 1, budgetMs: 0, scanIterations: 1 }
      : { iterations: 300, budgetMs: 10_000, scanIterations: 3 },
    o.log,
  );

  step('d. payload');
  const owner = actors.find((a) => a.level === 'all') ?? actors[0]!;
  const payloadConn = connect(owner.userId);
  const payload = await measurePayload(payloadConn, o.smoke ? 1 : 2000);
  payloadConn.close();
  core.close();

  step('e. memory: a child process that only opens the database and serves lists');
  const memory = serveInChild({
    dbPath: dataset.path,
    now: BENCH_NOW,
    rounds: o.smoke ? 1 : 100,
    cases: cases.map((c) => ({ userId: c.actor.userId, method: methodOf[c.list], input: c.input })),
  });

  step('c. writes, on a copy');
  const writes = await measureWrites(
    dataset.path,
    join(o.dataDir, `writes-${process.pid}.db`),
    o.smoke ? { iterations: 1, warmup: 0 } : { iterations: 300, warmup: 20 },
  );

  for (const calls of sizes.filter((s) => s !== o.calls)) {
    step(`b. lists at ${calls.toLocaleString('en-US')} calls (growth curve)`);
    const cdb = openDatabase(datasets.get(calls)!.path);
    const ccore = createCoreWithDb(cdb, { now: () => BENCH_NOW });
    const cactors = pickActors(cdb);
    lists.push({
      calls,
      actors: cactors,
      results: await measureLists(cdb, connectAs(ccore.connect), cactors, listOptions, o.log),
    });
    ccore.close();
  }
  lists.sort((a, b) => a.calls - b.calls);

  const { path: _path, ...datasetInfo } = dataset;
  const partial: Omit<BenchResults, 'targets'> = {
    meta: {
      date: new Date().toISOString(),
      durationSeconds: Math.round((performance.now() - started) / 1000),
      command: o.smoke ? 'bench smoke test' : 'npm run bench',
      smoke: o.smoke,
      machine: {
        cpu: cpus()[0]?.model.trim() ?? 'unknown',
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        os: `${type()} ${release()}`,
        loadAverageStart,
        loadAverageEnd: loadavg().map((x) => Number(x.toFixed(2))),
      },
      versions: {
        Node: process.versions.node,
        SQLite: sqlite,
        'better-sqlite3': version('better-sqlite3'),
        '@casl/ability': version('@casl/ability'),
        casbin: version('casbin'),
      },
      options: { calls: o.calls, curve: o.curve, ...listOptions },
    },
    dataset: { ...datasetInfo, file: relative(root, dataset.path) || basename(dataset.path) },
    decisions,
    lists,
    writes,
    payload,
    memory,
    plans,
    dashboard,
  };
  const results: BenchResults = { ...partial, targets: evaluateTargets(partial) };
  mkdirSync(o.outDir, { recursive: true });
  writeFileSync(join(o.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const resultsPath = join(o.outDir, 'RESULTS.md');
  const previous = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : null;
  writeFileSync(resultsPath, carryOverSections(previous, renderMarkdown(results)));
  writeFileSync(
    join(o.outDir, 'DASHBOARD.md'),
    renderDashboardMarkdown(dashboard, {
      date: results.meta.date,
      calls: o.calls,
      loadStart: loadAverageStart.map(String),
      loadEnd: results.meta.machine.loadAverageEnd.map(String),
      command: results.meta.command,
    }),
  );
  step(`wrote ${relative(root, join(o.outDir, 'RESULTS.md'))} and results.json`);
  return results;
}

/** The router part of section b only, printed (see --lists-only above). */
export async function runListsOnly(o: BenchOptions): Promise<void> {
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(', ');
  const loadStart = load();
  const dataset = ensureDataset(o.dataDir, o.calls, undefined, o.log);
  const db = openDatabase(dataset.path);
  const core = createCoreWithDb(db, { now: () => BENCH_NOW });
  const actors = pickActors(db);
  const options: ListOptions = {
    iterations: o.iterations,
    warmup: Math.min(50, o.iterations),
    altIterations: 0,
    altBudgetMs: 0,
  };
  const results = await measureLists(db, connectAs(core.connect), actors, options, o.log);
  core.close();
  for (const x of results) {
    o.log(
      `  ${x.label.padEnd(28)} ${x.list.padEnd(11)} ${x.page.padEnd(6)} p50 ${fmtUs(x.keyset.p50).padEnd(7)} p95 ${fmtUs(x.keyset.p95).padEnd(7)} p99 ${fmtUs(x.keyset.p99).padEnd(7)} CPU p99 ${fmtUs(x.keysetCpu.p99)}`,
    );
  }
  for (const page of ['first', 'deep'] as const) {
    const mine = results.filter((x) => x.page === page);
    const worst = mine.reduce((a, b) => (b.keyset.p99 > a.keyset.p99 ? b : a));
    const over = mine.filter((x) => x.keyset.p99 > 1000).length;
    o.log(
      `${page} page p99: worst ${fmtUs(worst.keyset.p99)} (${worst.label}, ${worst.list}); ${over} of ${mine.length} over 1 ms`,
    );
  }
  o.log(`load average at the start ${loadStart}, at the end ${load()}`);
}

/** The filtered lists only, printed (see --filtered above). */
export async function runFilteredOnly(o: BenchOptions): Promise<void> {
  const loadStart = loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
  const dataset = ensureDataset(o.dataDir, o.calls, undefined, o.log);
  const db = openDatabase(dataset.path);
  const core = createCoreWithDb(db, { now: () => BENCH_NOW });
  const actors = pickActors(db);
  const results = await measureFiltered(db, connectAs(core.connect), actors, {
    iterations: o.iterations,
    warmup: Math.min(5, o.iterations),
    only: o.filteredOnly || undefined,
  });
  core.close();
  for (const x of results) {
    o.log(
      `  ${x.label.padEnd(28)} ${x.list.padEnd(10)} ${x.filter.padEnd(32)} ${String(x.rows).padStart(3)} rows p50 ${fmtUs(x.keyset.p50).padEnd(7)} p99 ${fmtUs(x.keyset.p99).padEnd(7)} CPU p99 ${fmtUs(x.keysetCpu.p99)}`,
    );
  }
  const worst = results.reduce((a, b) => (b.keyset.p99 > a.keyset.p99 ? b : a));
  o.log(
    `worst p99 ${fmtUs(worst.keyset.p99)} (${worst.label}, ${worst.list} ${worst.filter}); ${results.filter((x) => x.keyset.p99 > 5000).length} of ${results.length} over 5 ms`,
  );
  o.log(
    `load average at the start ${loadStart}, at the end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
  );
}

function parseArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--calls') o.calls = Number(next());
    else if (a === '--curve') o.curve = next().split(',').filter(Boolean).map(Number);
    else if (a === '--iterations') o.iterations = Number(next());
    else if (a === '--out') o.outDir = resolve(next());
    else if (a === '--data') o.dataDir = resolve(next());
    else if (a === '--smoke') Object.assign(o, smokeOptions(o.outDir, o.dataDir), { log: defaults.log });
    else if (a === '--lists-only') o.listsOnly = true;
    else if (a === '--dashboard') o.dashboardOnly = true;
    else if (a === '--filtered') o.filteredOnly = argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : '';
    else throw new Error(`Unknown option ${a}`);
  }
  if (![o.calls, o.iterations, ...o.curve].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('sizes and iterations are positive integers');
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const options = parseArgs(process.argv.slice(2));
  (options.dashboardOnly
    ? runDashboardOnly(options)
    : options.filteredOnly !== null
      ? runFilteredOnly(options)
      : options.listsOnly
        ? runListsOnly(options)
        : runBench(options).then((r) => console.log(`\n${renderConsole(r)}`))
  ).then(
    () => {},
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
