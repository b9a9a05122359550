import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, signIn, startHost, type Host } from '../helpers/host';

let host: Host;
let url: string;

beforeAll(async () => {
  host = await startHost();
  url = host.server.url;
});
afterAll(() => host.close());

describe('browser host', () => {
  it('binds to loopback', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the renderer with a strict CSP, and no session before sign-in', async () => {
    const res = await fetch(url + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await fetch(url + '/app.js')).headers.get('content-type')).toContain('javascript');
    expect((await fetch(url + '/calls/123')).status).toBe(200);
  });

  it('never serves files outside the renderer', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/etc/passwd',
    ]) {
      const res = await fetch(url + path);
      expect(await res.text(), path).not.toContain('top secret');
    }
    expect((await fetch(url + '/', { method: 'POST' })).status).toBe(405);
  });

  it('sets an HttpOnly, SameSite=Strict session cookie at sign-in', async () => {
    const { res, reply, cookie } = await signIn(url, 'leo@teamline.demo');
    expect(reply).toMatchObject({ ok: true, value: { user: { name: 'Leo Martin' } } });
    expect(res.headers.getSetCookie().join()).toMatch(/HttpOnly; SameSite=Strict; Path=\//);
    expect(cookie).toMatch(/^teamline_session=[A-Za-z0-9_-]{43}$/);
    const wrong = await signIn(url, 'leo@teamline.demo', 'not-the-password');
    expect(wrong.reply).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(wrong.cookie).toBeNull();
  });

  it('refuses a sign-in from another origin, or not sent as JSON', async () => {
    const other = await signIn(url, 'leo@teamline.demo', 'teamline-demo', { origin: 'http://evil.example' });
    expect(other.res.status).toBe(403);
    expect(other.cookie).toBeNull();
    const form = await fetch(url + '/api/session', {
      method: 'POST',
      headers: { origin: url, 'content-type': 'text/plain' },
      body: JSON.stringify({ login: 'leo@teamline.demo', password: 'teamline-demo' }),
    });
    expect(form.status).toBe(415);
  });

  it('refuses a WebSocket from another origin or path', async () => {
    await expect(open(url, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(open(url, {})).rejects.toThrow(/403/);
  });

  it('answers the API over the socket, bound to the session cookie', async () => {
    const anonymous = await open(url, { origin: url });
    expect(await anonymous.send('calls.list', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    // Signing in goes over HTTP, where the id can be replaced.
    expect(
      await anonymous.send('auth.signIn', { login: 'leo@teamline.demo', password: 'teamline-demo' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
    const { cookie } = await signIn(url, 'leo@teamline.demo');
    const a = await open(url, { origin: url, cookie: cookie! });
    const list = await a.send('calls.list', { limit: 5 });
    expect(list.ok).toBe(true);
    expect(list.value.items).toHaveLength(5);
    // A second tab with the same cookie shares the session.
    const b = await open(url, { origin: url, cookie: cookie! });
    expect((await b.send('auth.me', {})).ok).toBe(true);
    // Another browser does not.
    const c = await open(url, { origin: url });
    expect((await c.send('auth.me', {})).ok).toBe(false);
    for (const s of [anonymous, a, b, c]) s.ws.close();
  });

  it('answers malformed messages with a clear error', async () => {
    const a = await open(url, { origin: url });
    const reply = await new Promise<unknown>((resolve) => {
      a.ws.once('message', (d) => resolve(JSON.parse(String(d))));
      a.ws.send('{not json');
    });
    expect(reply).toMatchObject({ id: null, result: { ok: false, error: { code: 'invalid' } } });
    a.ws.close();
  });

  it('pushes events to the signed-in user', async () => {
    const jasmine = await open(url, { origin: url, cookie: (await signIn(url, '103')).cookie! });
    const admin = await open(url, { origin: url, cookie: (await signIn(url, '107')).cookie! });
    const users = await admin.send('users.list', {});
    const id = users.value.find((u: { extension: string }) => u.extension === '103').id;
    expect((await admin.send('users.setCallAccess', { userId: id, callAccess: 'callflow' })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(jasmine.events).toContain('access.changed');
    jasmine.ws.close();
    admin.ws.close();
  });
});
