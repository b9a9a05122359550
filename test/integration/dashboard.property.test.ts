import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../helpers/core'; // sets the test password cost
import { createCoreWithDb } from '../../src/main/core/api/core';
import { hashPassword } from '../../src/main/core/domain/password';
import type { Input, Method, Output } from '../../src/shared/api/contract';
import type { Dashboard, DashboardCell } from '../../src/shared/api/callReview';
import type { CallAccessLevel, CallResult } from '../../src/shared/primitives';
import type { ApiResult } from '../../src/shared/result';
import {
  accountArb,
  buildWorld,
  HOUR,
  indexArb as ix,
  maybe,
  pick,
  type World,
  type WorldCall,
} from '../helpers/dashboardWorld';

/**
 * The dashboard counts exactly the calls the viewer may see: for random
 * accounts, histories, viewers, filters and time zones (with a daylight-saving
 * change inside the range), every figure equals what a plain model of
 * POLICY.md §3 computes from the generated calls — totals by result, waits and
 * talk, each hour of the day and each day on the viewer's clock, per number,
 * flow, group and person, and the busiest hour — and the total equals the
 * calls list's own count for the same filter, and each hour of the day's
 * bar the list filtered to that hour. The model reads only the
 * generated data, never the database or the policy module.
 */

/** Saturday 7 March 2026: New York moves its clocks forward on the 8th at 07:00 UTC. */
const T0 = Date.UTC(2026, 2, 7, 0);
const SPAN_HOURS = 72;
const PASSWORD = 'dashboard-property';
const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham'];

const worldArb = fc.record({
  account: accountArb({ spanHours: SPAN_HOURS, maxCalls: 80, maxParticipants: 2, skewedClocks: false, largest: true }),
  viewer: ix,
  zone: fc.constantFrom(...zones),
  filter: fc.record({
    result: maybe(fc.constantFrom<CallResult>('answered', 'missed', 'voicemail')),
    bn: fc.option(ix, { nil: null, freq: 4 }),
    group: fc.option(ix, { nil: null, freq: 4 }),
    user: fc.option(ix, { nil: null, freq: 4 }),
    tag: fc.option(ix, { nil: null, freq: 4 }),
    fromHour: fc.nat(24),
    hours: fc.integer({ min: 1, max: SPAN_HOURS }),
  }),
});
type Gen = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;
type MCall = WorldCall;

let hash: string | null = null;

function build(g: Gen): World {
  hash ??= hashPassword(PASSWORD);
  return buildWorld(g.account, { t0: T0, passwordHash: hash, name: 'Dash Co' });
}

/** POLICY.md §3, plainly: which calls this user sees. */
function visible(w: World, viewer: World['users'][number]): MCall[] {
  const level: CallAccessLevel = viewer.role === 'administrator' ? 'all' : viewer.level;
  const myGroups = new Set(w.groups.filter((g) => g.members.includes(viewer.id)).map((g) => g.id));
  const myFlows = new Set(
    w.flows.filter((f) => f.users.includes(viewer.id) || f.groups.some((g) => myGroups.has(g))).map((f) => f.id),
  );
  const scope = new Set(viewer.scope);
  return w.calls.filter(
    (c) =>
      level === 'all' ||
      c.participants.includes(viewer.id) ||
      (level === 'group' && c.groupId !== null && myGroups.has(c.groupId)) ||
      (level === 'callflow' && c.flowId !== null && myFlows.has(c.flowId)) ||
      (level === 'numbers' && c.bnId !== null && scope.has(c.bnId)),
  );
}

function cellOf(calls: readonly MCall[]): DashboardCell {
  const answered = calls.filter((c) => c.result === 'answered');
  return {
    total: calls.length,
    answered: answered.length,
    missed: calls.filter((c) => c.result === 'missed').length,
    voicemail: calls.filter((c) => c.result === 'voicemail').length,
    waitMs: answered.reduce((s, c) => s + c.waitMs!, 0),
    waitCount: answered.length,
    talkMs: answered.reduce((s, c) => s + c.talkMs!, 0),
    talkCount: answered.length,
  };
}

const strip = <T extends DashboardCell>(c: T): DashboardCell => ({
  total: c.total,
  answered: c.answered,
  missed: c.missed,
  voicemail: c.voicemail,
  waitMs: c.waitMs,
  waitCount: c.waitCount,
  talkMs: c.talkMs,
  talkCount: c.talkCount,
});

function groupBy<K>(calls: readonly MCall[], key: (c: MCall) => K | K[]): Map<K, MCall[]> {
  const out = new Map<K, MCall[]>();
  for (const c of calls) {
    const keys = key(c);
    for (const k of Array.isArray(keys) ? keys : [keys]) out.set(k, [...(out.get(k) ?? []), c]);
  }
  return out;
}

/** The viewer's wall clock at t, from Intl: date, hour, and the hour's own label. */
function wall(zone: string, t: number) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), minute: Number(parts.minute) };
}

type Conn = ReturnType<ReturnType<typeof createCoreWithDb>['connect']>;
async function ok<M extends Method>(conn: Conn, method: M, input: Input<M>): Promise<Output<M>> {
  const r = (await conn.invoke(method, input)) as ApiResult<Output<M>>;
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

async function check(g: Gen) {
  const w = build(g);
  const core = createCoreWithDb(w.db, { now: () => T0 + SPAN_HOURS * HOUR, validateOutput: true });
  const conn = core.connect(() => undefined);
  try {
    const viewer = pick(w.users, g.viewer);
    await ok(conn, 'auth.signIn', { login: viewer.email, password: PASSWORD });
    const from = T0 + g.filter.fromHour * HOUR - 17 * 60_000;
    const to = Math.min(from + g.filter.hours * HOUR, T0 + (SPAN_HOURS + 1) * HOUR);
    const filter = {
      ...(g.filter.result ? { result: g.filter.result } : {}),
      ...(g.filter.bn !== null ? { bnId: pick(w.bns, g.filter.bn) } : {}),
      ...(g.filter.group !== null ? { groupId: pick(w.groups, g.filter.group).id } : {}),
      ...(g.filter.user !== null ? { userId: pick(w.users, g.filter.user).id } : {}),
      ...(g.filter.tag !== null ? { tagId: pick(w.tags, g.filter.tag) } : {}),
    };
    const want = visible(w, viewer).filter(
      (c) =>
        c.startedAt >= from &&
        c.startedAt < to &&
        (filter.result === undefined || c.result === filter.result) &&
        (filter.bnId === undefined || c.bnId === filter.bnId) &&
        (filter.groupId === undefined || c.groupId === filter.groupId) &&
        (filter.userId === undefined || c.participants.includes(filter.userId)) &&
        (filter.tagId === undefined || c.tagId === filter.tagId),
    );
    const got: Dashboard = await ok(conn, 'dashboard.get', { ...filter, from, to, timezone: g.zone });
    const who = `${viewer.role}/${viewer.level} in ${g.zone}`;

    expect(strip(got.totals), who).toEqual(cellOf(want));
    const count = await ok(conn, 'calls.count', { ...filter, from, to });
    expect(count, who).toEqual({ count: want.length, estimated: false });

    const byHour = groupBy(want, (c) => wall(g.zone, c.startedAt).hour);
    for (const h of got.byHour) expect(strip(h), `${who} hour ${h.hour}`).toEqual(cellOf(byHour.get(h.hour) ?? []));
    // Each hour's bar links to the calls list filtered to that hour of the day on the same clock: its count is
    // the bar's, and the list holds exactly the hour's calls.
    for (const h of got.byHour) {
      const linked = { ...filter, from, to, hour: h.hour, timezone: g.zone };
      expect(await ok(conn, 'calls.count', linked), `${who} hour ${h.hour} count`).toEqual({
        count: h.total,
        estimated: false,
      });
      if (h.total === 0) continue;
      const page = await ok(conn, 'calls.list', { ...linked, limit: 200 });
      expect(
        page.items.map((c) => c.id).sort((a, b) => a - b),
        `${who} hour ${h.hour} list`,
      ).toEqual((byHour.get(h.hour) ?? []).map((c) => c.id).sort((a, b) => a - b));
    }

    const byDay = groupBy(want, (c) => wall(g.zone, c.startedAt).date);
    const days = new Map(got.byDay.map((d) => [d.day, d]));
    for (const [day, calls] of byDay) expect(strip(days.get(day)!), `${who} day ${day}`).toEqual(cellOf(calls));
    expect(got.byDay.reduce((s, d) => s + d.total, 0)).toBe(want.length);
    // Each day's link range holds exactly that day's calls.
    for (const d of got.byDay) {
      const inRange = want.filter((c) => c.startedAt >= d.start && c.startedAt < d.end);
      expect(inRange.length, `${who} day ${d.day} range`).toBe(d.total);
    }

    const keyed = (rows: { key: number | null; total: number }[]) => new Map(rows.map((r) => [r.key, r.total]));
    const counts = <K>(m: Map<K, MCall[]>) => new Map([...m].map(([k, v]) => [k, v.length]));
    expect(keyed(got.byNumber), `${who} numbers`).toEqual(counts(groupBy(want, (c) => c.bnId)));
    expect(keyed(got.byFlow), `${who} flows`).toEqual(counts(groupBy(want, (c) => c.flowId)));
    expect(keyed(got.byGroup), `${who} groups`).toEqual(counts(groupBy(want, (c) => c.groupId)));
    expect(keyed(got.byAgent), `${who} people`).toEqual(counts(groupBy(want, (c) => c.participants)));

    // The busiest single hour on the viewer's clock, and each busiest hour's link range.
    const slots = groupBy(want, (c) => {
      const t = wall(g.zone, c.startedAt);
      return `${t.date} ${t.hour} ${Math.floor((c.startedAt - t.minute * 60_000) / 60_000)}`;
    });
    const top = Math.max(0, ...[...slots.values()].map((v) => v.length));
    expect(got.busiest[0]?.total ?? 0, `${who} busiest`).toBe(top);
    for (const b of got.busiest) {
      expect(want.filter((c) => c.startedAt >= b.start && c.startedAt < b.end).length).toBe(b.total);
    }
  } finally {
    conn.close();
    core.close();
  }
}

/**
 * A call started at the very instant New York springs forward (07:00 UTC,
 * 03:00 on its clocks) counts in hour 3: the offset segments once began a
 * minute late and put it in hour 2, which the clocks skip that day.
 */
const atSpringForward: Gen = {
  account: {
    users: [
      { role: 'agent', level: 0, scope: [] },
      { role: 'agent', level: 0, scope: [] },
    ],
    groups: [[]],
    flows: [{ groups: [], users: [] }],
    bns: [null],
    tags: 0,
    calls: [
      {
        direction: 'inbound',
        result: 'answered',
        bn: null,
        flow: null,
        group: null,
        participants: [],
        at: 31 * 60,
        waitSeconds: 0,
        talkSeconds: 0,
        tag: 0,
      },
    ],
  },
  viewer: 0,
  zone: 'America/New_York',
  filter: { result: null, bn: null, group: null, user: null, tag: null, fromHour: 0, hours: 32 },
};

describe('the dashboard counts exactly the calls the viewer may see', () => {
  it('for random accounts, viewers, filters and time zones', async () => {
    await fc.assert(fc.asyncProperty(worldArb, check), { numRuns: 30, examples: [[atSpringForward]] });
  }, 240_000);
});
