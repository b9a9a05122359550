import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, signIn, startHost, type Host } from '../helpers/host';

let host: Host;
let url: string;

beforeAll(async () => {
  host = await startHost();
  url = host.server.url;
});
afterAll(() => host.close());

/** A ticket from exports.prepare over the session's own socket. */
async function ticket(cookie: string, kind: 'calls' | 'audit' | 'messages', filter: object = {}) {
  const s = await open(url, { origin: url, cookie });
  const r = await s.send('exports.prepare', { kind, filter });
  s.ws.close();
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value as { token: string; filename: string };
}

describe('browser host: CSV downloads', () => {
  it('streams the export for the session that asked for it, once', async () => {
    const { cookie } = await signIn(url, 'leo@teamline.demo');
    const { token, filename } = await ticket(cookie!, 'calls', { direction: 'inbound' });
    const res = await fetch(`${url}/export/${token}`, {
      headers: { cookie: cookie!, 'sec-fetch-site': 'same-origin' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${filename}"`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const lines = (await res.text()).split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/Started \(UTC\)/);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines.slice(1)) expect(l).toMatch(/inbound/);
    // Used once.
    expect((await fetch(`${url}/export/${token}`, { headers: { cookie: cookie! } })).status).toBe(404);
  });

  it('refuses a ticket without its session, from another session, or started by another site', async () => {
    const leo = (await signIn(url, 'leo@teamline.demo')).cookie!;
    const other = (await signIn(url, 'morgan@teamline.demo')).cookie!;
    const a = await ticket(leo, 'calls');
    expect((await fetch(`${url}/export/${a.token}`)).status).toBe(404);
    const b = await ticket(leo, 'calls');
    expect((await fetch(`${url}/export/${b.token}`, { headers: { cookie: other } })).status).toBe(404);
    const c = await ticket(leo, 'calls');
    expect(
      (await fetch(`${url}/export/${c.token}`, { headers: { cookie: leo, 'sec-fetch-site': 'cross-site' } })).status,
    ).toBe(403);
    expect((await fetch(`${url}/export/${'x'.repeat(43)}`, { headers: { cookie: leo } })).status).toBe(404);
    expect((await fetch(`${url}/export/${c.token}`, { method: 'POST', headers: { cookie: leo } })).status).toBe(405);
  });

  it('exports the audit log and messages to those who may read them', async () => {
    const morgan = (await signIn(url, 'morgan@teamline.demo')).cookie!;
    for (const kind of ['audit', 'messages'] as const) {
      const { token } = await ticket(morgan, kind);
      const res = await fetch(`${url}/export/${token}`, { headers: { cookie: morgan } });
      expect(res.status, kind).toBe(200);
      expect((await res.text()).split('\r\n').filter(Boolean).length, kind).toBeGreaterThan(1);
    }
  });
});
