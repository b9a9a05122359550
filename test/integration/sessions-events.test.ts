import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCore, snapshot, type TestCore } from '../helpers/core';
import { verifyPassword } from '../../src/main/core/domain/password';

let tc: TestCore;
beforeEach(() => {
  tc = makeCore();
});
afterEach(() => tc.close());

describe('sign-in and sessions', () => {
  it('signs in with email or extension and returns the actor’s view', async () => {
    const c = tc.anonymous();
    const byExt = await c.ok('auth.signIn', { login: '105', password: 'teamline-demo' });
    expect(byExt.user.name).toBe('Leo Martin');
    expect(byExt.capabilities['users.role']).toBe(false);
    expect(byExt.capabilities['users.access']).toBe(true);
    const d = tc.anonymous();
    const byEmail = await d.ok('auth.signIn', { login: 'MORGAN@teamline.demo', password: 'teamline-demo' });
    expect(byEmail.user.isOwner).toBe(true);
  });

  it('stores passwords as scrypt hashes, never in clear', () => {
    const hashes = tc.db.prepare('SELECT password_hash FROM users').pluck().all() as string[];
    for (const h of hashes) {
      expect(h).toMatch(/^scrypt\$/);
      expect(h).not.toContain('teamline-demo');
      expect(verifyPassword('teamline-demo', h)).toBe(true);
    }
  });

  it('answers nothing but sign-in without a session', async () => {
    const c = tc.anonymous();
    for (const m of ['auth.me', 'calls.list', 'users.list', 'numbers.list'] as const) {
      const r = await c.raw(m, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    }
  });

  it('takes the actor from the session, never from the input', async () => {
    const john = await tc.as('john');
    const r = await john.raw('calls.list', { limit: 10, userId: tc.ids.users.morgan, actor: tc.ids.users.morgan });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('a deactivated user loses their session at the next request', async () => {
    const john = await tc.as('john');
    const morgan = await tc.as('morgan');
    await morgan.ok('users.deactivate', { userId: tc.ids.users.john! });
    expect(await john.raw('calls.list', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const again = await tc.anonymous().call('auth.signIn', { login: 'john@teamline.demo', password: 'teamline-demo' });
    expect(again).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    if (!again.ok) expect(again.error.message).toMatch(/deactivated/);
  });

  it('signs out', async () => {
    const john = await tc.as('john');
    await john.ok('auth.signOut', {});
    expect(await john.raw('auth.me', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('changes one’s own password', async () => {
    const john = await tc.as('john');
    expect((await john.call('auth.changePassword', { current: 'wrong-one', next: 'a-new-password' })).ok).toBe(false);
    await john.ok('auth.changePassword', { current: 'teamline-demo', next: 'a-new-password' });
    const c = tc.anonymous();
    expect((await c.call('auth.signIn', { login: '100', password: 'teamline-demo' })).ok).toBe(false);
    expect((await c.call('auth.signIn', { login: '100', password: 'a-new-password' })).ok).toBe(true);
  });

  it('lists the demo users for the sign-in screen only while the demo account is loaded', async () => {
    const c = tc.anonymous();
    const users = await c.ok('auth.demoUsers', {});
    expect(users.map((u) => u.extension)).toEqual([
      '100',
      '101',
      '102',
      '103',
      '104',
      '105',
      '106',
      '107',
      '108',
      '109',
    ]);
    tc.db.prepare(`UPDATE accounts SET name = 'Acme' WHERE id = ?`).run(tc.ids.accountId);
    expect(await c.ok('auth.demoUsers', {})).toEqual([]);
  });
});

describe('push events', () => {
  it('tells a user at once when their access changes, and the rest of the team that the team changed', async () => {
    const jasmine = await tc.as('jasmine');
    const john = await tc.as('john');
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setOutboundNumbers', { userId: tc.ids.users.jasmine!, outboundCallBnIds: [], smsBnIds: [] });
    expect(jasmine.events.map((e) => e.name)).toContain('access.changed');
    expect(john.events.map((e) => e.name)).not.toContain('access.changed');
    expect(john.events.map((e) => e.name)).toContain('users.changed');
    const me = await jasmine.ok('auth.me', {});
    expect(me.outboundCallNumbers).toEqual([]);
    expect(
      await jasmine.call('calls.authorizeOutbound', { bnId: tc.ids.numbers.mainLA, to: '+13105550100' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('announces a new call only to those who may see it', async () => {
    const clients = Object.fromEntries(
      await Promise.all(
        ['john', 'jessica', 'jasmine', 'karey', 'leo', 'dana', 'morgan'].map(async (k) => [k, await tc.as(k)] as const),
      ),
    );
    tc.recordCall({
      accountId: tc.ids.accountId,
      direction: 'inbound',
      result: 'missed',
      bnId: tc.ids.numbers.mainLA,
      externalNumber: '+13105550123',
      startedAt: Date.now(),
      answeredAt: null,
      endedAt: Date.now(),
      callFlowId: tc.ids.flows.main,
      groupId: tc.ids.groups.sales,
      participants: [],
      events: [],
      voicemail: null,
    });
    const heard = Object.entries(clients)
      .filter(([, c]) => c.events.some((e) => e.name === 'calls.changed'))
      .map(([k]) => k)
      .sort();
    expect(heard).toEqual(['john', 'karey', 'leo', 'morgan']);
  });
});

describe('audit log', () => {
  it('records every access change in the same transaction, before → after', async () => {
    const morgan = await tc.as('morgan');
    const count = () => tc.db.prepare('SELECT count(*) FROM audit_events').pluck().get() as number;
    const n0 = count();
    await morgan.ok('users.setCallAccess', { userId: tc.ids.users.jasmine!, callAccess: 'group' });
    await morgan.ok('groups.setMembers', { groupId: tc.ids.groups.support, memberIds: [tc.ids.users.jessica!] });
    await morgan.ok('numbers.route', { bnId: tc.ids.numbers.tollFree, callFlowId: tc.ids.flows.main });
    await morgan.ok('users.setRole', { userId: tc.ids.users.karey!, role: 'manager' });
    expect(count()).toBe(n0 + 4);
    const page = await morgan.ok('audit.list', { limit: 4 });
    expect(page.items.map((e) => e.action)).toEqual(['user.role', 'number.route', 'group.members', 'user.callAccess']);
    expect(page.items[3]!.before).toMatchObject({ callAccess: 'personal' });
    expect(page.items[3]!.after).toMatchObject({ callAccess: 'group' });
    expect(page.items[3]!.actorName).toBe('Morgan Reyes');
  });

  it('a refused change writes no audit event and changes nothing', async () => {
    const leo = await tc.as('leo');
    const before = snapshot(tc.db);
    const r = await leo.call('users.setRole', { userId: tc.ids.users.john!, role: 'manager' });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(snapshot(tc.db)).toBe(before);
  });

  it('scopes the log for a Manager to what they did, Agents, and their areas', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setManagerPermissions', { userId: tc.ids.users.leo!, permissions: ['userAccess'] });
    await morgan.ok('billing.update', {
      contactName: 'Morgan Reyes',
      contactEmail: 'billing@teamline.demo',
      addressLine1: '1 Main St',
      city: 'Los Angeles',
      postalCode: '90001',
      country: 'US',
    });
    await morgan.ok('users.setCallAccess', { userId: tc.ids.users.jasmine!, callAccess: 'group' });
    const leo = await tc.as('leo');
    const items = (await leo.ok('audit.list', { limit: 50 })).items;
    const actions = items.map((e) => e.action);
    expect(actions).toContain('user.callAccess');
    expect(actions).not.toContain('billing.update');
    expect(actions).not.toContain('user.managerPermissions');
    const john = await tc.as('john');
    expect(await john.call('audit.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('sign-in lockout', () => {
  it('counts failures per login, so reconnecting does not reset it', async () => {
    for (let i = 0; i < 5; i++) {
      const fresh = tc.anonymous();
      expect((await fresh.call('auth.signIn', { login: 'peter@teamline.demo', password: 'wrong-password' })).ok).toBe(
        false,
      );
    }
    const r = await tc.anonymous().call('auth.signIn', { login: 'PETER@teamline.demo', password: 'teamline-demo' });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Other people are not locked out.
    expect(
      (await tc.anonymous().call('auth.signIn', { login: 'john@teamline.demo', password: 'teamline-demo' })).ok,
    ).toBe(true);
  });
});
