import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callBranches, callPageSql, loadActor } from '../../src/main/core/policy';
import { COUNT_EXACT_UP_TO } from '../../src/main/core/api/handlers/calls';
import { makeCore, NOW, snapshot, type TestCore } from '../helpers/core';

/**
 * The console's everyday work: the user card saved in one request, the
 * audit log in the screens' words, validation messages people can read,
 * counts and filter options of the calls list, contacts sharing a number,
 * and the role comparison.
 */
let tc: TestCore;

beforeAll(() => {
  tc = makeCore({ days: 60, callsPerDay: 60 });
});
afterAll(() => tc.close());

const uid = (key: string) => tc.ids.users[key]!;
const numbersOf = (key: string, kind: string) =>
  tc.db
    .prepare('SELECT bn_id FROM user_numbers WHERE user_id = ? AND kind = ? ORDER BY bn_id')
    .pluck()
    .all(uid(key), kind) as number[];

describe('users.update: the whole user card in one request', () => {
  it('applies role, details, call access, numbers and permissions together, each with its own audit event', async () => {
    const morgan = await tc.as('morgan');
    const n = tc.ids.numbers;
    const auditBefore = tc.db.prepare('SELECT max(id) FROM audit_events').pluck().get() as number;
    const u = await morgan.ok('users.update', {
      userId: uid('peter'),
      title: 'Team lead',
      role: 'manager',
      callAccess: 'numbers',
      scopeBnIds: [n.mainLA],
      outboundCallBnIds: [n.mainLA, n.mainNY],
      smsBnIds: [n.mainNY],
      defaultBnId: n.mainNY,
      permissions: ['callFlows', 'groups'],
    });
    expect(u.role).toBe('manager');
    expect(u.title).toBe('Team lead');
    expect(u.access?.callAccess).toBe('numbers');
    expect(u.access?.scopeBnIds).toEqual([n.mainLA]);
    expect(u.access?.defaultBnId).toBe(n.mainNY);
    expect([...(u.access?.managerPermissions ?? [])].sort()).toEqual(['callFlows', 'groups']);
    const actions = tc.db.prepare('SELECT action FROM audit_events WHERE id > ? ORDER BY id').pluck().all(auditBefore);
    expect(actions).toEqual([
      'user.role',
      'user.settings',
      'user.callAccess',
      'user.outboundNumbers',
      'user.managerPermissions',
    ]);
    const summary = tc.db
      .prepare("SELECT summary FROM audit_events WHERE id > ? AND action = 'user.callAccess'")
      .pluck()
      .get(auditBefore);
    expect(summary).toBe("Changed Peter Jones's call access to Business numbers");
    // Sending the card again unchanged writes nothing.
    const last = tc.db.prepare('SELECT max(id) FROM audit_events').pluck().get();
    await morgan.ok('users.update', {
      userId: uid('peter'),
      title: 'Team lead',
      role: 'manager',
      callAccess: 'numbers',
      scopeBnIds: [n.mainLA],
    });
    expect(tc.db.prepare('SELECT max(id) FROM audit_events').pluck().get()).toBe(last);
  });

  it('changes nothing when one part is refused, and names the reason', async () => {
    const leo = await tc.as('leo');
    const before = snapshot(tc.db);
    // A new title is his to give John, but the Billing line is not: the whole card is refused.
    const r = await leo.call('users.update', {
      userId: uid('john'),
      title: 'Senior',
      outboundCallBnIds: [...numbersOf('john', 'call'), tc.ids.numbers.billing],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('forbidden');
      expect(r.error.message.length).toBeGreaterThan(10);
    }
    expect(snapshot(tc.db)).toBe(before);
  });
});

describe('validation messages in people’s words', () => {
  it('names the field and says what is wrong, with no zod jargon', async () => {
    const morgan = await tc.as('morgan');
    const long = await morgan.raw('groups.create', { name: 'x'.repeat(130) });
    expect(long).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: 'Name can be at most 120 characters' },
    });
    const title = await morgan.raw('users.updateSettings', { userId: uid('john'), title: 'y'.repeat(81) });
    expect(title).toMatchObject({
      ok: false,
      error: { message: 'Title can be at most 80 characters', fields: { title: 'Title can be at most 80 characters' } },
    });
    const empty = await morgan.raw('integrations.create', {
      provider: 'hubspot',
      name: '',
      settings: { instanceUrl: 'https://crm.example.com' },
    });
    expect(empty).toMatchObject({ ok: false, error: { message: 'Name is required' } });
    const missing = await morgan.raw('contacts.create', { name: 'No phone' });
    expect(missing).toMatchObject({ ok: false, error: { message: 'Phone is required' } });
    for (const r of [long, title, empty, missing])
      expect(JSON.stringify(r)).not.toMatch(/Too (big|small)|expected|Invalid input/);
  });
});

describe('the audit log in the screens’ words', () => {
  it('sends the numbers, people, groups and flows its events refer to, deleted ones included', async () => {
    const morgan = await tc.as('morgan');
    const n = tc.ids.numbers;
    await morgan.ok('users.setOutboundNumbers', {
      userId: uid('jessica'),
      outboundCallBnIds: [n.mainLA, n.mainNY],
      smsBnIds: [n.mainLA],
    });
    const group = await morgan.ok('groups.create', { name: 'Night shift', memberIds: [uid('john')] });
    await morgan.ok('groups.delete', { groupId: group.id });
    const page = await morgan.ok('audit.list', { limit: 10 });
    expect(page.names.numbers[n.mainLA]).toEqual({
      formatted: '+1 (213) 647-2453',
      label: expect.any(String),
      released: false,
    });
    expect(page.names.users[uid('john')]).toMatchObject({ name: 'John Smith', extension: '100' });
    const outbound = page.items.find((e) => e.action === 'user.outboundNumbers');
    expect(outbound).toBeDefined();
    const created = page.items.find((e) => e.action === 'group.create');
    expect(created?.after).toMatchObject({ memberIds: [uid('john')] });
  });
});

describe('calls.count', () => {
  it('counts what the list shows, by the same role-filtered query', async () => {
    for (const key of ['jasmine', 'john', 'leo']) {
      const c = await tc.as(key);
      const actor = loadActor(tc.db, uid(key))!;
      const q = callPageSql(callBranches(actor), tc.ids.accountId, { direction: 'inbound' }, null, 1_000_000);
      const all = (tc.db.prepare(q.sql).all(...q.params) as unknown[]).length;
      const r = await c.ok('calls.count', { direction: 'inbound' });
      if (all <= COUNT_EXACT_UP_TO) expect(r).toEqual({ count: all, estimated: false });
      else {
        expect(r.estimated).toBe(true);
        expect(r.count).toBeGreaterThan(all * 0.7);
        expect(r.count).toBeLessThan(all * 1.3);
      }
    }
  });

  it('estimates, marked as such, past the exact limit', async () => {
    const morgan = await tc.as('morgan');
    const total = tc.db.prepare('SELECT count(*) FROM calls').pluck().get() as number;
    expect(total).toBeGreaterThan(COUNT_EXACT_UP_TO);
    const r = await morgan.ok('calls.count', {});
    expect(r.estimated).toBe(true);
    expect(r.count).toBeGreaterThan(total * 0.7);
    expect(r.count).toBeLessThan(total * 1.3);
    const exact = await morgan.ok('calls.count', { from: NOW - 86_400_000 });
    expect(exact.estimated).toBe(false);
  });
});

describe('calls.filterOptions', () => {
  it('offers only what the user’s calls can carry', async () => {
    const leo = await (await tc.as('leo')).ok('calls.filterOptions', {});
    expect(leo.numbers.map((x) => x.id)).not.toContain(tc.ids.numbers.billing);
    expect(leo.numbers.map((x) => x.id)).toEqual(
      expect.arrayContaining([tc.ids.numbers.mainLA, tc.ids.numbers.mainNY]),
    );
    expect(leo.callFlows.map((f) => f.id)).not.toContain(tc.ids.flows.billing);
    expect(leo.groups.map((g) => g.id)).not.toContain(tc.ids.groups.billing);

    const jasmine = await (await tc.as('jasmine')).ok('calls.filterOptions', {});
    const groups = tc.db.prepare('SELECT count(*) FROM user_groups WHERE deleted_at IS NULL').pluck().get() as number;
    expect(jasmine.groups.length).toBeLessThan(groups);
    expect(jasmine.groups.map((g) => g.id)).not.toContain(tc.ids.groups.billing);
    expect(jasmine.users.map((u) => u.id)).toContain(uid('jasmine'));
    expect(jasmine.users.map((u) => u.id)).not.toContain(uid('dana'));

    const morgan = await (await tc.as('morgan')).ok('calls.filterOptions', {});
    expect(morgan.numbers.map((x) => x.id)).toContain(tc.ids.numbers.billing);
    expect(morgan.groups.map((g) => g.id)).toContain(tc.ids.groups.billing);
  });
});

describe('contacts sharing a number', () => {
  it('refuses a second contact with a number, naming the first, unless asked to share it', async () => {
    const john = await tc.as('john');
    const first = await john.ok('contacts.create', { name: 'Ada Front', company: 'Acme', phone: '+13105550999' });
    const before = snapshot(tc.db);
    const r = await john.call('contacts.create', { name: 'Bea Back', phone: '+13105550999' });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: '+1 (310) 555-0999 is already the number of Ada Front (Acme).' },
    });
    expect(snapshot(tc.db)).toBe(before);
    const shared = await john.ok('contacts.create', { name: 'Bea Back', phone: '+13105550999', sharedNumber: true });
    expect(shared.phone).toBe('+13105550999');
    // Editing a contact keeps its own number without asking; moving another onto it asks.
    await john.ok('contacts.update', { contactId: first.id, name: 'Ada Front-Desk' });
    const other = await john.ok('contacts.create', { name: 'Cy Side', phone: '+13105550998' });
    const moved = await john.call('contacts.update', { contactId: other.id, phone: '+13105550999' });
    expect(moved).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});

describe('users.roleTable', () => {
  it('is the policy’s own capability table, role by role', async () => {
    const rows = await (await tc.as('john')).ok('users.roleTable', {});
    const row = (c: string) => rows.find((r) => r.capability === c)!;
    expect(row('users.role').cells).toMatchObject({
      agent: { mark: 'no' },
      manager: { mark: 'no' },
      administrator: { mark: 'yes' },
    });
    expect(row('callFlows.manage').cells.manager).toMatchObject({
      mark: 'permission',
      note: expect.stringContaining('Create & manage call flows'),
    });
    expect(row('users.settings').cells.manager.note).toMatch(/over Agents only/);
    expect(row('integrations.manage').cells.manager.mark).toBe('yes');
    expect(row('contacts.manage').cells.agent.mark).toBe('yes');
    expect(row('audit.read').cells.manager.mark).toBe('permission');
  });
});
