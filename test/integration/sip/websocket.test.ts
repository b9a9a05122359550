import WebSocket from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOMAIN, eventually, startStack, type Stack } from './harness';
import { killAllSipp } from './sipp';
import { WsPhone } from './wsPhone';

/**
 * The softphone speaks SIP over WebSocket: it registers with the
 * credentials `sip.credentials` issued, with its extension as the contact
 * name (sip.js `contactName`), and takes calls over the same connection.
 */

let s: Stack;
const phones: WsPhone[] = [];
beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => {
  for (const p of phones) p.close();
  await s?.stop();
});
beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    killAllSipp();
    console.error(`--- kamailio log (last 6000 chars) ---\n${s.log().slice(-6000)}`);
  });
});

async function wsPhone(ext: string) {
  const p = await WsPhone.connect(s.phone.kamailio.wsUrl, ext, DOMAIN);
  phones.push(p);
  return p;
}

describe('SIP over WebSocket', () => {
  it('registers with issued credentials and answers an internal call; the record says who answered', async () => {
    const jasmine = await s.as('jasmine');
    const creds = await jasmine.ok('sip.credentials', {});
    const phone = await wsPhone(creds.username);
    expect(await phone.register(creds)).toEqual({ code: 200, reason: 'OK' });

    const c = s.credentials('john');
    const r = await s.run({
      scenario: 'dial.xml',
      keys: { ext: '100', domain: DOMAIN, to: '103', cid: 'none' },
      auth: { username: c.authorizationUsername, password: c.password },
    });
    expect(r.code, r.messages).toBe(0);
    expect(phone.invites).toHaveLength(1);
    expect(phone.invites[0]!.start).toMatch(/^INVITE sip:103@[0-9a-f]+\.invalid;transport=ws SIP\/2\.0$/);

    const row = await eventually(
      async () => (await jasmine.ok('calls.list', { limit: 5, direction: 'internal' })).items[0],
      1000,
    );
    expect(row.result).toBe('answered');
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([
      ['100', 'placed'],
      ['103', 'answered'],
    ]);
  });

  it('accepts any contact name (who answers comes from the registration), and refuses another user’s address', async () => {
    const karey = await s.as('karey');
    const creds = await karey.ok('sip.credentials', {});
    const phone = await wsPhone(creds.username);
    expect((await phone.register(creds, { contactName: 'k4r3y' })).code).toBe(200);
    expect((await phone.register(creds, { aor: '100' })).code).toBe(403);
    expect((await phone.register(creds)).code).toBe(200);
  });

  it('registers the softphone’s own SIP library (sip.js) with contactName = extension', async () => {
    // sip.js finds WebSocket on globalThis; Node 20 has none, so lend it the ws package's.
    const g = globalThis as { WebSocket?: unknown };
    g.WebSocket ??= WebSocket;
    const { Registerer, RegistererState, UserAgent } = await import('sip.js');
    const c = await (await s.as('john')).ok('sip.credentials', {});
    const ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${c.username}@${c.domain}`)!,
      transportOptions: { server: c.wsUrl },
      authorizationUsername: c.authorizationUsername,
      authorizationPassword: c.password,
      contactName: c.username,
      logBuiltinEnabled: false,
    });
    await ua.start();
    try {
      const registerer = new Registerer(ua, { expires: 300 });
      const registered = new Promise<string>((resolve) => {
        registerer.stateChange.addListener((state) => resolve(state));
        setTimeout(() => resolve('no answer'), 3000);
      });
      await registerer.register();
      expect(await registered).toBe(RegistererState.Registered);
      await registerer.unregister();
    } finally {
      await ua.stop();
    }
  });

  it('refuses credentials once they expire', async () => {
    const phone = await wsPhone('105');
    const stale = s.credentials('leo', Date.now() - 3601_000);
    expect(await phone.register(stale)).toEqual({ code: 403, reason: 'Credentials expired' });
  });
});
