import type { BenchActor } from './actors';
import { dashboardTarget, type DashboardRun } from './dashboard';
import type { DecisionResult } from './decisions';
import type { Dataset } from './generate';
import type { ListResult } from './lists';
import type { PayloadResult } from './payload';
import type { QueryPlan } from './plans';
import type { ServeReport } from './serve';
import { fmtRatio, fmtUs, round } from './stats';
import type { WriteResult } from './writes';

export interface Target {
  id: string;
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface ListRun {
  calls: number;
  actors: BenchActor[];
  results: ListResult[];
}

export interface BenchResults {
  meta: {
    date: string;
    durationSeconds: number;
    command: string;
    smoke: boolean;
    machine: {
      cpu: string;
      cores: number;
      memoryGiB: number;
      os: string;
      loadAverageStart: number[];
      loadAverageEnd: number[];
    };
    versions: Record<string, string>;
    options: Record<string, unknown>;
  };
  dataset: Omit<Dataset, 'path'> & { file: string };
  decisions: DecisionResult;
  lists: ListRun[];
  writes: WriteResult;
  payload: PayloadResult[];
  memory: ServeReport;
  plans: QueryPlan[];
  /** f. The dashboard at every access level (test/bench/dashboard.ts). */
  dashboard?: DashboardRun[];
  targets: Target[];
}

const num = (n: number) => n.toLocaleString('en-US');

export function evaluateTargets(r: Omit<BenchResults, 'targets'>): Target[] {
  const main = r.lists.find((l) => l.calls === r.dataset.shape.calls)!.results;
  const worst = (page: 'first' | 'deep') =>
    main.filter((x) => x.page === page).reduce((a, b) => (b.keyset.p99 > a.keyset.p99 ? b : a));
  const over = (page: 'first' | 'deep') => main.filter((x) => x.page === page && x.keyset.p99 > 1000).length;
  const ratios = main
    .filter((x) => x.page === 'deep')
    .map((d) => {
      const f = main.find((x) => x.page === 'first' && x.actor === d.actor && x.list === d.list)!;
      return { d, ratio: d.keyset.p50 / f.keyset.p50 };
    });
  const worstRatio = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const size = `${num(r.dataset.shape.calls)} calls`;
  const first = worst('first');
  const deep = worst('deep');
  return [
    {
      id: 'list-first-p99',
      what: `First page p99, every access level and list, ${size}`,
      target: '≤ 1 ms',
      measured: `worst ${fmtUs(first.keyset.p99)} (${first.label}, ${first.list}); ${over('first')} of ${main.length / 2} cases over`,
      met: first.keyset.p99 <= 1000,
    },
    {
      id: 'list-deep-p99',
      what: `Deep page p99 (keyset past ${num(Math.min(500_000, Math.floor(r.dataset.shape.calls / 2)))} calls), ${size}`,
      target: '≤ 1 ms',
      measured: `worst ${fmtUs(deep.keyset.p99)} (${deep.label}, ${deep.list}); ${over('deep')} of ${main.length / 2} cases over`,
      met: deep.keyset.p99 <= 1000,
    },
    {
      id: 'deep-vs-first',
      what: 'Deep page p50 / first page p50, per actor and list',
      target: '≤ 1.5×',
      measured: `worst ${worstRatio.ratio.toFixed(2)}× (${worstRatio.d.label}, ${worstRatio.d.list})`,
      met: worstRatio.ratio <= 1.5,
    },
    {
      id: 'can-ns',
      what: 'can() time per decision, realistic mix',
      target: '≤ 1 µs',
      measured: `${r.decisions.ours.nsPerDecision} ns`,
      met: r.decisions.ours.nsPerDecision <= 1000,
    },
    {
      id: 'can-vs-casl',
      what: 'can() decisions/s over the same policy in CASL',
      target: '≥ 2×',
      measured: `${r.decisions.speedup.casl}×`,
      met: r.decisions.speedup.casl >= 2,
    },
    {
      id: 'call-insert-p95',
      what: 'Record a call with its visibility bookkeeping, p95',
      target: '≤ 0.5 ms',
      measured: fmtUs(r.writes.callInsert.p95),
      met: r.writes.callInsert.p95 <= 500,
    },
    {
      id: 'access-change-p95',
      what: 'Access change (role, call access, group membership) with its audit event, p95',
      target: '≤ 5 ms',
      measured: fmtUs(r.writes.accessChange.p95),
      met: r.writes.accessChange.p95 <= 5000,
    },
    {
      id: 'peak-rss',
      what: `Peak RSS of a process serving lists at ${size}`,
      target: '≤ 300 MB',
      measured: `${r.memory.peakRssMB} MB`,
      met: r.memory.peakRssMB <= 300,
    },
    ...(r.dashboard?.length ? [{ id: 'dashboard-p99', ...dashboardTarget(r.dashboard) }] : []),
  ];
}

/**
 * The next RESULTS.md with the sections of the previous one that the bench
 * does not write itself (targets measured by other scripts, such as the
 * filtered lists' and the exports'), kept at the end in their order, so that
 * a run never deletes them.
 */
export function carryOverSections(previous: string | null, next: string): string {
  if (!previous) return next;
  const headings = (md: string) => [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim());
  const own = new Set(headings(next));
  const kept = previous
    .split(/^(?=## )/m)
    .slice(1)
    .filter((section) => !own.has(section.split('\n', 1)[0]!.slice(3).trim()));
  if (kept.length === 0) return next;
  return `${next.trimEnd()}\n\n${kept.map((k) => k.trimEnd()).join('\n\n')}\n`;
}

const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );

function listTable(results: readonly ListResult[]): string {
  return table(
    [
      'actor',
      'branches',
      'list',
      'page',
      'rows',
      'p50',
      'p95',
      'p99',
      'CPU p50',
      'CPU p99',
      'naive p50',
      'naive ×',
      'OFFSET skips',
      'OFFSET p50',
      'OFFSET ×',
      'same page',
    ],
    results.map((x) => [
      x.label,
      x.branches,
      x.list,
      x.page,
      x.rows,
      fmtUs(x.keyset.p50),
      fmtUs(x.keyset.p95),
      fmtUs(x.keyset.p99),
      fmtUs(x.keysetCpu.p50),
      fmtUs(x.keysetCpu.p99),
      fmtUs(x.naive.p50),
      fmtRatio(x.naiveRatio),
      x.offset ? num(x.offsetSkips) : '–',
      x.offset ? fmtUs(x.offset.p50) : '(= keyset)',
      x.offsetRatio === null ? '–' : fmtRatio(x.offsetRatio),
      x.samePage ? 'yes' : 'NO',
    ]),
  );
}

/** Per history size: the worst case over actors and lists, for each way of paging. */
export function curveRows(runs: readonly ListRun[]) {
  return [...runs]
    .sort((a, b) => a.calls - b.calls)
    .map((run) => {
      const pick = (page: 'first' | 'deep', f: (x: ListResult) => number) =>
        Math.max(...run.results.filter((x) => x.page === page).map(f));
      return {
        calls: run.calls,
        firstP50: pick('first', (x) => x.keyset.p50),
        firstP99: pick('first', (x) => x.keyset.p99),
        deepP50: pick('deep', (x) => x.keyset.p50),
        deepP99: pick('deep', (x) => x.keyset.p99),
        naiveFirstP50: pick('first', (x) => x.naive.p50),
        naiveDeepP50: pick('deep', (x) => x.naive.p50),
        offsetDeepP50: pick('deep', (x) => x.offset?.p50 ?? 0),
      };
    });
}

export function renderMarkdown(r: BenchResults): string {
  const m = r.meta;
  const d = r.dataset;
  const main = r.lists.find((l) => l.calls === d.shape.calls)!;
  const out: string[] = [];
  out.push(`# Benchmark results${m.smoke ? ' (smoke run: numbers are not meaningful)' : ''}`);
  out.push('');
  out.push(
    `Written by \`${m.command}\` on ${m.date} in ${Math.round(m.durationSeconds)} s. ` +
      `Machine: ${m.machine.cpu}, ${m.machine.cores} cores, ${m.machine.memoryGiB} GiB, ${m.machine.os}. ` +
      Object.entries(m.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') +
      '.',
  );
  out.push('');
  out.push(
    `Load average (1, 5, 15 min) at the start ${m.machine.loadAverageStart.join(', ')} and at the end ${m.machine.loadAverageEnd.join(', ')}: ` +
      'the machine is shared, and whatever else runs on it lands in the tails (p95, p99) below.',
  );
  out.push('');
  out.push(
    `Dataset (seed ${d.seed}, ${d.file}): ${num(d.shape.users)} users, ${num(d.shape.groups)} groups, ${num(d.shape.flows)} call flows, ${num(d.shape.bns)} business numbers, ` +
      `${num(d.counts.calls ?? 0)} calls (${num(d.counts.call_participants ?? 0)} participants, ${num(d.counts.call_events ?? 0)} events, ${num(d.counts.voicemails ?? 0)} voicemails), ` +
      `${num(d.counts.messages ?? 0)} messages in ${num(d.counts.message_threads ?? 0)} threads; ${round(d.bytes / 1024 / 1024, 0)} MB on disk; ` +
      (d.generatedSeconds === null
        ? `reused from the cache (generating it took ${round(d.generationSeconds, 1)} s).`
        : `generated in ${round(d.generatedSeconds, 1)} s.`),
  );
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push(
    table(
      ['target', '', 'measured', 'met'],
      r.targets.map((t) => [t.what, t.target, t.measured, t.met ? '**met**' : '**missed**']),
    ),
  );
  out.push('');
  const range = (f: (x: ListResult) => number) => {
    const xs = main.results.map(f);
    return `${fmtUs(Math.min(...xs))}–${fmtUs(Math.max(...xs))}`;
  };
  out.push(
    `Lists at ${num(main.calls)} calls, over all ${main.results.length} cases: p50 ${range((x) => x.keyset.p50)}, p95 ${range((x) => x.keyset.p95)}, ` +
      `p99 ${range((x) => x.keyset.p99)}; CPU time p50 ${range((x) => x.keysetCpu.p50)}, p99 ${range((x) => x.keysetCpu.p99)}. ` +
      'docs/performance.md explains where the time goes and what the tail is made of.',
  );
  out.push('');
  const dec = r.decisions;
  out.push('## a. Single decisions');
  out.push('');
  out.push(
    `Mix of ${num(dec.ours.decisions)} decisions by all ${num(dec.actors)} users: ` +
      Object.entries(dec.mix)
        .map(([k, v]) => `${k} ${Math.round(v * 100)}%`)
        .join(', ') +
      `; ${Math.round(dec.allowedShare * 100)}% allowed. Per-actor state is built before timing for every engine (our Actor, a CASL ability, a casbin subject); ` +
      `building one CASL ability takes ${dec.caslAbilityBuildUs} µs. Disagreements with can(): CASL ${dec.disagreements.casl}, casbin ${dec.disagreements.casbin} (casbin on the first ${num(dec.casbin.decisions)}).`,
  );
  out.push('');
  out.push(
    table(
      ['engine', 'ns / decision', 'decisions / s', 'can() is faster by'],
      [
        ['can() (src/main/core/policy)', dec.ours.nsPerDecision, num(dec.ours.decisionsPerSecond), '–'],
        ['@casl/ability', dec.casl.nsPerDecision, num(dec.casl.decisionsPerSecond), fmtRatio(dec.speedup.casl)],
        [
          'casbin (ABAC, eval)',
          dec.casbin.nsPerDecision,
          num(dec.casbin.decisionsPerSecond),
          fmtRatio(dec.speedup.casbin),
        ],
      ],
    ),
  );
  out.push('');
  out.push(`## b. Role-filtered lists, ${num(main.calls)} calls`);
  out.push('');
  out.push(
    'First page (50 rows) and deep page (keyset cursor half way back: past 500,000 calls at 1M, past half of the threads) through the API router ' +
      '(zod parse, actor from the session, authorize, query, map), as a renderer request. ' +
      `${main.results[0]?.keyset.n ?? 0} timed requests per case, cases interleaved. ` +
      '"naive" reads candidate rows newest first and keeps those can() allows; "OFFSET" runs the same role-filtered query with OFFSET instead of a cursor. ' +
      'Both run in-process with the same mapping (no zod parse), so their ratios flatter them slightly. "same page" checks they returned the very same rows. ' +
      '"CPU" is the CPU time the process spent on the request (getrusage): the wall-clock latency without the time the scheduler gave to other processes.',
  );
  out.push('');
  out.push(listTable(main.results));
  out.push('');
  out.push('## Growth with history size');
  out.push('');
  const sizes = [...r.lists].sort((a, b) => a.calls - b.calls);
  out.push(
    'The calls list, deep page, p50 at each history size (same account shape; messages and threads scale with calls). ' +
      'The keyset page costs the same at any depth and grows only a little with the history (deeper B-trees, rows spread over a larger file); ' +
      'the naive way grows with how much history it reads before it has a page, and OFFSET with how many rows it skips.',
  );
  out.push('');
  const deepCalls = (run: ListRun, key: string) =>
    run.results.find((x) => x.actor === key && x.list === 'calls' && x.page === 'deep');
  out.push(
    table(
      [
        'actor',
        ...sizes.map((s) => `keyset ${num(s.calls)}`),
        ...sizes.map((s) => `naive ${num(s.calls)}`),
        ...sizes.map((s) => `OFFSET ${num(s.calls)}`),
      ],
      main.actors.map((a) => [
        a.label,
        ...sizes.map((s) => fmtUs(deepCalls(s, a.key)?.keyset.p50 ?? NaN)),
        ...sizes.map((s) => fmtUs(deepCalls(s, a.key)?.naive.p50 ?? NaN)),
        ...sizes.map((s) => fmtUs(deepCalls(s, a.key)?.offset?.p50 ?? NaN)),
      ]),
    ),
  );
  out.push('');
  out.push('Worst case over all actors and lists, at each size:');
  out.push('');
  out.push(
    table(
      [
        'calls',
        'first p50',
        'first p99',
        'deep p50',
        'deep p99',
        'naive first p50',
        'naive deep p50',
        'OFFSET deep p50',
      ],
      curveRows(r.lists).map((c) => [
        num(c.calls),
        fmtUs(c.firstP50),
        fmtUs(c.firstP99),
        fmtUs(c.deepP50),
        fmtUs(c.deepP99),
        fmtUs(c.naiveFirstP50),
        fmtUs(c.naiveDeepP50),
        fmtUs(c.offsetDeepP50),
      ]),
    ),
  );
  out.push('');
  const w = r.writes;
  out.push('## c. Writes');
  out.push('');
  out.push(
    `On a copy of the dataset, with the app's own settings (${w.durability}). Access changes wait for the disk; a call record commits without waiting ` +
      '(WAL stays consistent; the next synchronous commit or checkpoint makes it durable), and the row below it shows the same insert waiting for the disk.',
  );
  out.push('');
  out.push(
    table(
      ['write', 'n', 'p50', 'p95', 'p99'],
      [
        [
          'record a call: core.recordCall (participants, events, voicemail, visibility columns)',
          w.callInsert.n,
          fmtUs(w.callInsert.p50),
          fmtUs(w.callInsert.p95),
          fmtUs(w.callInsert.p99),
        ],
        [
          '  the same insert, committed waiting for the disk (synchronous=FULL)',
          w.callInsertFsync.n,
          fmtUs(w.callInsertFsync.p50),
          fmtUs(w.callInsertFsync.p95),
          fmtUs(w.callInsertFsync.p99),
        ],
        [
          'access change, all kinds (router, authorize, audit event)',
          w.accessChange.n,
          fmtUs(w.accessChange.p50),
          fmtUs(w.accessChange.p95),
          fmtUs(w.accessChange.p99),
        ],
        ...Object.entries(w.accessChangeByKind).map(([k, s]) => [
          `  ${k}`,
          s.n,
          fmtUs(s.p50),
          fmtUs(s.p95),
          fmtUs(s.p99),
        ]),
      ],
    ),
  );
  out.push('');
  out.push('## d. Payload of one page');
  out.push('');
  out.push(
    table(
      [
        'list',
        'rows',
        'JSON bytes (WebSocket host)',
        'stringify + parse',
        'structured clone bytes (Electron IPC)',
        'serialize + deserialize',
      ],
      r.payload.map((p) => [
        p.list,
        p.rows,
        num(p.jsonBytes),
        fmtUs(p.jsonStringifyUs + p.jsonParseUs),
        num(p.cloneBytes),
        fmtUs(p.cloneSerializeUs + p.cloneDeserializeUs),
      ]),
    ),
  );
  out.push('');
  const mem = r.memory;
  out.push('## e. Memory');
  out.push('');
  out.push(
    `A child process that only opens the ${num(d.shape.calls)}-call database and serves the list cases above through the router ` +
      `(${num(mem.requests)} requests in ${mem.seconds} s): peak RSS **${mem.peakRssMB} MB** ` +
      `(${mem.rssAtStartMB} MB at start, ${mem.rssAfterOpenMB} MB after opening, ${mem.rssAtEndMB} MB at the end; JS heap in use ${mem.heapUsedMB} MB).`,
  );
  out.push('');
  if (r.dashboard?.length) {
    out.push('## f. Dashboard');
    out.push('');
    out.push(
      `\`dashboard.get\` through the router, the last 90 days (America/Los_Angeles), for each actor above, unfiltered and with three of the calls list's filters; "source" says whether the rollups answered or the scan, "scan p50" is the scan of the same calls, "same" that both gave the same figures (bench/DASHBOARD.md has the same table from \`--dashboard\` runs).`,
    );
    out.push('');
    out.push(
      table(
        ['actor', 'filter', 'calls', 'source', 'p50', 'p95', 'p99', 'scan p50', 'same'],
        r.dashboard.map((x) => [
          x.label,
          x.filter,
          num(x.calls),
          x.source,
          fmtUs(x.latency.p50),
          fmtUs(x.latency.p95),
          fmtUs(x.latency.p99),
          fmtUs(x.scan.p50),
          x.same ? 'yes' : '**no**',
        ]),
      ),
    );
    out.push('');
  }
  out.push('## Query plans');
  out.push('');
  const bad = r.plans.filter((p) => p.fullScan || p.tempBtree);
  out.push(
    `${r.plans.length} list statements (every actor, list and page; each is the page query joined to the page's rows, as the app runs it): ${bad.length === 0 ? 'none scans a whole table or sorts in a temporary B-tree' : `${bad.length} scan a table or use a temporary B-tree: ${bad.map((p) => `${p.actor}/${p.list}/${p.page}`).join(', ')}`}. ` +
      'First pages below; a deep page has the same plan with the cursor as the upper bound of each index range.',
  );
  for (const p of r.plans.filter((x) => x.page === 'first')) {
    out.push('');
    out.push(`**${p.list}, ${p.level} (${p.actor})**`);
    out.push('');
    out.push('```sql');
    out.push(p.sql);
    out.push('```');
    out.push('');
    out.push('```');
    out.push(...p.plan);
    out.push('```');
  }
  out.push('');
  return out.join('\n');
}

export function renderConsole(r: BenchResults): string {
  const main = r.lists.find((l) => l.calls === r.dataset.shape.calls)!;
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  const lines: string[] = [];
  lines.push(`Lists at ${num(main.calls)} calls (router p50 / p99; naive and OFFSET p50 as multiples):`);
  for (const x of main.results) {
    lines.push(
      `  ${pad(x.label, 28)} ${pad(x.list, 11)} ${pad(x.page, 6)} ${pad(fmtUs(x.keyset.p50), 8)} ${pad(fmtUs(x.keyset.p99), 8)} naive ${pad(fmtRatio(x.naiveRatio), 7)} OFFSET ${x.offsetRatio === null ? '–' : fmtRatio(x.offsetRatio)}${x.samePage ? '' : '  PAGE DIFFERS'}`,
    );
  }
  lines.push('Growth (worst case): calls, first p50/p99, deep p50/p99, naive deep p50, OFFSET deep p50');
  for (const c of curveRows(r.lists)) {
    lines.push(
      `  ${pad(num(c.calls), 10)} ${pad(fmtUs(c.firstP50), 8)} ${pad(fmtUs(c.firstP99), 8)} ${pad(fmtUs(c.deepP50), 8)} ${pad(fmtUs(c.deepP99), 8)} ${pad(fmtUs(c.naiveDeepP50), 8)} ${fmtUs(c.offsetDeepP50)}`,
    );
  }
  const dec = r.decisions;
  lines.push(
    `Decisions: can() ${dec.ours.nsPerDecision} ns, CASL ${dec.casl.nsPerDecision} ns (${fmtRatio(dec.speedup.casl)}), casbin ${dec.casbin.nsPerDecision} ns (${fmtRatio(dec.speedup.casbin)})`,
  );
  lines.push(
    `Writes: call insert p50 ${fmtUs(r.writes.callInsert.p50)} p95 ${fmtUs(r.writes.callInsert.p95)}; access change p50 ${fmtUs(r.writes.accessChange.p50)} p95 ${fmtUs(r.writes.accessChange.p95)}`,
  );
  lines.push(`Payload: ${r.payload.map((p) => `${p.list} ${num(p.jsonBytes)} B JSON`).join(', ')}`);
  lines.push(`Memory: peak RSS ${r.memory.peakRssMB} MB serving ${num(r.memory.requests)} requests`);
  lines.push('Targets:');
  for (const t of r.targets) lines.push(`  ${t.met ? 'met   ' : 'MISSED'} ${t.what} ${t.target}: ${t.measured}`);
  return lines.join('\n');
}
