import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { SignInThrottle, THROTTLE } from '../../src/main/core/api/signInGuard';
import { seedDemo } from '../../src/main/core/demo/seed';
import { setPasswordCost } from '../../src/main/core/domain/password';
import { openDatabase } from '../../src/main/core/store/db';
import { startServer } from '../../src/main/server/server';
import { startDecisionService } from '../../src/main/sip/decisions';
import { NOW } from '../helpers/core';
import { open, signIn, startHost, type Host } from '../helpers/host';

const hosts: Host[] = [];
async function host(options: Parameters<typeof startHost>[0] = {}) {
  const h = await startHost(options);
  hosts.push(h);
  return h;
}
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

const fakeId = () => randomBytes(32).toString('base64url');
const ms = async (work: () => Promise<unknown>) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};

describe('session ids', () => {
  it('issues a new id at sign-in: a planted cookie never becomes signed in', async () => {
    const { server } = await host();
    const planted = `teamline_session=${fakeId()}`;
    const { reply, cookie } = await signIn(server.url, 'morgan@teamline.demo', 'teamline-demo', { cookie: planted });
    expect(reply.ok).toBe(true);
    expect(cookie).toMatch(/^teamline_session=/);
    expect(cookie).not.toBe(planted);
    const attacker = await open(server.url, { origin: server.url, cookie: planted });
    expect(await attacker.send('auth.me', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    attacker.ws.close();
    // Signing in again from a signed-in browser replaces its id too; the old one's sockets are told.
    const first = await open(server.url, { origin: server.url, cookie: cookie! });
    const again = await signIn(server.url, 'morgan@teamline.demo', 'teamline-demo', { cookie: cookie! });
    expect(again.cookie).not.toBe(cookie);
    expect(await first.closed).toBe(4002);
  });

  it('signs out by dropping the id and closing its sockets', async () => {
    const { server, core } = await host();
    const { cookie } = await signIn(server.url, 'john@teamline.demo');
    const tab = await open(server.url, { origin: server.url, cookie: cookie! });
    const out = await fetch(server.url + '/api/session', {
      method: 'DELETE',
      headers: { origin: server.url, cookie: cookie! },
    });
    expect(await out.json()).toEqual({ ok: true, value: null });
    expect(out.headers.getSetCookie().join()).toMatch(/teamline_session=; Max-Age=0/);
    expect(await tab.closed).toBe(4001);
    expect(server.sessionCount()).toBe(0);
    const reused = await open(server.url, { origin: server.url, cookie: cookie! });
    expect(await reused.send('auth.me', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    reused.ws.close();
    const actions = core.db
      .prepare(`SELECT action FROM audit_events WHERE action LIKE 'auth.%' ORDER BY id`)
      .pluck()
      .all();
    expect(actions).toEqual(['auth.signIn', 'auth.signOut']);
  });

  it('refuses a request with two session cookies', async () => {
    const { server } = await host();
    const { cookie } = await signIn(server.url, 'john@teamline.demo');
    const two = `${cookie!}; teamline_session=${fakeId()}`;
    await expect(open(server.url, { origin: server.url, cookie: two })).rejects.toThrow(/400/);
    const r = await signIn(server.url, 'john@teamline.demo', 'teamline-demo', { cookie: two });
    expect(r.res.status).toBe(400);
    expect(r.cookie).toBeNull();
    // A page load clears them, at both paths a planted cookie could use.
    const page = await fetch(server.url + '/', { headers: { cookie: two } });
    expect(page.headers.getSetCookie().join('\n')).toMatch(
      /Max-Age=0; HttpOnly; SameSite=Strict; Path=\/\n.*Path=\/api/,
    );
  });

  it('keeps no state for visitors who are not signed in', async () => {
    const { server } = await host();
    for (let i = 0; i < 300; i++) {
      const res = await fetch(server.url + '/');
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    const sockets = await Promise.all(Array.from({ length: 10 }, () => open(server.url, { origin: server.url })));
    expect(server.sessionCount()).toBe(0);
    for (const s of sockets) s.ws.close();
  });

  it('caps the sockets of one session and those not signed in', async () => {
    const { server } = await host({ limits: { socketsPerSession: 4, anonymousSocketsPerAddress: 3 } });
    const { cookie } = await signIn(server.url, 'john@teamline.demo');
    const tabs = await Promise.all(
      Array.from({ length: 4 }, () => open(server.url, { origin: server.url, cookie: cookie! })),
    );
    await expect(open(server.url, { origin: server.url, cookie: cookie! })).rejects.toThrow(/429/);
    const visitors = await Promise.all(Array.from({ length: 3 }, () => open(server.url, { origin: server.url })));
    await expect(open(server.url, { origin: server.url })).rejects.toThrow(/503/);
    for (const s of [...tabs, ...visitors]) s.ws.close();
    await Promise.all([...tabs, ...visitors].map((s) => s.closed));
    expect((await open(server.url, { origin: server.url, cookie: cookie! })).ws.readyState).toBe(1);
  });

  it('ends a session after 12 hours idle, and 7 days after sign-in however busy', async () => {
    let now = NOW;
    const { server } = await host({ now: () => now });
    const idle = (await signIn(server.url, 'john@teamline.demo')).cookie!;
    const busy = (await signIn(server.url, 'leo@teamline.demo')).cookie!;
    const busyTab = await open(server.url, { origin: server.url, cookie: busy });
    for (let hour = 0; hour < 7 * 24 - 1; hour += 6) {
      now += 6 * 60 * 60_000;
      expect((await busyTab.send('auth.me', {})).ok, `hour ${hour}`).toBe(true);
    }
    expect((await open(server.url, { origin: server.url, cookie: idle }).then((s) => s.send('auth.me', {}))).ok).toBe(
      false,
    );
    now += 6 * 60 * 60_000;
    void busyTab.send('auth.me', {});
    expect(await busyTab.closed).toBe(4001);
    expect(server.sessionCount()).toBe(0);
  });

  it('a password change ends the user’s other sessions and closes their sockets; this one goes on', async () => {
    const { server } = await host();
    const laptop = await open(server.url, {
      origin: server.url,
      cookie: (await signIn(server.url, 'john@teamline.demo')).cookie!,
    });
    const phoneCookie = (await signIn(server.url, '100')).cookie!;
    const phone = await open(server.url, { origin: server.url, cookie: phoneCookie });
    const other = await open(server.url, {
      origin: server.url,
      cookie: (await signIn(server.url, 'leo@teamline.demo')).cookie!,
    });
    expect((await laptop.send('auth.changePassword', { current: 'teamline-demo', next: 'a-new-passphrase' })).ok).toBe(
      true,
    );
    expect(await phone.closed).toBe(4001);
    expect(
      (await open(server.url, { origin: server.url, cookie: phoneCookie }).then((s) => s.send('auth.me', {}))).ok,
    ).toBe(false);
    expect((await laptop.send('auth.me', {})).ok).toBe(true);
    expect((await other.send('auth.me', {})).ok).toBe(true);
    // The owner reads it in the audit log, with the sign-ins before it; no password or hash is in it.
    const owner = await open(server.url, {
      origin: server.url,
      cookie: (await signIn(server.url, 'morgan@teamline.demo')).cookie!,
    });
    const all = (await owner.send('audit.list', { limit: 50 })).value.items as {
      action: string;
      summary: string;
      before: unknown;
      after: unknown;
    }[];
    const log = all.filter((e) => e.action.startsWith('auth.'));
    expect(log.map((e) => e.action)).toEqual([
      'auth.signIn',
      'auth.passwordChanged',
      'auth.signIn',
      'auth.signIn',
      'auth.signIn',
    ]);
    expect(log[1]!.summary).toMatch(/John .* changed their password/);
    expect(JSON.stringify(log)).not.toMatch(/scrypt|a-new-passphrase|teamline-demo/);
  });

  it('deactivating a user ends their sessions for good, even once reactivated', async () => {
    const { server } = await host();
    const johnCookie = (await signIn(server.url, 'john@teamline.demo')).cookie!;
    const john = await open(server.url, { origin: server.url, cookie: johnCookie });
    const admin = await open(server.url, {
      origin: server.url,
      cookie: (await signIn(server.url, 'morgan@teamline.demo')).cookie!,
    });
    const id = (await admin.send('users.list', {})).value.find((u: { extension: string }) => u.extension === '100').id;
    expect((await admin.send('users.deactivate', { userId: id })).ok).toBe(true);
    expect(await john.closed).toBe(4001);
    expect((await admin.send('users.reactivate', { userId: id })).ok).toBe(true);
    expect(
      (await open(server.url, { origin: server.url, cookie: johnCookie }).then((s) => s.send('auth.me', {}))).ok,
    ).toBe(false);
  });

  it('after a restart, a browser with a cookie the host does not know connects, is told to sign in, and gets a new cookie', async () => {
    const first = await host();
    const { cookie } = await signIn(first.server.url, 'john@teamline.demo');
    await first.close();
    hosts.splice(hosts.indexOf(first), 1);
    const second = await host();
    const url = second.server.url;
    const stale = (cookie ?? '').replace(/=.*/, `=${cookie!.split('=')[1]}`);
    const tab = await open(url, { origin: url, cookie: stale });
    expect(await tab.send('auth.me', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const page = await fetch(url + '/', { headers: { cookie: stale } });
    expect(page.headers.getSetCookie().join()).toMatch(/teamline_session=; Max-Age=0/);
    const fresh = await signIn(url, 'john@teamline.demo', 'teamline-demo', { cookie: stale });
    expect(fresh.cookie).not.toBe(stale);
    expect((await open(url, { origin: url, cookie: fresh.cookie! }).then((s) => s.send('auth.me', {}))).ok).toBe(true);
  });
});

describe('host names and transport', () => {
  it('checks the Host header on every request and upgrade (DNS rebinding)', async () => {
    const { server } = await host();
    const port = new URL(server.url).port;
    // fetch() always sends the URL's own Host; a rebound name arrives as plain HTTP with another Host.
    const status = (method: string, path: string, hostHeader: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          server.url + path,
          { method, headers: { host: hostHeader, origin: server.url, 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(
          method === 'POST' ? JSON.stringify({ login: 'john@teamline.demo', password: 'teamline-demo' }) : undefined,
        );
      });
    expect(await status('GET', '/', `rebind.example:${port}`)).toBe(421);
    expect(await status('GET', '/', 'rebind.example')).toBe(421);
    expect(await status('POST', '/api/session', `rebind.example:${port}`)).toBe(421);
    await expect(open(server.url, { origin: server.url, host: `rebind.example:${port}` })).rejects.toThrow(/421/);
    expect(await status('GET', '/', `localhost:${port}`)).toBe(200);
  });

  it('accepts only exact origins', async () => {
    const { server } = await host();
    const port = new URL(server.url).port;
    for (const origin of [
      `http://0.0.0.0:${port}`,
      `http://127.0.0.1:${Number(port) + 1}`,
      `https://127.0.0.1:${port}`,
      'null',
      `http://127.0.0.1:${port}.evil.example`,
    ]) {
      await expect(open(server.url, { origin }), origin).rejects.toThrow(/403/);
    }
    expect((await open(server.url, { origin: `http://localhost:${port}` })).ws.readyState).toBe(1);
  });

  it('refuses plain HTTP off loopback unless told, and then warns', async () => {
    const db = openDatabase(':memory:');
    const core = createCoreWithDb(db, {});
    await expect(startServer({ core, staticDir: tmpdir(), host: '0.0.0.0' })).rejects.toThrow(/plain HTTP/);
    const warnings: string[] = [];
    const s = await startServer({
      core,
      staticDir: tmpdir(),
      host: '0.0.0.0',
      insecureHttp: true,
      warn: (m) => warnings.push(m),
    });
    expect(warnings.join()).toMatch(/WARNING/);
    const port = new URL(s.url).port;
    await expect(open(s.url, { origin: `http://0.0.0.0:${port}` })).rejects.toThrow(/403/);
    await s.close();
    core.close();
  });

  it('over https, the cookie is __Host- and Secure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'teamline-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const { server } = await host({ tls: { cert, key: readFileSync(join(dir, 'key.pem')) } });
    rmSync(dir, { recursive: true, force: true });
    expect(server.url).toMatch(/^https:/);
    expect(server.cookieName).toBe('__Host-teamline_session');
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const req = request(
        server.url + '/api/session',
        { method: 'POST', ca: cert, headers: { origin: server.url, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.headers);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ login: 'john@teamline.demo', password: 'teamline-demo' }));
    });
    const line = (headers['set-cookie'] ?? []) as string[];
    expect(line.join()).toMatch(
      /^__Host-teamline_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Secure/,
    );
    expect(headers['strict-transport-security']).toBeTruthy();
  });
});

describe('sign-in throttling', () => {
  function core() {
    let now = NOW;
    const db = openDatabase(':memory:');
    seedDemo(db, NOW, { days: 0 });
    const c = createCoreWithDb(db, { now: () => now });
    const from = (address: string) => {
      const conn = c.connect(() => {}, undefined, { address });
      return (login: string, password: string) => conn.invoke('auth.signIn', { login, password });
    };
    return { c, db, from, advance: (ms: number) => (now += ms), close: () => c.close() };
  }

  it('counts email and extension together, and a new connection does not start over', async () => {
    const t = core();
    for (let i = 0; i < 5; i++) {
      const r = await t.from('10.0.0.9')(i % 2 ? '100' : 'JOHN@teamline.demo', 'wrong-password');
      // The fifth wrong password already answers that the next ones must wait.
      expect(r).toMatchObject({ ok: false, error: { code: i < 4 ? 'unauthenticated' : 'forbidden' } });
    }
    expect(await t.from('10.0.0.9')('100', 'teamline-demo')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    t.close();
  });

  it('an attacker cannot lock the owner out: the right password from another address works, and waits end', async () => {
    const t = core();
    const attacker = t.from('203.0.113.7');
    for (let i = 0; i < 40; i++) await attacker('morgan@teamline.demo', `guess-${i}`);
    expect(await attacker('morgan@teamline.demo', 'teamline-demo')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await t.from('198.51.100.2')('morgan@teamline.demo', 'teamline-demo')).ok).toBe(true);
    t.advance(THROTTLE.maxWaitMs + 1);
    expect((await attacker('morgan@teamline.demo', 'teamline-demo')).ok).toBe(true);
    t.close();
  });

  it('many addresses guessing one user get one guess each once the user is under attack', async () => {
    const t = core();
    for (let i = 0; i < THROTTLE.userFree; i++) await t.from(`192.0.2.${i}`)('leo@teamline.demo', `guess-${i}`);
    // An address that already failed for Leo now waits, even with one failure of its own.
    expect(await t.from('192.0.2.1')('leo@teamline.demo', 'teamline-demo')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await t.from('192.0.2.200')('leo@teamline.demo', 'teamline-demo')).ok).toBe(true);
    t.close();
  });

  it('one address spraying many logins waits too', async () => {
    const t = core();
    const spray = t.from('203.0.113.50');
    for (let i = 0; i < THROTTLE.addressFree; i++) await spray(`nobody-${i}@example.com`, 'Summer2026!');
    expect(await spray('dana@teamline.demo', 'teamline-demo')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    t.close();
  });

  it('the counters are bounded', () => {
    const throttle = new SignInThrottle(100);
    for (let i = 0; i < 5000; i++) throttle.failed(`10.${i >> 8}.${i & 255}.1`, `login:user${i}`, NOW + i);
    expect(throttle.size).toBeLessThanOrEqual(100);
  });

  it('failed sign-ins are audited with the login and address, never the password, at most two rows a minute per user', async () => {
    const t = core();
    for (let i = 0; i < 4; i++)
      await t.from(`198.51.100.${i}`)(i % 2 ? '102' : 'jessica@teamline.demo', `secret-guess-${i}`);
    // A minute later, the next failure first writes what the last minute held back.
    t.advance(61_000);
    await t.from('198.51.100.9')('jessica@teamline.demo', 'secret-guess-again');
    const rows = t.db
      .prepare(
        `SELECT summary, after_json AS after, actor_user_id AS actor FROM audit_events WHERE action = 'auth.signInFailed' ORDER BY id`,
      )
      .all() as {
      summary: string;
      after: string;
      actor: number | null;
    }[];
    expect(rows).toHaveLength(3);
    expect(JSON.parse(rows[0]!.after)).toEqual({
      login: 'jessica@teamline.demo',
      address: '198.51.100.0',
      attempts: 1,
    });
    expect(JSON.parse(rows[1]!.after)).toMatchObject({ attempts: 3, logins: ['102', 'jessica@teamline.demo'] });
    expect(JSON.parse(rows[2]!.after)).toEqual({
      login: 'jessica@teamline.demo',
      address: '198.51.100.9',
      attempts: 1,
    });
    expect(rows.map((r) => r.after).join()).not.toContain('secret-guess');
    expect(rows[0]!.actor).toBeNull();
    t.close();
  });
});

describe('auth.demoUsers', () => {
  it('offers a demo password only while it still is that user’s password', async () => {
    const { server } = await host();
    const tab = await open(server.url, { origin: server.url });
    expect((await tab.send('auth.demoUsers', {})).value.map((u: { extension: string }) => u.extension)).toContain(
      '100',
    );
    const john = await open(server.url, { origin: server.url, cookie: (await signIn(server.url, '100')).cookie! });
    expect(
      (await john.send('auth.changePassword', { current: 'teamline-demo', next: 'johns-own-passphrase' })).ok,
    ).toBe(true);
    const listed = (await tab.send('auth.demoUsers', {})).value as { extension: string; password: string }[];
    expect(listed.map((u) => u.extension)).not.toContain('100');
    expect(listed.map((u) => u.extension)).toContain('101');
  });
});

/**
 * Run by a second Node process: 200 wrong sign-ins from 40 browsers (each its
 * own cookie and its own loopback address, so that throttling alone does not
 * absorb them) at once; prints a line when it starts, and the answers' codes
 * when done.
 */
const FLOOD = `
const http = require('node:http');
const url = new URL(process.argv[1]);
const users = ['john', 'jessica', 'leo', 'dana', 'morgan', 'karey', 'peter', 'jasmine'];
const cookies = Array.from({ length: 40 }, () => 'teamline_session=' + require('node:crypto').randomBytes(32).toString('base64url'));
const agent = new http.Agent({ maxSockets: 1000 });
const post = (i) => new Promise((resolve) => {
  const body = JSON.stringify({ login: i % 3 ? users[i % users.length] + '@teamline.demo' : String(100 + (i % 10)), password: 'flood-' + i });
  const req = http.request({ host: url.hostname, port: url.port, path: '/api/session', method: 'POST', agent, localAddress: '127.0.1.' + (1 + (i % 40)),
    headers: { host: url.host, origin: url.origin, 'content-type': 'application/json', cookie: cookies[i % 40] } }, (res) => {
    let text = '';
    res.on('data', (d) => (text += d));
    res.on('end', () => { try { const r = JSON.parse(text); resolve(r.ok ? 'ok' : r.error.code); } catch { resolve('failed'); } });
  });
  req.on('error', () => resolve('failed'));
  req.end(body);
});
console.log('started');
Promise.all(Array.from({ length: 200 }, (_, i) => post(i))).then((codes) => {
  const count = {};
  for (const c of codes) count[c] = (count[c] || 0) + 1;
  console.log(JSON.stringify(count));
});
`;

describe('a sign-in flood', () => {
  beforeAll(() => setPasswordCost({ N: 16384, r: 8, p: 1 }));
  afterAll(() => setPasswordCost({ N: 1024, r: 8, p: 1 }));

  it('leaves a page load, an API call and a SIP decision unhindered by the hashing', async () => {
    const { server, core } = await host();
    const url = server.url;
    const watcher = await open(url, { origin: url, cookie: (await signIn(url, 'morgan@teamline.demo')).cookie! });
    const accountId = core.db.prepare('SELECT id FROM accounts LIMIT 1').pluck().get() as number;
    const sip = await startDecisionService({
      db: core.db,
      accountId,
      domain: 'teamline.test',
      secret: randomBytes(32),
      recordCall: () => {},
    });
    const register = () =>
      fetch(sip.url + '/sip/ha1', {
        method: 'POST',
        headers: { 'x-teamline-token': sip.token, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'au=100&aor=100',
      }).then((r) => r.text());
    expect(await register()).toMatch(/\|/);

    const probe = async (timings: Record<string, number[]>) => {
      timings.page!.push(await ms(() => fetch(url + '/').then((r) => r.text())));
      timings.api!.push(await ms(() => watcher.send('calls.list', { limit: 5 })));
      timings.sip!.push(await ms(register));
      await new Promise((r) => setTimeout(r, 10));
    };
    // The same probes without a flood: what this machine gives right now.
    const quiet: Record<string, number[]> = { page: [], api: [], sip: [] };
    for (let round = 0; round < 20; round++) await probe(quiet);

    // The flood comes from another process, as an attacker's would: 200 sign-ins from 40 cookies, all at once.
    const attacker = spawn(process.execPath, ['-e', FLOOD, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let done = false;
    const flood = new Promise<string>((resolve) => {
      let out = '';
      attacker.stdout.on('data', (d: Buffer) => (out += String(d)));
      attacker.on('exit', () => ((done = true), resolve(out)));
    });
    await new Promise<void>((resolve) => attacker.stdout.once('data', () => resolve()));
    const flooded: Record<string, number[]> = { page: [], api: [], sip: [] };
    // Bounded: at most 60 rounds, while the flood lasts.
    for (let round = 0; round < 60 && !done; round++) await probe(flooded);
    const answers = JSON.parse((await flood).split('\n').filter(Boolean).pop()!) as Record<string, number>;
    await sip.close();
    // Every attempt was answered (refused), none signed in, and most had their password checked.
    expect(Object.values(answers).reduce((a, b) => a + b, 0)).toBe(200);
    expect(answers['unauthenticated']).toBeGreaterThan(60);
    expect(answers['failed']).toBeUndefined();
    expect(answers['ok']).toBeUndefined();
    // The 50 ms target is measured by the host benchmark (test/bench/host.ts,
    // bench/HOST.md) on a machine that runs nothing else. Here, with other test
    // files on the same cores, the probes must not wait for the hashing: the
    // median stays near what the machine gives without the flood, and nine in
    // ten stay far below a quarter second. With hashing on the main thread,
    // every probe waited for a queue of sign-ins (seconds).
    const p = (list: number[], q: number) => [...list].sort((x, y) => x - y)[Math.floor((list.length - 1) * q)]!;
    for (const [name, list] of Object.entries(flooded)) {
      expect(list.length, name).toBeGreaterThan(3);
      const base = quiet[name]!;
      expect(p(list, 0.5), `${name} median`).toBeLessThan(Math.max(20, 2 * p(base, 0.5) + 10));
      expect(p(list, 0.9), `${name} p90`).toBeLessThan(Math.max(250, 2 * p(base, 0.9) + 50));
    }
  }, 60_000);
});
