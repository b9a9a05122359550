/**
 * The team server under a team's load, on one machine (loopback): the same
 * core, console host and phone service (Kamailio, the decision service) as
 * `npm run server`, with
 *
 * - 500 registered phones (sipp, one injection file of 500 users with issued
 *   credentials, spread over ten source addresses as phones on a LAN are),
 *   registering and then refreshing;
 * - 100 console connections (WebSockets signed in over /api/session) each
 *   reading a page of calls every second;
 * - calls set up at 10 per second for a bounded time (sipp UAC → sipp UAS
 *   registered as an extension), each answered at once and hung up.
 *
 * Measured: the authenticated REGISTER → 200 (sipp response-time trace),
 * the console list round trip, the authenticated INVITE → 200, and the
 * server's memory (Node RSS plus Kamailio's processes' proportional set
 * size) and CPU over the load.
 *
 *   tsx test/bench/server.ts [--out bench] [--seconds 20]
 *
 * Writes <out>/server.json and <out>/SERVER.md. Every loop is bounded.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { createCore } from '../../src/main/core';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { setPasswordCost } from '../../src/main/core/domain/password';
import { insertUser } from '../../src/main/core/store/repos/users';
import { startServer } from '../../src/main/server/server';
import { issueCredentials } from '../../src/main/sip/credentials';
import { startHostedPhone } from '../../src/main/sip/hosted';
import { freePort } from '../../src/main/sip/ports';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const outDir = resolve(root, arg('out', 'bench'));
const seconds = Math.min(120, Math.max(5, Number(arg('seconds', '20'))));
const PHONES = 500;
const SOURCES = 10;
const CONSOLES = 100;
const CALL_RATE = 10;

const TARGETS = { registerP95: 20, listP99: 5, setupP95: 100, rssMb: 500 };

interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN);
  const r = (v: number) => Math.round(v * 100) / 100;
  return { n: s.length, p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(s[s.length - 1] ?? NaN) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * The load generators start from a small process of their own
 * (test/bench/spawner.ts): forking this large one held its event loop up
 * for tens of ms per sipp, ten at a time, and the server's clients counted
 * that as its latency.
 */
const spawner = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'test/bench/spawner.ts')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const spawned = new Map<number, (code: number | null) => void>();
let spawnIds = 0;
createInterface({ input: spawner.stdout! }).on('line', (line) => {
  const { id, code } = JSON.parse(line) as { id: number; code: number | null };
  spawned.get(id)?.(code);
  spawned.delete(id);
});
const toSpawner = (command: object) => spawner.stdin!.write(`${JSON.stringify(command)}\n`);

/**
 * Runs sipp from `dir`, bounded by its own -timeout and ours; resolves with
 * its exit code. Its error log (every unexpected message, every timeout) and
 * its final screen (successful and failed calls) are kept as
 * `<name>.err.log` and `<name>.screen`.
 */
function sipp(
  dir: string,
  name: string,
  args: string[],
  limitMs: number,
): { done: Promise<number | null>; kill: (signal: NodeJS.Signals) => void } {
  const id = ++spawnIds;
  const done = new Promise<number | null>((r) => spawned.set(id, r));
  toSpawner({
    op: 'spawn',
    id,
    // The phones stand in for other machines: on this one they yield the cores to the server and the consoles.
    cmd: 'nice',
    args: [
      '-n',
      '10',
      'sipp',
      ...args,
      '-nostdin',
      '-trace_err',
      '-error_file',
      join(dir, `${name}.err.log`),
      '-trace_screen',
      '-screen_file',
      join(dir, `${name}.screen`),
    ],
    cwd: dir,
    limitMs,
  });
  return { done, kill: (signal) => toSpawner({ op: 'kill', id, signal }) };
}

/** Response times (ms) from sipp's -trace_rtt files in `dir` whose name starts with `prefix`. */
function rtts(dir: string, prefix: string): number[] {
  const out: number[] = [];
  for (const f of readdirSync(dir).filter((n) => n.startsWith(prefix) && n.endsWith('_rtt.csv'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n').slice(1)) {
      const parts = line.split(';');
      const v = Number(parts[1]);
      if (parts.length >= 3 && Number.isFinite(v)) out.push(v);
    }
  }
  return out;
}

/** What one pass of sipp runs (names starting with `prefix`) ended with: their final screens and error logs. */
interface PassOutcome {
  successful: number;
  failed: number;
  /** Each kind of error sipp logged (unexpected message, timeout, …) and how often. */
  errors: Record<string, number>;
}
function passOutcome(dir: string, prefix: string): PassOutcome {
  const out: PassOutcome = { successful: 0, failed: 0, errors: {} };
  for (const f of readdirSync(dir).filter((n) => n.startsWith(prefix))) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (f.endsWith('.screen')) {
      // The cumulative column of sipp's last screen.
      const count = (what: string) =>
        Number([...text.matchAll(new RegExp(`${what}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'g'))].pop()?.[1] ?? 0);
      out.successful += count('Successful call');
      out.failed += count('Failed call');
    } else if (f.endsWith('.err.log')) {
      for (const line of text.split('\n')) {
        const m = /^\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: (.*)$/.exec(line);
        if (!m) continue;
        const kind = m[1]!
          .replace(/Call-I[dD][: ]*'?[^ ',]*'?/g, 'Call-ID …')
          .replace(/received '(SIP\/2\.0 \d+[^']*|[A-Z]+ )[^']*'?/, "received '$1'")
          .slice(0, 160);
        out.errors[kind] = (out.errors[kind] ?? 0) + 1;
      }
    }
  }
  return out;
}

/** sipp's logged errors by pass and kind, as Markdown: "none" when there were none. */
function errorLines(outcomes: Record<string, PassOutcome>): string {
  const rows = Object.entries(outcomes).flatMap(([pass, o]) =>
    Object.entries(o.errors)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([kind, n]) => `| ${pass} | ${n} | ${kind.replace(/\|/g, '\\|')} |`),
  );
  if (rows.length === 0) return 'sipp logged no errors (unexpected messages, timeouts) in any pass.';
  return [
    "sipp's error logs (.cache/bench-server/*.err.log), the most frequent kinds per pass:",
    '',
    '| pass | count | error |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Kamailio's processes (its process group): proportional memory and CPU ticks. */
/**
 * Kamailio's memory and CPU (its process group), read from /proc without
 * blocking: the server's event loop is the one measured, and reading every
 * process's stat and smaps_rollup in one go held it up for tens of ms, which
 * the consoles whose turn it was counted as list time.
 */
async function kamailioUsage(pgid: number): Promise<{ pssKb: number; ticks: number }> {
  let pssKb = 0;
  let ticks = 0;
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
      const m = /^Pss:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
      pssKb += Number(m?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return { pssKb, ticks };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tl-bench-server-'));
  // Console sign-ins at a light cost: the load measured here is the server's steady state, not hashing.
  setPasswordCost({ N: 1024, r: 8, p: 1 });
  const staticDir = join(dir, 'console');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Teamline</title>');
  const core = createCore({ dbPath: join(dir, 'teamline.db'), demoIfEmpty: true });
  const accountId = core.db.prepare('SELECT id FROM accounts ORDER BY id LIMIT 1').pluck().get() as number;
  const phones: { id: number; ext: string }[] = [];
  core.db.transaction(() => {
    for (let i = 0; i < PHONES + 1; i++) {
      const ext = String(3000 + i);
      const id = insertUser(core.db, {
        accountId,
        extension: ext,
        name: `Bench Phone ${ext}`,
        email: `phone${ext}@bench.example`,
        title: 'Bench',
        timezone: 'America/Los_Angeles',
        role: 'agent',
        callAccess: 'personal',
        passwordHash: null,
        createdAt: Date.now(),
      });
      phones.push({ id, ext });
    }
  })();
  const phone = await startHostedPhone({
    core,
    instance: join(dir, 'teamline.db'),
    runDir: join(dir, 'run'),
    sipPort: 0,
    wsPort: 0,
    log: () => {},
  });
  if (!phone) throw new Error('the phone service did not start');
  const server = await startServer({ core, staticDir, port: 0 });
  const proxy = `127.0.0.1:${phone.kamailio.sipUdpPort}`;
  const domain = phone.sip.domain;
  const cred = (p: { id: number; ext: string }) =>
    issueCredentials(phone.sip, { accountId, userId: p.id, extension: p.ext }, Date.now());

  // The callee: the last bench user, registered at the UAS's own port.
  const callee = phones.pop()!;
  const uasPort = await freePort('127.0.0.1', true);
  const calleeCsv = join(dir, 'callee.csv');
  const c0 = cred(callee);
  writeFileSync(
    calleeCsv,
    `SEQUENTIAL\n${callee.ext};${c0.authorizationUsername};[authentication username=${c0.authorizationUsername} password=${c0.password}]\n`,
  );
  const calleeReg = sipp(
    dir,
    'callee-register',
    [
      '-sf',
      join(root, 'test/bench/sip/register-csv.xml'),
      '-inf',
      calleeCsv,
      '-key',
      'domain',
      domain,
      '-key',
      'expires',
      '3600',
      '-i',
      '127.0.0.1',
      '-p',
      String(uasPort),
      '-m',
      '1',
      '-timeout',
      '10',
      proxy,
    ],
    15_000,
  );
  if ((await calleeReg.done) !== 0) {
    const errors = readdirSync(dir)
      .filter((n) => n.endsWith('.err.log'))
      .map((n) => readFileSync(join(dir, n), 'utf8').slice(-2000))
      .join('\n');
    throw new Error(`the callee did not register:\n${errors}\n${phone.kamailio.readLog().slice(-3000)}`);
  }

  // 500 phones from ten addresses (phones on a LAN), 50 each, registering at 100 per second in all.
  const groups = Array.from({ length: SOURCES }, (_, g) =>
    phones.slice(g * (PHONES / SOURCES), (g + 1) * (PHONES / SOURCES)),
  );
  const registerAll = async (tag: string) => {
    const runs = groups.map((group, g) => {
      const csv = join(dir, `phones-${g}.csv`);
      writeFileSync(
        csv,
        `SEQUENTIAL\n${group
          .map((p) => {
            const c = cred(p);
            return `${p.ext};${c.authorizationUsername};[authentication username=${c.authorizationUsername} password=${c.password}]`;
          })
          .join('\n')}\n`,
      );
      return sipp(
        dir,
        `${tag}-${g}`,
        [
          '-sf',
          join(root, 'test/bench/sip/register-csv.xml'),
          '-inf',
          csv,
          '-key',
          'domain',
          domain,
          '-key',
          'expires',
          '600',
          '-i',
          `127.0.0.${g + 2}`,
          '-p',
          '0',
          '-r',
          String(100 / SOURCES),
          '-m',
          String(group.length),
          '-l',
          '20',
          '-timeout',
          '60',
          '-trace_rtt',
          '-rtt_freq',
          '1',
          proxy,
        ],
        90_000,
      );
    });
    return Promise.all(runs.map((r) => r.done));
  };
  const registerCodes = await registerAll('register');
  const registerFirst = rtts(dir, 'register-csv');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('_rtt.csv'))) rmSync(join(dir, f));

  // 100 consoles: ten people, ten tabs each, each reading a page of calls every second.
  const people = ['john', 'peter', 'jessica', 'jasmine', 'allie', 'leo', 'karey', 'morgan', 'dana', 'omar'];
  // In a process of their own (test/bench/serverConsoles.ts), as real consoles are.
  const consoles = spawn(
    join(root, 'node_modules', '.bin', 'tsx'),
    [
      join(root, 'test/bench/serverConsoles.ts'),
      server.url,
      DEMO_PASSWORD,
      String(CONSOLES / people.length),
      String(seconds * 4 + 60),
      ...people,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const consoleOutput: string[] = [];
  let consoleWake: (() => void) | null = null;
  let consolesEnded: number | null = null;
  createInterface({ input: consoles.stdout! }).on('line', (l) => {
    consoleOutput.push(l);
    consoleWake?.();
  });
  consoles.on('exit', (code) => {
    consolesEnded = code ?? 1;
    consoleWake?.();
  });
  const consoleLine = () =>
    new Promise<string>((resolve, reject) => {
      const take = () => {
        const line = consoleOutput.shift();
        if (line !== undefined) resolve(line);
        else if (consolesEnded !== null) reject(new Error(`the consoles ended (${consolesEnded})`));
        else consoleWake = take;
      };
      take();
    });
  if ((await consoleLine()) !== 'ready') throw new Error('the consoles did not start');
  consoles.stdin!.write('start\n');

  // Load: the UAS answers, calls at 10 per second for `seconds`, and the phones refresh their registrations meanwhile.
  const loadStartedAt = Date.now();
  const cpu0 = process.cpuUsage();
  const kam0 = await kamailioUsage(phone.kamailio.pid);
  const wall0 = performance.now();
  const uas = sipp(
    dir,
    'callee',
    [
      '-sf',
      join(root, 'test/bench/sip/uas-answer.xml'),
      '-i',
      '127.0.0.1',
      '-p',
      String(uasPort),
      '-timeout',
      String(seconds + 30),
    ],
    (seconds + 40) * 1000,
  );
  await sleep(300);
  // The callers: ten phones on each of the ten source addresses, each address placing its share of the calls, as
  // a LAN's phones do. One generator address for all the calls would be one source sending a whole office's
  // requests (and, once the server is slow, their retransmissions), which the proxy's flood limit bans.
  const callers = groups.map((group, g) => {
    const csv = join(dir, `callers-${g}.csv`);
    writeFileSync(
      csv,
      `SEQUENTIAL\n${group
        .slice(0, 10)
        .map((p) => {
          const c = cred(p);
          return `${p.ext};${c.authorizationUsername};[authentication username=${c.authorizationUsername} password=${c.password}]`;
        })
        .join('\n')}\n`,
    );
    return sipp(
      dir,
      `calls.${g}`,
      [
        '-sf',
        join(root, 'test/bench/sip/dial-csv.xml'),
        '-inf',
        csv,
        '-key',
        'domain',
        domain,
        '-key',
        'to',
        callee.ext,
        '-key',
        'cid',
        '',
        '-i',
        `127.0.0.${g + 2}`,
        '-p',
        '0',
        '-r',
        String(CALL_RATE / SOURCES),
        '-m',
        String((CALL_RATE * seconds) / SOURCES),
        '-l',
        String(100 / SOURCES),
        '-timeout',
        String(seconds + 30),
        '-trace_rtt',
        '-rtt_freq',
        '1',
        proxy,
      ],
      (seconds + 40) * 1000,
    );
  });
  let peakRss = process.memoryUsage().rss;
  let peakKamKb = 0;
  // How long the server's event loop was held up: a console's request waits behind whatever holds it.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    void kamailioUsage(phone.kamailio.pid).then((k) => (peakKamKb = Math.max(peakKamKb, k.pssKb)));
  }, 500);
  const refreshCodes = await registerAll('refresh');
  const registerRefresh = rtts(dir, 'register-csv');
  const callsCodes = await Promise.all(callers.map((c) => c.done));
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const kam1 = await kamailioUsage(phone.kamailio.pid);
  loopDelay.disable();
  clearInterval(sampler);
  const ended = consoleLine();
  consoles.stdin!.write('stop\n');
  const { listMs, failures: listFailures } = JSON.parse(await ended) as { listMs: number[]; failures: number };
  consoles.stdin!.end();
  uas.kill('SIGTERM');
  await uas.done;
  const setup = rtts(dir, 'dial-csv');
  const answered = core.db
    .prepare(`SELECT count(*) FROM calls WHERE answered_at IS NOT NULL AND started_at >= ?`)
    .pluck()
    .get(loadStartedAt) as number;

  const outcomes = {
    register: passOutcome(dir, 'register-'),
    refresh: passOutcome(dir, 'refresh-'),
    calls: passOutcome(dir, 'calls.'),
    callee: passOutcome(dir, 'callee.'),
  };
  // What the proxy said about sources it stopped serving (flood, repeated failed credentials).
  const proxyLog = phone.kamailio.readLog();
  const proxyBans = {
    flood: (proxyLog.match(/flood from /g) ?? []).length,
    failedCredentials: (proxyLog.match(/repeated failed credentials from /g) ?? []).length,
  };
  // sipp's logs and the proxy's, kept for reading after the run.
  const keep = join(root, '.cache', 'bench-server');
  rmSync(keep, { recursive: true, force: true });
  mkdirSync(keep, { recursive: true });
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.err.log') || n.endsWith('.screen')))
    copyFileSync(join(dir, f), join(keep, f));
  writeFileSync(join(keep, 'kamailio.log'), proxyLog);

  const hz = 100;
  const result = {
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '',
      memGb: Math.round(totalmem() / 2 ** 30),
      loadavg: loadavg(),
    },
    seconds,
    phones: PHONES,
    consoles: CONSOLES,
    callRate: CALL_RATE,
    register: stats([...registerFirst, ...registerRefresh]),
    registerExits: [...registerCodes, ...refreshCodes],
    list: stats(listMs),
    listFailures,
    loopDelayMs: {
      p50: Math.round(loopDelay.percentile(50) / 1e5) / 10,
      p99: Math.round(loopDelay.percentile(99) / 1e5) / 10,
      max: Math.round(loopDelay.max / 1e5) / 10,
    },
    setup: stats(setup),
    callsExits: callsCodes,
    callsPlaced: CALL_RATE * seconds,
    callsTimed: setup.length,
    callsRecordedAnswered: answered,
    outcomes,
    proxyBans,
    rss: { nodeMb: Math.round(peakRss / 2 ** 20), kamailioMb: Math.round(peakKamKb / 1024) },
    cpu: {
      wallSeconds: Math.round(wall * 10) / 10,
      nodeSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
      kamailioSeconds: Math.round(((kam1.ticks - kam0.ticks) / hz) * 10) / 10,
      nodePercent: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 100),
      kamailioPercent: Math.round(((kam1.ticks - kam0.ticks) / hz / wall) * 100),
    },
    targets: TARGETS,
  };
  const rssTotal = result.rss.nodeMb + result.rss.kamailioMb;
  const met = {
    register: result.register.p95 <= TARGETS.registerP95,
    list: result.list.p99 <= TARGETS.listP99,
    setup: result.setup.p95 <= TARGETS.setupP95,
    rss: rssTotal <= TARGETS.rssMb,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'server.json'), `${JSON.stringify({ ...result, met }, null, 2)}\n`);
  const yes = (b: boolean) => (b ? 'met' : '**not met**');
  const md = `# Team server under load

\`npm run bench:server\` (test/bench/server.ts): one server on loopback (core,
console host, Kamailio, decision service) with ${PHONES} registered phones
(sipp, ten source addresses), ${result.consoles} console connections each
reading a page of calls every second, and calls set up at ${CALL_RATE} per
second for ${seconds} s from the same ten addresses (sipp callers → sipp phone answering at once).

Machine: ${result.machine.cpus} × ${result.machine.model}, ${result.machine.memGb} GB; load average at the end ${result.machine.loadavg.map((x) => x.toFixed(2)).join(' ')}.

| measure | n | p50 | p95 | p99 | max | target | |
| --- | --- | --- | --- | --- | --- | --- | --- |
| REGISTER → 200 (ms) | ${result.register.n} | ${result.register.p50} | ${result.register.p95} | ${result.register.p99} | ${result.register.max} | p95 ≤ ${TARGETS.registerP95} | ${yes(met.register)} |
| console list (ms) | ${result.list.n} | ${result.list.p50} | ${result.list.p95} | ${result.list.p99} | ${result.list.max} | p99 ≤ ${TARGETS.listP99} | ${yes(met.list)} |
| call setup INVITE → 200 (ms) | ${result.setup.n} | ${result.setup.p50} | ${result.setup.p95} | ${result.setup.p99} | ${result.setup.max} | p95 ≤ ${TARGETS.setupP95} | ${yes(met.setup)} |

Memory at its peak: Node ${result.rss.nodeMb} MB RSS + Kamailio ${result.rss.kamailioMb} MB (proportional set size of its processes) = ${rssTotal} MB (target ≤ ${TARGETS.rssMb} MB: ${yes(met.rss)}).
CPU over the load: Node ${result.cpu.nodePercent} %, Kamailio ${result.cpu.kamailioPercent} % (of one core).

CPU time over the load (${result.cpu.wallSeconds} s of wall time): Node ${result.cpu.nodeSeconds} s, Kamailio ${result.cpu.kamailioSeconds} s. On a busy machine the wall-time percentiles above include waiting for a core; the CPU time is the server's own work.

## Errors

| pass | successful | failed | sipp exit codes |
| --- | --- | --- | --- |
| registration (${PHONES} phones) | ${outcomes.register.successful} | ${outcomes.register.failed} | ${registerCodes.join(' ')} |
| refresh during the calls | ${outcomes.refresh.successful} | ${outcomes.refresh.failed} | ${refreshCodes.join(' ')} |
| calls placed (${result.callsPlaced}) | ${outcomes.calls.successful} | ${outcomes.calls.failed} | ${callsCodes.join(' ')} |

The server's event loop during the load was held up ${result.loopDelayMs.p50} ms at the median, ${result.loopDelayMs.p99} ms at p99 and ${result.loopDelayMs.max} ms at most (\`monitorEventLoopDelay\` at a 5 ms resolution, so about 5 ms is an idle loop): a console's request waits behind whatever holds it, such as recording a call (its rollups) or telling 100 consoles of it.

Calls timed to their 200: ${result.callsTimed}; recorded as answered by the server: ${result.callsRecordedAnswered}. Console list failures: ${listFailures}. Sources the proxy stopped serving: ${proxyBans.flood} for flooding, ${proxyBans.failedCredentials} for repeated failed credentials.

${errorLines(outcomes)}

The load generators (sipp, and the console clients in a Node process of their own, test/bench/serverConsoles.ts) run on the same machine and share its two cores, so the numbers are pessimistic for a server with the machine to itself; Node's figure is the server's process alone. The phones (sipp) stand in for other machines and run at a lower CPU priority (\`nice -n 10\`), so that the server and the consoles, which time the lists, are not kept waiting for a core behind them; sipp's own times (REGISTER, call setup) include its waits for a core, so they only get worse by it. The sipp processes are started by a small process of their own (test/bench/spawner.ts): started from the server's process, each fork held its event loop up for 10–30 ms, ten at a time, and the consoles counted those stalls as list time (p99 near 500 ms).

How the load is made matters for the errors. Each of the ten addresses carries 50 phones and places a tenth of the calls, as a LAN's phones would: one address placing every call sends a whole office's requests, and their retransmissions once the server is slow, and the proxy's flood limit (pike: 300 requests in 2 s from one address) rightly bans it, which is what ended earlier runs' calls. A first REGISTER retransmitted before its challenge came back is challenged twice; the scenario skips the second 401 as a phone's transaction layer does (earlier runs counted it as a failed registration). The proxy drops a retransmission of a request it is still handling (\`t_precheck_trans\`) instead of handling it twice, which had sent some calls to the callee twice.
`;
  // Formatted as the tree's other Markdown is (npm test checks it).
  const mdFile = join(outDir, 'SERVER.md');
  writeFileSync(mdFile, await format(md, { ...(await resolveConfig(mdFile)), filepath: mdFile }));
  console.log(md);
  await server.close();
  await phone.stop();
  core.close();
  rmSync(dir, { recursive: true, force: true });
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    spawner.stdin!.end();
    if (existsSync('/dev/null')) setTimeout(() => process.exit(), 500).unref();
  });
