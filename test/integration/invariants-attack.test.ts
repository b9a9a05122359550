import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCore, snapshot, type Client, type TestCore } from '../helpers/core';

/** POLICY.md §2 invariants, attacked through the API; each attack changes nothing. */
let tc: TestCore;
beforeEach(() => {
  tc = makeCore();
});
afterEach(() => tc.close());

async function refused(c: Client, method: Parameters<Client['raw']>[0], input: unknown, code = 'forbidden', message?: RegExp) {
  const before = snapshot(tc.db);
  const r = await c.raw(method, input);
  expect(r.ok, `${method} should be refused`).toBe(false);
  if (!r.ok) {
    expect(r.error.code).toBe(code);
    if (message) expect(r.error.message).toMatch(message);
  }
  expect(snapshot(tc.db)).toBe(before);
}

describe('invariant 1: an active Administrator always remains; the owner is protected', () => {
  it('nobody demotes or deactivates the owner, not even another Administrator or the owner', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: tc.ids.users.karey!, role: 'administrator' });
    const karey = await tc.as('karey');
    const owner = tc.ids.users.morgan!;
    await refused(karey, 'users.setRole', { userId: owner, role: 'agent' }, 'forbidden', /transfer ownership/);
    await refused(karey, 'users.deactivate', { userId: owner }, 'forbidden', /owns the account/);
    await refused(morgan, 'users.setRole', { userId: owner, role: 'manager' });
    await refused(morgan, 'users.deactivate', { userId: owner });
  });

  it('ownership moves only by the owner, to an active Administrator — then the old owner can be demoted', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: tc.ids.users.karey!, role: 'administrator' });
    const karey = await tc.as('karey');
    await refused(karey, 'account.transferOwnership', { userId: tc.ids.users.karey! }, 'forbidden', /owner/);
    await refused(morgan, 'account.transferOwnership', { userId: tc.ids.users.john! }, 'forbidden', /active Administrator/);
    await morgan.ok('account.transferOwnership', { userId: tc.ids.users.karey! });
    await karey.ok('users.setRole', { userId: tc.ids.users.morgan!, role: 'agent' });
    await refused(karey, 'users.setRole', { userId: tc.ids.users.karey!, role: 'agent' });
  });

  it('the last active Administrator stays one', async () => {
    const morgan = await tc.as('morgan');
    // Even with the owner protection out of the way, the count protects the account.
    tc.db.prepare('UPDATE accounts SET owner_user_id = ? WHERE id = ?').run(tc.ids.users.karey, tc.ids.accountId);
    await refused(morgan, 'users.setRole', { userId: tc.ids.users.morgan!, role: 'agent' }, 'forbidden', /at least one active Administrator/);
  });

  it('nobody deactivates themselves', async () => {
    const morgan = await tc.as('morgan');
    await refused(morgan, 'users.deactivate', { userId: tc.ids.users.morgan! }, 'forbidden', /yourself/);
  });
});

describe('invariant 2: only Administrators change roles', () => {
  it.each(['john', 'leo'])('%s cannot promote anyone, or themselves', async (key) => {
    const c = await tc.as(key);
    for (const userId of [tc.ids.users.peter!, tc.ids.users[key]!]) {
      for (const role of ['manager', 'administrator'] as const) await refused(c, 'users.setRole', { userId, role });
    }
  });
});

describe('invariant 3: no escalation by delegation', () => {
  it('a Manager cannot give an Agent a BN outside the numbers the Manager may use or see', async () => {
    const leo = await tc.as('leo');
    await refused(
      leo,
      'users.setOutboundNumbers',
      { userId: tc.ids.users.john!, outboundCallBnIds: [tc.ids.numbers.mainLA, tc.ids.numbers.billing], smsBnIds: [] },
      'forbidden',
      /numbers that you may use or see/,
    );
    await refused(leo, 'users.add', {
      name: 'Eve',
      email: 'eve@teamline.demo',
      extension: '130',
      password: 'a-long-password',
      smsBnIds: [tc.ids.numbers.billing],
    });
  });

  it('a Manager may remove a number they cannot see, and keep one the Agent already had', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setOutboundNumbers', {
      userId: tc.ids.users.john!,
      outboundCallBnIds: [tc.ids.numbers.mainLA, tc.ids.numbers.billing],
      smsBnIds: [],
    });
    const leo = await tc.as('leo');
    await leo.ok('users.setOutboundNumbers', {
      userId: tc.ids.users.john!,
      outboundCallBnIds: [tc.ids.numbers.mainNY, tc.ids.numbers.billing],
      smsBnIds: [tc.ids.numbers.mainLA],
    });
    await leo.ok('users.setOutboundNumbers', { userId: tc.ids.users.john!, outboundCallBnIds: [tc.ids.numbers.mainNY], smsBnIds: [] });
  });

  it('a Manager cannot grant a scope wider than their own', async () => {
    const leo = await tc.as('leo');
    await refused(leo, 'users.setCallAccess', { userId: tc.ids.users.john!, callAccess: 'numbers', scopeBnIds: [tc.ids.numbers.mainLA] });
    // Dana's group is rung by the Billing line, outside Leo's numbers.
    await refused(leo, 'users.setCallAccess', { userId: tc.ids.users.dana!, callAccess: 'callflow' }, 'forbidden', /outside your own access/);
    await refused(leo, 'users.setCallAccess', { userId: tc.ids.users.dana!, callAccess: 'group' }, 'forbidden', /outside your own access/);
    // Within his numbers it is fine.
    await leo.ok('users.setCallAccess', { userId: tc.ids.users.jasmine!, callAccess: 'callflow' });
  });

  it('a Manager with the groups permission cannot put an Agent in a group that reaches beyond their numbers', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setManagerPermissions', { userId: tc.ids.users.leo!, permissions: ['groups', 'userAccess'] });
    const leo = await tc.as('leo');
    await refused(leo, 'groups.setMembers', { groupId: tc.ids.groups.billing, memberIds: [tc.ids.users.dana!, tc.ids.users.omar!, tc.ids.users.john!] });
    await morgan.ok('users.setRole', { userId: tc.ids.users.karey!, role: 'manager' });
    await refused(leo, 'groups.setMembers', { groupId: tc.ids.groups.support, memberIds: [tc.ids.users.jessica!, tc.ids.users.allie!, tc.ids.users.karey!] }, 'forbidden', /Agents only/);
    await leo.ok('groups.setMembers', { groupId: tc.ids.groups.support, memberIds: [tc.ids.users.jessica!, tc.ids.users.allie!, tc.ids.users.peter!] });
  });

  it('a Manager cannot edit a call flow that answers numbers outside their access, nor learn those numbers', async () => {
    const leo = await tc.as('leo');
    const billing = (await leo.ok('callFlows.list', {})).find((f) => f.id === tc.ids.flows.billing)!;
    expect(billing).toMatchObject({ bnIds: [], hiddenBnCount: 1 });
    await refused(leo, 'callFlows.update', { callFlowId: tc.ids.flows.billing, name: 'Billing (new)' }, 'forbidden', /outside your access/);
    await leo.ok('callFlows.update', { callFlowId: tc.ids.flows.main, name: 'Main line' });
  });
});

describe('invariant 5: a cancelled account is read-only for everyone', () => {
  it('refuses every change, keeps reads, and says why', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('account.cancel', { confirmName: 'Teamline Demo' });
    for (const key of ['morgan', 'leo', 'john']) {
      const c = await tc.as(key);
      const me = await c.ok('auth.me', {});
      expect(me.account.status).toBe('cancelled');
      expect(Object.values(me.capabilities).some(Boolean)).toBe(key === 'morgan' || key === 'leo');
      expect((await c.ok('calls.list', {})).items).toBeDefined();
      await refused(c, 'contacts.create', { name: 'X', phone: '+13105550100' }, 'forbidden', /cancelled on \d{4}-\d{2}-\d{2}/);
      await refused(c, 'messages.send', { bnId: tc.ids.numbers.mainLA, to: '+13105550100', body: 'hi' }, 'forbidden', /cancelled/);
    }
    await refused(morgan, 'users.setCallAccess', { userId: tc.ids.users.john!, callAccess: 'personal' }, 'forbidden', /cancelled/);
    await refused(morgan, 'billing.changePlan', { plan: 'business' }, 'forbidden', /cancelled/);
    await refused(morgan, 'account.cancel', { confirmName: 'Teamline Demo' }, 'forbidden', /cancelled/);
  });

  it('the confirmation must name the account', async () => {
    const morgan = await tc.as('morgan');
    await refused(morgan, 'account.cancel', { confirmName: 'teamline' }, 'invalid', /Type the account name/);
  });
});

describe('plans', () => {
  /** Basic allows three numbers; the demo has four. */
  const toBasic = async (morgan: Client) => {
    await morgan.ok('numbers.release', { bnId: tc.ids.numbers.tollFree });
    await morgan.ok('billing.changePlan', { plan: 'basic' });
  };

  it('moving to Basic shows its effects first, then turns Managers into Agents with group access', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('numbers.release', { bnId: tc.ids.numbers.tollFree });
    const preview = await morgan.ok('billing.previewPlanChange', { plan: 'basic' });
    expect(preview.effects.join(' ')).toMatch(/Leo Martin becomes an Agent/);
    expect(preview.effects.join(' ')).toMatch(/Jasmine Lee's call access becomes "Calling group"/);
    await morgan.ok('billing.changePlan', { plan: 'basic' });
    const leo = await morgan.ok('users.get', { userId: tc.ids.users.leo! });
    expect(leo.role).toBe('agent');
    const jasmine = await tc.as('jasmine');
    const me = await jasmine.ok('auth.me', {});
    expect(me.outboundCallNumbers.length).toBe(3);
    expect(me.user.access?.callAccess).toBe('group');
  });

  it('on Basic, making a Manager, changing call access and narrowing outbound numbers are refused with the plan named', async () => {
    const morgan = await tc.as('morgan');
    await toBasic(morgan);
    await refused(morgan, 'users.setRole', { userId: tc.ids.users.john!, role: 'manager' }, 'plan', /Business plan/);
    await refused(morgan, 'users.setCallAccess', { userId: tc.ids.users.john!, callAccess: 'personal' }, 'plan', /Basic plan/);
    await refused(morgan, 'users.setOutboundNumbers', { userId: tc.ids.users.john!, outboundCallBnIds: [tc.ids.numbers.mainLA], smsBnIds: [] }, 'plan');
    await refused(morgan, 'users.add', { name: 'M', email: 'm@teamline.demo', extension: '140', password: 'a-long-password', role: 'manager' }, 'plan');
  });

  it('refuses going past the plan’s user and number limits', async () => {
    const morgan = await tc.as('morgan');
    // Basic allows 3 numbers; the demo has 4, so the move itself is refused.
    await refused(morgan, 'billing.changePlan', { plan: 'basic' }, 'plan', /allows 3 business numbers/);
    await morgan.ok('billing.changePlan', { plan: 'business' });
    const bought: number[] = [];
    const catalogue = await morgan.ok('numbers.catalogue', {});
    for (const n of catalogue.slice(0, 21)) bought.push((await morgan.ok('numbers.buy', { e164: n.e164 })).id);
    expect(bought).toHaveLength(21);
    await refused(morgan, 'numbers.buy', { e164: catalogue[21]!.e164 }, 'plan', /allows 25 business numbers/);
  });
});

describe('invariant 4: deny by default', () => {
  it('an unknown role or call access level in the data is refused, not guessed at', async () => {
    const john = await tc.as('john');
    tc.db.pragma('ignore_check_constraints = ON');
    tc.db.prepare(`UPDATE users SET role = 'superuser' WHERE id = ?`).run(tc.ids.users.john);
    expect(await john.raw('calls.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    tc.db.prepare(`UPDATE users SET role = 'agent', call_access = 'everything' WHERE id = ?`).run(tc.ids.users.john);
    expect(await john.raw('calls.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    tc.db.prepare(`UPDATE users SET call_access = 'group' WHERE id = ?`).run(tc.ids.users.john);
    tc.db.pragma('ignore_check_constraints = OFF');
    expect((await john.raw('calls.list', {})).ok).toBe(true);
  });
});
