import { describe, expect, it } from 'vitest';
import { callFilterFromParams, callsQuery } from '../../src/renderer/src/features/dashboard/callsLink';

/** A dashboard figure's link to the calls list: the filter goes into the route's query and comes back the same. */
describe('the calls list filter in a link', () => {
  const range = { from: 1_764_316_800_000, to: 1_764_921_600_000 };

  it('comes back as it went, an hour of the day and its clock included', () => {
    const f = { ...range, result: 'missed' as const, bnId: 7, hour: 16, timezone: 'America/Los_Angeles' };
    expect(callFilterFromParams(new URLSearchParams(callsQuery(f)))).toEqual(f);
  });

  it('drops an hour that has no clock or no range, or is not an hour, and a clock that is not a zone name', () => {
    const read = (q: Record<string, string>) => callFilterFromParams(new URLSearchParams(q));
    const r = { from: String(range.from), to: String(range.to) };
    expect(read({ ...r, hour: '9' })).toEqual(range);
    expect(read({ from: r.from, hour: '9', timezone: 'UTC' })).toEqual({ from: range.from });
    expect(read({ ...r, hour: '24', timezone: 'UTC' })).toEqual(range);
    expect(read({ ...r, hour: '-1', timezone: 'UTC' })).toEqual(range);
    expect(read({ ...r, hour: '9', timezone: '../../etc/passwd' })).toEqual(range);
    expect(read({ ...r, hour: '9', timezone: 'Europe/Paris' })).toEqual({
      ...range,
      hour: 9,
      timezone: 'Europe/Paris',
    });
  });
});
