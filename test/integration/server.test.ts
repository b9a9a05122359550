import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { seedDemo } from '../../src/main/core/demo/seed';
import { openDatabase } from '../../src/main/core/store/db';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { NOW } from '../helpers/core';

let server: RunningServer;
let dir: string;

beforeAll(async () => {
  const parent = mkdtempSync(join(tmpdir(), 'teamline-static-'));
  writeFileSync(join(parent, 'secret.txt'), 'top secret');
  dir = join(parent, 'renderer');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Teamline</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  const db = openDatabase(':memory:');
  seedDemo(db, NOW, { days: 2 });
  const core = createCoreWithDb(db, { now: () => NOW });
  server = await startServer({ core, staticDir: dir, port: 0 });
});
afterAll(async () => {
  await server.close();
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

async function page() {
  const res = await fetch(server.url + '/');
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { res, cookie };
}

interface Reply {
  ok: boolean;
  value?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- replies of many methods, read loosely
  error?: { code: string; message: string };
}

function open(headers: Record<string, string>): Promise<{ ws: WebSocket; send: (method: string, input: unknown) => Promise<Reply>; events: string[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/api', { headers });
    const waiting = new Map<number, (v: unknown) => void>();
    const events: string[] = [];
    let next = 1;
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id?: number; result?: unknown; event?: { name: string } };
      if (m.event) events.push(m.event.name);
      else if (m.id !== undefined) waiting.get(m.id)?.(m.result);
    });
    ws.on('open', () =>
      resolve({
        ws,
        events,
        send: (method, input) =>
          new Promise<Reply>((r) => {
            const id = next++;
            waiting.set(id, r as (v: unknown) => void);
            ws.send(JSON.stringify({ id, method, input }));
          }),
      }),
    );
    ws.on('error', reject);
  });
}

describe('browser host', () => {
  it('binds to loopback', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the renderer with a strict CSP and a session cookie', async () => {
    const { res, cookie } = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).toMatch(/^teamline_session=/);
    expect((await fetch(server.url + '/app.js')).headers.get('content-type')).toContain('javascript');
    expect((await fetch(server.url + '/calls/123')).status).toBe(200);
  });

  it('never serves files outside the renderer', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/etc/passwd']) {
      const res = await fetch(server.url + path);
      expect(await res.text(), path).not.toContain('top secret');
    }
    expect((await fetch(server.url + '/', { method: 'POST' })).status).toBe(405);
  });

  it('refuses a WebSocket without a session or from another origin', async () => {
    const { cookie } = await page();
    await expect(open({ origin: server.url })).rejects.toThrow(/403/);
    await expect(open({ origin: 'http://evil.example', cookie })).rejects.toThrow(/403/);
    await expect(open({ cookie })).rejects.toThrow(/403/);
  });

  it('answers the API over the socket, bound to the session cookie', async () => {
    const { cookie } = await page();
    const a = await open({ origin: server.url, cookie });
    expect(await a.send('calls.list', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const me = await a.send('auth.signIn', { login: 'leo@teamline.demo', password: 'teamline-demo' });
    expect(me).toMatchObject({ ok: true, value: { user: { name: 'Leo Martin' } } });
    const list = await a.send('calls.list', { limit: 5 });
    expect(list.ok).toBe(true);
    expect(list.value.items).toHaveLength(5);
    // A second tab with the same cookie shares the session.
    const b = await open({ origin: server.url, cookie });
    expect((await b.send('auth.me', {})).ok).toBe(true);
    // Another browser does not.
    const other = await page();
    const c = await open({ origin: server.url, cookie: other.cookie });
    expect((await c.send('auth.me', {})).ok).toBe(false);
    for (const s of [a, b, c]) s.ws.close();
  });

  it('answers malformed messages with a clear error', async () => {
    const { cookie } = await page();
    const a = await open({ origin: server.url, cookie });
    const reply = await new Promise<unknown>((resolve) => {
      a.ws.once('message', (d) => resolve(JSON.parse(String(d))));
      a.ws.send('{not json');
    });
    expect(reply).toMatchObject({ id: null, result: { ok: false, error: { code: 'invalid' } } });
    a.ws.close();
  });

  it('pushes events to the signed-in user', async () => {
    const { cookie } = await page();
    const jasmine = await open({ origin: server.url, cookie });
    await jasmine.send('auth.signIn', { login: '103', password: 'teamline-demo' });
    const admin = await open({ origin: server.url, cookie: (await page()).cookie });
    await admin.send('auth.signIn', { login: '107', password: 'teamline-demo' });
    const users = await admin.send('users.list', {});
    const id = users.value.find((u: { extension: string }) => u.extension === '103').id;
    expect((await admin.send('users.setCallAccess', { userId: id, callAccess: 'callflow' })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(jasmine.events).toContain('access.changed');
    jasmine.ws.close();
    admin.ws.close();
  });
});
