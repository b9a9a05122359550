import fc from 'fast-check';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { insertAccount, setOwner } from '../../src/main/core/store/repos/account';
import { addTagToCall, insertTag } from '../../src/main/core/store/repos/callReview';
import { insertCall, type ParticipantRole } from '../../src/main/core/store/repos/calls';
import { insertFlow } from '../../src/main/core/store/repos/flows';
import { insertGroup, setGroupMembers } from '../../src/main/core/store/repos/groups';
import { insertNumber, routeNumber } from '../../src/main/core/store/repos/numbers';
import { insertUser, setUserNumbers } from '../../src/main/core/store/repos/users';
import type { FlowStep } from '../../src/shared/api/entities';
import type { CallAccessLevel, CallDirection, CallResult, Role } from '../../src/shared/primitives';

/**
 * Random accounts with a call history for the dashboard's property tests
 * (test/integration/dashboard*.property.test.ts): people of every role and
 * access level, groups, call flows ringing groups and people, business
 * numbers routed to flows, tags, and calls among them; indices into the
 * account's lists wrap around, so any index names something.
 */

export const HOUR = 3_600_000;
const ix = fc.nat(30);
export const indexArb = ix;
export const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 2 });
export const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
const uniq = <T>(xs: readonly T[]) => [...new Set(xs)];

export interface WorldShape {
  /** Calls start within this many hours of t0. */
  spanHours: number;
  maxCalls: number;
  maxParticipants: number;
  /**
   * Answer and end times out of order (negative waits and talks): such a
   * call counts, its times do not. A plain model of the figures leaves them out.
   */
  skewedClocks: boolean;
  /** Histories of the most calls allowed as often as any other length (fast-check's size "max"). */
  largest: boolean;
}

const callArb = (s: WorldShape) =>
  fc.record({
    direction: fc.constantFrom<CallDirection>('inbound', 'inbound', 'outbound', 'internal'),
    result: fc.constantFrom<CallResult>('answered', 'missed', 'voicemail'),
    bn: maybe(ix),
    flow: maybe(ix),
    group: maybe(ix),
    participants: fc.array(
      fc.record({ u: ix, role: fc.constantFrom<ParticipantRole>('placed', 'answered', 'missed') }),
      { maxLength: s.maxParticipants },
    ),
    /** Minutes from t0. */
    at: fc.nat(s.spanHours * 60 - 1),
    waitSeconds: s.skewedClocks ? fc.integer({ min: -5, max: 60 }) : fc.nat(60),
    talkSeconds: s.skewedClocks ? fc.integer({ min: -5, max: 900 }) : fc.nat(900),
    tag: maybe(ix),
  });

/** The account: people, groups, flows, numbers, tags and calls, as indices to be resolved by buildWorld. */
export const accountArb = (s: WorldShape) =>
  fc.record({
    users: fc.array(
      fc.record({
        role: fc.constantFrom<Role>('agent', 'agent', 'agent', 'manager', 'administrator'),
        level: fc.nat(3),
        scope: fc.array(ix, { maxLength: 3 }),
      }),
      { minLength: 2, maxLength: 7 },
    ),
    groups: fc.array(fc.array(ix, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    /** Each flow rings some groups and users. */
    flows: fc.array(fc.record({ groups: fc.array(ix, { maxLength: 2 }), users: fc.array(ix, { maxLength: 2 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    bns: fc.array(maybe(ix), { minLength: 1, maxLength: 4 }),
    tags: fc.nat(2),
    calls: fc.array(callArb(s), { maxLength: s.maxCalls, ...(s.largest ? { size: 'max' as const } : {}) }),
  });
export type AccountGen = typeof accountArb extends (s: WorldShape) => fc.Arbitrary<infer T> ? T : never;

/** A call as generated, with its ids resolved: what a plain model reads. */
export interface WorldCall {
  id: number;
  direction: CallDirection;
  result: CallResult;
  bnId: number | null;
  flowId: number | null;
  groupId: number | null;
  participants: number[];
  startedAt: number;
  /** Null unless answered (and that time's clocks in order). */
  waitMs: number | null;
  talkMs: number | null;
  tagId: number | null;
}

export interface World {
  db: Db;
  users: { id: number; email: string; role: Role; level: CallAccessLevel; scope: number[] }[];
  groups: { id: number; members: number[] }[];
  flows: { id: number; groups: number[]; users: number[] }[];
  bns: number[];
  tags: number[];
  calls: WorldCall[];
}

const levels: Record<Role, CallAccessLevel[]> = {
  agent: ['personal', 'group', 'callflow', 'numbers'],
  manager: ['numbers', 'all'],
  administrator: ['all'],
};

/**
 * The account in a new in-memory database, in one transaction; the first
 * user is its Administrator and owner. Managers and Agents of the `numbers`
 * level get the numbers of their scope.
 */
export function buildWorld(g: AccountGen, o: { t0: number; passwordHash: string; name: string }): World {
  const { t0 } = o;
  const db = openDatabase(':memory:');
  const w: World = { db, users: [], groups: [], flows: [], bns: [], tags: [], calls: [] };
  const slug = o.name.toLowerCase().replace(/[^a-z]/g, '');
  db.transaction(() => {
    const account = insertAccount(db, o.name, 'company', t0 - HOUR);
    g.users.forEach((u, i) => {
      const role: Role = i === 0 ? 'administrator' : u.role;
      const level = pick(levels[role], u.level);
      const email = `u${i}@${slug}.example`;
      const id = insertUser(db, {
        accountId: account,
        extension: String(200 + i),
        name: `Person ${i}`,
        email,
        title: '',
        timezone: 'UTC',
        role,
        callAccess: level,
        passwordHash: o.passwordHash,
        createdAt: t0 - HOUR,
      });
      w.users.push({ id, email, role, level, scope: [] });
    });
    setOwner(db, account, w.users[0]!.id);
    const U = (i: number) => pick(w.users, i).id;
    for (const [i, members] of g.groups.entries()) {
      const id = insertGroup(db, account, `Group ${i}`, t0 - HOUR);
      const m = uniq(members.map(U));
      setGroupMembers(db, id, m);
      w.groups.push({ id, members: m });
    }
    for (const [i, f] of g.flows.entries()) {
      const groups = uniq(f.groups.map((k) => pick(w.groups, k).id));
      const users = uniq(f.users.map(U));
      const steps: FlowStep[] = [
        ...groups.map((groupId): FlowStep => ({ kind: 'ring_group', groupId, ringSeconds: 20 })),
        ...users.map((userId): FlowStep => ({ kind: 'ring_user', userId, ringSeconds: 20 })),
      ];
      w.flows.push({ id: insertFlow(db, account, `Flow ${i}`, steps, t0 - HOUR), groups, users });
    }
    for (const [i, flow] of g.bns.entries()) {
      const id = insertNumber(db, account, `+1555020${String(1000 + i)}`, `Line ${i}`, t0 - HOUR);
      if (flow !== null) routeNumber(db, id, pick(w.flows, flow).id);
      w.bns.push(id);
    }
    for (const [i, u] of g.users.entries()) {
      const mu = w.users[i]!;
      if (mu.level === 'numbers') {
        mu.scope = uniq(u.scope.map((k) => pick(w.bns, k)));
        setUserNumbers(db, mu.id, 'scope', mu.scope);
      }
    }
    for (let i = 0; i <= g.tags; i++) w.tags.push(insertTag(db, account, `Tag ${i}`, t0));
    for (const [i, c] of g.calls.entries()) {
      const startedAt = t0 + c.at * 60_000 + (i % 60) * 1000;
      const answeredAt = c.result === 'answered' ? startedAt + c.waitSeconds * 1000 : null;
      const endedAt = (answeredAt ?? startedAt) + c.talkSeconds * 1000;
      const bnId = c.direction === 'internal' || c.bn === null ? null : pick(w.bns, c.bn);
      const flowId = c.flow === null ? null : pick(w.flows, c.flow).id;
      const groupId = c.group === null ? null : pick(w.groups, c.group).id;
      const participants = [...new Map(c.participants.map((p) => [U(p.u), p.role])).entries()].map(
        ([userId, role]) => ({ userId, role }),
      );
      const id = insertCall(db, {
        accountId: account,
        direction: c.direction,
        result: c.result,
        bnId,
        externalNumber: c.direction === 'internal' ? null : `+1310555${String(1000 + i)}`,
        startedAt,
        answeredAt,
        endedAt,
        callFlowId: flowId,
        groupId,
        participants,
        events: [],
        voicemail: c.result === 'voicemail' ? { durationSeconds: 5, transcript: '' } : null,
      });
      const tagId = c.tag === null ? null : pick(w.tags, c.tag);
      if (tagId !== null) addTagToCall(db, id, tagId, w.users[0]!.id, t0);
      w.calls.push({
        id,
        direction: c.direction,
        result: c.result,
        bnId,
        flowId,
        groupId,
        participants: participants.map((p) => p.userId),
        startedAt,
        waitMs: answeredAt !== null && answeredAt >= startedAt ? answeredAt - startedAt : null,
        talkMs: answeredAt !== null && endedAt >= answeredAt ? endedAt - answeredAt : null,
        tagId,
      });
    }
  })();
  return w;
}
