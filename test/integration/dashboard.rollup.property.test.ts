import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dashboardFigures } from '../../src/main/core/api/handlers/dashboardFigures';
import { offsetSegments } from '../../src/main/core/api/handlers/dashboardTime';
import { loadActor } from '../../src/main/core/policy';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { insertAccount, setOwner } from '../../src/main/core/store/repos/account';
import { addTagToCall, insertTag, type DashboardRow } from '../../src/main/core/store/repos/callReview';
import { insertCall, type ParticipantRole } from '../../src/main/core/store/repos/calls';
import { insertFlow } from '../../src/main/core/store/repos/flows';
import { insertGroup, setGroupMembers } from '../../src/main/core/store/repos/groups';
import { insertNumber, routeNumber } from '../../src/main/core/store/repos/numbers';
import { insertUser, setUserNumbers } from '../../src/main/core/store/repos/users';
import type { FlowStep } from '../../src/shared/api/entities';
import type { CallAccessLevel, CallDirection, CallResult, Role } from '../../src/shared/primitives';

/**
 * The dashboard's rollups (migration 014, kept by triggers) give exactly the
 * figures of a scan of the same calls: for random accounts and histories —
 * calls recorded in any order, then corrected (result, answer and end times,
 * start, number, flow, group) and their people changed (who answered) — for
 * every user of the account (every access level), every filter the list
 * offers, time zones on whole hours, half and three-quarter hours, and ranges
 * across daylight-saving changes with boundaries on and off the hour. Every
 * row is compared: totals, each local hour and day, the busiest hours, per
 * number, flow, group and person.
 */

const HOUR = 3_600_000;
/** Friday 6 March 2026 UTC: New York springs forward on Sunday the 8th, inside the 96 hours. */
const T0 = Date.UTC(2026, 2, 6, 0);
const SPAN_HOURS = 96;
const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'Europe/London'];

const ix = fc.nat(30);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 2 });
/** Null four times in five: most cases filter by little, as the rollups answer them. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: arb, weight: 1 });
const roleArb = fc.constantFrom<ParticipantRole>('placed', 'answered', 'missed');

const callArb = fc.record({
  direction: fc.constantFrom<CallDirection>('inbound', 'inbound', 'outbound', 'internal'),
  result: fc.constantFrom<CallResult>('answered', 'missed', 'voicemail'),
  bn: maybe(ix),
  flow: maybe(ix),
  group: maybe(ix),
  participants: fc.array(fc.record({ u: ix, role: roleArb }), { maxLength: 3 }),
  /** Minutes from T0. */
  at: fc.nat(SPAN_HOURS * 60 - 1),
  waitSeconds: fc.integer({ min: -5, max: 60 }),
  talkSeconds: fc.integer({ min: -5, max: 900 }),
  tag: maybe(ix),
});

const changeArb = fc.oneof(
  fc.record({
    kind: fc.constant('result' as const),
    call: ix,
    result: fc.constantFrom<CallResult>('answered', 'missed', 'voicemail'),
    waitSeconds: fc.nat(90),
    talkSeconds: fc.nat(600),
  }),
  fc.record({ kind: fc.constant('answeredBy' as const), call: ix, u: ix }),
  fc.record({ kind: fc.constant('dropPerson' as const), call: ix }),
  fc.record({ kind: fc.constant('move' as const), call: ix, minutes: fc.integer({ min: -600, max: 600 }) }),
  fc.record({ kind: fc.constant('reroute' as const), call: ix, bn: maybe(ix), flow: maybe(ix), group: maybe(ix) }),
);

const filterArb = fc.record({
  direction: maybe(fc.constantFrom<CallDirection>('inbound', 'outbound', 'internal')),
  result: maybe(fc.constantFrom<CallResult>('answered', 'missed', 'voicemail')),
  bn: rarely(ix),
  flow: rarely(ix),
  group: rarely(ix),
  user: rarely(ix),
  tag: rarely(ix),
  zone: fc.constantFrom(...zones),
  /** Minutes from T0 - 2 h, and the length in minutes; or local midnights. */
  fromMinute: fc.nat((SPAN_HOURS + 2) * 60),
  minutes: fc.integer({ min: 1, max: (SPAN_HOURS + 4) * 60 }),
  wholeDays: fc.boolean(),
});

const worldArb = fc.record({
  users: fc.array(
    fc.record({
      role: fc.constantFrom<Role>('agent', 'agent', 'agent', 'manager', 'administrator'),
      level: fc.nat(3),
      scope: fc.array(ix, { maxLength: 3 }),
    }),
    { minLength: 2, maxLength: 7 },
  ),
  groups: fc.array(fc.array(ix, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
  flows: fc.array(fc.record({ groups: fc.array(ix, { maxLength: 2 }), users: fc.array(ix, { maxLength: 2 }) }), {
    minLength: 1,
    maxLength: 3,
  }),
  bns: fc.array(maybe(ix), { minLength: 1, maxLength: 4 }),
  tags: fc.nat(2),
  calls: fc.array(callArb, { maxLength: 60 }),
  changes: fc.array(changeArb, { maxLength: 12 }),
  filters: fc.array(filterArb, { minLength: 1, maxLength: 4 }),
});
type Gen = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
const uniq = <T>(xs: readonly T[]) => [...new Set(xs)];

interface World {
  db: Db;
  users: number[];
  groups: number[];
  flows: number[];
  bns: number[];
  tags: number[];
  calls: number[];
}

function build(g: Gen): World {
  const db = openDatabase(':memory:');
  const w: World = { db, users: [], groups: [], flows: [], bns: [], tags: [], calls: [] };
  db.transaction(() => {
    const account = insertAccount(db, 'Rollup Co', 'company', T0 - HOUR);
    const levels: Record<Role, CallAccessLevel[]> = {
      agent: ['personal', 'group', 'callflow', 'numbers'],
      manager: ['numbers', 'all'],
      administrator: ['all'],
    };
    g.users.forEach((u, i) => {
      const role: Role = i === 0 ? 'administrator' : u.role;
      w.users.push(
        insertUser(db, {
          accountId: account,
          extension: String(300 + i),
          name: `Person ${i}`,
          email: `r${i}@rollup.example`,
          title: '',
          timezone: 'UTC',
          role,
          callAccess: pick(levels[role], u.level),
          passwordHash: 'x',
          createdAt: T0 - HOUR,
        }),
      );
    });
    setOwner(db, account, w.users[0]!);
    const U = (i: number) => pick(w.users, i);
    for (const [i, members] of g.groups.entries()) {
      const id = insertGroup(db, account, `Group ${i}`, T0 - HOUR);
      setGroupMembers(db, id, uniq(members.map(U)));
      w.groups.push(id);
    }
    for (const [i, f] of g.flows.entries()) {
      const steps: FlowStep[] = [
        ...uniq(f.groups.map((k) => pick(w.groups, k))).map((groupId): FlowStep => ({
          kind: 'ring_group',
          groupId,
          ringSeconds: 20,
        })),
        ...uniq(f.users.map(U)).map((userId): FlowStep => ({ kind: 'ring_user', userId, ringSeconds: 20 })),
      ];
      w.flows.push(insertFlow(db, account, `Flow ${i}`, steps, T0 - HOUR));
    }
    for (const [i, flow] of g.bns.entries()) {
      const id = insertNumber(db, account, `+1555030${String(1000 + i)}`, `Line ${i}`, T0 - HOUR);
      if (flow !== null) routeNumber(db, id, pick(w.flows, flow));
      w.bns.push(id);
    }
    g.users.forEach((u, i) => {
      setUserNumbers(db, w.users[i]!, 'scope', uniq(u.scope.map((k) => pick(w.bns, k))));
    });
    for (let i = 0; i <= g.tags; i++) w.tags.push(insertTag(db, account, `Tag ${i}`, T0));
    for (const [i, c] of g.calls.entries()) {
      const startedAt = T0 + c.at * 60_000 + (i % 60) * 1000;
      // Negative waits and talks stand for clocks out of order: such a call counts, its times do not.
      const answeredAt = c.result === 'answered' ? startedAt + c.waitSeconds * 1000 : null;
      const endedAt = (answeredAt ?? startedAt) + c.talkSeconds * 1000;
      const id = insertCall(db, {
        accountId: account,
        direction: c.direction,
        result: c.result,
        bnId: c.direction === 'internal' || c.bn === null ? null : pick(w.bns, c.bn),
        externalNumber: c.direction === 'internal' ? null : `+1310555${String(1000 + i)}`,
        startedAt,
        answeredAt,
        endedAt,
        callFlowId: c.flow === null ? null : pick(w.flows, c.flow),
        groupId: c.group === null ? null : pick(w.groups, c.group),
        participants: [...new Map(c.participants.map((p) => [U(p.u), p.role])).entries()].map(([userId, role]) => ({
          userId,
          role,
        })),
        events: [],
        voicemail: c.result === 'voicemail' ? { durationSeconds: 5, transcript: '' } : null,
      });
      if (c.tag !== null) addTagToCall(db, id, pick(w.tags, c.tag), w.users[0]!, T0);
      w.calls.push(id);
    }
  })();
  // Corrections after the fact, each in its own transaction as the app would make them.
  for (const ch of g.changes) {
    if (w.calls.length === 0) break;
    const id = pick(w.calls, ch.call);
    db.transaction(() => {
      const { started_at: startedAt } = db.prepare('SELECT started_at FROM calls WHERE id = ?').get(id) as {
        started_at: number;
      };
      switch (ch.kind) {
        case 'result': {
          const answeredAt = ch.result === 'answered' ? startedAt + ch.waitSeconds * 1000 : null;
          db.prepare('UPDATE calls SET result = ?, answered_at = ?, ended_at = ? WHERE id = ?').run(
            ch.result,
            answeredAt,
            (answeredAt ?? startedAt) + ch.talkSeconds * 1000,
            id,
          );
          break;
        }
        case 'answeredBy':
          db.prepare("DELETE FROM call_participants WHERE call_id = ? AND role = 'answered'").run(id);
          db.prepare(
            "INSERT OR IGNORE INTO call_participants (user_id, started_at, call_id, role) VALUES (?, ?, ?, 'answered')",
          ).run(pick(w.users, ch.u), startedAt, id);
          break;
        case 'dropPerson':
          db.prepare(
            'DELETE FROM call_participants WHERE call_id = ? AND user_id = (SELECT min(user_id) FROM call_participants WHERE call_id = ?)',
          ).run(id, id);
          break;
        case 'move': {
          const to = startedAt + ch.minutes * 60_000;
          db.prepare(
            'UPDATE calls SET started_at = ?, answered_at = answered_at + ?, ended_at = ended_at + ? WHERE id = ?',
          ).run(to, to - startedAt, to - startedAt, id);
          db.prepare('UPDATE call_participants SET started_at = ? WHERE call_id = ?').run(to, id);
          break;
        }
        case 'reroute': {
          const internal =
            (db.prepare('SELECT direction FROM calls WHERE id = ?').pluck().get(id) as string) === 'internal';
          db.prepare('UPDATE calls SET bn_id = ?, call_flow_id = ?, group_id = ? WHERE id = ?').run(
            internal || ch.bn === null ? null : pick(w.bns, ch.bn),
            ch.flow === null ? null : pick(w.flows, ch.flow),
            ch.group === null ? null : pick(w.groups, ch.group),
            id,
          );
          db.prepare(
            'UPDATE call_participants SET (bn_id, call_flow_id, group_id) = (SELECT bn_id, call_flow_id, group_id FROM calls WHERE id = ?) WHERE call_id = ?',
          ).run(id, id);
          break;
        }
      }
    })();
  }
  return w;
}

/** Rows in one order; an empty total is the same as none (the dashboard shows zeros either way). */
const sorted = (rows: readonly DashboardRow[]) =>
  rows
    .filter((r) => r.total !== 0)
    .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : (a.key ?? -1) - (b.key ?? -1)));

/** The UTC instant of local midnight on or after t, in a zone (by probing quarter hours). */
function localMidnightAfter(zone: string, t: number): number {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' });
  for (let q = Math.ceil(t / 900_000) * 900_000; ; q += 900_000) if (f.format(q) === '00:00') return q;
}

let rollupAnswers = 0;

function check(g: Gen) {
  const w = build(g);
  try {
    for (const fg of g.filters) {
      let from = T0 - 2 * HOUR + fg.fromMinute * 60_000 + (fg.fromMinute % 7) * 1000;
      let to = from + fg.minutes * 60_000;
      if (fg.wholeDays) {
        from = localMidnightAfter(fg.zone, T0 - 12 * HOUR + fg.fromMinute * 60_000);
        to = localMidnightAfter(fg.zone, from + Math.max(1, Math.round(fg.minutes / 1440)) * 86_400_000 - 2 * HOUR);
      }
      const filter = {
        from,
        to,
        ...(fg.direction ? { direction: fg.direction } : {}),
        ...(fg.result ? { result: fg.result } : {}),
        ...(fg.bn !== null ? { bnId: pick(w.bns, fg.bn) } : {}),
        ...(fg.flow !== null ? { callFlowId: pick(w.flows, fg.flow) } : {}),
        ...(fg.group !== null ? { groupId: pick(w.groups, fg.group) } : {}),
        ...(fg.user !== null ? { userId: pick(w.users, fg.user) } : {}),
        ...(fg.tag !== null ? { tagId: pick(w.tags, fg.tag) } : {}),
      };
      const segments = offsetSegments(fg.zone, from, to);
      for (const userId of w.users) {
        const actor = loadActor(w.db, userId)!;
        const scan = dashboardFigures(w.db, actor, filter, segments, { source: 'scan' });
        const got = dashboardFigures(w.db, actor, filter, segments);
        if (got.source === 'rollup') rollupAnswers++;
        const who = `${actor.role}/${actor.callAccess} ${fg.zone} ${JSON.stringify(filter)}`;
        expect(sorted(got.rows), who).toEqual(sorted(scan.rows));
        // Nothing outside the rollups' keys is answered from them.
        if (filter.userId !== undefined || filter.tagId !== undefined) expect(got.source, who).toBe('scan');
      }
    }
  } finally {
    w.db.close();
  }
}

describe('the dashboard rollups equal a scan of the visible calls', () => {
  it('for random accounts, corrected histories, every viewer, filter and zone', () => {
    rollupAnswers = 0;
    fc.assert(fc.property(worldArb, check), { numRuns: 40 });
    // The property is about the rollups: many cases must have been answered by
    // them (a result filter is answered by the scan).
    expect(rollupAnswers).toBeGreaterThan(20);
  }, 240_000);
});
