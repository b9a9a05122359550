import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOW, snapshot } from '../helpers/core'; // also sets the test password cost
import { parseCsv } from '../helpers/csv';
import { createCoreWithDb, createSession } from '../../src/main/core/api/core';
import { csvExport } from '../../src/main/core/export/csvExport';
import { takeTicket } from '../../src/main/core/export/tickets';
import { hashPassword } from '../../src/main/core/domain/password';
import { can, loadActor } from '../../src/main/core/policy';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { insertAccount, setOwner } from '../../src/main/core/store/repos/account';
import { callFacts, insertCall, type ParticipantRole } from '../../src/main/core/store/repos/calls';
import { deleteFlow, insertFlow } from '../../src/main/core/store/repos/flows';
import { deleteGroup, insertGroup, setGroupMembers } from '../../src/main/core/store/repos/groups';
import { insertNumber, releaseNumber, routeNumber } from '../../src/main/core/store/repos/numbers';
import { insertMessage, insertThread, threadFacts } from '../../src/main/core/store/repos/threads';
import { insertUser, setPermissions, setUserNumbers } from '../../src/main/core/store/repos/users';
import { methods, type Input, type Method, type Output } from '../../src/shared/api/contract';
import type { FlowStep } from '../../src/shared/api/entities';
import {
  managerPermissions,
  type CallAccessLevel,
  type CallDirection,
  type CallResult,
  type ManagerPermission,
  type Plan,
  type Role,
} from '../../src/shared/primitives';
import type { ApiResult } from '../../src/shared/result';
import { registerRecording } from '../../src/main/core/recordings';

/**
 * Issue requirement 14. For random accounts, memberships, call flows and
 * histories, every list the API returns equals a plain reference model of
 * POLICY.md §3 (with docs/policy-decisions.md) for every user, across keyset
 * pages of random sizes (no gaps, no duplicates, newest first), also under
 * random filters; and single decisions (the API's get, and can()) agree with
 * the lists.
 *
 * The reference model below is written from the documents, not from the
 * policy module: it reads only the generated data, never the database.
 */

// ---------------------------------------------------------------------------
// Generated shape: indices into the account's own entities (taken modulo).

type StepGen =
  | { kind: 'ring_group'; g: number }
  | { kind: 'ring_user'; u: number }
  | { kind: 'voicemail'; u: number | null; g: number | null }
  | { kind: 'greeting' }
  | { kind: 'menu'; branches: StepGen[][] }
  | { kind: 'hours'; closed: StepGen[] };

/** null most of the time, else a value: filters and rare events. */
const rarely = <T>(arb: fc.Arbitrary<T>, nullWeight = 3): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: nullWeight }, { arbitrary: arb, weight: 1 });
const flag = (oneIn: number) => fc.nat(oneIn - 1).map((n) => n === 0);
const ix = fc.nat(40);

const leafArb: fc.Arbitrary<StepGen> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('ring_group' as const), g: ix }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('ring_user' as const), u: ix }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('voicemail' as const), u: rarely(ix, 1), g: rarely(ix, 2) }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'greeting' as const }), weight: 1 },
);
const stepArb: fc.Arbitrary<StepGen> = fc.oneof(
  { arbitrary: leafArb, weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant('menu' as const),
      branches: fc.array(fc.array(leafArb, { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('hours' as const), closed: fc.array(leafArb, { maxLength: 2 }) }),
    weight: 1,
  },
);

const userArb = fc.record({
  role: fc.constantFrom<Role>('agent', 'agent', 'agent', 'manager', 'manager', 'administrator'),
  level: fc.nat(5),
  perms: fc.subarray([...managerPermissions]),
  call: fc.array(ix, { maxLength: 3 }),
  sms: fc.array(ix, { maxLength: 2 }),
  scope: fc.array(ix, { maxLength: 4 }),
  /** Leave scope rows on a user whose level is not `numbers` (they must mean nothing). */
  staleScope: flag(5),
});

const filterArb = fc.record({
  direction: rarely(fc.constantFrom<CallDirection>('inbound', 'outbound', 'internal')),
  result: rarely(fc.constantFrom<CallResult>('answered', 'missed', 'voicemail')),
  bn: rarely(ix, 2),
  flow: rarely(ix, 5),
  group: rarely(ix, 5),
  user: rarely(ix, 5),
  from: rarely(fc.nat(6), 4),
  to: rarely(fc.nat(7), 4),
  hasRecording: rarely(fc.constant(true as const), 4),
});
type FilterGen = typeof filterArb extends fc.Arbitrary<infer T> ? T : never;

const callArb = fc.record({
  direction: fc.constantFrom<CallDirection>('inbound', 'inbound', 'outbound', 'internal'),
  result: fc.constantFrom<CallResult>('answered', 'missed', 'voicemail'),
  /** A voicemail record that disagrees with the result, now and then. */
  vmFlip: flag(8),
  bn: rarely(ix, 1),
  flow: rarely(ix, 1),
  group: rarely(ix, 1),
  participants: fc.array(
    fc.record({
      u: ix,
      role: fc.constantFrom<ParticipantRole>('placed', 'answered', 'transferred', 'missed', 'voicemail'),
    }),
    { maxLength: 3 },
  ),
  /** Few distinct instants: many ties on started_at. */
  t: fc.nat(5),
  foreign: flag(6),
  /** Few outside parties, so several calls share one (the caller-ID suggestion looks them up). */
  party: fc.nat(4),
});

const threadArb = fc.record({
  bn: ix,
  assignedUser: rarely(ix, 1),
  assignedGroup: rarely(ix, 1),
  t: fc.nat(5),
  messages: fc.array(fc.record({ inbound: fc.boolean(), sender: ix, dt: fc.integer({ min: -2, max: 3 }) }), {
    maxLength: 4,
  }),
  foreign: flag(6),
});

const worldArb = fc.record({
  plan: fc.constantFrom<Plan>('business', 'company'),
  foreignPlan: fc.constantFrom<Plan>('business', 'company'),
  users: fc.array(userArb, { minLength: 3, maxLength: 10 }),
  owner: ix,
  groups: fc.array(fc.record({ members: fc.array(ix, { maxLength: 5 }), deleted: flag(8) }), {
    minLength: 1,
    maxLength: 4,
  }),
  flows: fc.array(fc.record({ steps: fc.array(stepArb, { maxLength: 4 }), deleted: flag(10) }), {
    minLength: 1,
    maxLength: 3,
  }),
  bns: fc.array(fc.record({ flow: rarely(ix, 1), released: flag(8) }), { minLength: 1, maxLength: 5 }),
  calls: fc.array(callArb, { maxLength: 60, size: 'max' }),
  threads: fc.array(threadArb, { maxLength: 30, size: 'max' }),
  /** One filter per user, taken in turn. */
  filters: fc.array(filterArb, { minLength: 1, maxLength: 12 }),
  /** Page sizes, cycled while following nextCursor. */
  pages: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
});
type Gen = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------
// The world as stored, in plain terms (what the model reads).

interface MUser {
  id: number;
  account: number;
  email: string;
  role: Role;
  level: CallAccessLevel;
  perms: ReadonlySet<ManagerPermission>;
  /** BN grants as given (before any BN was released). */
  call: number[];
  sms: number[];
  scope: number[];
}
interface MGroup {
  id: number;
  account: number;
  members: number[];
  deleted: boolean;
}
interface MFlow {
  id: number;
  account: number;
  steps: FlowStep[];
  deleted: boolean;
}
interface MBn {
  id: number;
  account: number;
  /** The flow it was routed to (before any deletion or release). */
  routedTo: number | null;
  released: boolean;
}
interface MCall {
  id: number;
  account: number;
  direction: CallDirection;
  result: CallResult;
  bnId: number | null;
  flowId: number | null;
  groupId: number | null;
  participants: number[];
  hasVoicemail: boolean;
  /** It has a recording (every third call). */
  recorded: boolean;
  startedAt: number;
  externalNumber: string | null;
}
interface MThread {
  id: number;
  account: number;
  bnId: number;
  assignedUser: number | null;
  assignedGroup: number | null;
  senders: number[];
  lastAt: number;
  /** Messages in id order (the store's order for equal times). */
  messages: { at: number; sender: number | null; inbound: boolean }[];
}
interface World {
  db: Db;
  main: number;
  foreign: number;
  users: MUser[];
  groups: MGroup[];
  flows: MFlow[];
  bns: MBn[];
  calls: MCall[];
  threads: MThread[];
}

const T0 = 1_750_000_000_000;
const SEC = 1000;
const PASSWORD = 'property-password-14';
let passwordHash: string | null = null;

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
const uniq = <T>(xs: readonly T[]) => [...new Set(xs)];

/** Builds both accounts in one transaction, with the store's own insert functions. */
function build(g: Gen): World {
  const db = openDatabase(':memory:');
  passwordHash ??= hashPassword(PASSWORD);
  const hash = passwordHash;
  const w: World = { db, main: 0, foreign: 0, users: [], groups: [], flows: [], bns: [], calls: [], threads: [] };

  db.transaction(() => {
    let emailSeq = 0;
    const addUser = (account: number, role: Role, level: CallAccessLevel, ext: number): MUser => {
      const email = `p${emailSeq++}@prop.example`;
      const id = insertUser(db, {
        accountId: account,
        extension: String(ext),
        name: `User ${emailSeq}`,
        email,
        title: '',
        timezone: 'UTC',
        role,
        callAccess: level,
        passwordHash: hash,
        createdAt: T0,
      });
      const u: MUser = { id, account, email, role, level, perms: new Set(), call: [], sms: [], scope: [] };
      w.users.push(u);
      return u;
    };

    // --- The main account.
    const main = insertAccount(db, 'Main Co', g.plan, T0);
    w.main = main;
    const ownerIx = g.owner % g.users.length;
    const levels: Record<Role, CallAccessLevel[]> = {
      agent: ['personal', 'group', 'callflow', 'numbers', 'callflow', 'group'], // weighted
      manager: ['numbers', 'all'],
      administrator: ['all'],
    };
    const users = g.users.map((raw, i) => {
      const role: Role = i === ownerIx ? 'administrator' : raw.role;
      return { u: addUser(main, role, pick(levels[role], raw.level), 100 + i), raw };
    });
    setOwner(db, main, users[ownerIx]!.u.id);
    const U = (i: number) => pick(users, i).u.id;

    const groups = g.groups.map((gg, i) => {
      const id = insertGroup(db, main, `Group ${i}`, T0);
      const members = uniq(gg.members.map(U));
      setGroupMembers(db, id, members);
      const m: MGroup = { id, account: main, members, deleted: gg.deleted };
      w.groups.push(m);
      return m;
    });
    const G = (i: number) => pick(groups, i).id;

    const toSteps = (list: StepGen[]): FlowStep[] =>
      list.map((s): FlowStep => {
        switch (s.kind) {
          case 'ring_group':
            return { kind: 'ring_group', groupId: G(s.g), ringSeconds: 20 };
          case 'ring_user':
            return { kind: 'ring_user', userId: U(s.u), ringSeconds: 20 };
          case 'voicemail':
            return {
              kind: 'voicemail',
              text: '',
              ...(s.u === null ? {} : { userId: U(s.u) }),
              ...(s.g === null ? {} : { groupId: G(s.g) }),
            };
          case 'greeting':
            return { kind: 'greeting', text: 'Hello' };
          case 'menu':
            return {
              kind: 'menu',
              text: 'Press a key',
              branches: s.branches.map((b, k) => ({ key: String(k + 1), steps: toSteps(b) })),
            };
          case 'hours':
            return {
              kind: 'hours',
              timezone: 'UTC',
              open: [{ day: 0, from: '09:00', to: '17:00' }],
              branches: [{ key: 'closed', steps: toSteps(s.closed) }],
            };
        }
      });
    const flows = g.flows.map((f, i) => {
      const steps = toSteps(f.steps);
      const m: MFlow = { id: insertFlow(db, main, `Flow ${i}`, steps, T0), account: main, steps, deleted: f.deleted };
      w.flows.push(m);
      return m;
    });

    const bns = g.bns.map((b, i) => {
      const id = insertNumber(db, main, `+1555010${String(1000 + i)}`, `BN ${i}`, T0);
      const routedTo = b.flow === null ? null : pick(flows, b.flow).id;
      if (routedTo !== null) routeNumber(db, id, routedTo);
      const m: MBn = { id, account: main, routedTo, released: b.released };
      w.bns.push(m);
      return m;
    });
    const B = (i: number) => pick(bns, i).id;

    for (const { u, raw } of users) {
      u.call = uniq(raw.call.map(B));
      u.sms = uniq(raw.sms.map(B));
      u.scope = u.level === 'numbers' || raw.staleScope ? uniq(raw.scope.map(B)) : [];
      setUserNumbers(db, u.id, 'call', u.call);
      setUserNumbers(db, u.id, 'sms', u.sms);
      setUserNumbers(db, u.id, 'scope', u.scope);
      if (u.role === 'manager') {
        u.perms = new Set(raw.perms);
        setPermissions(db, u.id, raw.perms);
      }
    }

    // --- Another company: its rows must never show in the main account, nor the other way round.
    const foreign = insertAccount(db, 'Other Co', g.foreignPlan, T0);
    w.foreign = foreign;
    const fAdmin = addUser(foreign, 'administrator', 'all', 100);
    setOwner(db, foreign, fAdmin.id);
    const fAgent = addUser(foreign, 'agent', 'group', 101);
    const fGroupId = insertGroup(db, foreign, 'Group 0', T0);
    setGroupMembers(db, fGroupId, [fAgent.id]);
    w.groups.push({ id: fGroupId, account: foreign, members: [fAgent.id], deleted: false });
    const fSteps: FlowStep[] = [{ kind: 'ring_group', groupId: fGroupId, ringSeconds: 20 }];
    const fFlowId = insertFlow(db, foreign, 'Flow 0', fSteps, T0);
    w.flows.push({ id: fFlowId, account: foreign, steps: fSteps, deleted: false });
    const fBnId = insertNumber(db, foreign, '+15550209999', 'Other', T0);
    routeNumber(db, fBnId, fFlowId);
    w.bns.push({ id: fBnId, account: foreign, routedTo: fFlowId, released: false });
    const fUsers = [fAdmin.id, fAgent.id];

    // --- History, both accounts interleaved (ids of one account are not contiguous).
    g.calls.forEach((c) => {
      const f = c.foreign;
      const participants = [
        ...new Map(c.participants.map((p) => [f ? pick(fUsers, p.u) : U(p.u), p.role])).entries(),
      ].map(([userId, role]) => ({ userId, role }));
      const bnId = c.direction === 'internal' || c.bn === null ? null : f ? fBnId : B(c.bn);
      const flowId = c.flow === null ? null : f ? fFlowId : pick(flows, c.flow).id;
      const groupId = c.group === null ? null : f ? fGroupId : G(c.group);
      const hasVoicemail = (c.result === 'voicemail') !== c.vmFlip;
      const startedAt = T0 + c.t * SEC;
      const id = insertCall(db, {
        accountId: f ? foreign : main,
        direction: c.direction,
        result: c.result,
        bnId,
        externalNumber: c.direction === 'internal' ? null : `+1310555${String(1000 + c.party)}`,
        startedAt,
        answeredAt: c.result === 'answered' ? startedAt + SEC : null,
        endedAt: startedAt + 30 * SEC,
        callFlowId: flowId,
        groupId,
        participants,
        events: [],
        voicemail: hasVoicemail ? { durationSeconds: 7, transcript: '' } : null,
      });
      // Every third call was recorded (some twice): its recordings must follow the call's visibility.
      if (c.t % 3 === 0)
        for (let k = 0; k < 1 + (c.t % 2); k++)
          registerRecording(db, {
            accountId: f ? foreign : main,
            callId: id,
            path: `recordings/p-${id}-${k}.wav`,
            format: 'wav',
            durationMs: 1000,
            sizeBytes: 16_044,
            startedAt,
          });
      w.calls.push({
        id,
        account: f ? foreign : main,
        direction: c.direction,
        result: c.result,
        bnId,
        flowId,
        groupId,
        participants: participants.map((p) => p.userId),
        hasVoicemail,
        recorded: c.t % 3 === 0,
        startedAt,
        externalNumber: c.direction === 'internal' ? null : `+1310555${String(1000 + c.party)}`,
      });
    });

    g.threads.forEach((t, i) => {
      const f = t.foreign;
      const bnId = f ? fBnId : B(t.bn);
      const assignedUser = t.assignedUser === null ? null : f ? pick(fUsers, t.assignedUser) : U(t.assignedUser);
      const assignedGroup = t.assignedGroup === null ? null : f ? fGroupId : G(t.assignedGroup);
      const at = T0 + t.t * SEC;
      const id = insertThread(db, {
        accountId: f ? foreign : main,
        bnId,
        externalNumber: `+1424555${String(1000 + i)}`,
        assignedUserId: assignedUser,
        assignedGroupId: assignedGroup,
        at,
      });
      let lastAt = at;
      const senders: number[] = [];
      const messages: MThread['messages'] = [];
      for (const m of t.messages) {
        const mAt = at + m.dt * SEC;
        const sender = m.inbound ? null : f ? pick(fUsers, m.sender) : U(m.sender);
        insertMessage(db, {
          threadId: id,
          direction: m.inbound ? 'inbound' : 'outbound',
          senderUserId: sender,
          body: 'hi',
          at: mAt,
        });
        lastAt = Math.max(lastAt, mAt);
        if (sender !== null) senders.push(sender);
        messages.push({ at: mAt, sender, inbound: m.inbound });
      }
      w.threads.push({
        id,
        account: f ? foreign : main,
        bnId,
        assignedUser,
        assignedGroup,
        senders: uniq(senders),
        lastAt,
        messages,
      });
    });

    // --- Later changes the history must survive: deleted groups and flows, released BNs.
    for (const gr of groups) if (gr.deleted) deleteGroup(db, gr.id, T0 + 100 * SEC);
    for (const fl of flows) if (fl.deleted) deleteFlow(db, fl.id, T0 + 100 * SEC);
    for (const b of bns) if (b.released) releaseNumber(db, b.id, T0 + 100 * SEC);
  })();
  return w;
}

// ---------------------------------------------------------------------------
// The reference model: POLICY.md §3 and docs/policy-decisions.md, written out plainly.

type Rule = 'participant' | 'group' | 'callflow' | 'numbers' | 'all';

/** Users and groups a step tree rings (or sends voicemail to), at any depth. */
function stepTargets(steps: readonly FlowStep[], users = new Set<number>(), groups = new Set<number>()) {
  for (const s of steps) {
    // POLICY §1: "part of a call flow" = a step rings them or a group of theirs.
    // A voicemail step for a user or group counts too (the store's decision,
    // 001_init.ts call_flow_targets: the flow's callers end in their mailbox).
    if ((s.kind === 'ring_user' || s.kind === 'voicemail') && s.userId !== undefined) users.add(s.userId);
    if ((s.kind === 'ring_group' || s.kind === 'voicemail') && s.groupId !== undefined) groups.add(s.groupId);
    for (const b of s.branches ?? []) stepTargets(b.steps, users, groups);
  }
  return { users, groups };
}

interface Expected {
  level: CallAccessLevel;
  callReasons: (c: MCall) => Rule[];
  threadReasons: (t: MThread) => Rule[];
  /** Why the user would see the thread had they sent nothing in it (docs/policy-decisions.md, "Sending into a conversation"). */
  threadReasonsBesidesSending: (t: MThread) => Rule[];
  calls: number[];
  voicemails: number[];
  threads: number[];
  bns: number[];
}

function reference(w: World, u: MUser): Expected {
  const live = (bnId: number) => w.bns.some((b) => b.id === bnId && !b.released);
  const flowById = new Map(w.flows.map((f) => [f.id, f]));
  /** Where a BN routes today: nowhere once released, or once its flow is deleted. */
  const routeNow = (bnId: number) => {
    const b = w.bns.find((x) => x.id === bnId)!;
    if (b.released || b.routedTo === null || flowById.get(b.routedTo)!.deleted) return null;
    return b.routedTo;
  };
  const level: CallAccessLevel = u.role === 'administrator' ? 'all' : u.level;
  // A deleted group has no members any more: nobody sees items through it.
  const myGroups = new Set(
    w.groups.filter((g) => g.account === u.account && !g.deleted && g.members.includes(u.id)).map((g) => g.id),
  );
  const myFlows = new Set(
    w.flows
      .filter((f) => f.account === u.account && !f.deleted)
      .filter((f) => {
        const t = stepTargets(f.steps);
        return t.users.has(u.id) || [...t.groups].some((g) => myGroups.has(g));
      })
      .map((f) => f.id),
  );
  const scope = new Set(level === 'numbers' ? u.scope.filter(live) : []);

  const decide = (
    account: number,
    participant: boolean,
    group: number | null,
    flow: number | null,
    bn: number | null,
  ): Rule[] => {
    if (account !== u.account) return [];
    if (level === 'all') return ['all'];
    const out: Rule[] = [];
    if (participant) out.push('participant');
    if (level === 'group' && group !== null && myGroups.has(group)) out.push('group');
    if (level === 'callflow' && flow !== null && myFlows.has(flow)) out.push('callflow');
    if (level === 'numbers' && bn !== null && scope.has(bn)) out.push('numbers');
    return out;
  };
  // Calls keep the flow they went through; threads follow their BN's routing today.
  const callReasons = (c: MCall) => decide(c.account, c.participants.includes(u.id), c.groupId, c.flowId, c.bnId);
  const threadReasons = (t: MThread) =>
    decide(t.account, t.assignedUser === u.id || t.senders.includes(u.id), t.assignedGroup, routeNow(t.bnId), t.bnId);
  const threadReasonsBesidesSending = (t: MThread) =>
    decide(t.account, t.assignedUser === u.id, t.assignedGroup, routeNow(t.bnId), t.bnId);

  const newest = <T extends { id: number }>(xs: T[], key: (x: T) => number) =>
    [...xs].sort((a, b) => key(b) - key(a) || b.id - a.id).map((x) => x.id);
  const visibleCalls = w.calls.filter((c) => callReasons(c).length > 0);

  const accountBns = w.bns.filter((b) => b.account === u.account && !b.released).map((b) => b.id);
  const seesAllBns =
    u.role === 'administrator' || (u.role === 'manager' && (u.perms.has('numbers') || level === 'all'));
  const own = new Set([...u.call, ...u.sms, ...scope]);
  return {
    level,
    callReasons,
    threadReasons,
    threadReasonsBesidesSending,
    calls: newest(visibleCalls, (c) => c.startedAt),
    voicemails: newest(
      visibleCalls.filter((c) => c.hasVoicemail),
      (c) => c.startedAt,
    ),
    threads: newest(
      w.threads.filter((t) => threadReasons(t).length > 0),
      (t) => t.lastAt,
    ),
    bns: accountBns.filter((id) => seesAllBns || own.has(id)).sort((a, b) => a - b),
  };
}

// ---------------------------------------------------------------------------
// Talking to the API.

type Conn = ReturnType<ReturnType<typeof createCoreWithDb>['connect']>;
const invoke = <M extends Method>(conn: Conn, method: M, input: Input<M>) =>
  conn.invoke(method, input) as Promise<ApiResult<Output<M>>>;

async function ok<M extends Method>(conn: Conn, method: M, input: Input<M>): Promise<Output<M>> {
  const r = await invoke(conn, method, input);
  if (!r.ok) throw new Error(`${method} ${JSON.stringify(input)} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** Follows nextCursor to the end with the given page sizes; checks each page is full but the last. */
async function pageAll(
  label: string,
  sizes: readonly number[],
  fetchPage: (cursor: string | undefined, limit: number) => Promise<{ ids: number[]; nextCursor: string | null }>,
): Promise<number[]> {
  const out: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const limit = sizes[i % sizes.length]!;
    const { ids, nextCursor } = await fetchPage(cursor, limit);
    if (ids.length > limit || (nextCursor !== null && ids.length !== limit)) {
      throw new Error(`${label}: page ${i} of limit ${limit} had ${ids.length} items (next ${String(nextCursor)})`);
    }
    out.push(...ids);
    if (nextCursor === null) return out;
    cursor = nextCursor;
  }
  throw new Error(`${label}: paging did not end`);
}

/** The call filter a generated one names, and the same filter on model rows. */
function callFilterOf(w: World, u: MUser, f: FilterGen) {
  const mine = <T extends { account: number }>(xs: T[]) => xs.filter((x) => x.account === u.account);
  const bns = mine(w.bns); // released ones too: history keeps them
  const flows = mine(w.flows);
  const groups = mine(w.groups);
  const users = mine(w.users);
  const api = {
    ...(f.direction ? { direction: f.direction } : {}),
    ...(f.result ? { result: f.result } : {}),
    ...(f.bn !== null ? { bnId: pick(bns, f.bn).id } : {}),
    ...(f.flow !== null ? { callFlowId: pick(flows, f.flow).id } : {}),
    ...(f.group !== null ? { groupId: pick(groups, f.group).id } : {}),
    ...(f.user !== null ? { userId: pick(users, f.user).id } : {}),
    ...(f.from !== null ? { from: T0 + f.from * SEC } : {}),
    ...(f.to !== null ? { to: T0 + f.to * SEC } : {}),
    ...(f.hasRecording ? { hasRecording: true } : {}),
  };
  const matches = (c: MCall, withResult: boolean) =>
    (api.direction === undefined || c.direction === api.direction) &&
    (!withResult || api.result === undefined || c.result === api.result) &&
    (api.bnId === undefined || c.bnId === api.bnId) &&
    (api.callFlowId === undefined || c.flowId === api.callFlowId) &&
    (api.groupId === undefined || c.groupId === api.groupId) &&
    (api.userId === undefined || c.participants.includes(api.userId)) &&
    (api.from === undefined || c.startedAt >= api.from) &&
    (api.to === undefined || c.startedAt < api.to) &&
    (!api.hasRecording || c.recorded);
  const { result: _result, ...vmApi } = api;
  const threadApi = {
    ...(api.bnId !== undefined ? { bnId: api.bnId } : {}),
    ...(api.from !== undefined ? { from: api.from } : {}),
    ...(api.to !== undefined ? { to: api.to } : {}),
  };
  const threadMatches = (t: MThread) =>
    (threadApi.bnId === undefined || t.bnId === threadApi.bnId) &&
    (threadApi.from === undefined || t.lastAt >= threadApi.from) &&
    (threadApi.to === undefined || t.lastAt < threadApi.to);
  return { api, vmApi, threadApi, matches, threadMatches };
}

async function checkUser(
  w: World,
  core: ReturnType<typeof createCoreWithDb>,
  u: MUser,
  f: FilterGen,
  sizes: readonly number[],
) {
  const conn = core.connect(() => undefined);
  try {
    await ok(conn, 'auth.signIn', { login: u.email, password: PASSWORD });
    const want = reference(w, u);
    const who = `user ${u.id} (${u.role}, ${want.level}, account ${u.account})`;
    const byId = new Map(w.calls.map((c) => [c.id, c]));
    const threadById = new Map(w.threads.map((t) => [t.id, t]));

    const calls = (filter: object, label: string) =>
      pageAll(`${who} ${label}`, sizes, async (cursor, limit) => {
        const r = await ok(conn, 'calls.list', { ...filter, limit, ...(cursor ? { cursor } : {}) });
        return { ids: r.items.map((c) => c.id), nextCursor: r.nextCursor };
      });
    const voicemails = (filter: object, label: string) =>
      pageAll(`${who} ${label}`, sizes, async (cursor, limit) => {
        const r = await ok(conn, 'voicemails.list', { ...filter, limit, ...(cursor ? { cursor } : {}) });
        for (const v of r.items) expect(v.callId, `${who}: voicemail row of call ${v.call.id}`).toBe(v.call.id);
        return { ids: r.items.map((v) => v.callId), nextCursor: r.nextCursor };
      });
    const threads = (filter: object, label: string) =>
      pageAll(`${who} ${label}`, sizes, async (cursor, limit) => {
        const r = await ok(conn, 'messages.threads', { ...filter, limit, ...(cursor ? { cursor } : {}) });
        return { ids: r.items.map((t) => t.id), nextCursor: r.nextCursor };
      });

    // Whole lists, page by page: exactly the model's items, newest first (no gaps, no duplicates).
    expect(await calls({}, 'calls'), `${who}: calls.list`).toEqual(want.calls);
    expect(await voicemails({}, 'voicemails'), `${who}: voicemails.list`).toEqual(want.voicemails);
    expect(await threads({}, 'threads'), `${who}: messages.threads`).toEqual(want.threads);
    expect(
      (await ok(conn, 'numbers.list', {})).map((b) => b.id),
      `${who}: numbers.list`,
    ).toEqual(want.bns);

    // A random filter: the model's set, filtered likewise.
    const filter = callFilterOf(w, u, f);
    const filtered = (ids: number[], keep: (id: number) => boolean) => ids.filter(keep);
    expect(await calls(filter.api, 'filtered calls'), `${who}: calls.list ${JSON.stringify(filter.api)}`).toEqual(
      filtered(want.calls, (id) => filter.matches(byId.get(id)!, true)),
    );
    expect(
      await voicemails(filter.vmApi, 'filtered voicemails'),
      `${who}: voicemails.list ${JSON.stringify(filter.vmApi)}`,
    ).toEqual(filtered(want.voicemails, (id) => filter.matches(byId.get(id)!, false)));
    expect(
      await threads(filter.threadApi, 'filtered threads'),
      `${who}: messages.threads ${JSON.stringify(filter.threadApi)}`,
    ).toEqual(filtered(want.threads, (id) => filter.threadMatches(threadById.get(id)!)));
    // A filter naming another account's BN is refused as unknown.
    const otherBn = w.bns.find((b) => b.account !== u.account)!.id;
    const refused = await invoke(conn, 'calls.list', { limit: 5, bnId: otherBn });
    expect(refused.ok ? 'ok' : refused.error.code, `${who}: calls.list on another account's BN`).toBe('not_found');

    // Single decisions agree with the lists: the API's get and can(), for every row of both accounts.
    const actor = loadActor(w.db, u.id)!;
    const visibleCalls = new Set(want.calls);
    for (const c of w.calls) {
      const r = await invoke(conn, 'calls.get', { callId: c.id });
      const seen = visibleCalls.has(c.id);
      expect(r.ok, `${who}: calls.get ${c.id}`).toBe(seen);
      if (r.ok) {
        expect(r.value.id).toBe(c.id);
        expect(want.callReasons(c), `${who}: why of call ${c.id}`).toContain(r.value.why.rule);
      } else {
        expect(r.error.code, `${who}: calls.get ${c.id}`).toBe('not_found');
      }
      const facts = callFacts(w.db, actor.accountId, c.id);
      expect(facts !== null && can(actor, 'call.view', facts).allowed, `${who}: can call.view ${c.id}`).toBe(seen);
    }
    const visibleThreads = new Set(want.threads);
    for (const t of w.threads) {
      const r = await invoke(conn, 'messages.list', { threadId: t.id, limit: 1 });
      const seen = visibleThreads.has(t.id);
      expect(r.ok ? 'ok' : r.error.code, `${who}: messages.list of thread ${t.id}`).toBe(seen ? 'ok' : 'not_found');
      const facts = threadFacts(w.db, actor.accountId, t.id);
      expect(facts !== null && can(actor, 'thread.view', facts).allowed, `${who}: can thread.view ${t.id}`).toBe(seen);
    }
    const visibleBns = new Set(want.bns);
    for (const b of w.bns) {
      expect(can(actor, 'number.view', { bnId: b.id }).allowed, `${who}: can number.view ${b.id}`).toBe(
        visibleBns.has(b.id),
      );
    }
  } finally {
    conn.close();
  }
}

describe('role-filtered lists equal a plain model of POLICY.md §3 (property)', () => {
  it('for every user, across keyset pages and filters; get and can() agree with the lists', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (g) => {
        const w = build(g);
        const core = createCoreWithDb(w.db, { now: () => NOW, validateOutput: true });
        try {
          let i = 0;
          for (const u of w.users) {
            await checkUser(w, core, u, pick(g.filters, i), [
              ...g.pages.slice(i % g.pages.length),
              ...g.pages.slice(0, i % g.pages.length),
            ]);
            i++;
          }
        } finally {
          core.close();
        }
      }),
      { numRuns: 60, seed: 0x5eed14 },
    );
  }, 300_000);
});

// ---------------------------------------------------------------------------
// Every other method that takes or returns a call, voicemail or conversation.

/** An id no row has: what a hidden row's answer must look like. */
const MISSING = 987_654_321;

const hasMethod = (m: string) => (methods as readonly string[]).includes(m);

/** At most `n` of the list, spread over it (hidden rows probed per user, to keep the run short). */
const spread = <T>(xs: readonly T[], n: number): T[] =>
  xs.length <= n ? [...xs] : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!);

/** The methods that name one call, voicemail or conversation by id, with the input naming it. */
const byCallId: [string, (id: number, tagId: number) => unknown][] = [
  ['calls.get', (id) => ({ callId: id })],
  ['callAnnotations.get', (id) => ({ callId: id })],
  ['callAnnotations.list', (id) => ({ callIds: [id] })],
  ['callAnnotations.addTag', (id, tagId) => ({ callId: id, tagId })],
  ['callAnnotations.removeTag', (id, tagId) => ({ callId: id, tagId })],
  ['callNotes.add', (id) => ({ callId: id, body: 'A note' })],
  ['recordings.list', (id) => ({ callId: id })],
];
/** The methods that name one recording by id. */
const byRecordingId: [string, (id: number) => unknown][] = [
  ['recordings.audio', (id) => ({ recordingId: id, purpose: 'play', offset: 0 })],
  ['recordings.audio', (id) => ({ recordingId: id, purpose: 'download', offset: 0 })],
  ['recordings.delete', (id) => ({ recordingId: id })],
];
const byVoicemailId: [string, (id: number) => unknown][] = [
  ['voicemails.audio', (id) => ({ voicemailId: id })],
  ['voicemails.markRead', (id) => ({ voicemailId: id })],
];
const byThreadId: [string, (id: number) => unknown][] = [
  ['messages.list', (id) => ({ threadId: id, limit: 50 })],
  ['messages.why', (id) => ({ threadId: id })],
  ['messages.markRead', (id) => ({ threadId: id })],
];

/** Messages of a thread the user sees through messages.list: all, or from their own first one on. */
function visibleMessageCount(want: Expected, u: MUser, t: MThread): number {
  if (want.threadReasons(t).length === 0) return 0;
  if (want.threadReasonsBesidesSending(t).length > 0) return t.messages.length;
  const order = t.messages.map((m, i) => ({ ...m, i })).sort((a, b) => a.at - b.at || a.i - b.i);
  const first = order.findIndex((m) => m.sender === u.id);
  return first < 0 ? t.messages.length : order.length - first;
}

/** Whether the thread's badge counts it as unread for the user: the store's rules, replayed. */
function unreadFor(u: MUser, t: MThread, threadAt: number): boolean {
  let lastAt = threadAt;
  let lastInbound = true;
  let readAt = -1;
  for (const m of t.messages) {
    if (lastAt <= m.at) {
      lastAt = m.at;
      lastInbound = m.inbound;
    }
    if (m.sender === u.id) readAt = Math.max(readAt, m.at);
  }
  return lastInbound && readAt < lastAt;
}

async function exportRows(
  core: ReturnType<typeof createCoreWithDb>,
  conn: Conn,
  kind: 'calls' | 'messages',
  filter: object,
  idColumn: string,
): Promise<number[]> {
  const { token } = await ok(conn, 'exports.prepare', { kind, filter } as Input<'exports.prepare'>);
  const ticket = takeTicket(token)!;
  const reader = core.connect(() => undefined, ticket.session);
  try {
    let text = '';
    for await (const part of csvExport(reader, ticket.kind, ticket.filter)) text += part.chunk;
    const [header, ...rows] = parseCsv(text, ',');
    const at = header!.indexOf(idColumn);
    expect(at, `the export has a column ${idColumn}`).toBeGreaterThanOrEqual(0);
    return rows.map((r) => Number(r[at]));
  } finally {
    reader.close();
  }
}

async function checkUserMethods(
  w: World,
  core: ReturnType<typeof createCoreWithDb>,
  u: MUser,
  f: FilterGen,
  threadAt: ReadonlyMap<number, number>,
  tagId: number | null,
  /** A note on each call, by call id, when the product has call notes. */
  notes: ReadonlyMap<number, number>,
) {
  const conn = core.connect(() => undefined, createSession());
  try {
    await ok(conn, 'auth.signIn', { login: u.email, password: PASSWORD });
    const want = reference(w, u);
    const who = `user ${u.id} (${u.role}, ${want.level}, account ${u.account})`;
    const callById = new Map(w.calls.map((c) => [c.id, c]));
    const threadById = new Map(w.threads.map((t) => [t.id, t]));
    const filter = callFilterOf(w, u, f);
    const wantCalls = want.calls.filter((id) => filter.matches(callById.get(id)!, true));
    const wantThreads = want.threads.filter((id) => filter.threadMatches(threadById.get(id)!));

    // Counts: the list's own count, and the inbox badges (nothing has been heard or read but what one sent).
    expect(await ok(conn, 'calls.count', {}), `${who}: calls.count`).toEqual({
      count: want.calls.length,
      estimated: false,
    });
    expect(await ok(conn, 'calls.count', filter.api), `${who}: calls.count ${JSON.stringify(filter.api)}`).toEqual({
      count: wantCalls.length,
      estimated: false,
    });
    const badges = await ok(conn, 'inbox.counts', {});
    expect(badges.unreadVoicemails, `${who}: inbox.counts voicemails`).toBe(
      Math.min(badges.capped, want.voicemails.length),
    );
    const unreadThreads = want.threads.filter((id) => unreadFor(u, threadById.get(id)!, threadAt.get(id)!));
    expect(badges.unreadThreads, `${who}: inbox.counts threads`).toBe(Math.min(badges.capped, unreadThreads.length));

    // The dashboard counts the same calls as the list, over a range that covers the whole history.
    if (hasMethod('dashboard.get')) {
      // The dashboard has no recording filter (its rollups do not count recordings).
      const unbounded = callFilterOf(w, u, { ...f, from: null, to: null, hasRecording: null });
      const counted = want.calls.map((id) => callById.get(id)!).filter((c) => unbounded.matches(c, true));
      const input = { ...unbounded.api, from: T0 - 3_600_000, to: T0 + 3_600_000, timezone: 'UTC' };
      const r = await conn.invoke('dashboard.get', input);
      if (!r.ok) throw new Error(`${who}: dashboard.get failed: ${r.error.message}`);
      const { total, answered, missed, voicemail } = (r.value as { totals: Record<string, number> }).totals;
      const by = (result: CallResult) => counted.filter((c) => c.result === result).length;
      expect({ total, answered, missed, voicemail }, `${who}: dashboard.get ${JSON.stringify(unbounded.api)}`).toEqual({
        total: counted.length,
        answered: by('answered'),
        missed: by('missed'),
        voicemail: by('voicemail'),
      });
    }

    // Exports: the calls file holds exactly the filtered list; the messages file the visible
    // conversations, each with the messages messages.list shows (never the history a sender may not read).
    const callIds = await exportRows(core, conn, 'calls', filter.api, 'Call id');
    expect(callIds, `${who}: calls export ${JSON.stringify(filter.api)}`).toEqual(wantCalls);
    const perThread = new Map<number, number>();
    for (const id of await exportRows(core, conn, 'messages', filter.threadApi, 'Conversation id'))
      perThread.set(id, (perThread.get(id) ?? 0) + 1);
    const wantPerThread = new Map(
      wantThreads
        .map((id) => [id, visibleMessageCount(want, u, threadById.get(id)!)] as const)
        .filter(([, n]) => n > 0),
    );
    expect([...perThread], `${who}: messages export ${JSON.stringify(filter.threadApi)}`).toEqual([...wantPerThread]);

    // The caller-ID suggestion learns only from calls the user sees.
    const actor = loadActor(w.db, u.id)!;
    const allowed = actor.outboundCallBnIds;
    const parties = uniq(w.calls.map((c) => c.externalNumber).filter((n): n is string => n !== null));
    for (const to of [...parties, '+13105559999']) {
      const seen = want.calls.map((id) => callById.get(id)!).filter((c) => c.externalNumber === to);
      const hint =
        allowed.length === 0 ? null : (seen.find((c) => c.bnId !== null && allowed.includes(c.bnId))?.bnId ?? null);
      expect(await ok(conn, 'calls.suggestCallerId', { to }), `${who}: calls.suggestCallerId ${to}`).toEqual({
        bnId: hint ?? actor.defaultBnId ?? allowed[0] ?? null,
      });
    }

    // Every by-id method answers for a row the user may not see exactly as for one that does
    // not exist, and changes nothing.
    const before = snapshot(w.db);
    const same = async (method: string, hidden: unknown, missing: unknown, label: string) => {
      const h = await conn.invoke(method, hidden);
      const m = await conn.invoke(method, missing);
      expect(h.ok, `${who}: ${method} ${label} answered`).toBe(false);
      expect(h, `${who}: ${method} ${label} vs a missing one`).toEqual(m);
    };
    const visibleCalls = new Set(want.calls);
    for (const c of spread(
      w.calls.filter((x) => !visibleCalls.has(x.id)),
      12,
    )) {
      for (const [method, input] of byCallId) {
        if (!hasMethod(method) || (tagId === null && method.includes('Tag'))) continue;
        await same(method, input(c.id, tagId ?? 0), input(MISSING, tagId ?? 0), `of call ${c.id}`);
      }
    }
    // Notes of hidden calls: editing or deleting one answers as for a note that does not exist.
    for (const c of spread(
      w.calls.filter((x) => !visibleCalls.has(x.id) && notes.has(x.id)),
      8,
    )) {
      const noteId = notes.get(c.id)!;
      await same(
        'callNotes.edit',
        { noteId, body: 'Changed' },
        { noteId: MISSING, body: 'Changed' },
        `note of call ${c.id}`,
      );
      await same('callNotes.delete', { noteId }, { noteId: MISSING }, `note of call ${c.id}`);
    }
    // Several calls at once: a hidden one among visible ones answers as a missing one among them.
    if (hasMethod('callAnnotations.list') && want.calls.length > 0) {
      const seen = want.calls[0]!;
      for (const c of spread(
        w.calls.filter((x) => !visibleCalls.has(x.id)),
        4,
      ))
        await same(
          'callAnnotations.list',
          { callIds: [seen, c.id] },
          { callIds: [seen, MISSING] },
          `with call ${c.id}`,
        );
    }
    const voicemailIds = new Map(
      (w.db.prepare('SELECT call_id, id FROM voicemails').all() as { call_id: number; id: number }[]).map((r) => [
        r.call_id,
        r.id,
      ]),
    );
    // Recordings: a visible call lists exactly its own; a hidden call's answer every method as a missing one.
    const recordingsOf = new Map<number, number[]>();
    for (const r of w.db.prepare('SELECT call_id, id FROM recordings ORDER BY started_at, id').all() as {
      call_id: number;
      id: number;
    }[])
      recordingsOf.set(r.call_id, [...(recordingsOf.get(r.call_id) ?? []), r.id]);
    if (hasMethod('recordings.list')) {
      for (const c of spread(
        w.calls.filter((x) => visibleCalls.has(x.id)),
        12,
      )) {
        const r = await ok(conn, 'recordings.list', { callId: c.id });
        expect(
          r.recordings.map((x) => x.id),
          `${who}: recordings of call ${c.id}`,
        ).toEqual(recordingsOf.get(c.id) ?? []);
      }
      for (const c of spread(
        w.calls.filter((x) => !visibleCalls.has(x.id) && recordingsOf.has(x.id)),
        8,
      ))
        for (const id of recordingsOf.get(c.id)!)
          for (const [method, input] of byRecordingId)
            await same(method, input(id), input(MISSING), `of recording ${id} of call ${c.id}`);
    }
    const hiddenVoicemails = w.calls.filter((c) => !visibleCalls.has(c.id) && voicemailIds.has(c.id));
    for (const c of spread(hiddenVoicemails, 8)) {
      const vm = voicemailIds.get(c.id)!;
      for (const [method, input] of byVoicemailId) await same(method, input(vm), input(MISSING), `of voicemail ${vm}`);
    }
    const visibleThreads = new Set(want.threads);
    for (const t of spread(
      w.threads.filter((x) => !visibleThreads.has(x.id)),
      8,
    )) {
      for (const [method, input] of byThreadId) await same(method, input(t.id), input(MISSING), `of thread ${t.id}`);
    }
    expect(snapshot(w.db), `${who}: probing hidden rows changed nothing`).toBe(before);
  } finally {
    conn.close();
  }
}

describe('every method that takes or returns a call, voicemail or conversation tells no more than the lists (property)', () => {
  it('counts, exports and the caller-ID hint follow the model; a hidden id answers as a missing one', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (g) => {
        const w = build(g);
        // When each thread was opened (its first instant before any message).
        const threadAt = new Map(
          w.threads.map((t, i) => {
            const gen = g.threads[i]!;
            return [t.id, T0 + gen.t * SEC] as const;
          }),
        );
        const core = createCoreWithDb(w.db, { now: () => NOW, validateOutput: true });
        try {
          // A tag of the main account, so tag methods are probed with a tag that exists.
          let tagId: number | null = null;
          if (hasMethod('callTags.create')) {
            const owner = w.users.find((u) => u.account === w.main && u.role === 'administrator')!;
            const conn = core.connect(() => undefined);
            await ok(conn, 'auth.signIn', { login: owner.email, password: PASSWORD });
            const r = await conn.invoke('callTags.create', { name: 'Probe' });
            if (r.ok) tagId = (r.value as { id: number }).id;
            conn.close();
            expect(tagId, 'the owner creates a call tag').not.toBeNull();
          }
          // A note on every call, written by an Administrator of its account.
          const notes = new Map<number, number>();
          if (hasMethod('callNotes.add')) {
            for (const account of [w.main, w.foreign]) {
              const admin = w.users.find((u) => u.account === account && u.role === 'administrator')!;
              const conn = core.connect(() => undefined);
              await ok(conn, 'auth.signIn', { login: admin.email, password: PASSWORD });
              for (const c of w.calls.filter((x) => x.account === account)) {
                const r = await conn.invoke('callNotes.add', { callId: c.id, body: 'Called back' });
                const added = r.ok ? (r.value as { notes: { id: number }[] }).notes.at(-1) : undefined;
                if (added) notes.set(c.id, added.id);
              }
              conn.close();
            }
            expect(notes.size, 'an Administrator notes every call of their account').toBe(w.calls.length);
          }
          let i = 0;
          for (const u of w.users) await checkUserMethods(w, core, u, pick(g.filters, i++), threadAt, tagId, notes);
        } finally {
          core.close();
        }
      }),
      { numRuns: 15, seed: 0x5eed15 },
    );
  }, 300_000);
});
