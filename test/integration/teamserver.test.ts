import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/main/sip/ports';
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

function run(args: string[]): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEAMLINE_SIP_PEER: '' },
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

describe('team server', () => {
  it('serves the console and /healthz over HTTPS with its own CA, takes a SIP REGISTER over secure WebSocket, and drains on SIGTERM with the database closed cleanly', async () => {
    const dir = tempDir();
    const consoleDir = join(dir, 'console');
    mkdirSync(consoleDir);
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Teamline</title><p>console-page-marker</p>');
    const [httpsPort, wssPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
    const mediaMin = 22000 + Math.floor(Math.random() * 60) * 100;
    const file = writeConfig(dir, {
      dataDir: 'data',
      publicName: 'localhost',
      listen: { host: '127.0.0.1', httpsPort },
      sip: { wssPort, tlsPort },
      media: { portMin: mediaMin, portMax: mediaMin + 99 },
      consoleDir: 'console',
      demo: true,
      drainSeconds: 5,
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

    // A session over the API, as the console opens it.
    const origin = base;
    const signIn = await get(`${base}/api/session`, {
      ca,
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'leo@teamline.demo', password: 'teamline-demo' }),
    });
    expect(JSON.parse(signIn.body)).toMatchObject({ ok: true });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^__Host-teamline_session=/);
    expect(s.lines.some((l) => l.event === 'signin' && typeof l.userId === 'number')).toBe(true);
    const api = new WebSocket(`wss://127.0.0.1:${httpsPort}/api`, { ca, headers: { cookie, origin } });
    await new Promise((r, j) => (api.once('open', r), api.once('error', j)));
    const replies = new Map<number, (v: { ok: boolean; value?: unknown }) => void>();
    api.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id?: number; result?: { ok: boolean; value?: unknown } };
      if (typeof m.id === 'number') replies.get(m.id)?.(m.result!);
    });
    let next = 1;
    const invoke = (method: string, input: unknown = {}) =>
      new Promise<{ ok: boolean; value?: unknown }>((r) => {
        const id = next++;
        replies.set(id, r);
        api.send(JSON.stringify({ id, method, input }));
      });
    const creds = await invoke('sip.credentials');
    expect(creds.ok).toBe(true);
    const c = creds.value as { username: string; authorizationUsername: string; password: string; domain: string };

    // The softphone's path: SIP over secure WebSocket to Kamailio's TLS listener, certificate checked with the CA.
    const sip = await WsPhone.connect(`wss://127.0.0.1:${wssPort}`, c.username, c.domain, { ca });
    expect(await sip.register(c)).toEqual({ code: 200, reason: 'OK' });
    sip.close();

    // SIGTERM with the API session open: it drains, closes the socket, closes the database and exits 0.
    const apiClosed = new Promise<number>((r) => api.once('close', (code) => r(code)));
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await apiClosed;
    const events = s.lines.map((l) => l.event);
    expect(events.indexOf('shutdown')).toBeGreaterThan(events.indexOf('phone.listen'));
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
