import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { hashPassword } from '../../src/main/core/domain/password';
import { can, loadActor } from '../../src/main/core/policy';
import { openDatabase } from '../../src/main/core/store/db';
import { insertAccount, setOwner } from '../../src/main/core/store/repos/account';
import { callFacts, insertCall, type ParticipantRole } from '../../src/main/core/store/repos/calls';
import { insertFlow } from '../../src/main/core/store/repos/flows';
import { insertGroup, setGroupMembers } from '../../src/main/core/store/repos/groups';
import { insertNumber, routeNumber } from '../../src/main/core/store/repos/numbers';
import { insertMessage, insertThread } from '../../src/main/core/store/repos/threads';
import { insertUser, setPermissions, setUserNumbers } from '../../src/main/core/store/repos/users';
import type { FlowStep } from '../../src/shared/api/entities';
import type { CallAccessLevel, Role } from '../../src/shared/primitives';
import '../helpers/core';

/**
 * For random accounts, memberships, flows and histories, every list the API
 * returns equals a plain reference model of POLICY.md §3, for every user,
 * across keyset pages of random sizes; and single decisions agree.
 */

const roleArb = fc.constantFrom<Role>('agent', 'agent', 'agent', 'manager', 'administrator');
const levelsFor: Record<Role, CallAccessLevel[]> = {
  agent: ['personal', 'group', 'callflow', 'numbers'],
  manager: ['numbers', 'all'],
  administrator: ['all'],
};
const idx = fc.nat(20);
const roles: ParticipantRole[] = ['placed', 'answered', 'transferred', 'missed', 'voicemail'];

const accountArb = fc.record({
  users: fc.array(
    fc.record({ role: roleArb, level: fc.nat(3), scope: fc.array(idx, { maxLength: 3 }), call: fc.array(idx, { maxLength: 3 }), sms: fc.array(idx, { maxLength: 2 }), numbersPermission: fc.boolean() }),
    { minLength: 2, maxLength: 7 },
  ),
  groups: fc.array(fc.array(idx, { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
  flows: fc.array(fc.record({ groups: fc.array(idx, { maxLength: 2 }), users: fc.array(idx, { maxLength: 2 }) }), { minLength: 1, maxLength: 3 }),
  bns: fc.array(fc.nat(3), { minLength: 1, maxLength: 5 }),
  calls: fc.array(
    fc.record({
      direction: fc.constantFrom('inbound', 'outbound', 'internal') as fc.Arbitrary<'inbound' | 'outbound' | 'internal'>,
      result: fc.constantFrom('answered', 'missed', 'voicemail') as fc.Arbitrary<'answered' | 'missed' | 'voicemail'>,
      bn: fc.nat(5),
      flow: fc.nat(3),
      group: fc.nat(4),
      participants: fc.array(fc.record({ user: idx, role: fc.nat(4) }), { maxLength: 3 }),
      t: fc.nat(15),
    }),
    { maxLength: 50 },
  ),
  threads: fc.array(
    fc.record({ bn: idx, assignedUser: fc.option(idx), assignedGroup: fc.option(idx), senders: fc.array(idx, { maxLength: 2 }), t: fc.nat(12) }),
    { maxLength: 20 },
  ),
  foreignCalls: fc.nat(3),
});
type Gen = typeof accountArb extends fc.Arbitrary<infer T> ? T : never;

const PASSWORD = 'property-password';
const hash = hashPassword(PASSWORD);

/** Builds the generated account (and a foreign one) in a fresh database; returns the model's view of it. */
function build(g: Gen) {
  const db = openDatabase(':memory:');
  const T0 = 1_700_000_000_000;
  const m = db.transaction(() => {
    const acc = insertAccount(db, 'Random Co', 'company', T0);
    const users = g.users.map((u, i) => {
      const levels = levelsFor[u.role];
      const level = levels[u.level % levels.length]!;
      const id = insertUser(db, {
        accountId: acc,
        extension: String(200 + i),
        name: `User ${i}`,
        email: `u${i}@random.example`,
        title: '',
        timezone: 'UTC',
        role: u.role,
        callAccess: level,
        passwordHash: hash,
        createdAt: T0,
      });
      return { id, role: u.role, level, raw: u };
    });
    if (!users.some((u) => u.role === 'administrator')) {
      users[0]!.role = 'administrator';
      users[0]!.level = 'all';
      db.prepare(`UPDATE users SET role = 'administrator', call_access = 'all' WHERE id = ?`).run(users[0]!.id);
    }
    setOwner(db, acc, users.find((u) => u.role === 'administrator')!.id);
    const U = (i: number) => users[i % users.length]!;
    const groups = g.groups.map((members, i) => {
      const id = insertGroup(db, acc, `Group ${i}`, T0);
      const memberIds = [...new Set(members.map((x) => U(x).id))];
      setGroupMembers(db, id, memberIds);
      return { id, memberIds };
    });
    const G = (i: number) => groups[i % groups.length]!;
    const flows = g.flows.map((f, i) => {
      const steps: FlowStep[] = [
        ...f.groups.map((x): FlowStep => ({ kind: 'ring_group', groupId: G(x).id, ringSeconds: 20 })),
        ...f.users.map((x): FlowStep => ({ kind: 'ring_user', userId: U(x).id, ringSeconds: 20 })),
      ];
      const id = insertFlow(db, acc, `Flow ${i}`, steps, T0);
      return { id, groupIds: f.groups.map((x) => G(x).id), userIds: f.users.map((x) => U(x).id) };
    });
    const bns = g.bns.map((flowPick, i) => {
      const id = insertNumber(db, acc, `+1555000${String(1000 + i)}`, `BN ${i}`, T0);
      const flow = flowPick < flows.length ? flows[flowPick]! : null;
      if (flow) routeNumber(db, id, flow.id);
      return { id, flowId: flow?.id ?? null };
    });
    const B = (i: number) => bns[i % bns.length]!;
    for (const u of users) {
      setUserNumbers(db, u.id, 'call', u.raw.call.map((x) => B(x).id));
      setUserNumbers(db, u.id, 'sms', u.raw.sms.map((x) => B(x).id));
      setUserNumbers(db, u.id, 'scope', u.level === 'numbers' ? u.raw.scope.map((x) => B(x).id) : []);
      if (u.role === 'manager') setPermissions(db, u.id, u.raw.numbersPermission ? ['numbers', 'userAccess'] : ['userAccess']);
    }
    const calls = g.calls.map((c) => {
      const participants = [...new Map(c.participants.map((p) => [U(p.user).id, roles[p.role % roles.length]!])).entries()].map(([userId, role]) => ({ userId, role }));
      const call = {
        bnId: c.bn < bns.length ? bns[c.bn]!.id : null,
        callFlowId: c.flow < flows.length ? flows[c.flow]!.id : null,
        groupId: c.group < groups.length ? groups[c.group]!.id : null,
        participantIds: participants.map((p) => p.userId),
        startedAt: T0 + c.t * 1000,
        direction: c.direction,
        result: c.result,
      };
      const id = insertCall(db, {
        accountId: acc,
        direction: c.direction,
        result: c.result,
        bnId: call.bnId,
        externalNumber: '+13105550100',
        startedAt: call.startedAt,
        answeredAt: null,
        endedAt: call.startedAt + 1000,
        callFlowId: call.callFlowId,
        groupId: call.groupId,
        participants,
        events: [],
        voicemail: c.result === 'voicemail' ? { durationSeconds: 5, transcript: '' } : null,
      });
      return { id, ...call };
    });
    const threads = g.threads.map((t, i) => {
      const bn = B(t.bn);
      const assignedUser = t.assignedUser === null ? null : U(t.assignedUser).id;
      const assignedGroup = t.assignedGroup === null ? null : G(t.assignedGroup).id;
      const at = T0 + t.t * 1000;
      const id = insertThread(db, { accountId: acc, bnId: bn.id, externalNumber: `+1310555${String(2000 + i)}`, assignedUserId: assignedUser, assignedGroupId: assignedGroup, at });
      const senders = [...new Set(t.senders.map((x) => U(x).id))];
      for (const s of senders) insertMessage(db, { threadId: id, direction: 'outbound', senderUserId: s, body: 'x', at });
      return { id, bnId: bn.id, bnFlowId: bn.flowId, groupId: assignedGroup, participantIds: [...new Set([...(assignedUser ? [assignedUser] : []), ...senders])], at };
    });
    // Another company's rows, which no one here may ever see.
    const other = insertAccount(db, 'Other Co', 'company', T0);
    const otherBn = insertNumber(db, other, '+16175550100', 'Other', T0);
    for (let i = 0; i < g.foreignCalls; i++) {
      insertCall(db, { accountId: other, direction: 'inbound', result: 'voicemail', bnId: otherBn, externalNumber: '+1', startedAt: T0 + i, answeredAt: null, endedAt: null, callFlowId: null, groupId: null, participants: [], events: [], voicemail: { durationSeconds: 1, transcript: '' } });
    }
    return { acc, users, groups, flows, bns, calls, threads };
  })();
  return { db, ...m };
}

type Model = ReturnType<typeof build>;

/** POLICY.md §3 and docs/policy-decisions.md, written out plainly. */
function reference(m: Model, userId: number) {
  const u = m.users.find((x) => x.id === userId)!;
  const myGroups = new Set(m.groups.filter((g) => g.memberIds.includes(userId)).map((g) => g.id));
  const myFlows = new Set(m.flows.filter((f) => f.userIds.includes(userId) || f.groupIds.some((g) => myGroups.has(g))).map((f) => f.id));
  const numbers = m.db.prepare('SELECT kind, bn_id FROM user_numbers WHERE user_id = ?').all(userId) as { kind: string; bn_id: number }[];
  const scope = new Set(numbers.filter((n) => n.kind === 'scope').map((n) => n.bn_id));
  const level = u.role === 'administrator' ? 'all' : u.level;
  const sees = (item: { participantIds: number[]; groupId: number | null; flowId: number | null; bnId: number | null }) =>
    item.participantIds.includes(userId) ||
    level === 'all' ||
    (level === 'group' && item.groupId !== null && myGroups.has(item.groupId)) ||
    (level === 'callflow' && item.flowId !== null && myFlows.has(item.flowId)) ||
    (level === 'numbers' && item.bnId !== null && scope.has(item.bnId));
  const byNewest = <T extends { id: number }>(list: T[], key: (x: T) => number) => list.sort((a, b) => key(b) - key(a) || b.id - a.id).map((x) => x.id);
  const calls = byNewest(m.calls.filter((c) => sees({ ...c, flowId: c.callFlowId })), (c) => c.startedAt);
  const voicemails = byNewest(m.calls.filter((c) => c.result === 'voicemail' && sees({ ...c, flowId: c.callFlowId })), (c) => c.startedAt);
  const threads = byNewest(m.threads.filter((t) => sees({ ...t, flowId: t.bnFlowId })), (t) => t.at);
  const seesAllBns = u.role === 'administrator' || (u.role === 'manager' && (u.raw.numbersPermission || level === 'all'));
  const bns = seesAllBns ? m.bns.map((b) => b.id) : [...new Set(numbers.filter((n) => n.kind !== 'scope' || level === 'numbers').map((n) => n.bn_id))];
  return { calls, voicemails, threads, bns: bns.sort((a, b) => a - b) };
}

async function pageAll(fetchPage: (cursor: string | undefined, limit: number) => Promise<{ ids: number[]; next: string | null }>, sizes: number[]) {
  const out: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 500; i++) {
    const { ids, next } = await fetchPage(cursor, sizes[i % sizes.length]!);
    out.push(...ids);
    if (!next) return out;
    cursor = next;
  }
  throw new Error('paging did not end');
}

describe('role-filtered lists equal the reference model of POLICY.md §3', () => {
  it('for every user, across keyset pages, and can() agrees', async () => {
    await fc.assert(
      fc.asyncProperty(accountArb, fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }), async (g, sizes) => {
        const m = build(g);
        const core = createCoreWithDb(m.db, { now: () => 1_800_000_000_000, validateOutput: true });
        try {
          for (const u of m.users) {
            const conn = core.connect(() => undefined);
            const signIn = await conn.invoke('auth.signIn', { login: `u${m.users.indexOf(u)}@random.example`, password: PASSWORD });
            expect(signIn.ok).toBe(true);
            const want = reference(m, u.id);
            const list = (method: string, extra: object = {}) =>
              pageAll(async (cursor, limit) => {
                const r = (await conn.invoke(method, { limit, ...extra, ...(cursor ? { cursor } : {}) })) as { ok: true; value: { items: { id: number; callId?: number }[]; nextCursor: string | null } };
                expect(r.ok).toBe(true);
                return { ids: r.value.items.map((x) => x.callId ?? x.id), next: r.value.nextCursor };
              }, sizes);
            expect(await list('calls.list'), `calls for user ${u.id} (${u.role}/${u.level})`).toEqual(want.calls);
            expect(await list('voicemails.list'), `voicemails for user ${u.id}`).toEqual(want.voicemails);
            expect(await list('messages.threads'), `threads for user ${u.id}`).toEqual(want.threads);
            const bns = (await conn.invoke('numbers.list', {})) as { ok: true; value: { id: number }[] };
            expect(bns.value.map((b) => b.id)).toEqual(want.bns);

            const actor = loadActor(m.db, u.id)!;
            const visible = new Set(want.calls);
            for (const c of m.calls) {
              const single = await conn.invoke('calls.get', { callId: c.id });
              expect(single.ok, `calls.get ${c.id} for user ${u.id}`).toBe(visible.has(c.id));
              expect(can(actor, 'call.view', callFacts(m.db, m.acc, c.id)!).allowed).toBe(visible.has(c.id));
            }
            const visibleThreads = new Set(want.threads);
            for (const t of m.threads) {
              const single = await conn.invoke('messages.list', { threadId: t.id });
              expect(single.ok, `thread ${t.id} for user ${u.id}`).toBe(visibleThreads.has(t.id));
            }
            conn.close();
          }
        } finally {
          core.close();
        }
      }),
      { numRuns: 60, seed: 20261123, endOnFailure: true },
    );
  }, 120_000);
});
