import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManagerPermission } from '../../src/shared/primitives';
import { managerPermissions } from '../../src/shared/primitives';
import { makeCore, snapshot, type Client, type TestCore } from '../helpers/core';

/**
 * POLICY.md §2 through the API: every row of the capability table, for an
 * Agent, a Manager with each permission flag on and off, and an
 * Administrator. Refusals change nothing; allowed actions take effect.
 */
let tc: TestCore;
beforeEach(() => {
  tc = makeCore();
});
afterEach(() => tc.close());

type Who = 'agent' | 'manager' | 'administrator';

/** A signed-in actor: John (Agent), Leo (Manager) with exactly `flags`, or Morgan (Administrator). */
async function actor(who: Who, flags: ManagerPermission[] = []): Promise<Client> {
  if (who === 'manager') {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setManagerPermissions', { userId: tc.ids.users.leo!, permissions: flags });
    morgan.close();
    return tc.as('leo');
  }
  return tc.as(who === 'agent' ? 'john' : 'morgan');
}

const count = (table: string) => tc.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

interface Row {
  capability: string;
  /** Manager flag the row depends on; null when Managers always or never have it. */
  flag: ManagerPermission | null;
  expected: Record<Who, boolean | 'flag'>;
  attempt: (c: Client) => Promise<{ ok: boolean; error?: { code: string; message: string } }>;
  /** Proof the allowed action took effect. */
  effect: () => void;
}

const rows = (): Row[] => [
  {
    capability: 'create & manage call flows',
    flag: 'callFlows',
    expected: { agent: false, manager: 'flag', administrator: true },
    attempt: (c) => c.call('callFlows.create', { name: 'Night line', steps: [{ kind: 'ring_group', groupId: tc.ids.groups.support, ringSeconds: 20 }] }),
    effect: () => expect(count(`call_flows WHERE name = 'Night line'`)).toBe(1),
  },
  {
    capability: 'manage contacts',
    flag: null,
    expected: { agent: true, manager: true, administrator: true },
    attempt: (c) => c.call('contacts.create', { name: 'New Client', phone: '+13105550199' }),
    effect: () => expect(count(`contacts WHERE name = 'New Client'`)).toBe(1),
  },
  {
    capability: 'buy, manage & delete BNs',
    flag: 'numbers',
    expected: { agent: false, manager: 'flag', administrator: true },
    attempt: (c) => c.call('numbers.buy', { e164: tc.db.prepare('SELECT e164 FROM number_catalogue ORDER BY e164 LIMIT 1').pluck().get() as string, label: 'New' }),
    effect: () => expect(count(`business_numbers WHERE label = 'New'`)).toBe(1),
  },
  {
    capability: 'set up & delete CRM integrations',
    flag: null,
    expected: { agent: false, manager: true, administrator: true },
    attempt: (c) =>
      c.call('integrations.create', { provider: 'hubspot', name: 'HubSpot', settings: { instanceUrl: 'https://crm.example.com' } }),
    effect: () => expect(count('integrations')).toBe(1),
  },
  {
    capability: 'manage billing information',
    flag: 'billing',
    expected: { agent: false, manager: 'flag', administrator: true },
    attempt: (c) =>
      c.call('billing.update', { contactName: 'Pat Payer', contactEmail: 'pay@example.com', addressLine1: '1 Main St', city: 'LA', postalCode: '90001', country: 'US' }),
    effect: () => expect(tc.db.prepare('SELECT contact_name FROM billing_profiles').pluck().get()).toBe('Pat Payer'),
  },
  {
    capability: 'create, edit & delete user groups',
    flag: 'groups',
    expected: { agent: false, manager: 'flag', administrator: true },
    attempt: (c) => c.call('groups.create', { name: 'Night shift', memberIds: [tc.ids.users.allie!] }),
    effect: () => expect(count(`user_groups WHERE name = 'Night shift'`)).toBe(1),
  },
  {
    capability: 'add new users',
    flag: 'addUsers',
    expected: { agent: false, manager: 'flag', administrator: true },
    attempt: (c) => c.call('users.add', { name: 'Nina New', email: 'nina@teamline.demo', extension: '120', password: 'a-long-password' }),
    effect: () => expect(count(`users WHERE extension = '120'`)).toBe(1),
  },
  {
    capability: "manage other users' settings",
    flag: 'userSettings',
    expected: { agent: false, manager: 'flag', administrator: true },
    attempt: (c) => c.call('users.updateSettings', { userId: tc.ids.users.allie!, title: 'Support lead', extension: '114' }),
    effect: () => expect(tc.db.prepare('SELECT extension FROM users WHERE id = ?').pluck().get(tc.ids.users.allie)).toBe('114'),
  },
  {
    capability: "manage other users' access to calls, messages & BNs",
    flag: 'userAccess',
    expected: { agent: false, manager: 'flag', administrator: true },
    attempt: (c) => c.call('users.setCallAccess', { userId: tc.ids.users.allie!, callAccess: 'personal' }),
    effect: () => expect(tc.db.prepare('SELECT call_access FROM users WHERE id = ?').pluck().get(tc.ids.users.allie)).toBe('personal'),
  },
  {
    capability: 'change user roles',
    flag: null,
    expected: { agent: false, manager: false, administrator: true },
    attempt: (c) => c.call('users.setRole', { userId: tc.ids.users.allie!, role: 'manager' }),
    effect: () => expect(tc.db.prepare('SELECT role FROM users WHERE id = ?').pluck().get(tc.ids.users.allie)).toBe('manager'),
  },
  {
    capability: 'cancel the account',
    flag: null,
    expected: { agent: false, manager: false, administrator: true },
    attempt: (c) => c.call('account.cancel', { confirmName: 'Teamline Demo' }),
    effect: () => expect(tc.db.prepare('SELECT status FROM accounts WHERE id = ?').pluck().get(tc.ids.accountId)).toBe('cancelled'),
  },
  {
    capability: 'read the audit log',
    flag: 'userAccess',
    expected: { agent: false, manager: 'flag', administrator: true },
    attempt: (c) => c.call('audit.list', {}),
    effect: () => undefined,
  },
];

type Case = [string, Who, ManagerPermission[], boolean, number];

/** Every row for every role; for Managers, with the row's flag on and with it off (others on). */
function cases(): Case[] {
  const out: Case[] = [];
  rows().forEach((row, i) => {
    for (const who of ['agent', 'administrator'] as const) out.push([row.capability, who, [], row.expected[who] === true, i]);
    if (row.expected.manager === 'flag' && row.flag) {
      out.push([row.capability, 'manager', [row.flag], true, i]);
      const others = managerPermissions.filter((p) => p !== row.flag && !(row.capability === 'read the audit log' && ['addUsers', 'userSettings'].includes(p)));
      out.push([row.capability, 'manager', others, false, i]);
    } else {
      out.push([row.capability, 'manager', [...managerPermissions], row.expected.manager === true, i]);
      if (row.expected.manager === true) out.push([row.capability, 'manager', [], true, i]);
    }
  });
  return out;
}

describe('the capability table (POLICY.md §2)', () => {
  it.each(cases())('%s — %s with flags %j → allowed %s', async (_cap, who, flags, allowed, index) => {
    const row = rows()[index]!;
    const c = await actor(who, flags);
    const before = snapshot(tc.db);
    const r = await row.attempt(c);
    if (allowed) {
      expect(r.ok, JSON.stringify(r.error)).toBe(true);
      row.effect();
    } else {
      expect(r.ok).toBe(false);
      expect(['forbidden', 'plan']).toContain(r.error?.code);
      expect(r.error?.message.length).toBeGreaterThan(15);
      expect(snapshot(tc.db)).toBe(before);
    }
  });

  it('gives a new Manager the standard permissions', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: tc.ids.users.allie!, role: 'manager' });
    const allie = await morgan.ok('users.get', { userId: tc.ids.users.allie! });
    expect(allie.access?.managerPermissions.sort()).toEqual(['addUsers', 'callFlows', 'userAccess', 'userSettings']);
    expect(allie.access?.callAccess).toBe('numbers');
  });
});

describe('"A": a Manager acts on Agents only (invariant 2)', () => {
  const all = [...managerPermissions];

  it.each([
    ['identity settings', (c: Client, id: number) => c.call('users.updateSettings', { userId: id, extension: '199' })],
    ['call access', (c: Client, id: number) => c.call('users.setCallAccess', { userId: id, callAccess: 'all' })],
    ['outbound numbers', (c: Client, id: number) => c.call('users.setOutboundNumbers', { userId: id, outboundCallBnIds: [], smsBnIds: [] })],
    ['deactivate', (c: Client, id: number) => c.call('users.deactivate', { userId: id })],
    ['role', (c: Client, id: number) => c.call('users.setRole', { userId: id, role: 'agent' })],
    ['permissions', (c: Client, id: number) => c.call('users.setManagerPermissions', { userId: id, permissions: [] })],
  ] as const)('refuses %s of another Manager, an Administrator, and the Manager themselves', async (what, act) => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: tc.ids.users.karey!, role: 'manager' });
    const leo = await actor('manager', all);
    // A Manager's own settings are theirs to edit (docs/policy-decisions.md); their own role, permissions and access are not.
    const self = what === 'identity settings' ? [] : [tc.ids.users.leo!];
    for (const target of [tc.ids.users.karey!, tc.ids.users.morgan!, ...self]) {
      const before = snapshot(tc.db);
      const r = await act(leo, target);
      expect(r.ok, `target ${target}`).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('forbidden');
      expect(snapshot(tc.db)).toBe(before);
    }
  });

  it('allows the same on an Agent, within the Manager’s numbers', async () => {
    const leo = await actor('manager', all);
    const john = tc.ids.users.john!;
    await leo.ok('users.updateSettings', { userId: john, title: 'Senior sales' });
    await leo.ok('users.setCallAccess', { userId: john, callAccess: 'personal' });
    await leo.ok('users.setOutboundNumbers', { userId: john, outboundCallBnIds: [tc.ids.numbers.mainNY], smsBnIds: [] });
    await leo.ok('users.deactivate', { userId: john });
    await leo.ok('users.reactivate', { userId: john });
    const audit = tc.db.prepare(`SELECT action FROM audit_events WHERE target_id = ? AND actor_user_id = ? ORDER BY id`).pluck().all(john, tc.ids.users.leo);
    expect(audit).toEqual(['user.settings', 'user.callAccess', 'user.outboundNumbers', 'user.deactivate', 'user.reactivate']);
  });

  it('lets anyone edit their own profile, but not their own extension or email', async () => {
    const john = await tc.as('john');
    await john.ok('users.updateSettings', { userId: tc.ids.users.john!, title: 'Closer', timezone: 'America/New_York' });
    const before = snapshot(tc.db);
    expect(await john.call('users.updateSettings', { userId: tc.ids.users.john!, extension: '199' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await john.call('users.updateSettings', { userId: tc.ids.users.peter!, title: 'X' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(snapshot(tc.db)).toBe(before);
  });

  it('lets a Manager add Agents only', async () => {
    const leo = await actor('manager', ['addUsers']);
    const r = await leo.call('users.add', { name: 'Max', email: 'max@teamline.demo', extension: '121', password: 'a-long-password', role: 'manager' });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
