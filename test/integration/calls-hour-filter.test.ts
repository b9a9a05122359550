import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCore, NOW, snapshot, type TestCore } from '../helpers/core';

/**
 * The calls list by hour of the day (the dashboard's "by hour of day" bars
 * link to it): the hour is on a named clock and within a range, or the
 * request is refused with the field named and nothing changes. Exactness
 * against a model, across daylight-saving changes and in every access level,
 * is in dashboard.property.test.ts.
 */
const DAY = 86_400_000;
let t: TestCore;

beforeAll(() => {
  t = makeCore({ days: 14, callsPerDay: 40 });
});
afterAll(() => t.close());

describe('calls list: an hour of the day', () => {
  it('holds the calls started in that hour on the clock named, and the voicemails and count follow', async () => {
    const leo = await t.as('leo');
    const range = { from: NOW - 14 * DAY, to: NOW + DAY };
    const all = await leo.ok('calls.count', range);
    expect(all.count).toBeGreaterThan(100);
    const zone = 'America/Los_Angeles';
    const hourOf = (at: number) =>
      Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(at));
    let seen = 0;
    for (let hour = 0; hour < 24; hour++) {
      const page = await leo.ok('calls.list', { ...range, hour, timezone: zone, limit: 200 });
      expect(page.nextCursor).toBeNull();
      for (const c of page.items) expect(hourOf(c.startedAt), `call ${c.id}`).toBe(hour);
      const count = await leo.ok('calls.count', { ...range, hour, timezone: zone });
      expect(count).toEqual({ count: page.items.length, estimated: false });
      const vms = await leo.ok('voicemails.list', { ...range, hour, timezone: zone, limit: 200 });
      for (const v of vms.items) expect(hourOf(v.call.startedAt), `voicemail ${v.id}`).toBe(hour);
      seen += page.items.length;
    }
    // Every call of the range is in exactly one hour.
    expect(seen).toBe(all.count);
    leo.close();
  });

  it('reads the same hour on another clock as other calls', async () => {
    const leo = await t.as('leo');
    const range = { from: NOW - 14 * DAY, to: NOW + DAY };
    const la = await leo.ok('calls.list', { ...range, hour: 10, timezone: 'America/Los_Angeles', limit: 200 });
    const ny = await leo.ok('calls.list', { ...range, hour: 13, timezone: 'America/New_York', limit: 200 });
    // 10:00 in Los Angeles is 13:00 in New York, daylight saving or not.
    expect(ny.items.map((c) => c.id)).toEqual(la.items.map((c) => c.id));
    leo.close();
  });

  it('refuses an hour without its clock or range, an unknown clock, or a range over 400 days, changing nothing', async () => {
    const morgan = await t.as('morgan');
    const before = snapshot(t.db, { ignoreSignIns: true });
    const range = { from: NOW - 7 * DAY, to: NOW };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...range, hour: 9 }, 'timezone'],
      [{ hour: 9, timezone: 'Europe/Paris' }, 'from'],
      [{ from: range.from, hour: 9, timezone: 'Europe/Paris' }, 'to'],
      [{ from: NOW, to: NOW - DAY, hour: 9, timezone: 'Europe/Paris' }, 'from'],
      [{ ...range, hour: 9, timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ from: NOW - 401 * DAY, to: NOW, hour: 9, timezone: 'Europe/Paris' }, 'to'],
    ];
    for (const [input, field] of cases) {
      for (const method of ['calls.list', 'calls.count'] as const) {
        const r = await morgan.raw(method, method === 'calls.list' ? { ...input, limit: 50 } : input);
        expect(r.ok, `${method} ${JSON.stringify(input)}`).toBe(false);
        if (r.ok) continue;
        expect(r.error.code).toBe('invalid');
        expect(Object.keys((r.error as { fields?: Record<string, string> }).fields ?? {})).toContain(field);
      }
    }
    // Out of bounds for the schema itself.
    for (const hour of [-1, 24, 1.5, '9'])
      expect((await morgan.raw('calls.list', { ...range, hour, timezone: 'UTC', limit: 50 })).ok).toBe(false);
    // The dashboard takes no hour: it counts every hour.
    expect(
      (await morgan.raw('dashboard.get', { ...range, hour: 9, timezone: 'UTC' })).ok,
      'dashboard.get with an hour',
    ).toBe(false);
    expect(snapshot(t.db, { ignoreSignIns: true })).toBe(before);
    morgan.close();
  });
});
