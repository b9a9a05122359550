import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { methods, publicMethods, readOnlyMethods, type Method } from '../../src/shared/api/contract';
import { managerPermissions, type ManagerPermission } from '../../src/shared/primitives';
import { can, loadActor, type Action } from '../../src/main/core/policy';
import { planLimits } from '../../src/main/core/store/repos/account';
import { insertNumber } from '../../src/main/core/store/repos/numbers';
import { insertUser } from '../../src/main/core/store/repos/users';
import { createDevice } from '../../src/main/core/store/repos/devices';
import { makeCore, NOW, snapshot, type Client, type TestCore } from '../helpers/core';
import { registerRecording } from '../../src/main/core/recordings';

/**
 * POLICY.md §2 invariants, attacked through the API. Each attack is refused
 * with a code and a reason a person can act on, and changes nothing: every
 * row of every table is digested before and after.
 */

let tc: TestCore;
beforeEach(() => {
  tc = makeCore();
});
afterEach(() => tc.close());

const uid = (key: string) => tc.ids.users[key]!;
const one = <T>(sql: string, ...params: unknown[]) =>
  tc.db
    .prepare(sql)
    .pluck()
    .get(...params) as T;
const lastAuditId = () => one<number>('SELECT coalesce(max(id), 0) FROM audit_events');
const auditActionsSince = (id: number, actorUserId: number) =>
  tc.db
    .prepare('SELECT action FROM audit_events WHERE id > ? AND actor_user_id = ? ORDER BY id')
    .pluck()
    .all(id, actorUserId) as string[];

/** Sends a request that must be refused, and proves nothing changed. */
async function refused(
  c: Client,
  method: Method,
  input: unknown,
  code: 'forbidden' | 'conflict' | 'plan' | 'not_found' | 'unauthenticated',
  reason: RegExp,
): Promise<string> {
  const before = snapshot(tc.db);
  const r = await c.raw(method, input);
  expect(r.ok, `${method} ${JSON.stringify(input)} should be refused`).toBe(false);
  if (r.ok) return '';
  expect(r.error.code, `${method}: ${r.error.message}`).toBe(code);
  expect(r.error.message.trim().length, 'a readable reason').toBeGreaterThan(10);
  expect(r.error.message).toMatch(reason);
  expect(snapshot(tc.db), `${method} changed nothing`).toBe(before);
  return r.error.message;
}

async function withPermissions(flags: readonly ManagerPermission[]): Promise<Client> {
  const morgan = await tc.as('morgan');
  await morgan.ok('users.setManagerPermissions', { userId: uid('leo'), permissions: [...flags] });
  morgan.close();
  return tc.as('leo');
}

/** The owner is an active Administrator and at least one active Administrator exists. */
function expectInvariant1() {
  const owner = tc.db
    .prepare('SELECT u.role, u.active FROM accounts a JOIN users u ON u.id = a.owner_user_id WHERE a.id = ?')
    .get(tc.ids.accountId);
  expect(owner).toEqual({ role: 'administrator', active: 1 });
  expect(
    one(`SELECT count(*) FROM users WHERE account_id = ? AND role = 'administrator' AND active = 1`, tc.ids.accountId),
  ).toBeGreaterThanOrEqual(1);
}

describe('invariant 1: an active Administrator always remains; the owner is protected', () => {
  it('no one demotes or deactivates the owner — not another Administrator, not the owner', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: uid('karey'), role: 'administrator' });
    const karey = await tc.as('karey');
    const owner = uid('morgan');
    for (const role of ['agent', 'manager'] as const) {
      await refused(
        karey,
        'users.setRole',
        { userId: owner, role },
        'conflict',
        /owns the account; transfer ownership/,
      );
      await refused(
        morgan,
        'users.setRole',
        { userId: owner, role },
        'conflict',
        /owns the account; transfer ownership/,
      );
    }
    await refused(karey, 'users.deactivate', { userId: owner }, 'conflict', /owns the account/);
    await refused(morgan, 'users.deactivate', { userId: owner }, 'forbidden', /cannot deactivate yourself/);
    // Nor by anyone else, whatever their permissions.
    const leo = await withPermissions(managerPermissions);
    await refused(leo, 'users.setRole', { userId: owner, role: 'agent' }, 'forbidden', /Only an Administrator/);
    await refused(leo, 'users.deactivate', { userId: owner }, 'forbidden', /Agents only/);
    expectInvariant1();
  });

  it('ownership moves only by the owner, to another active Administrator', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: uid('karey'), role: 'administrator' });
    await morgan.ok('users.setRole', { userId: uid('jessica'), role: 'administrator' });
    await morgan.ok('users.deactivate', { userId: uid('jessica') });
    const karey = await tc.as('karey');
    const leo = await withPermissions(managerPermissions);
    const john = await tc.as('john');

    for (const c of [karey, leo, john]) {
      await refused(c, 'account.transferOwnership', { userId: uid('karey') }, 'forbidden', /Only the account owner/);
    }
    await refused(morgan, 'account.transferOwnership', { userId: uid('john') }, 'conflict', /active Administrator/);
    await refused(morgan, 'account.transferOwnership', { userId: uid('leo') }, 'conflict', /active Administrator/);
    await refused(morgan, 'account.transferOwnership', { userId: uid('jessica') }, 'conflict', /active Administrator/);
    await refused(morgan, 'account.transferOwnership', { userId: uid('morgan') }, 'conflict', /already own/);
    await refused(morgan, 'account.transferOwnership', { userId: 987654 }, 'not_found', /not found/);

    const mark = lastAuditId();
    const account = await morgan.ok('account.transferOwnership', { userId: uid('karey') });
    expect(account).toMatchObject({ ownerUserId: uid('karey'), ownerName: 'Karey Wilson' });
    expect(auditActionsSince(mark, uid('morgan'))).toEqual(['account.transferOwnership']);

    // The protection moved with the ownership.
    await refused(morgan, 'users.setRole', { userId: uid('karey'), role: 'agent' }, 'conflict', /owns the account/);
    await refused(morgan, 'users.deactivate', { userId: uid('karey') }, 'conflict', /owns the account/);
    await refused(
      morgan,
      'account.transferOwnership',
      { userId: uid('morgan') },
      'forbidden',
      /Only the account owner/,
    );
    await karey.ok('users.setRole', { userId: uid('morgan'), role: 'agent' });
    expectInvariant1();
  });

  it('an Administrator who is not the owner can be demoted or deactivated while another remains', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: uid('karey'), role: 'administrator' });
    await morgan.ok('users.setRole', { userId: uid('jessica'), role: 'administrator' });
    const mark = lastAuditId();
    await morgan.ok('users.deactivate', { userId: uid('karey') });
    await morgan.ok('users.setRole', { userId: uid('jessica'), role: 'agent' });
    expect(auditActionsSince(mark, uid('morgan'))).toEqual(['user.deactivate', 'user.role']);
    // A deactivated Administrator must be reactivated before any role change.
    await refused(
      morgan,
      'users.setRole',
      { userId: uid('karey'), role: 'agent' },
      'conflict',
      /deactivated; reactivate them first/,
    );
    expectInvariant1();
  });

  it('the last active Administrator is protected in its own right', async () => {
    // The owner rule already covers this through the API; take it out of the
    // way (ownership on an Agent, as no API call can do) to prove the count
    // protects the account too.
    const morgan = await tc.as('morgan');
    tc.db.prepare('UPDATE accounts SET owner_user_id = ? WHERE id = ?').run(uid('karey'), tc.ids.accountId);
    for (const role of ['agent', 'manager'] as const) {
      await refused(
        morgan,
        'users.setRole',
        { userId: uid('morgan'), role },
        'conflict',
        /at least one active Administrator/,
      );
    }
    await refused(morgan, 'users.deactivate', { userId: uid('morgan') }, 'forbidden', /yourself/);
    expect(one(`SELECT count(*) FROM users WHERE role = 'administrator' AND active = 1`)).toBe(1);
  });
});

describe('invariant 2: only Administrators change roles; a Manager acts on Agents only', () => {
  it('a Manager promotes no one — not an Agent, not another Manager, not themselves', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: uid('karey'), role: 'manager' });
    const leo = await withPermissions(managerPermissions);
    const attempts: [string, 'manager' | 'administrator' | 'agent'][] = [
      ['john', 'manager'],
      ['john', 'administrator'],
      ['karey', 'administrator'],
      ['karey', 'agent'],
      ['leo', 'administrator'],
      ['leo', 'agent'],
      ['morgan', 'agent'],
    ];
    for (const [key, role] of attempts) {
      await refused(
        leo,
        'users.setRole',
        { userId: uid(key), role },
        'forbidden',
        /Only an Administrator can change user roles/,
      );
    }
    // Nor by the back door of adding or copying someone with a higher role.
    await refused(
      leo,
      'users.add',
      { name: 'Eve', email: 'eve@teamline.demo', extension: '130', password: 'a-long-password', role: 'administrator' },
      'forbidden',
      /Agents only/,
    );
    await refused(
      leo,
      'users.duplicate',
      {
        sourceUserId: uid('karey'),
        name: 'Eve',
        email: 'eve@teamline.demo',
        extension: '130',
        password: 'a-long-password',
      },
      'forbidden',
      /Agents only/,
    );
    await refused(
      leo,
      'users.setManagerPermissions',
      { userId: uid('leo'), permissions: [...managerPermissions] },
      'forbidden',
      /Only an Administrator/,
    );
  });

  it('an Agent promotes no one, themselves included', async () => {
    const john = await tc.as('john');
    for (const role of ['manager', 'administrator'] as const) {
      await refused(john, 'users.setRole', { userId: uid('john'), role }, 'forbidden', /Only an Administrator/);
      await refused(john, 'users.setRole', { userId: uid('peter'), role }, 'forbidden', /Only an Administrator/);
    }
  });

  it('a Manager with every permission cannot touch another Manager or an Administrator in any way', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setRole', { userId: uid('karey'), role: 'manager' });
    await morgan.ok('users.setRole', { userId: uid('jessica'), role: 'administrator' });
    // Deactivated ones too: reactivating them is acting on them.
    await morgan.ok('users.setRole', { userId: uid('omar'), role: 'manager' });
    await morgan.ok('users.deactivate', { userId: uid('omar') });
    await morgan.ok('users.setRole', { userId: uid('peter'), role: 'administrator' });
    await morgan.ok('users.deactivate', { userId: uid('peter') });
    const leo = await withPermissions(managerPermissions);
    const { mainLA } = tc.ids.numbers;

    for (const key of ['karey', 'jessica', 'morgan']) {
      const userId = uid(key);
      await refused(leo, 'users.updateSettings', { userId, title: 'Renamed' }, 'forbidden', /Agents only/);
      await refused(
        leo,
        'users.updateSettings',
        { userId, email: `${key}.new@teamline.demo` },
        'forbidden',
        /Agents only/,
      );
      await refused(leo, 'users.setCallAccess', { userId, callAccess: 'all' }, 'forbidden', /Agents only/);
      await refused(
        leo,
        'users.setCallAccess',
        { userId, callAccess: 'numbers', scopeBnIds: [mainLA] },
        'forbidden',
        /Agents only/,
      );
      await refused(
        leo,
        'users.setOutboundNumbers',
        { userId, outboundCallBnIds: [mainLA], smsBnIds: [] },
        'forbidden',
        /Agents only/,
      );
      await refused(leo, 'users.deactivate', { userId }, 'forbidden', /Agents only|owns the account/);
      await refused(
        leo,
        'users.setManagerPermissions',
        { userId, permissions: [] },
        'forbidden',
        /Only an Administrator/,
      );
    }
    for (const key of ['omar', 'peter']) {
      await refused(leo, 'users.reactivate', { userId: uid(key) }, 'forbidden', /Agents only/);
    }
    // Group membership is acting on them as well.
    await refused(
      leo,
      'groups.setMembers',
      { groupId: tc.ids.groups.sales, memberIds: [uid('john'), uid('jasmine'), uid('karey')] },
      'forbidden',
      /Agents only/,
    );
    await refused(leo, 'groups.create', { name: 'Admins', memberIds: [uid('morgan')] }, 'forbidden', /Agents only/);
  });

  it('a Manager never changes their own access or permissions', async () => {
    const leo = await withPermissions(managerPermissions);
    const self = uid('leo');
    const own = /their own role, permissions or access/;
    await refused(leo, 'users.setCallAccess', { userId: self, callAccess: 'all' }, 'forbidden', own);
    await refused(
      leo,
      'users.setCallAccess',
      { userId: self, callAccess: 'numbers', scopeBnIds: [tc.ids.numbers.mainLA, tc.ids.numbers.billing] },
      'forbidden',
      own,
    );
    await refused(
      leo,
      'users.setOutboundNumbers',
      { userId: self, outboundCallBnIds: [tc.ids.numbers.billing], smsBnIds: [tc.ids.numbers.billing] },
      'forbidden',
      own,
    );
    await refused(
      leo,
      'users.setManagerPermissions',
      { userId: self, permissions: [] },
      'forbidden',
      /Only an Administrator/,
    );
    await refused(leo, 'users.deactivate', { userId: self }, 'forbidden', /yourself/);
    await refused(
      leo,
      'groups.setMembers',
      { groupId: tc.ids.groups.billing, memberIds: [uid('dana'), uid('omar'), self] },
      'forbidden',
      /Agents only/,
    );
  });
});

describe('invariant 3: no escalation by delegation', () => {
  it('a Manager gives only the business numbers they may use or see', async () => {
    const leo = await tc.as('leo');
    const { billing, tollFree, mainLA } = tc.ids.numbers;
    const giveOnly = /only give business numbers that you may use or see/;
    await refused(
      leo,
      'users.setOutboundNumbers',
      { userId: uid('john'), outboundCallBnIds: [mainLA, billing], smsBnIds: [mainLA] },
      'forbidden',
      giveOnly,
    );
    await refused(
      leo,
      'users.setOutboundNumbers',
      { userId: uid('john'), outboundCallBnIds: [mainLA], smsBnIds: [billing] },
      'forbidden',
      giveOnly,
    );
    const newAgent = { name: 'Eve', email: 'eve@teamline.demo', extension: '130', password: 'a-long-password' };
    await refused(leo, 'users.add', { ...newAgent, outboundCallBnIds: [billing] }, 'forbidden', giveOnly);
    await refused(leo, 'users.add', { ...newAgent, smsBnIds: [billing] }, 'forbidden', giveOnly);
    // Dana has the Billing line: copying her would hand it out.
    await refused(
      leo,
      'users.duplicate',
      { sourceUserId: uid('dana'), ...newAgent },
      'forbidden',
      /outside|use or see|User groups/,
    );

    // The toll-free number is one Leo may call from, so he may give it.
    const mark = lastAuditId();
    const john = await leo.ok('users.setOutboundNumbers', {
      userId: uid('john'),
      outboundCallBnIds: [mainLA, tollFree],
      smsBnIds: [mainLA],
    });
    expect(john.access?.outboundCallBnIds).toContain(tollFree);
    expect(auditActionsSince(mark, uid('leo'))).toEqual(['user.outboundNumbers']);
    // Removing a number he cannot see, and keeping one, gives nothing.
    await leo.ok('users.setOutboundNumbers', {
      userId: uid('omar'),
      outboundCallBnIds: [billing],
      smsBnIds: [billing],
    });
  });

  it('a Manager never grants "Business numbers" or "All", nor a group or call-flow scope beyond their own numbers', async () => {
    const leo = await tc.as('leo');
    const { mainLA } = tc.ids.numbers;
    await refused(
      leo,
      'users.setCallAccess',
      { userId: uid('john'), callAccess: 'numbers', scopeBnIds: [mainLA] },
      'forbidden',
      /Only an Administrator can give an Agent "Business numbers"/,
    );
    await refused(
      leo,
      'users.setCallAccess',
      { userId: uid('john'), callAccess: 'all' },
      'conflict',
      /cannot have "All"/,
    );
    const newAgent = { name: 'Eve', email: 'eve@teamline.demo', extension: '130', password: 'a-long-password' };
    await refused(
      leo,
      'users.add',
      { ...newAgent, callAccess: 'numbers', scopeBnIds: [mainLA] },
      'forbidden',
      /Only an Administrator/,
    );
    // Dana and Omar are in the Billing group, rung by the Billing line — outside Leo's numbers.
    for (const key of ['dana', 'omar']) {
      for (const callAccess of ['group', 'callflow'] as const) {
        await refused(
          leo,
          'users.setCallAccess',
          { userId: uid(key), callAccess },
          'forbidden',
          /outside your own access \(1 number\)/,
        );
      }
    }
    // Within his numbers it is allowed, and recorded.
    const mark = lastAuditId();
    await leo.ok('users.setCallAccess', { userId: uid('jasmine'), callAccess: 'callflow' });
    expect(auditActionsSince(mark, uid('leo'))).toEqual(['user.callAccess']);
  });

  it('a Manager with "User groups" cannot widen an Agent’s reach through membership', async () => {
    const leo = await withPermissions(['groups', 'addUsers', 'userAccess']);
    const billingGroup = tc.ids.groups.billing;
    await refused(
      leo,
      'groups.setMembers',
      { groupId: billingGroup, memberIds: [uid('dana'), uid('omar'), uid('john')] },
      'forbidden',
      /outside your own access/,
    );
    await refused(
      leo,
      'users.add',
      {
        name: 'Eve',
        email: 'eve@teamline.demo',
        extension: '130',
        password: 'a-long-password',
        groupIds: [billingGroup],
      },
      'forbidden',
      /outside your own access/,
    );
  });

  it('a Manager edits only call flows whose numbers they may all see, and never learns the others', async () => {
    const leo = await tc.as('leo');
    const billing = (await leo.ok('callFlows.list', {})).find((f) => f.id === tc.ids.flows.billing)!;
    expect(billing).toMatchObject({ bnIds: [], hiddenBnCount: 1 });
    await refused(
      leo,
      'callFlows.update',
      { callFlowId: tc.ids.flows.billing, name: 'Billing (new)' },
      'forbidden',
      /outside your access/,
    );
    await refused(leo, 'callFlows.delete', { callFlowId: tc.ids.flows.billing }, 'forbidden', /outside your access/);
    await leo.ok('callFlows.update', { callFlowId: tc.ids.flows.main, name: 'Main line' });
  });

  it('a business number outside the actor’s access reads as not found', async () => {
    const leo = await withPermissions(['callFlows', 'userAccess']);
    const { billing } = tc.ids.numbers;
    expect((await leo.ok('numbers.list', {})).map((n) => n.id)).not.toContain(billing);
    await refused(leo, 'numbers.setLabel', { bnId: billing, label: 'Mine' }, 'not_found', /not found/);
    await refused(leo, 'numbers.route', { bnId: billing, callFlowId: tc.ids.flows.main }, 'not_found', /not found/);
    await refused(leo, 'numbers.release', { bnId: billing }, 'not_found', /not found/);
    const john = await tc.as('john');
    await refused(john, 'numbers.release', { bnId: tc.ids.numbers.tollFree }, 'not_found', /not found/);
  });

  it('"no wider than their own": a Manager the owner gives "All" access may then give any number', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setCallAccess', { userId: uid('leo'), callAccess: 'all' });
    const leo = await tc.as('leo');
    await leo.ok('users.setOutboundNumbers', {
      userId: uid('john'),
      outboundCallBnIds: [tc.ids.numbers.billing],
      smsBnIds: [],
    });
    await leo.ok('users.setCallAccess', { userId: uid('dana'), callAccess: 'callflow' });
    // Still never "Business numbers" for an Agent: that is an Administrator's choice.
    await refused(
      leo,
      'users.setCallAccess',
      { userId: uid('dana'), callAccess: 'numbers', scopeBnIds: [tc.ids.numbers.billing] },
      'forbidden',
      /Only an Administrator/,
    );
  });
});

describe('invariant 4: deny by default', () => {
  it('can() refuses an action that has no rule, even for the owner', () => {
    const owner = loadActor(tc.db, uid('morgan'))!;
    expect(owner.role).toBe('administrator');
    for (const action of ['users.nuke', 'account.delete', '', 'toString', '__proto__', 'constructor']) {
      const d = can(owner, action as Action, {} as never);
      expect(d, action).toEqual({ allowed: false, code: 'forbidden', reason: 'No rule allows this action.' });
    }
  });

  /** Requests of every kind a signed-in user makes; each must be refused, none may crash. */
  const requests: [Method, unknown][] = [
    ['auth.me', {}],
    ['users.list', {}],
    ['calls.list', {}],
    ['voicemails.list', {}],
    ['messages.threads', {}],
    ['numbers.list', {}],
    ['contacts.list', {}],
    ['audit.list', {}],
    ['account.get', {}],
    ['contacts.create', { name: 'X', phone: '+13105550100' }],
    ['users.updateSettings', { userId: 1, title: 'X' }],
    ['groups.create', { name: 'X' }],
    ['messages.send', { bnId: 1, to: '+13105550100', body: 'hi' }],
    ['calls.authorizeOutbound', { bnId: 1, to: '+13105550100' }],
  ];

  async function everythingRefused(c: Client) {
    const before = snapshot(tc.db);
    for (const [method, input] of requests) {
      const r = await c.raw(method, input);
      expect(r, method).toEqual({ ok: false, error: { code: 'forbidden', message: 'Access refused.' } });
    }
    expect(snapshot(tc.db)).toBe(before);
  }

  const corruptions: [string, string, (db: TestCore['db']) => void][] = [
    [
      'an unknown role',
      'john',
      (db) => db.prepare(`UPDATE users SET role = 'superuser' WHERE id = ?`).run(uid('john')),
    ],
    [
      'an unknown call access level',
      'john',
      (db) => db.prepare(`UPDATE users SET call_access = 'everything' WHERE id = ?`).run(uid('john')),
    ],
    [
      'an unknown Manager permission',
      'leo',
      (db) =>
        db.prepare(`INSERT INTO manager_permissions (user_id, permission) VALUES (?, 'superpowers')`).run(uid('leo')),
    ],
    [
      'an unknown plan',
      'morgan',
      (db) => db.prepare(`UPDATE accounts SET plan = 'enterprise' WHERE id = ?`).run(tc.ids.accountId),
    ],
    [
      'an unknown account status',
      'morgan',
      (db) => db.prepare(`UPDATE accounts SET status = 'suspended' WHERE id = ?`).run(tc.ids.accountId),
    ],
  ];

  it.each(corruptions)(
    '%s in the database refuses every request of the user, and crashes nothing',
    async (_what, key, corrupt) => {
      const c = await tc.as(key);
      const other = await tc.as(key === 'john' || key === 'leo' ? 'morgan' : 'john');
      tc.db.pragma('ignore_check_constraints = ON');
      corrupt(tc.db);
      tc.db.pragma('ignore_check_constraints = OFF');

      await everythingRefused(c);
      // Signing in again is refused the same way.
      const fresh = tc.anonymous();
      const signIn = await fresh.raw('auth.signIn', { login: `${key}@teamline.demo`, password: 'teamline-demo' });
      expect(signIn).toEqual({ ok: false, error: { code: 'forbidden', message: 'Access refused.' } });

      if (key !== 'morgan') {
        // Others keep working, and their changes are reported truly even while
        // the broken user is signed in (their push events are simply not sent).
        const r = await other.raw('contacts.create', { name: 'Still works', phone: '+13105550123' });
        expect(r.ok, JSON.stringify(r)).toBe(true);
        expect(one(`SELECT count(*) FROM contacts WHERE name = 'Still works'`)).toBe(1);
      }
    },
  );
});

describe('invariant 5: a cancelled account is read-only for everyone', () => {
  /** Changes that stay open on a cancelled account, and why. */
  const stillOpen: Partial<Record<Method, string>> = {
    'auth.signOut': 'ends one’s own session; nothing in the account changes',
    'auth.viewAs': 'a read-only look at someone’s access',
    'auth.changePassword': 'docs/policy-decisions.md: a user may still change their own password',
    'messages.markRead': 'one’s own read marks, part of reading',
    'voicemails.markRead': 'one’s own read marks, part of reading',
    'emergencies.acknowledge': 'one’s own acknowledgement of a notice, part of reading',
    'invitations.revoke':
      'withdraws access: the account’s data can still be read, so a link must still be withdrawable',
    'devices.revoke': 'withdraws access: a lost desktop can still read the account, so it must still be removable',
  };

  interface Fixture {
    contactId: number;
    integrationId: number;
    spareGroupId: number;
    spareFlowId: number;
    /** A call every tested actor sees, with a tag on it and a note by its author. */
    callId: number;
    tagId: number;
    noteOf: Record<number, number>;
    /** A recording of that call. */
    recordingId: number;
    trunkId: number;
    invitationId: number;
    /** One desktop of each tested actor. */
    deviceOf: Record<number, number>;
  }

  /** A valid request for every other change, one that the owner could make on an active account. */
  const writes = (fx: Fixture, self: number): Partial<Record<Method, unknown>> => {
    const { mainLA, mainNY } = tc.ids.numbers;
    const trunk = { name: 'Carrier', host: 'sip.carrier.example', port: 5060, transport: 'udp' as const };
    const newUser = { name: 'Nina New', email: 'nina@teamline.demo', extension: '120', password: 'a-long-password' };
    return {
      'users.add': newUser,
      'users.duplicate': { sourceUserId: uid('karey'), ...newUser },
      'users.deactivate': { userId: uid('peter') },
      'users.reactivate': { userId: uid('omar') },
      'users.updateSettings': { userId: self, title: 'Still here' },
      'users.setRole': { userId: uid('allie'), role: 'manager' },
      'users.setCallAccess': { userId: uid('allie'), callAccess: 'personal' },
      'users.setOutboundNumbers': { userId: uid('allie'), outboundCallBnIds: [mainLA], smsBnIds: [mainLA] },
      'users.setManagerPermissions': { userId: uid('leo'), permissions: ['billing'] },
      'users.update': { userId: uid('allie'), title: 'Still here', callAccess: 'personal' },
      'groups.create': { name: 'Night shift' },
      'groups.rename': { groupId: tc.ids.groups.sales, name: 'Sales team' },
      'groups.setMembers': { groupId: tc.ids.groups.support, memberIds: [uid('jessica'), uid('allie'), uid('peter')] },
      'groups.delete': { groupId: fx.spareGroupId },
      'callFlows.create': { name: 'Night line', steps: [{ kind: 'voicemail', text: 'Closed' }] },
      'callFlows.update': { callFlowId: tc.ids.flows.main, name: 'Main line (new)' },
      'callFlows.delete': { callFlowId: fx.spareFlowId },
      'numbers.buy': { e164: one<string>('SELECT e164 FROM number_catalogue ORDER BY e164 LIMIT 1') },
      'numbers.add': { trunkId: fx.trunkId, numbers: ['+12065551277'] },
      'numbers.setLabel': { bnId: mainLA, label: 'LA' },
      'numbers.route': { bnId: mainLA, callFlowId: null },
      'numbers.setTrunk': { bnId: mainLA, trunkId: fx.trunkId },
      'numbers.release': { bnId: mainNY },
      'contacts.create': { name: 'New Client', phone: '+13105550199' },
      'contacts.update': { contactId: fx.contactId, company: 'Acme West' },
      'contacts.delete': { contactId: fx.contactId },
      'integrations.create': { provider: 'zoho', name: 'Zoho', settings: { instanceUrl: 'https://zoho.example.com' } },
      'integrations.update': { integrationId: fx.integrationId, name: 'HubSpot (EU)' },
      'integrations.delete': { integrationId: fx.integrationId },
      'billing.update': {
        contactName: 'Pat',
        contactEmail: 'pat@example.com',
        addressLine1: '1 Main St',
        city: 'LA',
        postalCode: '90001',
        country: 'US',
      },
      'billing.changePlan': { plan: 'business' },
      'account.cancel': { confirmName: 'Teamline Demo' },
      'account.transferOwnership': { userId: uid('jessica') },
      'messages.send': { bnId: mainLA, to: '+13105550100', body: 'Are we still open?' },
      // Using the phone is an action too: no SIP credentials on a cancelled account.
      'sip.credentials': {},
      'sip.setAvailability': { availability: 'dnd' },
      'invitations.create': { userId: uid('allie'), expiresInDays: 7 },
      'carrier.saveTrunk': { ...trunk, registration: null, allowCidrs: ['203.0.113.0/24'] },
      'carrier.deleteTrunk': { trunkId: fx.trunkId },
      'carrier.saveSettings': { country: 'US', mainBnId: mainLA },
      'carrier.test': { trunkId: fx.trunkId },
      'callTags.create': { name: 'Callback' },
      'callTags.rename': { tagId: fx.tagId, name: 'Call back' },
      'callTags.delete': { tagId: fx.tagId },
      'callAnnotations.addTag': { callId: fx.callId, tagId: fx.tagId },
      'callAnnotations.removeTag': { callId: fx.callId, tagId: fx.tagId },
      'callNotes.add': { callId: fx.callId, body: 'Left a message' },
      'callNotes.edit': { noteId: fx.noteOf[self] ?? 0, body: 'Left two messages' },
      'callNotes.delete': { noteId: fx.noteOf[self] ?? 0 },
      'recordings.delete': { recordingId: fx.recordingId },
      'recordingSettings.update': { retentionDays: 30, internalMode: 'always' },
      'recordingSettings.setNumber': { bnId: mainLA, mode: 'always' },
      'recordingSettings.setFlow': { callFlowId: tc.ids.flows.main, mode: 'on_demand', notice: 'Recorded.' },
      // Recording a call is a change too, even while the phone service runs.
      'liveRecording.start': { sipCallId: 'a84b4c76e66710@pc33.teamline.test' },
      'liveRecording.stop': { sipCallId: 'a84b4c76e66710@pc33.teamline.test' },
    };
  };

  const changeMethods = methods.filter((m) => !readOnlyMethods.has(m) && !publicMethods.has(m));

  const actors = ['morgan', 'jessica', 'leo', 'john'];

  /** Tags, notes, a trunk, an invitation and desktops, made while the account is active. */
  async function reviewFixture(morgan: Client) {
    // John answered it on the Main line: the Administrators, Leo (over that number) and John all see it.
    const callId = tc.recordCall({
      accountId: tc.ids.accountId,
      direction: 'inbound',
      result: 'answered',
      bnId: tc.ids.numbers.mainLA,
      externalNumber: '+13105550188',
      startedAt: NOW - 120_000,
      answeredAt: NOW - 110_000,
      endedAt: NOW - 60_000,
      callFlowId: tc.ids.flows.main,
      groupId: tc.ids.groups.sales,
      participants: [{ userId: uid('john'), role: 'answered' }],
      events: [],
      voicemail: null,
    });
    const tagId = (await morgan.ok('callTags.create', { name: 'Follow up' })).id;
    await morgan.ok('callAnnotations.addTag', { callId, tagId });
    const noteOf: Record<number, number> = {};
    const deviceOf: Record<number, number> = {};
    for (const key of actors) {
      const c = await tc.as(key);
      const { notes } = await c.ok('callNotes.add', { callId, body: `${key} called back` });
      noteOf[uid(key)] = notes.find((n) => n.body === `${key} called back`)!.id;
      c.close();
      deviceOf[uid(key)] = createDevice(tc.db, {
        accountId: tc.ids.accountId,
        userId: uid(key),
        name: `${key}'s desk`,
        invitationId: null,
        now: NOW,
      }).id;
    }
    const trunkId = (
      await morgan.ok('carrier.saveTrunk', {
        name: 'Carrier',
        host: 'sip.carrier.example',
        port: 5060,
        transport: 'udp',
        registration: null,
        allowCidrs: ['203.0.113.0/24'],
      })
    ).id;
    const invitationId = (await morgan.ok('invitations.create', { userId: uid('allie'), expiresInDays: 7 })).invitation
      .id;
    const recordingId = registerRecording(tc.db, {
      accountId: tc.ids.accountId,
      callId,
      path: `recordings/invariants-${callId}.wav`,
      format: 'wav',
      durationMs: 1000,
      sizeBytes: 16_044,
      startedAt: NOW - 110_000,
    });
    return { callId, tagId, noteOf, deviceOf, recordingId, trunkId, invitationId };
  }

  async function cancelled(): Promise<Fixture> {
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setManagerPermissions', { userId: uid('leo'), permissions: [...managerPermissions] });
    const base = {
      contactId: (await morgan.ok('contacts.create', { name: 'Acme Buyer', phone: '+13105550111' })).id,
      integrationId: (
        await morgan.ok('integrations.create', {
          provider: 'hubspot',
          name: 'HubSpot',
          settings: { instanceUrl: 'https://crm.example.com' },
        })
      ).id,
      spareGroupId: (await morgan.ok('groups.create', { name: 'Spare group' })).id,
      spareFlowId: (await morgan.ok('callFlows.create', { name: 'Spare flow', steps: [] })).id,
    };
    await morgan.ok('users.deactivate', { userId: uid('omar') });
    await morgan.ok('users.setRole', { userId: uid('jessica'), role: 'administrator' });
    const fx: Fixture = { ...base, ...(await reviewFixture(morgan)) };
    const mark = lastAuditId();
    const account = await morgan.ok('account.cancel', { confirmName: 'Teamline Demo' });
    expect(account).toMatchObject({ status: 'cancelled', cancelledAt: NOW });
    expect(auditActionsSince(mark, uid('morgan'))).toEqual(['account.cancel']);
    morgan.close();
    return fx;
  }

  it('every change the API offers is either refused here or listed as still open', () => {
    const fx = {
      contactId: 1,
      integrationId: 1,
      spareGroupId: 1,
      spareFlowId: 1,
      callId: 1,
      tagId: 1,
      noteOf: {},
      recordingId: 1,
      trunkId: 1,
      invitationId: 1,
      deviceOf: {},
    };
    const covered = new Set([...Object.keys(writes(fx, 1)), ...Object.keys(stillOpen)]);
    expect(changeMethods.filter((m) => !covered.has(m))).toEqual([]);
  });

  it.each(['morgan', 'jessica', 'leo', 'john'])(
    '%s: every change is refused with the cancellation named; reads still work',
    async (key) => {
      // Leo holds every Manager permission; Jessica is a second Administrator.
      const fx = await cancelled();
      const c = await tc.as(key); // sign-in still works
      const self = uid(key);
      const reason = /^This account was cancelled on 2026-11-01 and is read-only\.$/;

      for (const [method, input] of Object.entries(writes(fx, self)) as [Method, unknown][]) {
        await refused(c, method, input, 'conflict', reason);
      }
      // Placing a call is an action too.
      await refused(
        c,
        'calls.authorizeOutbound',
        { bnId: tc.ids.numbers.mainLA, to: '+13105550100' },
        'conflict',
        reason,
      );

      // Reads answer, and change nothing.
      const before = snapshot(tc.db);
      const me = await c.ok('auth.me', {});
      expect(me.account).toMatchObject({ status: 'cancelled', cancelledAt: NOW });
      const open = Object.entries(me.capabilities)
        .filter(([, v]) => v)
        .map(([k]) => k);
      expect(open).toEqual(key === 'john' ? [] : ['audit.read']);
      await c.ok('users.list', {});
      await c.ok('users.get', { userId: self });
      await c.ok('groups.list', {});
      await c.ok('callFlows.list', {});
      await c.ok('numbers.list', {});
      expect((await c.ok('contacts.list', {})).items.map((x) => x.id)).toContain(fx.contactId);
      await c.ok('calls.list', {});
      await c.ok('voicemails.list', {});
      await c.ok('messages.threads', {});
      await c.ok('inbox.counts', {});
      await c.ok('account.get', {});
      if (key !== 'john') {
        // A Manager's audit scope leaves out account events (docs/policy-decisions.md).
        expect((await c.ok('audit.list', {})).items.some((e) => e.action === 'account.cancel')).toBe(key !== 'leo');
        await c.ok('integrations.list', {});
      }
      if (key === 'morgan' || key === 'jessica') {
        await c.ok('billing.get', {});
        await c.ok('billing.previewPlanChange', { plan: 'business' });
      }
      expect(snapshot(tc.db)).toBe(before);

      // What stays open: one's own password.
      await c.ok('auth.changePassword', { current: 'teamline-demo', next: 'a-new-long-password' });
      // And withdrawing access: a desktop, an invitation.
      await c.ok('devices.revoke', { deviceId: fx.deviceOf[self]! });
      if (key === 'morgan' || key === 'jessica') await c.ok('invitations.revoke', { invitationId: fx.invitationId });
    },
  );
});

describe('plans: Basic has no extended roles; limits are refused with code `plan`', () => {
  it('moving to Basic is previewed, refused while over a limit, then converts Managers and narrowed Agents', async () => {
    const morgan = await tc.as('morgan');
    const preview = await morgan.ok('billing.previewPlanChange', { plan: 'basic' });
    expect(preview.blockers).toEqual(['The basic plan allows 3 business numbers; you have 4.']);
    expect(preview.effects).toEqual(
      expect.arrayContaining([
        'Leo Martin becomes an Agent with "Calling group" access.',
        'Jasmine Lee\'s call access becomes "Calling group".',
        'Karey Wilson\'s call access becomes "Calling group".',
        'Every Agent may call and text from every business number.',
      ]),
    );
    await refused(morgan, 'billing.changePlan', { plan: 'basic' }, 'plan', /allows 3 business numbers; you have 4/);

    await morgan.ok('numbers.release', { bnId: tc.ids.numbers.tollFree });
    expect((await morgan.ok('billing.previewPlanChange', { plan: 'basic' })).blockers).toEqual([]);
    const mark = lastAuditId();
    expect(await morgan.ok('billing.changePlan', { plan: 'basic' })).toMatchObject({ plan: 'basic' });
    expect(auditActionsSince(mark, uid('morgan'))).toEqual(['billing.plan']);
    expect(
      tc.db
        .prepare(
          `SELECT role, call_access AS access, count(*) AS n FROM users GROUP BY role, call_access ORDER BY role`,
        )
        .all(),
    ).toEqual([
      { role: 'administrator', access: 'all', n: 1 },
      { role: 'agent', access: 'group', n: 9 },
    ]);
    expect(one('SELECT count(*) FROM manager_permissions')).toBe(0);
    // Everyone may now use every number (POLICY.md §1).
    const jasmine = await (await tc.as('jasmine')).ok('auth.me', {});
    expect(jasmine.outboundCallNumbers.map((n) => n.id).sort()).toEqual(
      [tc.ids.numbers.mainLA, tc.ids.numbers.mainNY, tc.ids.numbers.billing].sort(),
    );
  });

  it('on Basic: making a Manager, changing call access and narrowing outbound numbers are refused, naming the plan', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('numbers.release', { bnId: tc.ids.numbers.tollFree });
    await morgan.ok('users.deactivate', { userId: uid('omar') }); // room for one more user
    await morgan.ok('billing.changePlan', { plan: 'basic' });
    const { mainLA } = tc.ids.numbers;
    const basic = /Business plan or above; this account is on the Basic plan/;
    const newUser = { name: 'Eve', email: 'eve@teamline.demo', extension: '130', password: 'a-long-password' };

    await refused(morgan, 'users.setRole', { userId: uid('john'), role: 'manager' }, 'plan', basic);
    await refused(morgan, 'users.add', { ...newUser, role: 'manager', scopeBnIds: [mainLA] }, 'plan', basic);
    for (const callAccess of ['personal', 'callflow'] as const) {
      await refused(morgan, 'users.setCallAccess', { userId: uid('john'), callAccess }, 'plan', basic);
      await refused(morgan, 'users.add', { ...newUser, callAccess }, 'plan', basic);
    }
    await refused(
      morgan,
      'users.setCallAccess',
      { userId: uid('john'), callAccess: 'numbers', scopeBnIds: [mainLA] },
      'plan',
      basic,
    );
    await refused(
      morgan,
      'users.setOutboundNumbers',
      { userId: uid('john'), outboundCallBnIds: [mainLA], smsBnIds: [mainLA] },
      'plan',
      basic,
    );
    await refused(morgan, 'users.add', { ...newUser, outboundCallBnIds: [mainLA] }, 'plan', basic);

    // What Basic does have: Administrators, and Agents with group access.
    await morgan.ok('users.add', newUser);
    await morgan.ok('users.setRole', { userId: uid('karey'), role: 'administrator' });
  });

  it('on Basic: the user and number limits', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('numbers.release', { bnId: tc.ids.numbers.tollFree });
    await morgan.ok('billing.changePlan', { plan: 'basic' });
    expect(one(`SELECT count(*) FROM users WHERE active = 1`)).toBe(planLimits.basic.users);
    const newUser = { name: 'Eve', email: 'eve@teamline.demo', extension: '130', password: 'a-long-password' };
    const users = /The basic plan allows 10 active users/;
    await refused(morgan, 'users.add', newUser, 'plan', users);
    await refused(morgan, 'users.duplicate', { sourceUserId: uid('john'), ...newUser }, 'plan', users);
    await morgan.ok('users.deactivate', { userId: uid('peter') });
    await morgan.ok('users.add', newUser);
    await refused(morgan, 'users.reactivate', { userId: uid('peter') }, 'plan', users);

    const e164 = one<string>('SELECT e164 FROM number_catalogue ORDER BY e164 LIMIT 1');
    await refused(morgan, 'numbers.buy', { e164 }, 'plan', /The basic plan allows 3 business numbers/);
    // A larger plan lifts the limits.
    await morgan.ok('billing.changePlan', { plan: 'business' });
    await morgan.ok('users.reactivate', { userId: uid('peter') });
    await morgan.ok('numbers.buy', { e164 });
  });

  it.each(['business', 'company'] as const)('on %s: the user and number limits', async (plan) => {
    const morgan = await tc.as('morgan');
    if (plan !== 'company') await morgan.ok('billing.changePlan', { plan });
    const limits = planLimits[plan];
    // Fill up to the limits directly; the attack itself goes through the API.
    tc.db.transaction(() => {
      const active = one<number>('SELECT count(*) FROM users WHERE active = 1');
      for (let i = active; i < limits.users; i++) {
        insertUser(tc.db, {
          accountId: tc.ids.accountId,
          extension: String(1000 + i),
          name: `Filler ${i}`,
          email: `filler${i}@teamline.demo`,
          title: '',
          timezone: 'UTC',
          role: 'agent',
          callAccess: 'group',
          passwordHash: null,
          createdAt: NOW,
        });
      }
      const live = one<number>('SELECT count(*) FROM business_numbers WHERE released_at IS NULL');
      for (let i = live; i < limits.numbers; i++)
        insertNumber(tc.db, tc.ids.accountId, `+1646${String(1_000_000 + i)}`, `Filler ${i}`, NOW);
    })();
    const newUser = { name: 'Eve', email: 'eve@teamline.demo', extension: '99999', password: 'a-long-password' };
    await refused(
      morgan,
      'users.add',
      newUser,
      'plan',
      new RegExp(`The ${plan} plan allows ${limits.users} active users`),
    );
    const leo = await tc.as('leo');
    await refused(leo, 'users.add', newUser, 'plan', /active users/);
    const e164 = one<string>('SELECT e164 FROM number_catalogue ORDER BY e164 LIMIT 1');
    await refused(
      morgan,
      'numbers.buy',
      { e164 },
      'plan',
      new RegExp(`The ${plan} plan allows ${limits.numbers} business numbers`),
    );
    if (plan === 'company') {
      await refused(
        morgan,
        'billing.changePlan',
        { plan: 'business' },
        'plan',
        /allows 100 active users; you have 5000\. The business plan allows 25 business numbers; you have 500\./,
      );
    }
  });
});

describe('a refused request never changes anything, whatever the sequence', () => {
  it('after every attack above in one session, the account is exactly as seeded and invariant 1 holds', async () => {
    const leo = await tc.as('leo');
    const john = await tc.as('john');
    // After signing in: a sign-in is itself an audit event.
    const start = snapshot(tc.db);
    const attacks: [Client, Method, unknown][] = [
      [leo, 'users.setRole', { userId: uid('john'), role: 'administrator' }],
      [leo, 'users.setCallAccess', { userId: uid('leo'), callAccess: 'all' }],
      [
        leo,
        'users.setOutboundNumbers',
        { userId: uid('john'), outboundCallBnIds: [tc.ids.numbers.billing], smsBnIds: [] },
      ],
      [leo, 'users.deactivate', { userId: uid('morgan') }],
      [leo, 'users.setManagerPermissions', { userId: uid('leo'), permissions: [...managerPermissions] }],
      [leo, 'numbers.release', { bnId: tc.ids.numbers.billing }],
      [leo, 'account.cancel', { confirmName: 'Teamline Demo' }],
      [john, 'users.setRole', { userId: uid('john'), role: 'administrator' }],
      [john, 'account.transferOwnership', { userId: uid('john') }],
      [john, 'billing.changePlan', { plan: 'basic' }],
      [john, 'users.setCallAccess', { userId: uid('john'), callAccess: 'all' }],
    ];
    for (const [c, method, input] of attacks) expect((await c.raw(method, input)).ok, method).toBe(false);
    expect(snapshot(tc.db)).toBe(start);
    expectInvariant1();
  });
});
