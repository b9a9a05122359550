import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/main/sip/ports';
import { digest, header, RawUa, sipRequest, status, token } from './sip/rawSip';
import { WsPhone } from './sip/wsPhone';

/**
 * The team server as an admin runs it: its command in a child process, on
 * loopback ports, with a fresh data folder; spoken to only over TLS with
 * the CA it made on first start.
 */

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'src/main/teamserver/cli.ts');
const made: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
  waitFor(event: string, ms?: number): Promise<Record<string, unknown>>;
}

function run(args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEAMLINE_SIP_PEER: '', ...env },
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  let err = '';
  let buffered = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      // Every line of stdout is one JSON object: a line that is not fails the test here.
      lines.push(JSON.parse(line) as Record<string, unknown>);
      for (const w of waiters.splice(0)) w();
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = (event: string, ms = 60_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${event}" from the server; stdout: ${JSON.stringify(lines)}; stderr: ${err}`)),
        ms,
      );
      const check = () => {
        const hit = lines.find((l) => l.event === event);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`the server exited (${child.exitCode}) before "${event}": ${err}`));
        } else waiters.push(check);
      };
      void exited.then(() => waiters.push(check) && check());
      check();
    });
  return { child, lines, stderr: () => err, exited, waitFor };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'teamline-server-'));
  made.push(dir);
  return dir;
}

function writeConfig(dir: string, body: Record<string, unknown>): string {
  const file = join(dir, 'server.json');
  writeFileSync(file, JSON.stringify(body));
  return file;
}

function get(
  url: string,
  o: { ca?: string; method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', ca: o.ca, headers: o.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** A signed-in console session over the API's WebSocket, as the browser console opens it. */
async function apiSession(base: string, ca: string, login: string) {
  const origin = base;
  const signIn = await get(`${base}/api/session`, {
    ca,
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: 'teamline-demo' }),
  });
  expect(JSON.parse(signIn.body)).toMatchObject({ ok: true });
  const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
  expect(cookie).toMatch(/^__Host-teamline_session=/);
  const ws = new WebSocket(`${base.replace('https:', 'wss:')}/api`, { ca, headers: { cookie, origin } });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const replies = new Map<number, (v: { ok: boolean; value?: unknown }) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { id?: number; result?: { ok: boolean; value?: unknown } };
    if (typeof m.id === 'number') replies.get(m.id)?.(m.result!);
  });
  let next = 1;
  const invoke = (method: string, input: unknown = {}) =>
    new Promise<{ ok: boolean; value?: unknown }>((r) => {
      const id = next++;
      replies.set(id, r);
      ws.send(JSON.stringify({ id, method, input }));
    });
  const creds = await invoke('sip.credentials');
  expect(creds.ok).toBe(true);
  const sip = creds.value as { username: string; authorizationUsername: string; password: string; domain: string };
  return { ws, invoke, sip };
}

/** A desk phone's REGISTER over SIP/TLS (digest), certificate checked with `ca`; the final status line. */
async function registerOverTls(
  port: number,
  ca: string,
  c: { username: string; authorizationUsername: string; password: string; domain: string },
) {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
  await new Promise((r, j) => (socket.once('secureConnect', r), socket.once('error', j)));
  let buffered = '';
  const waiting: ((m: string) => void)[] = [];
  socket.on('data', (d: Buffer) => {
    buffered += d.toString('utf8');
    let end: number;
    while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
      const m = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      if (/^SIP\/2\.0 [2-6]/.test(m)) waiting.shift()?.(m);
    }
  });
  const local = socket.localPort!;
  const callId = `${token()}@tls`;
  const ask = (cseq: number, auth: string | null) =>
    new Promise<string>((resolve) => {
      waiting.push(resolve);
      socket.write(
        [
          `REGISTER sip:${c.domain} SIP/2.0`,
          `Via: SIP/2.0/TLS 127.0.0.1:${local};branch=z9hG4bK${token()};rport`,
          'Max-Forwards: 70',
          `From: <sip:${c.username}@${c.domain}>;tag=${token()}`,
          `To: <sip:${c.username}@${c.domain}>`,
          `Call-ID: ${callId}`,
          `CSeq: ${cseq} REGISTER`,
          `Contact: <sip:${c.username}@127.0.0.1:${local};transport=tls>`,
          'Expires: 60',
          ...(auth ? [`Authorization: ${auth}`] : []),
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
    });
  const challenge = await ask(1, null);
  expect(challenge).toMatch(/^SIP\/2\.0 401 /);
  const auth = digest(challenge, {
    method: 'REGISTER',
    uri: `sip:${c.domain}`,
    username: c.authorizationUsername,
    password: c.password,
  });
  const final = (await ask(2, auth)).split('\r\n')[0];
  socket.end();
  return final;
}

describe('team server settings at start', () => {
  it('refuses an unknown key in the config file, naming it, before it opens anything', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, { dataDir: 'data', publicName: 'localhost', listen: { httpsPort: 1, httpPort: 2 } });
    const s = run(['--config', file]);
    expect(await s.exited).toBe(2);
    expect(s.stderr()).toContain('unknown setting "listen.httpPort"');
    expect(s.lines.find((l) => l.event === 'start.refused')?.error).toMatch(/listen\.httpPort/);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('refuses plain HTTP for a reverse proxy unless it listens on loopback', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, {
      dataDir: 'data',
      publicName: 'localhost',
      listen: { host: '0.0.0.0', plainHttp: 'loopback' },
    });
    const s = run(['--config', file]);
    expect(await s.exited).toBe(2);
    expect(s.stderr()).toMatch(/plainHttp "loopback" needs listen.host 127.0.0.1/);
  });
});

describe('a certificate from elsewhere', () => {
  it('is served as given, and a server that starts with it close to expiry says so', async () => {
    const dir = tempDir();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '10',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    mkdirSync(join(dir, 'console'));
    writeFileSync(join(dir, 'console', 'index.html'), '<!doctype html><title>Teamline</title>');
    const httpsPort = await freePort();
    const file = writeConfig(dir, {
      dataDir: 'data',
      publicName: 'localhost',
      listen: { host: '127.0.0.1', httpsPort },
      sip: { wssPort: await freePort(), tlsPort: await freePort() },
      tls: { certFile: 'cert.pem', keyFile: 'key.pem' },
      consoleDir: 'console',
    });
    const s = run(['--config', file]);
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const fingerprint = new X509Certificate(cert).fingerprint256;
    expect(await s.waitFor('certificate')).toMatchObject({ fingerprint, pin: fingerprint, selfMade: false });
    expect(await s.waitFor('certificate.expiring')).toMatchObject({ level: 'warn', daysLeft: 9 });
    await s.waitFor('listen');
    const health = await get(`https://localhost:${httpsPort}/healthz`, { ca: cert });
    expect(health.status).toBe(200);
    // The server did not make a CA of its own.
    expect(existsSync(join(dir, 'data', 'tls'))).toBe(false);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 60_000);
});

describe('first start for a team', () => {
  it('creates the account and its owner once; the owner signs in to the console; a second init is refused', async () => {
    const dir = tempDir();
    const consoleDir = join(dir, 'console');
    mkdirSync(consoleDir);
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Teamline</title>');
    const httpsPort = await freePort();
    const file = writeConfig(dir, {
      dataDir: 'data',
      publicName: 'localhost',
      listen: { host: '127.0.0.1', httpsPort },
      sip: { wssPort: await freePort(), tlsPort: await freePort() },
      consoleDir: 'console',
    });
    const owner = [
      '--account-name',
      'Acme Dental',
      '--owner-name',
      'Morgan Reyes',
      '--owner-email',
      'Morgan@Acme.example',
    ];
    const init = (password: string, more: string[] = []) => {
      const s = run(['init', '--config', file, ...owner, ...more], { TEAMLINE_OWNER_PASSWORD: password });
      return s.exited.then((code) => ({ code, stderr: s.stderr(), lines: s.lines }));
    };
    const short = await init('short');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/password: A password has at least 8 characters/);
    const made = await init('correct horse battery');
    expect(made.code).toBe(0);
    expect(made.lines.find((l) => l.event === 'account.created')).toMatchObject({ email: 'Morgan@Acme.example' });
    const again = await init('another password', ['--owner-email', 'someone@acme.example']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has its account/);

    const s = run(['--config', file]);
    await s.waitFor('listen');
    expect(s.lines.some((l) => l.event === 'account.missing')).toBe(false);
    const ca = readFileSync(join(dir, 'data/tls/ca.pem'), 'utf8');
    const base = `https://127.0.0.1:${httpsPort}`;
    const signIn = await get(`${base}/api/session`, {
      ca,
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'morgan@acme.example', password: 'correct horse battery' }),
    });
    expect(JSON.parse(signIn.body)).toMatchObject({
      ok: true,
      value: { account: { name: 'Acme Dental', ownerName: 'Morgan Reyes', plan: 'company' } },
    });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const db = new Database(join(dir, 'data/teamline.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM accounts').pluck().get()).toBe(1);
    expect(db.prepare(`SELECT action FROM audit_events WHERE action = 'account.created'`).pluck().all()).toHaveLength(
      1,
    );
    db.close();
  }, 90_000);
});

describe('team server', () => {
  it('serves the console and /healthz over HTTPS with its own CA, registers phones over secure WebSocket and TLS, and on SIGTERM refuses new calls (503) while a call drains, then closes the database cleanly', async () => {
    const dir = tempDir();
    const consoleDir = join(dir, 'console');
    mkdirSync(consoleDir);
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Teamline</title><p>console-page-marker</p>');
    const [httpsPort, wssPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
    const plainPort = await freePort('127.0.0.1', true);
    const mediaMin = 22000 + Math.floor(Math.random() * 60) * 100;
    const file = writeConfig(dir, {
      dataDir: 'data',
      publicName: 'localhost',
      listen: { host: '127.0.0.1', httpsPort },
      sip: { wssPort, tlsPort, plainPort },
      media: { portMin: mediaMin, portMax: mediaMin + 99 },
      consoleDir: 'console',
      demo: true,
      drainSeconds: 3,
    });
    const s = run(['--config', file]);
    const cert = await s.waitFor('certificate');
    await s.waitFor('listen');
    const phone = await s.waitFor('phone.listen');
    const ca = readFileSync(join(dir, 'data/tls/ca.pem'), 'utf8');
    const base = `https://127.0.0.1:${httpsPort}`;

    // The fingerprint printed at start is the certificate's; the pin is its CA's.
    expect(cert.fingerprint).toBe(new X509Certificate(readFileSync(join(dir, 'data/tls/server.pem'))).fingerprint256);
    expect(cert.pin).toBe(new X509Certificate(ca).fingerprint256);
    expect(phone.softphones).toBe(`wss://localhost:${wssPort}`);

    // Without the CA the certificate is not trusted: this is real TLS, not plain HTTP.
    await expect(get(`${base}/healthz`)).rejects.toThrow(/certificate/);
    const health = await get(`${base}/healthz`, { ca });
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toBeDefined();
    const h = JSON.parse(health.body) as Record<string, unknown>;
    expect(h).toMatchObject({ ok: true, version: '0.1.0', db: 'ok', phone: { state: 'running', calls: 0 } });
    expect(typeof h.uptimeSeconds).toBe('number');

    const page = await get(`${base}/`, { ca });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('console-page-marker');

    // Sessions over the API, as the console opens them.
    const leo = await apiSession(base, ca, 'leo@teamline.demo');
    const john = await apiSession(base, ca, 'john@teamline.demo');
    expect(s.lines.some((l) => l.event === 'signin' && typeof l.userId === 'number')).toBe(true);
    const c = leo.sip;

    // The softphone's path: SIP over secure WebSocket to Kamailio's TLS listener, certificate checked with the CA.
    const sip = await WsPhone.connect(`wss://127.0.0.1:${wssPort}`, c.username, c.domain, { ca });
    expect(await sip.register(c)).toEqual({ code: 200, reason: 'OK' });

    // A desk phone's path: SIP over TLS on its own port.
    expect(await registerOverTls(tlsPort, ca, john.sip)).toBe('SIP/2.0 200 OK');

    // Plain SIP over UDP, turned on for this LAN: John calls Leo, whose softphone answers.
    const ua = await RawUa.open('127.0.0.1');
    const proxy = `127.0.0.1:${plainPort}`;
    const call = async (callId: string) => {
      const fromTag = token();
      const invite = (cseq: number, auth: string | null) =>
        sipRequest(ua, `INVITE sip:${c.username}@${c.domain} SIP/2.0`, [
          `From: <sip:${john.sip.username}@${c.domain}>;tag=${fromTag}`,
          `To: <sip:${c.username}@${c.domain}>`,
          `Call-ID: ${callId}`,
          `CSeq: ${cseq} INVITE`,
          `Contact: <sip:${john.sip.username}@127.0.0.1:${ua.port}>`,
          ...(auth ? [`Proxy-Authorization: ${auth}`] : []),
        ]);
      const challenge = await ua.request(invite(1, null), proxy);
      expect(status(challenge)).toMatch(/^SIP\/2\.0 407 /);
      const auth = digest(challenge!, {
        method: 'INVITE',
        uri: `sip:${c.username}@${c.domain}`,
        username: john.sip.authorizationUsername,
        password: john.sip.password,
      });
      return (await ua.request(invite(2, auth), proxy, 5000))!;
    };
    expect(status(await call(`${token()}@first`))).toBe('SIP/2.0 200 OK');
    await expect.poll(async () => JSON.parse((await get(`${base}/healthz`, { ca })).body).phone.calls).toBe(1);

    // SIGTERM with API sessions open and a call going on: new calls are refused (503, Retry-After) while it drains...
    const apiClosed = new Promise<number>((r) => leo.ws.once('close', (code) => r(code)));
    const stoppingAt = Date.now();
    s.child.kill('SIGTERM');
    expect(await s.waitFor('shutdown')).toMatchObject({ calls: 1, drainSeconds: 3 });
    const refused = await call(`${token()}@second`);
    expect(status(refused)).toMatch(/^SIP\/2\.0 503 /);
    expect(header(refused, 'Retry-After')).toBe('30');
    const draining = await get(`${base}/healthz`, { ca });
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.body)).toMatchObject({
      ok: false,
      draining: true,
      phone: { state: 'draining', calls: 1 },
    });
    // ...waits for the call up to drainSeconds, then closes the sockets and the database, and exits 0.
    expect(await s.exited).toBe(0);
    expect(Date.now() - stoppingAt).toBeGreaterThanOrEqual(2900);
    await apiClosed;
    ua.close();
    sip.close();
    const events = s.lines.map((l) => l.event);
    expect(events.indexOf('shutdown')).toBeGreaterThan(events.indexOf('phone.listen'));
    expect(s.lines.find((l) => l.event === 'shutdown.calls-cut')).toMatchObject({ calls: 1 });
    expect(events.at(-1)).toBe('stopped');
    // A clean close checkpoints the write-ahead log into the database file and removes it.
    const db = join(dir, 'data/teamline.db');
    expect(!existsSync(`${db}-wal`) || statSync(`${db}-wal`).size === 0).toBe(true);
    const reopened = new Database(db, { readonly: true });
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(reopened.prepare('SELECT count(*) FROM users').pluck().get()).toBeGreaterThan(0);
    reopened.close();
  }, 120_000);
});
