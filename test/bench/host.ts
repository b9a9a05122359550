/**
 * The browser host under attack, against the latency targets of its
 * hardening (docs/security.md):
 *
 * - fuzzing: hostile sockets send broken frames, bytes that are not
 *   WebSocket and malformed messages, without pause, while a signed-in client
 *   asks for a page of calls every 20 ms: every answer within 100 ms;
 * - a sign-in flood: 200 wrong sign-ins from 40 browsers (own cookie, own
 *   loopback address) in another process, at production scrypt cost, while a
 *   page load, an API call and the phone service's credentials lookup (what a
 *   SIP REGISTER waits on) are timed: each under 50 ms.
 *
 * The same probes without any attack are timed first, as the machine's own
 * baseline. The integration tests (host-fuzz.test.ts, sessions-security.test.ts)
 * check what must hold (nothing crashes, every attempt is answered, nothing
 * waits for hashing); the milliseconds are measured here, on a machine that
 * runs nothing else.
 *
 *   tsx test/bench/host.ts [--out bench] [--seconds 10] [--floods 3]
 *
 * Writes <out>/host.json and <out>/HOST.md.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setPasswordCost } from '../../src/main/core/domain/password';
import { startDecisionService } from '../../src/main/sip/decisions';
import { badFrames, badMessages, closedWithin, rawSocket } from '../helpers/fuzz';
import { open, signIn, startHost, type SocketClient } from '../helpers/host';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const stats = (list: number[]): Stats => {
  const s = [...list].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor((s.length - 1) * q))]! * 10) / 10;
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
};

const timed = async (work: () => Promise<unknown>) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run by a second Node process: `count` wrong sign-ins from `browsers` browsers at once, each its own cookie
 * and loopback address (127.0.<net>.x, a new net per flood, so the throttle has not seen them); prints the
 * answers' codes.
 */
const FLOOD = `
const http = require('node:http');
const [url, count, browsers, net] = [new URL(process.argv[1]), Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const users = ['john', 'jessica', 'leo', 'dana', 'morgan', 'karey', 'peter', 'jasmine'];
const cookies = Array.from({ length: browsers }, () => 'teamline_session=' + require('node:crypto').randomBytes(32).toString('base64url'));
const agent = new http.Agent({ maxSockets: 1000 });
const post = (i) => new Promise((resolve) => {
  const body = JSON.stringify({ login: i % 3 ? users[i % users.length] + '@teamline.demo' : String(100 + (i % 10)), password: 'flood-' + i });
  const req = http.request({ host: url.hostname, port: url.port, path: '/api/session', method: 'POST', agent,
    localAddress: '127.0.' + net + '.' + (1 + (i % browsers)),
    headers: { host: url.host, origin: url.origin, 'content-type': 'application/json', cookie: cookies[i % browsers] } }, (res) => {
    let text = '';
    res.on('data', (d) => (text += d));
    res.on('end', () => { try { const r = JSON.parse(text); resolve(r.ok ? 'ok' : r.error.code); } catch { resolve('failed'); } });
  });
  req.on('error', () => resolve('failed'));
  req.end(body);
});
console.log('started');
Promise.all(Array.from({ length: count }, (_, i) => post(i))).then((codes) => {
  const c = {};
  for (const x of codes) c[x] = (c[x] || 0) + 1;
  console.log(JSON.stringify(c));
});
`;

async function fuzzing(seconds: number) {
  const host = await startHost({ limits: { maxMessage: 64 * 1024 } });
  const url = host.server.url;
  try {
    const watcher = await open(url, { origin: url, cookie: (await signIn(url, 'morgan@teamline.demo')).cookie! });
    const probe = () => timed(() => watcher.send('calls.list', { limit: 5 }));
    const quiet: number[] = [];
    for (let i = 0; i < 200; i++) {
      quiet.push(await probe());
      await sleep(20);
    }
    let attacking = true;
    let attacks = 0;
    let unclosed = 0;
    const hostile = async (k: number) => {
      for (let i = k; attacking; i++) {
        attacks++;
        if (i % 3 === 2) {
          const [, message] = badMessages[i % badMessages.length]!;
          const c = await open(url, { origin: url });
          await new Promise<void>((done) => {
            c.ws.once('message', () => done());
            c.ws.once('close', () => done());
            c.ws.send(message);
          });
          c.ws.close();
        } else {
          const s = await rawSocket(url, i % 7 !== 0);
          s.write(i % 7 === 0 ? randomBytes(2048) : badFrames[i % badFrames.length]![1]);
          if (!(await closedWithin(s, 3000))) unclosed++;
          s.destroy();
        }
      }
    };
    const attackers = Array.from({ length: 8 }, (_, k) => hostile(k));
    const fuzzed: number[] = [];
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      fuzzed.push(await probe());
      await sleep(20);
    }
    attacking = false;
    await Promise.all(attackers);
    watcher.ws.close();
    return { quiet: stats(quiet), fuzzed: stats(fuzzed), attacks, unclosed };
  } finally {
    await host.close();
  }
}

async function signInFlood(floods: number) {
  setPasswordCost({ N: 16384, r: 8, p: 1 });
  const host = await startHost();
  const url = host.server.url;
  const accountId = host.core.db.prepare('SELECT id FROM accounts LIMIT 1').pluck().get() as number;
  const sip = await startDecisionService({
    db: host.core.db,
    accountId,
    domain: 'teamline.test',
    secret: randomBytes(32),
    recordCall: () => {},
  });
  try {
    const watcher: SocketClient = await open(url, {
      origin: url,
      cookie: (await signIn(url, 'morgan@teamline.demo')).cookie!,
    });
    const register = () =>
      fetch(sip.url + '/sip/ha1', {
        method: 'POST',
        headers: { 'x-teamline-token': sip.token, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'au=100&aor=100',
      }).then((r) => r.text());
    const probe = async (into: Record<'page' | 'api' | 'sip', number[]>) => {
      into.page.push(await timed(() => fetch(url + '/').then((r) => r.text())));
      into.api.push(await timed(() => watcher.send('calls.list', { limit: 5 })));
      into.sip.push(await timed(register));
      await sleep(10);
    };
    const quiet = { page: [] as number[], api: [] as number[], sip: [] as number[] };
    for (let i = 0; i < 100; i++) await probe(quiet);
    const flooded = { page: [] as number[], api: [] as number[], sip: [] as number[] };
    const answers: Record<string, number> = {};
    let floodMs = 0;
    for (let f = 0; f < floods; f++) {
      const started = performance.now();
      const attacker = spawn(process.execPath, ['-e', FLOOD, url, '200', '40', String(10 + f)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let done = false;
      const out = new Promise<string>((resolve) => {
        let text = '';
        attacker.stdout.on('data', (d: Buffer) => (text += String(d)));
        attacker.on('exit', () => ((done = true), resolve(text)));
      });
      await new Promise<void>((resolve) => attacker.stdout.once('data', () => resolve()));
      while (!done) await probe(flooded);
      const codes = JSON.parse((await out).split('\n').filter(Boolean).pop()!) as Record<string, number>;
      for (const [code, n] of Object.entries(codes)) answers[code] = (answers[code] ?? 0) + n;
      floodMs += performance.now() - started;
    }
    watcher.ws.close();
    const of = (r: Record<'page' | 'api' | 'sip', number[]>) => ({
      page: stats(r.page),
      api: stats(r.api),
      sip: stats(r.sip),
    });
    return { quiet: of(quiet), flooded: of(flooded), answers, floodSeconds: Math.round(floodMs / 100) / 10 };
  } finally {
    await sip.close();
    await host.close();
    setPasswordCost({ N: 1024, r: 8, p: 1 });
  }
}

const ms = (x: number) => `${x} ms`;

export async function runHostBench(o: { outDir: string; seconds: number; floods: number }) {
  const started = new Date();
  const loadStart = loadavg();
  const fuzz = await fuzzing(o.seconds);
  const flood = await signInFlood(o.floods);
  // The issue's words are "within 100 ms" and "under 50 ms": every probe, so the maximum; the
  // 99th percentile is shown beside it for the attack periods, where one probe may wait for the scheduler.
  const targets = [
    {
      what: 'A signed-in client’s answers while the host is fuzzed, max ≤ 100 ms',
      measured: ms(fuzz.fuzzed.max),
      met: fuzz.fuzzed.max <= 100,
    },
    ...(['page', 'sip'] as const).flatMap((k) => {
      const name = k === 'page' ? 'Page load' : 'SIP credentials lookup (REGISTER)';
      const s = flood.flooded[k];
      return [
        { what: `${name} during a sign-in flood, p99 ≤ 50 ms`, measured: ms(s.p99), met: s.p99 <= 50 },
        { what: `${name} during a sign-in flood, max ≤ 50 ms`, measured: ms(s.max), met: s.max <= 50 },
      ];
    }),
  ];
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageStart: loadStart.map((x) => Math.round(x * 100) / 100),
    loadAverageEnd: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  const results = { date: started.toISOString(), node: process.version, machine, options: o, fuzz, flood, targets };
  mkdirSync(o.outDir, { recursive: true });
  writeFileSync(join(o.outDir, 'host.json'), `${JSON.stringify(results, null, 2)}\n`);
  const row = (name: string, s: Stats) =>
    `| ${name} | ${s.n} | ${s.p50} ms | ${s.p90} ms | ${s.p99} ms | ${s.max} ms |`;
  const lines = [
    '# Host under attack',
    '',
    `${results.date}, ${machine.cores} × ${machine.cpu}, Node ${process.version}, load average ${machine.loadAverageStart.join(' / ')} at the start.`,
    ...(machine.loadAverageStart[0]! > machine.cores
      ? [
          `The machine was busy (load average above its ${machine.cores} cores): even the quiet probes are slow, and these numbers say more about it than about the host.`,
        ]
      : []),
    `Produced by \`tsx test/bench/host.ts\` (fuzzing ${o.seconds} s from 8 hostile sockets at a time, ${fuzz.attacks} attacks; ${o.floods} sign-in floods of 200 from 40 browsers at production scrypt cost, ${flood.floodSeconds} s in all).`,
    '',
    '| measure | n | p50 | p90 | p99 | max |',
    '| --- | --- | --- | --- | --- | --- |',
    row('API answer, quiet', fuzz.quiet),
    row('API answer, while fuzzed', fuzz.fuzzed),
    row('Page load, quiet', flood.quiet.page),
    row('Page load, during sign-in floods', flood.flooded.page),
    row('API answer, quiet', flood.quiet.api),
    row('API answer, during sign-in floods', flood.flooded.api),
    row('SIP credentials lookup, quiet', flood.quiet.sip),
    row('SIP credentials lookup, during sign-in floods', flood.flooded.sip),
    '',
    `Sign-in answers: ${Object.entries(flood.answers)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ')}. Hostile sockets not closed within 3 s: ${fuzz.unclosed}.`,
    '',
    '| target | measured | |',
    '| --- | --- | --- |',
    ...targets.map((t) => `| ${t.what} | ${t.measured} | ${t.met ? 'met' : 'NOT met'} |`),
    '',
  ];
  writeFileSync(join(o.outDir, 'HOST.md'), lines.join('\n'));
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  runHostBench({
    outDir: resolve(arg('out') ?? join(root, 'bench')),
    seconds: Number(arg('seconds') ?? 10),
    floods: Number(arg('floods') ?? 3),
  }).then(
    (r) => {
      for (const t of r.targets) console.log(`${t.met ? 'met    ' : 'NOT met'}  ${t.what}: ${t.measured}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
