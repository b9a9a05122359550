import { describe, expect, it } from 'vitest';
import {
  can,
  capabilitySummary,
  callBranches,
  matchingBranch,
  threadAsCall,
  threadBranches,
  type Actor,
} from '../../src/main/core/policy';
import { capabilities } from '../../src/shared/capabilities';
import { managerPermissions } from '../../src/shared/primitives';

const actor = (over: Partial<Actor> = {}): Actor => ({
  userId: 1,
  accountId: 1,
  name: 'A',
  role: 'agent',
  callAccess: 'group',
  isOwner: false,
  permissions: new Set(),
  plan: 'company',
  accountStatus: 'active',
  cancelledAt: null,
  groupIds: [10],
  flowIds: [20],
  scopeBnIds: [30],
  outboundCallBnIds: [30],
  smsBnIds: [],
  visibleBnIds: [30],
  accountBnIds: [30, 31],
  defaultBnId: 30,
  viewedBy: null,
  ...over,
});

const call = (
  over: Partial<{
    participantIds: readonly number[];
    groupId: number | null;
    callFlowId: number | null;
    bnId: number | null;
    accountId: number;
  }> = {},
) => ({
  accountId: 1,
  participantIds: [],
  groupId: null,
  callFlowId: null,
  bnId: null,
  ...over,
});

describe('call access branches (POLICY.md §3)', () => {
  it.each([
    ['personal', { participantIds: [1] }, true],
    ['personal', { groupId: 10 }, false],
    ['group', { groupId: 10 }, true],
    ['group', { callFlowId: 20 }, false],
    ['callflow', { callFlowId: 20 }, true],
    ['callflow', { groupId: 10 }, false],
    ['numbers', { bnId: 30 }, true],
    ['numbers', { bnId: 31 }, false],
    ['all', { bnId: 31 }, true],
    ['all', { accountId: 2 }, false],
  ] as const)('%s access and %j → %s', (level, facts, visible) => {
    const a = actor({ callAccess: level });
    expect(can(a, 'call.view', call(facts)).allowed).toBe(visible);
    expect(matchingBranch(callBranches(a), call(facts)) !== null).toBe(visible);
  });

  it('everyone sees their own calls whatever the level', () => {
    for (const level of ['personal', 'group', 'callflow', 'numbers', 'all'] as const) {
      expect(can(actor({ callAccess: level }), 'call.view', call({ participantIds: [1] })).allowed).toBe(true);
    }
  });

  it('threads follow their BN’s routing for callflow access', () => {
    const a = actor({ callAccess: 'callflow' });
    const t = { accountId: 1, participantIds: [], groupId: null, bnId: 31, bnFlowId: 20 };
    expect(can(a, 'thread.view', t).allowed).toBe(true);
    expect(can(a, 'thread.view', { ...t, bnFlowId: 21 }).allowed).toBe(false);
    const branches = threadBranches(a, [{ bnId: 31, flowId: 20 }]);
    expect(matchingBranch(branches, threadAsCall(t))).not.toBeNull();
  });
});

describe('capabilities (POLICY.md §2)', () => {
  it('deny by default: an action with no rule is refused', () => {
    const d = can(actor({ role: 'administrator', callAccess: 'all' }), 'no.such.action' as 'audit.read', {});
    expect(d).toMatchObject({ allowed: false });
  });

  it('an Administrator has every capability but transferring ownership, which is the owner’s', () => {
    const s = capabilitySummary(actor({ role: 'administrator', callAccess: 'all' }));
    for (const c of capabilities) expect(s[c], c).toBe(c !== 'account.transferOwnership');
    expect(capabilitySummary(actor({ role: 'administrator', isOwner: true }))['account.transferOwnership']).toBe(true);
  });

  it('an Agent manages contacts and nothing else', () => {
    const s = capabilitySummary(actor());
    expect(
      Object.entries(s)
        .filter(([, v]) => v)
        .map(([k]) => k),
    ).toEqual(['contacts.manage']);
  });

  it.each(managerPermissions)('a Manager’s "%s" flag turns on exactly its rows', (flag) => {
    const none = capabilitySummary(actor({ role: 'manager', callAccess: 'numbers' }));
    const one = capabilitySummary(actor({ role: 'manager', callAccess: 'numbers', permissions: new Set([flag]) }));
    const gained = capabilities.filter((c) => one[c] && !none[c]);
    const expected: Record<string, string[]> = {
      callFlows: ['callFlows.manage'],
      numbers: ['numbers.manage'],
      billing: ['billing.manage'],
      groups: ['groups.manage'],
      addUsers: ['users.add', 'audit.read'],
      userSettings: ['users.settings', 'audit.read'],
      userAccess: ['users.access', 'audit.read'],
      deleteRecordings: ['recordings.delete'],
    };
    expect(gained.sort()).toEqual(expected[flag]!.sort());
    expect(none['integrations.manage']).toBe(true);
    expect(none['users.role']).toBe(false);
    expect(none['account.cancel']).toBe(false);
  });

  it('every refusal carries a reason', () => {
    const d = can(actor(), 'number.manage', { bnId: null });
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reason.length).toBeGreaterThan(10);
  });

  it('a cancelled account is read-only for everyone', () => {
    const a = actor({
      role: 'administrator',
      callAccess: 'all',
      accountStatus: 'cancelled',
      cancelledAt: Date.UTC(2026, 0, 2),
    });
    const d = can(a, 'contact.manage', {});
    expect(d).toMatchObject({ allowed: false });
    if (!d.allowed) expect(d.reason).toContain('2026-01-02');
    expect(can(a, 'call.view', call({ bnId: 31 })).allowed).toBe(true);
  });
});
