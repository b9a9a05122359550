import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { contract, methods, publicMethods, type Method } from '../../src/shared/api/contract';
import { makeCore, snapshot, type Client, type TestCore } from '../helpers/core';
import { addOtherAccount } from '../helpers/otherAccount';

/**
 * Malformed input on every method of the contract: wrong types, missing
 * fields, unknown fields, oversized strings, bad E.164, unknown ids and ids of
 * another account's rows. Each answers `invalid`, `not_found` or `forbidden`,
 * never `internal`, leaks no SQL or stack, and changes nothing.
 */
let tc: TestCore;
let other: ReturnType<typeof addOtherAccount>;
let admin: Client;
let agent: Client;

beforeAll(async () => {
  tc = makeCore({ days: 2, callsPerDay: 20 });
  other = addOtherAccount(tc.db);
  admin = await tc.as('morgan');
  agent = await tc.as('john');
});

/** A valid input for every method; each case below breaks one thing in it. */
function samples(): Record<Method, Record<string, unknown>> {
  const u = tc.ids.users;
  const n = tc.ids.numbers;
  const anyCall = tc.db.prepare('SELECT id FROM calls WHERE account_id = ? LIMIT 1').pluck().get(tc.ids.accountId) as number;
  const anyVm = tc.db.prepare('SELECT v.id FROM voicemails v JOIN calls c ON c.id = v.call_id WHERE c.account_id = ? LIMIT 1').pluck().get(tc.ids.accountId) as number;
  const anyThread = tc.db.prepare('SELECT id FROM message_threads WHERE account_id = ? LIMIT 1').pluck().get(tc.ids.accountId) as number;
  const anyContact = tc.db.prepare('SELECT id FROM contacts WHERE account_id = ? LIMIT 1').pluck().get(tc.ids.accountId) as number;
  const settings = { instanceUrl: 'https://crm.example.com', logCalls: true, logMessages: false, createContacts: false };
  return {
    'auth.signIn': { login: 'john@teamline.demo', password: 'wrong-password' },
    'auth.signOut': {},
    'auth.me': {},
    'auth.demoUsers': {},
    'auth.viewAs': { userId: u.john },
    'auth.changePassword': { current: 'teamline-demo', next: 'another-password' },
    'users.list': { search: 'a', role: 'agent', groupId: tc.ids.groups.sales, includeInactive: false },
    'users.get': { userId: u.john },
    'users.add': { name: 'Nina', email: 'nina@teamline.demo', extension: '150', password: 'a-long-password', role: 'agent', callAccess: 'group', outboundCallBnIds: [n.mainLA], smsBnIds: [n.mainLA], groupIds: [tc.ids.groups.sales] },
    'users.duplicate': { sourceUserId: u.john, name: 'Nina', email: 'nina@teamline.demo', extension: '150', password: 'a-long-password' },
    'users.deactivate': { userId: u.peter },
    'users.reactivate': { userId: u.peter },
    'users.updateSettings': { userId: u.peter, name: 'Pete', email: 'pete@teamline.demo', extension: '151', title: 'Sales', timezone: 'America/Chicago' },
    'users.setRole': { userId: u.peter, role: 'manager' },
    'users.setCallAccess': { userId: u.peter, callAccess: 'numbers', scopeBnIds: [n.mainLA] },
    'users.setOutboundNumbers': { userId: u.peter, outboundCallBnIds: [n.mainLA], smsBnIds: [n.mainNY], defaultBnId: n.mainLA },
    'users.setManagerPermissions': { userId: u.leo, permissions: ['billing'] },
    'groups.list': {},
    'groups.create': { name: 'Night', memberIds: [u.john] },
    'groups.rename': { groupId: tc.ids.groups.sales, name: 'Sales team' },
    'groups.setMembers': { groupId: tc.ids.groups.sales, memberIds: [u.john] },
    'groups.delete': { groupId: tc.ids.groups.sales },
    'callFlows.list': {},
    'callFlows.get': { callFlowId: tc.ids.flows.main },
    'callFlows.create': { name: 'Night', steps: [{ kind: 'ring_group', groupId: tc.ids.groups.sales, ringSeconds: 20 }] },
    'callFlows.update': { callFlowId: tc.ids.flows.main, name: 'Main', steps: [{ kind: 'ring_user', userId: u.karey, ringSeconds: 20 }] },
    'callFlows.delete': { callFlowId: tc.ids.flows.main },
    'numbers.list': {},
    'numbers.catalogue': { search: '213' },
    'numbers.buy': { e164: '+12135551000', label: 'New' },
    'numbers.setLabel': { bnId: n.mainLA, label: 'LA' },
    'numbers.route': { bnId: n.mainLA, callFlowId: tc.ids.flows.billing },
    'numbers.release': { bnId: n.mainLA },
    'contacts.list': { search: 'a', limit: 10 },
    'contacts.create': { name: 'New', company: 'Co', phone: '+13105550111', email: 'new@example.com', notes: '' },
    'contacts.update': { contactId: anyContact, name: 'Renamed', phone: '+13105550112' },
    'contacts.delete': { contactId: anyContact },
    'integrations.list': {},
    'integrations.create': { provider: 'hubspot', name: 'CRM', settings },
    'integrations.update': { integrationId: other.integrationId, name: 'CRM', settings },
    'integrations.delete': { integrationId: other.integrationId },
    'billing.get': {},
    'billing.update': { contactName: 'Pat', contactEmail: 'pat@example.com', addressLine1: '1 Main St', addressLine2: '', city: 'LA', region: 'CA', postalCode: '90001', country: 'US' },
    'billing.previewPlanChange': { plan: 'business' },
    'billing.changePlan': { plan: 'business' },
    'account.get': {},
    'account.cancel': { confirmName: 'Teamline Demo' },
    'account.transferOwnership': { userId: u.karey },
    'audit.list': { limit: 10, actorUserId: u.morgan, targetType: 'user', from: 0, to: 1 },
    'calls.list': { limit: 10, direction: 'inbound', result: 'missed', bnId: n.mainLA, callFlowId: tc.ids.flows.main, groupId: tc.ids.groups.sales, userId: u.john, search: 'a', from: 0, to: 1 },
    'calls.export': { direction: 'inbound', bnId: n.mainLA },
    'calls.get': { callId: anyCall },
    'calls.authorizeOutbound': { bnId: n.mainLA, to: '+13105550100' },
    'calls.suggestCallerId': { to: '+13105550100' },
    'voicemails.list': { limit: 10, unreadOnly: true, bnId: n.mainLA },
    'voicemails.audio': { voicemailId: anyVm },
    'voicemails.markRead': { voicemailId: anyVm },
    'messages.threads': { limit: 10, bnId: n.mainLA, search: 'a' },
    'messages.list': { threadId: anyThread, limit: 10 },
    'messages.markRead': { threadId: anyThread },
    'inbox.counts': {},
    'messages.send': { bnId: n.mainLA, to: '+13105550100', body: 'Hello' },
  };
}

type Shape = Record<string, z.ZodType>;
const shapeOf = (m: Method): Shape => (contract[m].input as unknown as { shape: Shape }).shape;

/** One broken input per problem: [what, input, codes allowed]. */
function cases(m: Method): [string, unknown, string[]][] {
  const sample = samples()[m];
  const out: [string, unknown, string[]][] = [
    ['a number instead of an object', 42, ['invalid']],
    ['a string instead of an object', 'hello', ['invalid']],
    ['an array instead of an object', [sample], ['invalid']],
    ['an unknown field', { ...sample, actorUserId: 1, isAdmin: true }, ['invalid']],
  ];
  const shape = shapeOf(m);
  for (const key of Object.keys(shape)) {
    const value = sample[key];
    const required = !shape[key]!.safeParse(undefined).success;
    if (required) {
      const { [key]: _dropped, ...rest } = sample;
      out.push([`${key} missing`, rest, ['invalid']]);
    }
    if (value === undefined) continue;
    const wrong = typeof value === 'string' ? 12345 : typeof value === 'number' ? 'abc' : typeof value === 'boolean' ? 'yes' : Array.isArray(value) ? 'not-a-list' : 'x';
    out.push([`${key} of the wrong type`, { ...sample, [key]: wrong }, ['invalid']]);
    if (typeof value === 'string') out.push([`${key} of 10,000 characters`, { ...sample, [key]: 'x'.repeat(10_000) }, ['invalid']]);
    if (typeof value === 'string' && /^\+\d+$/.test(value)) {
      for (const bad of ['12136472453', '+0123456789', '+12136472453999999', '+1 (213) abc']) out.push([`${key} = bad E.164 ${bad}`, { ...sample, [key]: bad }, ['invalid']]);
    }
    const isId = /Id$/.test(key) && typeof value === 'number';
    const isIds = /Ids$/.test(key) && Array.isArray(value);
    if (isId) {
      for (const bad of [-1, 0, 1.5, 2 ** 60]) out.push([`${key} = ${bad}`, { ...sample, [key]: bad }, ['invalid']]);
      out.push([`${key} unknown`, { ...sample, [key]: 999_999 }, ['not_found', 'forbidden']]);
      const foreign = foreignId(key);
      if (foreign !== null) out.push([`${key} of another account`, { ...sample, [key]: foreign }, ['not_found', 'forbidden']]);
    }
    if (isIds) {
      out.push([`${key} with an unknown id`, { ...sample, [key]: [999_999] }, ['not_found', 'forbidden']]);
      const foreign = foreignId(key.replace(/Ids$/, 'Id'));
      if (foreign !== null) out.push([`${key} with another account's id`, { ...sample, [key]: [foreign] }, ['not_found', 'forbidden']]);
      out.push([`${key} with 10,000 ids`, { ...sample, [key]: Array.from({ length: 10_000 }, (_, i) => i + 1) }, ['invalid']]);
    }
  }
  return out;
}

function foreignId(key: string): number | null {
  const map: Record<string, number> = {
    userId: other.userId,
    sourceUserId: other.userId,
    actorUserId: other.userId,
    memberId: other.userId,
    groupId: other.groupId,
    callFlowId: other.flowId,
    bnId: other.bnId,
    scopeBnId: other.bnId,
    outboundCallBnId: other.bnId,
    smsBnId: other.bnId,
    defaultBnId: other.bnId,
    callId: other.callId,
    threadId: other.threadId,
    contactId: other.contactId,
    integrationId: other.integrationId,
    voicemailId: other.voicemailId,
  };
  return map[key] ?? null;
}

describe('malformed input on every method', () => {
  it('has a valid sample for every method of the contract (a new method needs one here)', () => {
    const s = samples();
    for (const m of methods) {
      expect(s[m], m).toBeDefined();
      const parsed = contract[m].input.safeParse(s[m]);
      expect(parsed.success, `${m}: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
    }
  });

  it.each(methods.map((m) => [m]))('%s refuses every broken input and changes nothing', async (m) => {
    for (const client of publicMethods.has(m) ? [tc.anonymous()] : [admin, agent]) {
      for (const [what, input, codes] of cases(m)) {
        const before = snapshot(tc.db);
        const r = await client.raw(m, input);
        expect(r.ok, `${m}: ${what} should be refused`).toBe(false);
        if (r.ok) continue;
        expect(codes, `${m}: ${what} answered ${r.error.code} ${r.error.message}`).toContain(r.error.code);
        expect(r.error.message.length).toBeGreaterThan(3);
        expect(r.error.message).not.toMatch(/SQLITE|SELECT |INSERT |UPDATE |\n\s+at /);
        expect(snapshot(tc.db), `${m}: ${what} changed data`).toBe(before);
      }
    }
  });
});

describe('the pipeline itself', () => {
  it('refuses an unknown method, and anything but sign-in without a session', async () => {
    const anon = tc.anonymous();
    expect(await anon.raw('users.drop', {})).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await anon.raw('constructor', {})).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await anon.raw('__proto__', {})).toMatchObject({ ok: false, error: { code: 'invalid' } });
    for (const m of methods.filter((x) => !publicMethods.has(x))) {
      const r = await anon.raw(m, samples()[m]);
      expect(r, m).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    }
  });

  it('locks sign-in for a while after five failures, even with the right password', async () => {
    const c = tc.anonymous();
    for (let i = 0; i < 5; i++) expect((await c.call('auth.signIn', { login: 'john@teamline.demo', password: 'wrong-password' })).ok).toBe(false);
    const r = await c.call('auth.signIn', { login: 'john@teamline.demo', password: 'teamline-demo' });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
