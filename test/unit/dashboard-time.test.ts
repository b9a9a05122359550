import { describe, expect, it } from 'vitest';
import { offsetAt, offsetSegments } from '../../src/main/core/api/handlers/dashboardTime';

/**
 * The dashboard reads each call's start on the viewer's clock through these
 * segments, so a segment must begin at the very instant the zone's offset
 * changes, whatever the range's own start: a call started at that instant
 * belongs to the new clock's hour (03:00 when New York springs forward, not
 * the 02:00 that never shows on its clocks).
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;

const changes = [
  { zone: 'America/New_York', at: Date.UTC(2026, 2, 8, 7), before: -5 * HOUR, after: -4 * HOUR },
  { zone: 'America/New_York', at: Date.UTC(2026, 10, 1, 6), before: -4 * HOUR, after: -5 * HOUR },
  { zone: 'Pacific/Chatham', at: Date.UTC(2026, 3, 4, 14), before: 13.75 * HOUR, after: 12.75 * HOUR },
  { zone: 'Pacific/Chatham', at: Date.UTC(2026, 8, 26, 14), before: 12.75 * HOUR, after: 13.75 * HOUR },
];

describe('offset segments across a daylight-saving change', () => {
  for (const c of changes) {
    it(`${c.zone} at ${new Date(c.at).toISOString()}: the new offset starts at the change itself`, () => {
      expect(offsetAt(c.zone, c.at - 1)).toBe(c.before);
      expect(offsetAt(c.zone, c.at)).toBe(c.after);
      // Every start from a minute to more than a probe step (6 hours) before
      // the change, on whole minutes and off them, and ends at and after it.
      const minutes = [
        ...Array.from({ length: 90 }, (_, i) => i + 1),
        ...Array.from({ length: 30 }, (_, i) => 97 + i * 11),
      ];
      for (const m of minutes) {
        for (const extra of [0, 17_123, 59_999]) {
          const from = c.at - m * MINUTE - extra;
          for (const to of [c.at + 1, c.at + 17 * MINUTE + 3]) {
            expect(offsetSegments(c.zone, from, to), `from ${from} to ${to}`).toEqual([
              { start: from, offset: c.before },
              { start: c.at, offset: c.after },
            ]);
          }
        }
      }
    });
  }

  it('a range with no change is one segment, and a range starting at the change reads the new offset', () => {
    const spring = changes[0]!;
    expect(offsetSegments('Asia/Kathmandu', spring.at - 30 * HOUR, spring.at + 30 * HOUR)).toEqual([
      { start: spring.at - 30 * HOUR, offset: 5.75 * HOUR },
    ]);
    expect(offsetSegments(spring.zone, spring.at, spring.at + 30 * HOUR)).toEqual([
      { start: spring.at, offset: spring.after },
    ]);
  });
});
