import { describe, expect, it } from 'vitest';
import type { PushEvent } from '../../../src/shared/api/events';
import { DOMAIN, eventually, useStack, type ApiClient } from './harness';
import { startSipp } from './sipp';
import { freePort } from '../../../src/main/sip/ports';
import { WsPhone } from './wsPhone';

/**
 * Presence in the phone's team directory comes from what the proxy saw:
 * a REGISTER it saved, an unregister, a WebSocket that closed, and answered
 * calls. Every member of the account sees the directory; it names no one
 * outside the account.
 */

const phones: WsPhone[] = [];
const s = useStack({
  stopping: () => {
    for (const p of phones) p.close();
  },
});

const presenceOf = async (client: ApiClient, ext: string) =>
  (await client.ok('sip.directory', {})).members.find((m) => m.extension === ext)?.presence;

describe('presence', () => {
  it('lists every active member of the account, offline until they register', async () => {
    const agent = await s.as('jessica');
    const members = (await agent.ok('sip.directory', {})).members;
    const active = s.db
      .prepare('SELECT extension FROM users WHERE account_id = ? AND active = 1 ORDER BY extension')
      .pluck()
      .all(s.ids.accountId);
    expect(members.map((m) => m.extension)).toEqual(active);
    expect(members.every((m) => m.presence === 'offline')).toBe(true);
  });

  it('follows a UDP phone that registers and unregisters, and tells the account', async () => {
    const events: PushEvent[] = [];
    const peter = await s.as('peter', (e) => events.push(e));
    const port = await freePort('127.0.0.1', true);
    await s.register('karey', port, 120);
    expect(await eventually(async () => (await presenceOf(peter, '106')) === 'available' && true)).toBe(true);
    await eventually(() => events.some((e) => e.name === 'presence.changed'));
    await s.register('karey', port, 0);
    expect(await eventually(async () => (await presenceOf(peter, '106')) === 'offline' && true)).toBe(true);
  });

  it('takes a WebSocket phone offline within seconds of its connection closing, and shows a call in progress', async () => {
    const john = await s.as('john');
    const creds = await (await s.as('allie')).ok('sip.credentials', {});
    const phone = await WsPhone.connect(s.phone.kamailio.wsUrl, creds.username, DOMAIN);
    phones.push(phone);
    expect((await phone.register(creds)).code).toBe(200);
    expect(await eventually(async () => (await presenceOf(john, '104')) === 'available' && true)).toBe(true);

    // Jessica (102) calls Allie, who answers; both are on a call until it ends.
    const c = s.credentials('jessica');
    const call = await startSipp(s.runDir, {
      scenario: 'dial-hold.xml',
      remote: s.proxy,
      keys: { ext: '102', domain: DOMAIN, to: '104', cid: 'none' },
      auth: { username: c.authorizationUsername, password: c.password },
    });
    expect(await eventually(async () => (await presenceOf(john, '104')) === 'on_call' && true)).toBe(true);
    expect(await presenceOf(john, '102')).toBe('on_call');
    expect(await call.done).toBe(0);
    expect(await eventually(async () => (await presenceOf(john, '104')) === 'available' && true)).toBe(true);

    phone.close();
    // Kamailio reports a closed WebSocket once it has cleaned the connection up, a few seconds later.
    expect(await eventually(async () => (await presenceOf(john, '104')) === 'offline' && true, 10_000)).toBe(true);
  });
});
