import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/main/sip/ports';
import { DOMAIN, eventually, useStack, type ApiClient, type Stack } from './harness';
import { killAllSipp, received } from './sipp';

/**
 * A business number's trunk steers its calls and texts: with the number as
 * caller ID they go to the trunk the number is on (the carrier that gave
 * it) before the preferred one, and on a 5xx to the fallback trunk. A
 * number on no trunk takes the preferred trunk; an emergency call always
 * does. Three sipp carriers, each an allow-listed trunk on its own port.
 */

let admin: ApiClient;
const s = useStack({
  smsTiming: { pollMs: 50, backoffMs: 300, maxBackoffMs: 800 },
  ready: async (started) => {
    admin = await started.as('morgan');
  },
});

const LA = '+12136472453';
const NY = '+13322139228';
const CUSTOMER = '+13105550123';
const ports: Record<'a' | 'b' | 'c', number> = { a: 0, b: 0, c: 0 };

function dial(key: string, to: string, cid = '') {
  const c = s.credentials(key);
  return s.run({
    scenario: 'dial.xml',
    keys: { ext: s.extension(key), domain: DOMAIN, to, cid },
    auth: { username: c.authorizationUsername, password: c.password },
  });
}

/** Starts a sipp carrier per trunk; `scenario` per trunk, the others answer and must stay silent where asserted. */
async function carriers(scenarios: Partial<Record<'a' | 'b' | 'c', string>>) {
  const out: Record<string, Awaited<ReturnType<Stack['sipp']>>> = {};
  for (const k of ['a', 'b', 'c'] as const)
    out[k] = await s.sipp({ scenario: scenarios[k] ?? 'phone-answer.xml', uas: true, localPort: ports[k] });
  return out as Record<'a' | 'b' | 'c', Awaited<ReturnType<Stack['sipp']>>>;
}

const invites = (run: { messages(): string }) => received(run.messages(), 'INVITE');

describe('a number’s trunk', () => {
  it('takes the calls from its number first, before the preferred trunk', async () => {
    for (const k of ['a', 'b', 'c'] as const) ports[k] = await freePort('127.0.0.1', true);
    const trunk = async (name: string, port: number, role: 'preferred' | 'fallback' | 'standby') =>
      (
        await admin.ok('carrier.saveTrunk', {
          name,
          host: '127.0.0.1',
          port,
          transport: 'udp',
          registration: null,
          allowCidrs: ['192.0.2.0/24'],
          callerIdMode: 'pai',
          callerIdPlus: true,
          role,
        })
      ).id;
    await trunk('Preferred carrier', ports.a, 'preferred');
    const b = await trunk('New York carrier', ports.b, 'standby');
    await trunk('Fallback carrier', ports.c, 'fallback');
    const moved = await admin.ok('numbers.setTrunk', { bnId: s.ids.numbers.mainNY, trunkId: b });
    expect(moved.trunkId).toBe(b);
    await new Promise((r) => setTimeout(r, 300));

    const c = await carriers({});
    const call = await dial('john', CUSTOMER, NY);
    expect(call.code, call.messages).toBe(0);
    expect(invites(c.b)).toHaveLength(1);
    expect(invites(c.b)[0]).toMatch(new RegExp(`^INVITE sip:\\${CUSTOMER}@127\\.0\\.0\\.1:${ports.b} `));
    expect(invites(c.b)[0]).toMatch(new RegExp(`^P-Asserted-Identity: <sip:\\${NY}@127\\.0\\.0\\.1>`, 'm'));
    await new Promise((r) => setTimeout(r, 200));
    expect(invites(c.a)).toHaveLength(0);
    expect(invites(c.c)).toHaveLength(0);
    killAllSipp();
  });

  it('moves such a call to the fallback trunk when the number’s trunk answers 503', async () => {
    const c = await carriers({ b: 'carrier-503.xml' });
    const call = await dial('john', CUSTOMER, NY);
    expect(call.code, call.messages).toBe(0);
    expect(invites(c.b)).toHaveLength(1);
    expect(invites(c.c)).toHaveLength(1);
    expect(invites(c.a)).toHaveLength(0);
    killAllSipp();
  });

  it('moves such a call to the fallback trunk when the number’s trunk does not answer at all', async () => {
    // Nothing listens on trunk B's port: the INVITE gets no answer, not even 100 Trying.
    const a = await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: ports.a });
    const c = await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: ports.c });
    const started = Date.now();
    const call = await dial('john', CUSTOMER, NY);
    expect(call.code, call.messages).toBe(0);
    expect(invites(c)).toHaveLength(1);
    expect(invites(a)).toHaveLength(0);
    // After the 4 s the proxy gives a silent carrier, not its 10 s for any request.
    expect(Date.now() - started).toBeGreaterThan(3500);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(s.log()).toMatch(/trunk \d+ failed \(408\): trying trunk/);
    killAllSipp();
  }, 30_000);

  it('leaves calls from a number on no trunk to the preferred trunk', async () => {
    const c = await carriers({});
    const call = await dial('john', CUSTOMER, LA);
    expect(call.code, call.messages).toBe(0);
    expect(invites(c.a)).toHaveLength(1);
    expect(invites(c.a)[0]).toMatch(new RegExp(`^P-Asserted-Identity: <sip:\\${LA}@127\\.0\\.0\\.1>`, 'm'));
    await new Promise((r) => setTimeout(r, 200));
    expect(invites(c.b)).toHaveLength(0);
    killAllSipp();
  });

  it('sends an emergency call to the preferred trunk even with that number as caller ID', async () => {
    s.db.prepare('UPDATE users SET default_bn_id = ? WHERE id = ?').run(s.ids.numbers.mainNY, s.ids.users.john);
    await admin.ok('carrier.saveSettings', { country: 'US', mainBnId: s.ids.numbers.mainNY });
    const c = await carriers({});
    const call = await dial('john', '911', NY);
    expect(call.code, call.messages).toBe(0);
    expect(invites(c.a)).toHaveLength(1);
    expect(invites(c.a)[0]).toMatch(new RegExp(`^INVITE sip:911@127\\.0\\.0\\.1:${ports.a} `));
    expect(invites(c.a)[0]).toMatch(new RegExp(`^P-Asserted-Identity: <sip:\\${NY}@127\\.0\\.0\\.1>`, 'm'));
    await new Promise((r) => setTimeout(r, 200));
    expect(invites(c.b)).toHaveLength(0);
    killAllSipp();
  });

  it('takes 999 and 112 as emergency numbers where the account’s country uses them', async () => {
    await admin.ok('carrier.saveSettings', { country: 'GB', mainBnId: s.ids.numbers.mainNY });
    expect((await admin.ok('carrier.get', {})).settings.emergencyNumbers).toEqual(['911', '999', '112']);
    const c = {
      a: await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: ports.a, calls: 2 }),
      b: await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: ports.b }),
    };
    for (const n of ['999', '112']) {
      const call = await dial('john', n, NY);
      expect(call.code, call.messages).toBe(0);
    }
    expect(invites(c.a).map((m) => m.split('\n')[0]!.trim())).toEqual([
      `INVITE sip:999@127.0.0.1:${ports.a} SIP/2.0`,
      `INVITE sip:112@127.0.0.1:${ports.a} SIP/2.0`,
    ]);
    expect(invites(c.b)).toHaveLength(0);
    const notices = s.db
      .prepare(`SELECT summary FROM audit_events WHERE action = 'call.emergency' ORDER BY id DESC LIMIT 2`)
      .pluck()
      .all() as string[];
    expect(notices).toHaveLength(2);
    killAllSipp();
    // Elsewhere in Europe 112, and in North America 911 only.
    await admin.ok('carrier.saveSettings', { country: 'DE', mainBnId: s.ids.numbers.mainNY });
    expect((await admin.ok('carrier.get', {})).settings.emergencyNumbers).toEqual(['911', '112']);
    await admin.ok('carrier.saveSettings', { country: 'US', mainBnId: s.ids.numbers.mainNY });
    expect((await admin.ok('carrier.get', {})).settings.emergencyNumbers).toEqual(['911']);
  });

  it('carries a text from that number over its trunk', async () => {
    const b = await s.sipp({ scenario: 'carrier-sms-accept.xml', uas: true, localPort: ports.b });
    const a = await s.sipp({ scenario: 'carrier-sms-accept.xml', uas: true, localPort: ports.a });
    const m = await admin.ok('messages.send', { bnId: s.ids.numbers.mainNY, to: CUSTOMER, body: 'From New York' });
    await eventually(() => s.db.prepare('SELECT status FROM messages WHERE id = ?').pluck().get(m.id) === 'sent', 8000);
    const [msg] = received(b.messages(), 'MESSAGE');
    expect(msg).toMatch(new RegExp(`^MESSAGE sip:\\${CUSTOMER}@127\\.0\\.0\\.1:${ports.b} SIP/2\\.0`));
    expect(received(a.messages(), 'MESSAGE')).toHaveLength(0);

    // From a number on no trunk: the preferred trunk.
    const la = await admin.ok('messages.send', { bnId: s.ids.numbers.mainLA, to: CUSTOMER, body: 'From LA' });
    await eventually(
      () => s.db.prepare('SELECT status FROM messages WHERE id = ?').pluck().get(la.id) === 'sent',
      8000,
    );
    expect(received(a.messages(), 'MESSAGE')).toHaveLength(1);
    killAllSipp();
  });
});
