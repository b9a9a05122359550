import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCore, type Client, type TestCore } from '../helpers/core';

/**
 * POLICY.md §5, the seed's worked example, through the API as each demo user,
 * over a generated 30-day history of the demo account.
 */
let tc: TestCore;

beforeAll(() => {
  tc = makeCore({ days: 30, callsPerDay: 40 });
});
afterAll(() => tc.close());

async function allCallIds(c: Client, filter: Record<string, unknown> = {}): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const r = await c.ok('calls.list', { limit: 200, ...filter, ...(cursor ? { cursor } : {}) });
    ids.push(...r.items.map((i) => i.id));
    if (!r.nextCursor) return ids;
    cursor = r.nextCursor;
  }
  throw new Error('too many pages');
}

const q = (sql: string, ...params: unknown[]) =>
  new Set(
    tc.db
      .prepare(sql)
      .pluck()
      .all(...params) as number[],
  );
const participated = (userId: number) => q('SELECT call_id FROM call_participants WHERE user_id = ?', userId);
const landedIn = (groupId: number) => q('SELECT id FROM calls WHERE group_id = ?', groupId);
const union = (...sets: Iterable<number>[]) => new Set(sets.flatMap((s) => [...s]));
const sorted = (s: Iterable<number>) => [...s].sort((a, b) => a - b);

describe('POLICY.md §5: who sees which calls', () => {
  it('has a realistic history to test against', () => {
    const count = tc.db.prepare('SELECT count(*) FROM calls').pluck().get() as number;
    expect(count).toBeGreaterThan(1000);
    const results = q(`SELECT DISTINCT CASE result WHEN 'answered' THEN 1 WHEN 'missed' THEN 2 ELSE 3 END FROM calls`);
    expect(results.size).toBe(3);
  });

  it.each([
    ['john', 'sales'],
    ['peter', 'sales'],
    ['jessica', 'support'],
    ['allie', 'support'],
  ] as const)('%s (Agent, group) sees the %s calls and their own calls, nothing else', async (key, group) => {
    const c = await tc.as(key);
    const me = await c.ok('auth.me', {});
    expect(me.user.role).toBe('agent');
    expect(me.user.access?.callAccess).toBe('group');
    const expected = union(landedIn(tc.ids.groups[group]), participated(tc.ids.users[key]!));
    const seen = await allCallIds(c);
    expect(new Set(seen).size).toBe(seen.length);
    expect(sorted(seen)).toEqual(sorted(expected));
  });

  it('Jasmine (Agent, personal) sees only her own calls, not the Sales calls she did not take', async () => {
    const c = await tc.as('jasmine');
    const own = participated(tc.ids.users.jasmine!);
    const seen = await allCallIds(c);
    expect(sorted(seen)).toEqual(sorted(own));
    const salesNotHers = [...landedIn(tc.ids.groups.sales)].filter((id) => !own.has(id));
    expect(salesNotHers.length).toBeGreaterThan(0);
    const r = await c.call('calls.get', { callId: salesNotHers[0]! });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('not_found');
  });

  it('Karey (Agent, callflow) sees every call of "Main line" and her own', async () => {
    const c = await tc.as('karey');
    const expected = union(
      q('SELECT id FROM calls WHERE call_flow_id = ?', tc.ids.flows.main),
      participated(tc.ids.users.karey!),
    );
    expect(sorted(await allCallIds(c))).toEqual(sorted(expected));
  });

  it('Leo (Manager, numbers: both Main line BNs) sees every call on those two numbers, and his own', async () => {
    const c = await tc.as('leo');
    const me = await c.ok('auth.me', {});
    expect(me.user.role).toBe('manager');
    expect(me.user.access?.callAccess).toBe('numbers');
    expect(sorted(me.user.access?.scopeBnIds ?? [])).toEqual(sorted([tc.ids.numbers.mainLA, tc.ids.numbers.mainNY]));
    // Leo is in no group and no step of Main line.
    expect(q('SELECT group_id FROM group_members WHERE user_id = ?', tc.ids.users.leo).size).toBe(0);
    const onBns = q('SELECT id FROM calls WHERE bn_id IN (?, ?)', tc.ids.numbers.mainLA, tc.ids.numbers.mainNY);
    const expected = union(onBns, participated(tc.ids.users.leo!));
    expect(sorted(await allCallIds(c))).toEqual(sorted(expected));
    // Every call of the Main line flow is among them.
    for (const id of q('SELECT id FROM calls WHERE call_flow_id = ?', tc.ids.flows.main))
      expect(expected.has(id)).toBe(true);
  });

  it('the owner sees every call', async () => {
    const c = await tc.as('morgan');
    expect((await allCallIds(c)).length).toBe(tc.db.prepare('SELECT count(*) FROM calls').pluck().get());
  });

  it('a call on a BN that does not route to "Main line" is seen by its participants, the owner and its group — and no one in the table who did not take part', async () => {
    const billingCalls = q('SELECT id FROM calls WHERE bn_id = ?', tc.ids.numbers.billing);
    expect(billingCalls.size).toBeGreaterThan(50);
    for (const key of ['john', 'peter', 'jessica', 'jasmine', 'allie', 'karey', 'leo']) {
      const c = await tc.as(key);
      const seen = new Set(await allCallIds(c, { bnId: tc.ids.numbers.billing }));
      const took = participated(tc.ids.users[key]!);
      for (const id of billingCalls) expect(seen.has(id), `${key} and call ${id}`).toBe(took.has(id));
    }
    // A Billing call handed over to John is his to see.
    const handed = [...billingCalls].filter((id) => participated(tc.ids.users.john!).has(id));
    expect(handed.length).toBeGreaterThan(0);
    const dana = await tc.as('dana');
    expect(sorted(await allCallIds(dana, { bnId: tc.ids.numbers.billing }))).toEqual(
      sorted(
        union(
          landedIn(tc.ids.groups.billing),
          [...participated(tc.ids.users.dana!)].filter((id) => billingCalls.has(id)),
        ),
      ),
    );
  });

  it('voicemails are visible exactly when their call is', async () => {
    for (const key of ['john', 'jasmine', 'karey', 'leo']) {
      const c = await tc.as(key);
      const calls = new Set(await allCallIds(c));
      const vms = new Set<number>();
      let cursor: string | undefined;
      for (let i = 0; i < 100; i++) {
        const r = await c.ok('voicemails.list', { limit: 200, ...(cursor ? { cursor } : {}) });
        r.items.forEach((v) => vms.add(v.callId));
        if (!r.nextCursor) break;
        cursor = r.nextCursor;
      }
      const expected = [...q('SELECT call_id FROM voicemails')].filter((id) => calls.has(id));
      expect(sorted(vms)).toEqual(sorted(expected));
    }
  });

  it('explains why a call is visible', async () => {
    const karey = await tc.as('karey');
    const salesCall = [...landedIn(tc.ids.groups.sales)].find((id) => !participated(tc.ids.users.karey!).has(id))!;
    const detail = await karey.ok('calls.get', { callId: salesCall });
    expect(detail.why.rule).toBe('callflow');
    expect(detail.why.explanation).toContain('Main line');
    expect(detail.events.map((e) => e.kind)).toContain('ring_group');
    const leo = await tc.as('leo');
    expect((await leo.ok('calls.get', { callId: salesCall })).why.rule).toBe('numbers');
  });
});
