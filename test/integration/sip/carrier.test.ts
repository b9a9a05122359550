import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/main/sip/ports';
import { TrunkService } from '../../../src/main/sip/trunks';
import type { PushEvent } from '../../../src/shared/api/events';
import { DOMAIN, eventually, useStack, type ApiClient } from './harness';
import { received, type SippRun } from './sipp';

/**
 * The carrier with a real Kamailio and sipp as the carrier: registration
 * with digest (uac_reg), its live state, outbound calls challenged by the
 * carrier (uac_auth) and failing over, calls from the carrier recognised by
 * registration or allow-list, and emergency calls.
 */

let admin: ApiClient;
const adminEvents: PushEvent[] = [];
const s = useStack({
  trunkTiming: { pollMs: 300, backoffMs: 500, maxBackoffMs: 2000 },
  logChars: 8000,
  ready: async (started) => {
    admin = await started.as('morgan', (e) => adminEvents.push(e));
  },
});

const PASSWORD = 'Tr:unk\\pw|1';
const LA = '+12136472453';
const NY = '+13322139228';
const CUSTOMER = '+13105550100';

let portA = 0;
let portB = 0;
let trunkA = 0;
let trunkB = 0;

async function trunkState(id: number) {
  const c = await admin.ok('carrier.get', {});
  return c.trunks.find((t) => t.id === id)!.state;
}

/** Whether a request's Proxy-Authorization is the digest of `password` (RFC 2617, no qop). */
function digestValid(request: string, method: string, password: string): boolean {
  const header = /^Proxy-Authorization: Digest (.*)$/m.exec(request)?.[1] ?? '';
  const p = Object.fromEntries([...header.matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]));
  if (p.username !== 'office100' || !p.nonce || !p.uri || !p.realm) return false;
  const md5 = (v: string) => createHash('md5').update(v).digest('hex');
  const ha1 = md5(`${p.username}:${p.realm}:${password}`);
  return p.response === md5(`${ha1}:${p.nonce}:${md5(`${method}:${p.uri}`)}`);
}

function dial(key: string, to: string, cid = '') {
  const c = s.credentials(key);
  return s.run({
    scenario: 'dial.xml',
    keys: { ext: s.extension(key), domain: DOMAIN, to, cid },
    auth: { username: c.authorizationUsername, password: c.password },
  });
}

/** Carrier A: registers with digest; the preferred trunk. */
async function saveTrunkA(extra: { allowCidrs?: string[] } = {}) {
  const t = await admin.ok('carrier.saveTrunk', {
    ...(trunkA ? { trunkId: trunkA } : {}),
    name: 'Carrier A',
    host: '127.0.0.1',
    port: portA,
    transport: 'udp',
    registration: { username: 'office100', ...(trunkA ? {} : { password: PASSWORD }), realm: '', expiry: 60 },
    allowCidrs: extra.allowCidrs ?? [],
    callerIdMode: 'pai',
    callerIdPlus: true,
    role: 'preferred',
  });
  trunkA = t.id;
  return t;
}

describe('carrier settings', () => {
  it('keeps the password sealed at rest and never returns it; the audit names the change without it', async () => {
    portA = await freePort('127.0.0.1', true);
    portB = await freePort('127.0.0.1', true);
    const t = await saveTrunkA();
    expect(t.registration).toEqual({
      username: 'office100',
      authUsername: '',
      realm: '',
      expiry: 60,
      hasPassword: true,
    });
    expect(JSON.stringify(await admin.ok('carrier.get', {}))).not.toContain('Tr:unk');
    const row = s.db.prepare('SELECT password_enc FROM carrier_trunks WHERE id = ?').get(t.id) as {
      password_enc: string;
    };
    expect(row.password_enc).toMatch(/^v1\./);
    expect(row.password_enc).not.toContain('Tr:unk');
    const audit = s.db
      .prepare(`SELECT summary, before_json, after_json FROM audit_events WHERE action = 'trunk.create'`)
      .all() as { summary: string; after_json: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.summary).toBe('Added the preferred trunk Carrier A (127.0.0.1)');
    expect(audit[0]!.after_json).not.toContain('Tr:unk');
    expect(JSON.parse(audit[0]!.after_json)).toMatchObject({ passwordSet: true, role: 'preferred' });

    // Editing without a password keeps the saved one.
    const again = await saveTrunkA();
    expect(again.registration?.hasPassword).toBe(true);
    expect(s.db.prepare('SELECT password_enc FROM carrier_trunks WHERE id = ?').pluck().get(t.id)).toBe(
      row.password_enc,
    );

    // Only an Administrator manages the carrier.
    const leo = await s.as('leo');
    const refused = await leo.call('carrier.get', {});
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('forbidden');
    const john = await s.as('john');
    const r2 = await john.call('carrier.saveTrunk', {
      name: 'Mine',
      host: 'evil.example',
      port: 5060,
      transport: 'udp',
      registration: null,
      allowCidrs: ['0.0.0.0/8'],
    });
    expect(r2.ok).toBe(false);
    expect(s.db.prepare('SELECT count(*) FROM carrier_trunks').pluck().get()).toBe(1);

    // A trunk needs a registration or the carrier's addresses.
    const bad = await admin.call('carrier.saveTrunk', {
      name: 'Nothing',
      host: 'sip.example.com',
      port: null,
      transport: 'tcp',
      registration: null,
      allowCidrs: [],
    });
    expect(bad.ok).toBe(false);
  });
});

describe('registration with the carrier', () => {
  it('registers with digest (401), refreshes, shows a refusal with its answer, and recovers without a restart', async () => {
    let registrar: SippRun = await s.sipp({ scenario: 'carrier-registrar.xml', uas: true, localPort: portA });
    await admin.ok('carrier.test', { trunkId: trunkA });
    await eventually(async () => (await trunkState(trunkA)).status === 'registered', 15_000);
    // The proxy's table holds no password in the clear only when a realm is known; here it had to (no realm).
    const dbDir = TrunkService.dbDir(s.runDir);
    expect(statSync(join(dbDir, 'uacreg')).mode & 0o077).toBe(0);
    expect(existsSync(join(dbDir, 'address'))).toBe(true);

    // Refreshed before the carrier's 10 s expiry: more accepted REGISTERs arrive.
    await eventually(() => received(registrar.messages(), 'REGISTER').length >= 4, 15_000);
    expect((await trunkState(trunkA)).status).toBe('registered');

    // The carrier starts refusing: "failing" with its answer.
    registrar.kill();
    await registrar.done;
    registrar = await s.sipp({ scenario: 'carrier-refuse.xml', uas: true, localPort: portA });
    const failing = await eventually(async () => {
      const st = await trunkState(trunkA);
      return st.status === 'failing' ? st : undefined;
    }, 20_000);
    expect(failing.lastAnswer).toBe('403 Account suspended');
    expect(adminEvents.some((e) => e.name === 'carrier.changed')).toBe(true);

    // It comes back: the backoff retries and the trunk registers again, no restart.
    registrar.kill();
    await registrar.done;
    registrar = await s.sipp({ scenario: 'carrier-registrar.xml', uas: true, localPort: portA });
    await eventually(async () => (await trunkState(trunkA)).status === 'registered', 20_000);
    registrar.kill();
  }, 60_000);
});

describe('outbound calls through the carrier', () => {
  it('answers the carrier’s 407 with the trunk’s credentials and shows only the granted caller ID', async () => {
    const carrier = await s.sipp({ scenario: 'carrier-auth-answer.xml', uas: true, localPort: portA });
    const call = await dial('john', CUSTOMER, NY);
    await Promise.race([carrier.done, new Promise((r) => setTimeout(r, 2000))]);
    expect(call.code, carrier.messages()).toBe(0);
    const invites = received(carrier.messages(), 'INVITE');
    expect(invites).toHaveLength(2);
    const authed = invites[1]!;
    expect(authed).toMatch(new RegExp(`^INVITE sip:\\${CUSTOMER}@127\\.0\\.0\\.1:${portA} `));
    expect(digestValid(authed, 'INVITE', PASSWORD)).toBe(true);
    expect(digestValid(authed, 'INVITE', 'not-the-password')).toBe(false);
    expect(authed).toMatch(new RegExp(`^P-Asserted-Identity: <sip:\\${NY}@127\\.0\\.0\\.1>`, 'm'));
    expect(authed).toMatch(/^From: <sip:office100@127\.0\.0\.1>/m);
    expect(authed).not.toMatch(/X-Teamline-Caller-Id/i);
    expect(authed).not.toMatch(/^P-K-/m);
    carrier.kill();
  });

  it('refuses a caller ID that is not granted before anything reaches the carrier', async () => {
    const carrier = await s.sipp({ scenario: 'carrier-auth-answer.xml', uas: true, localPort: portA });
    const c = s.credentials('jessica');
    const r = await s.run({
      scenario: 'dial-refused.xml',
      keys: { ext: s.extension('jessica'), domain: DOMAIN, to: CUSTOMER, cid: LA },
      auth: { username: c.authorizationUsername, password: c.password },
    });
    expect(r.code, r.messages).toBe(0);
    await new Promise((res) => setTimeout(res, 300));
    expect(received(carrier.messages(), 'INVITE')).toHaveLength(0);
    carrier.kill();
  });

  it('fails over to the fallback trunk when the preferred one answers 503', async () => {
    const b = await admin.ok('carrier.saveTrunk', {
      name: 'Carrier B',
      host: '127.0.0.1',
      port: portB,
      transport: 'udp',
      registration: null,
      allowCidrs: ['192.0.2.0/24'],
      callerIdMode: 'from',
      callerIdPlus: false,
      role: 'fallback',
    });
    trunkB = b.id;
    expect(b.state.status).toBe('allowlist');
    // Trunk A's registration retries reach this carrier too: each is a "call" it does not take, so it takes several.
    const preferred = await s.sipp({ scenario: 'carrier-503.xml', uas: true, localPort: portA, calls: 5 });
    const fallback = await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: portB });
    const call = await dial('john', CUSTOMER, NY);
    expect(call.code, call.messages).toBe(0);
    expect(received(preferred.messages(), 'INVITE')).toHaveLength(1);
    const invites = received(fallback.messages(), 'INVITE');
    expect(invites).toHaveLength(1);
    // Carrier B wants numbers without "+" and the caller ID in From.
    expect(invites[0]).toMatch(new RegExp(`^INVITE sip:${CUSTOMER.slice(1)}@127\\.0\\.0\\.1:${portB} `));
    expect(invites[0]).toMatch(new RegExp(`^From: <sip:${NY.slice(1)}@127\\.0\\.0\\.1>`, 'm'));
    expect(invites[0]).not.toMatch(/^P-Asserted-Identity:/m);
    expect(invites[0]).not.toMatch(/^Proxy-Authorization:/m);
    preferred.kill();
    fallback.kill();
  });
});

describe('emergency calls', () => {
  it('911 from an Agent with no outbound numbers reaches the preferred trunk with the main number; the admin is told', async () => {
    const jasmine = s.ids.users.jasmine!;
    s.db.prepare(`DELETE FROM user_numbers WHERE user_id = ? AND kind = 'call'`).run(jasmine);
    s.db.prepare('UPDATE users SET default_bn_id = NULL WHERE id = ?').run(jasmine);
    await admin.ok('carrier.saveSettings', { country: 'US', mainBnId: s.ids.numbers.mainNY });
    adminEvents.length = 0;
    const johnEvents: PushEvent[] = [];
    await s.as('john', (e) => johnEvents.push(e));

    // An ordinary outside call is refused for her.
    const c = s.credentials('jasmine');
    const refused = await s.run({
      scenario: 'dial-refused.xml',
      keys: { ext: s.extension('jasmine'), domain: DOMAIN, to: CUSTOMER, cid: '' },
      auth: { username: c.authorizationUsername, password: c.password },
    });
    expect(refused.code, refused.messages).toBe(0);

    const carrier = await s.sipp({ scenario: 'carrier-auth-answer.xml', uas: true, localPort: portA, calls: 5 });
    const call = await dial('jasmine', '911');
    expect(call.code, call.messages).toBe(0);
    const invites = received(carrier.messages(), 'INVITE');
    expect(invites.length).toBeGreaterThanOrEqual(1);
    expect(invites.at(-1)).toMatch(new RegExp(`^INVITE sip:911@127\\.0\\.0\\.1:${portA} `));
    expect(invites.at(-1)).toMatch(new RegExp(`^P-Asserted-Identity: <sip:\\${NY}@127\\.0\\.0\\.1>`, 'm'));
    carrier.kill();

    await eventually(() => adminEvents.some((e) => e.name === 'emergency.called'), 2000);
    const audit = await admin.ok('audit.list', { limit: 5 });
    expect(audit.items[0]).toMatchObject({ action: 'call.emergency' });
    expect(audit.items[0]!.summary).toMatch(/Jasmine Lee \(extension 103\) dialled 911 with caller ID/);
    const rows = await eventually(async () => {
      const page = await admin.ok('calls.list', { limit: 5 });
      return page.items.find((r) => r.externalNumber === '911');
    }, 2000);
    expect(rows).toMatchObject({ direction: 'outbound', bnId: s.ids.numbers.mainNY });
    // Only Administrators get the notice.
    expect(johnEvents.some((e) => e.name === 'emergency.called')).toBe(false);
  });
});

describe('calls from the carrier', () => {
  const callIn = (scenario: string, bn: string) =>
    s.run({ scenario, keys: { bn, caller: CUSTOMER }, timeoutSeconds: 15 });

  it('recognises the carrier by its allow-list: ours with a flow, ours without, not ours', async () => {
    await saveTrunkA({ allowCidrs: ['127.0.0.1/32'] });
    await new Promise((r) => setTimeout(r, 500));
    const before = s.db.prepare('SELECT max(id) FROM calls').pluck().get() as number;
    const notOurs = await callIn('carrier-in-refused-404.xml', '+15550000001');
    expect(notOurs.code, notOurs.messages).toBe(0);
    expect(s.log()).toMatch(/not a number of this service, refused/);

    const withFlow = await callIn('carrier-in-cancel.xml', LA);
    expect(withFlow.code, withFlow.messages).toBe(0);
    const withoutFlow = await callIn('carrier-in-no-flow.xml', '+18885550190');
    expect(withoutFlow.code, withoutFlow.messages).toBe(0);
    const calls = await eventually(() => {
      const rows = s.db
        .prepare('SELECT bn_id, call_flow_id, direction FROM calls WHERE id > ? ORDER BY id')
        .all(before) as { bn_id: number; call_flow_id: number | null; direction: string }[];
      return rows.length >= 2 ? rows : undefined;
    }, 5000);
    expect(calls[0]).toMatchObject({
      direction: 'inbound',
      bn_id: s.ids.numbers.mainLA,
      call_flow_id: s.ids.flows.main,
    });
    expect(calls[1]).toMatchObject({ direction: 'inbound', bn_id: s.ids.numbers.tollFree, call_flow_id: null });
  }, 40_000);

  it('recognises a registered carrier calling the Contact it registered, with the DID in To', async () => {
    await saveTrunkA({ allowCidrs: [] });
    await new Promise((r) => setTimeout(r, 500));
    const token = s.db.prepare('SELECT contact_token FROM carrier_trunks WHERE id = ?').pluck().get(trunkA) as string;
    const before = s.db.prepare('SELECT max(id) FROM calls').pluck().get() as number;
    const ok = await s.run({
      scenario: 'carrier-in-contact.xml',
      keys: { ruser: token, bn: '+18885550190', caller: CUSTOMER },
    });
    expect(ok.code, ok.messages).toBe(0);
    const row = await eventually(
      () =>
        s.db.prepare('SELECT bn_id, direction FROM calls WHERE id > ?').get(before) as { bn_id: number } | undefined,
      3000,
    );
    expect(row).toMatchObject({ direction: 'inbound', bn_id: s.ids.numbers.tollFree });
    // The same address calling anything else is not the carrier.
    const forged = await s.run({
      scenario: 'carrier-in-contact-refused.xml',
      keys: { ruser: `tl${'0'.repeat(24)}`, bn: '+18885550190', caller: CUSTOMER },
    });
    expect(forged.code, forged.messages).toBe(0);
    // Nor is a call to one of our numbers from the registrar's very address and port: only the Contact we registered.
    const toDid = await s.run({
      scenario: 'carrier-in-contact-refused.xml',
      keys: { ruser: '18885550190', bn: '+18885550190', caller: CUSTOMER },
      localPort: portA,
    });
    expect(toDid.code, toDid.messages).toBe(0);
    expect(s.db.prepare('SELECT count(*) FROM calls WHERE id > ?').pluck().get(before)).toBe(1);
  });

  it('refuses a source that is neither allowed nor the registrar calling our Contact', async () => {
    await saveTrunkA({ allowCidrs: ['10.0.0.0/8'] });
    await new Promise((r) => setTimeout(r, 500));
    const r = await callIn('carrier-in-challenged.xml', LA);
    expect(r.code, r.messages).toBe(0);
  });

  it('keeps the tables owner-only', () => {
    const dbDir = TrunkService.dbDir(s.runDir);
    for (const f of ['uacreg', 'address', 'version']) expect(statSync(join(dbDir, f)).mode & 0o077).toBe(0);
    const address = readFileSync(join(dbDir, 'address'), 'utf8');
    expect(address).toContain(`:${trunkA}:10.0.0.0:8:0:`);
    expect(address).toContain(`:${trunkB}:192.0.2.0:24:0:`);
    // No password in the address table; the registrations table holds it (no realm: the carrier picks it).
    expect(address).not.toContain('Tr');
  });
});

describe('a carrier behind an outbound proxy, with its own realm and authentication user', () => {
  it('registers through the proxy to the carrier’s host, answering as the authentication user; the proxy gets only the digest hash', async () => {
    const proxyPort = await freePort('127.0.0.1', true);
    const hostPort = await freePort('127.0.0.1', true);
    const registrar = await s.sipp({ scenario: 'carrier-registrar-auth300.xml', uas: true, localPort: proxyPort });
    const t = await admin.ok('carrier.saveTrunk', {
      name: 'Carrier P',
      host: '127.0.0.1',
      port: hostPort,
      transport: 'udp',
      outboundProxy: `127.0.0.1:${proxyPort}`,
      registration: {
        username: 'office300',
        authUsername: 'auth300',
        password: 'Pr0xy|pw',
        realm: 'carrier.test',
        expiry: 60,
      },
      allowCidrs: [],
      callerIdMode: 'from',
      callerIdPlus: false,
      role: 'standby',
    });
    try {
      expect(t.registration).toMatchObject({ username: 'office300', authUsername: 'auth300', realm: 'carrier.test' });
      await eventually(async () => (await trunkState(t.id)).status === 'registered', 10_000);
      const [first, answered] = received(registrar.messages(), 'REGISTER');
      // Sent to the proxy, for the carrier's host: the Request-URI names the host, the account's user is in To.
      expect(first).toMatch(new RegExp(`^REGISTER sip:127\\.0\\.0\\.1(:${hostPort})? SIP/2\\.0`));
      expect(first).toMatch(/^To: <sip:office300@127\.0\.0\.1/m);
      expect(answered).toMatch(/^Authorization: Digest .*username="auth300"/m);
      expect(answered).toMatch(/^Authorization: Digest .*realm="carrier\.test"/m);
      // With a known realm the proxy's table holds the digest hash (HA1), never the password.
      const uacreg = readFileSync(join(TrunkService.dbDir(s.runDir), 'uacreg'), 'utf8');
      expect(uacreg).not.toContain('Pr0xy');
      expect(uacreg).toContain(createHash('md5').update('auth300:carrier.test:Pr0xy|pw').digest('hex'));
    } finally {
      await admin.ok('carrier.deleteTrunk', { trunkId: t.id });
      registrar.kill();
    }
  }, 30_000);
});
