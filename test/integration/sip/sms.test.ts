import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/main/sip/ports';
import { SmsOutbox } from '../../../src/main/sip/sms';
import type { Message } from '../../../src/shared/api/entities';
import type { PushEvent } from '../../../src/shared/api/events';
import { eventually, useStack, type ApiClient } from './harness';
import { received } from './sipp';

/**
 * Text messages over the carrier's trunk, with a real Kamailio and sipp as
 * the carrier: SIP MESSAGE out (caller ID as for calls, the carrier's digest
 * answered, failover, the carrier's refusal), the outbox across an outage
 * and a restart, MESSAGEs in (to our numbers, to others, from strangers),
 * STOP / START, and long texts split and joined.
 */

let admin: ApiClient;
const events = new Map<string, PushEvent[]>();
const PASSWORD = 'sms-Pass|1';
const LA = '+12136472453';
const CUSTOMER = '+13105550140';
let portA = 0;
let portB = 0;
let trunkA = 0;
let restarted: SmsOutbox | null = null;

const listen = (key: string) => {
  const list: PushEvent[] = [];
  events.set(key, list);
  return (e: PushEvent) => list.push(e);
};

const s = useStack({
  smsTiming: { pollMs: 50, backoffMs: 300, maxBackoffMs: 800, timerF: 15_000 },
  ready: async (started) => {
    admin = await started.as('morgan', listen('morgan'));
    portA = await freePort('127.0.0.1', true);
    portB = await freePort('127.0.0.1', true);
    // Carrier A: recognised by its address, wants the caller ID in P-Asserted-Identity with the +.
    const a = await admin.ok('carrier.saveTrunk', {
      name: 'Carrier A',
      host: '127.0.0.1',
      port: portA,
      transport: 'udp',
      registration: null,
      allowCidrs: ['127.0.0.1/32'],
      callerIdMode: 'pai',
      callerIdPlus: true,
      role: 'preferred',
    });
    trunkA = a.id;
    await new Promise((r) => setTimeout(r, 500));
  },
  stopping: () => restarted?.stop(),
});

type Row = { id: number; status: string; status_reason: string | null; segments: number; body: string };
const row = (id: number) =>
  s.db.prepare('SELECT id, status, status_reason, segments, body FROM messages WHERE id = ?').get(id) as Row;
const settled = (id: number, status: string, ms = 8000) =>
  eventually(() => (row(id).status === status ? row(id) : undefined), ms);

/** The body of each MESSAGE a sipp carrier received, in order. */
const bodies = (messages: string) => received(messages, 'MESSAGE').map((m) => m.slice(m.search(/\r?\n\r?\n/)).trim());

function digestValid(request: string, password: string, user: string): boolean {
  const header = /^Proxy-Authorization: Digest (.*)$/m.exec(request)?.[1] ?? '';
  const p = Object.fromEntries([...header.matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]));
  if (p.username !== user || !p.nonce || !p.uri || !p.realm) return false;
  const md5 = (v: string) => createHash('md5').update(v).digest('hex');
  return p.response === md5(`${md5(`${user}:${p.realm}:${password}`)}:${p.nonce}:${md5(`MESSAGE:${p.uri}`)}`);
}

describe('texts out', () => {
  it('sends a MESSAGE to the preferred trunk from the business number; queued, then sent, live', async () => {
    const carrier = await s.sipp({ scenario: 'carrier-sms-accept.xml', uas: true, localPort: portA });
    const john = await s.as('john', listen('john'));
    const m = await john.ok('messages.send', {
      bnId: s.ids.numbers.mainLA,
      to: CUSTOMER,
      body: 'Hello from Teamline ✓',
    });
    expect(m).toMatchObject({ status: 'queued', segments: 1, statusReason: null });
    events.get('john')!.length = 0;
    await settled(m.id, 'sent');
    await carrier.done;
    const [msg] = received(carrier.messages(), 'MESSAGE');
    expect(msg).toMatch(new RegExp(`^MESSAGE sip:\\${CUSTOMER}@127\\.0\\.0\\.1:${portA} SIP/2\\.0`));
    expect(msg).toMatch(new RegExp(`^P-Asserted-Identity: <sip:\\${LA}@127\\.0\\.0\\.1>`, 'm'));
    expect(msg).toMatch(/^Content-Type: text\/plain; charset=UTF-8/m);
    // Nothing of the inside: no outbox reference, no loopback Via.
    expect(msg).not.toMatch(/X-Teamline/i);
    expect(bodies(carrier.messages())).toEqual(['Hello from Teamline ✓']);
    await eventually(() => events.get('john')!.some((e) => e.name === 'messages.changed'));
    const page = await john.ok('messages.list', { threadId: m.threadId, limit: 5 });
    expect(page.items[0]).toMatchObject({ id: m.id, status: 'sent', statusReason: null });
  });

  it('splits a long text into parts, in order, each marked as a part of one', async () => {
    const carrier = await s.sipp({ scenario: 'carrier-sms-accept.xml', uas: true, localPort: portA, calls: 2 });
    const body = `${'a'.repeat(150)} ${'b'.repeat(49)}`;
    const m = await admin.ok('messages.send', { bnId: s.ids.numbers.mainLA, to: CUSTOMER, body });
    expect(m.segments).toBe(2);
    await settled(m.id, 'sent');
    await carrier.done;
    const parts = received(carrier.messages(), 'MESSAGE');
    expect(bodies(carrier.messages())).toEqual([body.slice(0, 153), body.slice(153)]);
    expect(parts[0]).toMatch(/^X-SMS-Concat: ref=\d+;part=1;total=2/m);
    expect(parts[1]).toMatch(/^X-SMS-Concat: ref=\d+;part=2;total=2/m);
  });

  it('keeps texts in the outbox through an outage and a restart, then delivers each once, in order', async () => {
    let carrier = await s.sipp({ scenario: 'carrier-sms-503.xml', uas: true, localPort: portA, calls: 100 });
    const sent: Message[] = [];
    for (const body of ['first', 'second', 'third'])
      sent.push(await admin.ok('messages.send', { bnId: s.ids.numbers.mainLA, to: CUSTOMER, body }));
    // The first waits and is tried again; the others wait behind it.
    await eventually(() => received(carrier.messages(), 'MESSAGE').length >= 2, 8000);
    // Between attempts it is queued with the carrier's answer (a proxy passes a 503 on as 500, RFC 3261 §16.7).
    await eventually(
      () =>
        row(sent[0]!.id).status === 'queued' &&
        row(sent[0]!.id).status_reason === 'Waiting to send: 500 Service Unavailable',
    );
    expect(bodies(carrier.messages()).every((b) => b === 'first')).toBe(true);
    expect(sent.map((m) => row(m.id).status)).toEqual(['queued', 'queued', 'queued']);

    // The carrier goes silent; Teamline stops while the first is with the proxy.
    carrier.kill();
    await carrier.done;
    await eventually(() => row(sent[0]!.id).status === 'sending', 8000);
    s.phone.sms.outbox.stop();
    // The proxy gives up on the request it was relaying before the carrier is back.
    await new Promise((r) => setTimeout(r, 11_000));

    carrier = await s.sipp({ scenario: 'carrier-sms-accept.xml', uas: true, localPort: portA, calls: 3 });
    restarted = new SmsOutbox({
      db: s.db,
      accountId: s.ids.accountId,
      secret: s.phone.sip.secret,
      trunks: s.phone.trunks,
      sms: s.phone.sms.handler,
      listenIp: '127.0.0.1',
      proxy: () => ({ host: '127.0.0.1', port: s.phone.kamailio.sipUdpPort }),
      pollMs: 50,
      backoffMs: 300,
    });
    restarted.start();
    for (const m of sent) await settled(m.id, 'sent', 10_000);
    await carrier.done;
    expect(bodies(carrier.messages())).toEqual(['first', 'second', 'third']);
  }, 60_000);
});

describe('texts in', () => {
  const textIn = (scenario: string, keys: Record<string, string>) => s.run({ scenario, keys, timeoutSeconds: 10 });

  it('stores a text to our number in its conversation, assigned by the call flow, seen live by exactly those allowed', async () => {
    const clients: Record<string, ApiClient> = {};
    for (const key of ['john', 'peter', 'jasmine', 'jessica', 'allie', 'karey', 'leo'])
      clients[key] = await s.as(key, listen(key));
    const from = '+13105550199';
    const r = await textIn('carrier-sms-in.xml', { bn: LA, caller: from, body: 'Is the shop open on Sunday?' });
    expect(r.code, r.messages).toBe(0);
    const thread = await eventually(
      () =>
        s.db.prepare('SELECT id, assigned_group_id FROM message_threads WHERE external_number = ?').get(from) as
          { id: number; assigned_group_id: number | null } | undefined,
    );
    // "Main line": greeting, then a menu whose first option rings Sales.
    expect(thread.assigned_group_id).toBe(s.ids.groups.sales);
    const msg = s.db.prepare('SELECT body, direction, status FROM messages WHERE thread_id = ?').get(thread.id);
    expect(msg).toEqual({ body: 'Is the shop open on Sunday?', direction: 'inbound', status: 'received' });

    // POLICY §5: Sales (group), Karey (call flow), Leo (numbers) and the Administrator; not Support, not Jasmine (personal).
    const allowed = ['morgan', 'john', 'peter', 'karey', 'leo'];
    for (const key of ['morgan', ...Object.keys(clients)]) {
      const client = key === 'morgan' ? admin : clients[key]!;
      const page = await client.ok('messages.threads', { limit: 100 });
      expect(
        page.items.some((t) => t.id === thread.id),
        key,
      ).toBe(allowed.includes(key));
      if (allowed.includes(key))
        await eventually(() => events.get(key)!.some((e) => e.name === 'messages.changed'), 2000);
      else
        expect(
          events.get(key)!.some((e) => e.name === 'messages.changed'),
          key,
        ).toBe(false);
    }
  });

  it('joins a long text that comes in parts', async () => {
    const from = '+13105550198';
    const r = await textIn('carrier-sms-in-parts.xml', {
      bn: LA,
      caller: from,
      part1: 'Hello, this is the ',
      part2: 'end.',
    });
    expect(r.code, r.messages).toBe(0);
    const bodiesIn = s.db
      .prepare(`SELECT m.body FROM messages m JOIN message_threads t ON t.id = m.thread_id WHERE t.external_number = ?`)
      .pluck()
      .all(from);
    expect(bodiesIn).toEqual(['Hello, this is the end.']);
  });

  it('refuses a text to a number that is not ours (404, logged)', async () => {
    const r = await textIn('carrier-sms-in-404.xml', { bn: '+15550000001', caller: CUSTOMER, body: 'hi' });
    expect(r.code, r.messages).toBe(0);
    expect(s.log()).toMatch(/text from the carrier .* not a number of this service, refused/);
  });
});

describe('opt-out', () => {
  it('STOP refuses further texts to that number from that business number; START allows them again', async () => {
    const from = '+13105550177';
    const before = s.db.prepare('SELECT max(id) FROM messages').pluck().get() as number;
    let carrier = await s.sipp({ scenario: 'carrier-sms-accept.xml', uas: true, localPort: portA });
    const stop = await s.run({
      scenario: 'carrier-sms-in.xml',
      keys: { bn: LA, caller: from, body: 'Stop' },
    });
    expect(stop.code, stop.messages).toBe(0);
    // The confirmation goes out once.
    await carrier.done;
    expect(bodies(carrier.messages())[0]).toMatch(/no more texts from this number\. Reply START/);
    const refused = await admin.call('messages.send', { bnId: s.ids.numbers.mainLA, to: from, body: 'Special offer' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('conflict');
      expect(refused.error.message).toMatch(/opted out of texts from .* \(they replied STOP\)/);
    }
    // Nothing was queued.
    expect(
      s.db.prepare(`SELECT count(*) FROM messages WHERE id > ? AND body = 'Special offer'`).pluck().get(before),
    ).toBe(0);
    // Another business number may still text them.
    const audit = await admin.ok('audit.list', { limit: 5 });
    expect(audit.items.find((e) => e.action === 'sms.optOut')?.summary).toMatch(
      /opted out of texts from .* \(replied STOP\)/,
    );

    carrier = await s.sipp({ scenario: 'carrier-sms-accept.xml', uas: true, localPort: portA, calls: 2 });
    const start = await s.run({ scenario: 'carrier-sms-in.xml', keys: { bn: LA, caller: from, body: 'START' } });
    expect(start.code, start.messages).toBe(0);
    const ok = await admin.ok('messages.send', { bnId: s.ids.numbers.mainLA, to: from, body: 'Welcome back' });
    await settled(ok.id, 'sent');
    await carrier.done;
    expect(bodies(carrier.messages())[1]).toBe('Welcome back');
    expect((await admin.ok('audit.list', { limit: 5 })).items.some((e) => e.action === 'sms.optIn')).toBe(true);
  });
});

describe('opt-out of a waiting text', () => {
  it('a text still in the outbox when the number says STOP does not go out, and says why', async () => {
    const to = '+13105550178';
    let carrier = await s.sipp({ scenario: 'carrier-sms-503.xml', uas: true, localPort: portA, calls: 100 });
    const waiting = await admin.ok('messages.send', { bnId: s.ids.numbers.mainLA, to, body: 'Before you go' });
    await eventually(() => row(waiting.id).status_reason?.startsWith('Waiting to send'), 8000);
    const stop = await s.run({ scenario: 'carrier-sms-in.xml', keys: { bn: LA, caller: to, body: 'STOP' } });
    expect(stop.code, stop.messages).toBe(0);
    const failed = await settled(waiting.id, 'failed');
    expect(failed.status_reason).toMatch(/^Not sent: .* opted out of texts from this number \(they replied STOP\)$/);
    // The carrier is back: only the STOP confirmation goes out.
    carrier.kill();
    await carrier.done;
    carrier = await s.sipp({ scenario: 'carrier-sms-accept.xml', uas: true, localPort: portA });
    await carrier.done;
    expect(bodies(carrier.messages())).toEqual([expect.stringMatching(/no more texts from this number/)]);
    expect(row(waiting.id).status).toBe('failed');
  }, 40_000);
});

describe('the carrier’s answers', () => {
  it('answers the carrier’s 407 with the trunk’s credentials, after the preferred trunk’s 503 (failover)', async () => {
    const reg = await s.sipp({ scenario: 'carrier-sms-auth.xml', uas: true, localPort: portB, calls: 20 });
    await admin.ok('carrier.saveTrunk', {
      name: 'Carrier B',
      host: '127.0.0.1',
      port: portB,
      transport: 'udp',
      registration: { username: 'office200', password: PASSWORD, realm: '', expiry: 3600 },
      allowCidrs: [],
      callerIdMode: 'from',
      callerIdPlus: false,
      role: 'fallback',
    });
    const preferred = await s.sipp({ scenario: 'carrier-sms-503.xml', uas: true, localPort: portA });
    const m = await admin.ok('messages.send', { bnId: s.ids.numbers.mainLA, to: CUSTOMER, body: 'Via B' });
    await settled(m.id, 'sent', 12_000);
    expect(received(preferred.messages(), 'MESSAGE')).toHaveLength(1);
    const messages = received(reg.messages(), 'MESSAGE');
    expect(messages).toHaveLength(2);
    const authed = messages[1]!;
    expect(digestValid(authed, PASSWORD, 'office200')).toBe(true);
    // Carrier B: no "+", the caller ID in From.
    expect(authed).toMatch(new RegExp(`^MESSAGE sip:${CUSTOMER.slice(1)}@127\\.0\\.0\\.1:${portB} `));
    expect(authed).toMatch(new RegExp(`^From: <sip:${LA.slice(1)}@127\\.0\\.0\\.1>`, 'm'));
    expect(authed).not.toMatch(/^P-Asserted-Identity:/m);
    reg.kill();
  }, 30_000);

  it('fails a text the carrier refuses for good, with its reason, without trying again', async () => {
    const carrier = await s.sipp({ scenario: 'carrier-sms-480.xml', uas: true, localPort: portA, calls: 5 });
    const m = await admin.ok('messages.send', { bnId: s.ids.numbers.mainLA, to: CUSTOMER, body: 'Nope' });
    const failed = await settled(m.id, 'failed');
    expect(failed.status_reason).toBe('480 Temporarily Unavailable');
    const page = await admin.ok('messages.list', { threadId: m.threadId, limit: 1 });
    expect(page.items[0]).toMatchObject({ status: 'failed', statusReason: '480 Temporarily Unavailable' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(received(carrier.messages(), 'MESSAGE')).toHaveLength(1);
    carrier.kill();
  });

  it('refuses a text from an address that is no trunk of ours (403)', async () => {
    await admin.ok('carrier.saveTrunk', {
      trunkId: trunkA,
      name: 'Carrier A',
      host: '127.0.0.1',
      port: portA,
      transport: 'udp',
      registration: null,
      allowCidrs: ['10.0.0.0/8'],
      callerIdMode: 'pai',
      callerIdPlus: true,
      role: 'preferred',
    });
    await new Promise((r) => setTimeout(r, 500));
    const count = s.db.prepare('SELECT count(*) FROM messages').pluck().get();
    const r = await s.run({ scenario: 'carrier-sms-in-403.xml', keys: { bn: LA, caller: CUSTOMER, body: 'hi' } });
    expect(r.code, r.messages).toBe(0);
    expect(s.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(count);
    expect(s.log()).toMatch(/text from 127\.0\.0\.1:\d+, not a trunk of this service: refused/);
  });
});
