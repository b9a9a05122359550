import type { OffsetSegment } from '../../store/repos/callReview';

/**
 * Local time for the dashboard: a time zone's offset from UTC at an instant,
 * and the segments of constant offset across a range (daylight saving moves
 * it), so SQL can turn each call's start into the viewer's clock exactly.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timezone: string): Intl.DateTimeFormat {
  let f = formats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timezone, f);
  }
  return f;
}

/** Whether the runtime knows this IANA time zone. */
export function knownTimezone(timezone: string): boolean {
  try {
    format(timezone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds to add to UTC to read the clock in `timezone` at `t`. */
export function offsetAt(timezone: string, t: number): number {
  const parts: Record<string, number> = {};
  for (const p of format(timezone).formatToParts(t)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return local - (t - (((t % 1000) + 1000) % 1000));
}

const HOUR = 3_600_000;

/**
 * The offsets in force from `from` to `to`: the first segment starts at
 * `from`, each next one at the exact instant the offset changes (a call
 * started at that instant already reads the new clock: 03:00, not 02:00, when
 * New York springs forward). Probed every 6 hours: no zone changes its
 * offset twice within that.
 */
export function offsetSegments(timezone: string, from: number, to: number): OffsetSegment[] {
  const key = `${timezone}|${from}|${to}`;
  let segments = segmentsCache.get(key);
  if (!segments) {
    segments = Object.freeze(probeSegments(timezone, from, to)) as OffsetSegment[];
    remember(segmentsCache, key, segments, 256);
  }
  return segments;
}

/**
 * Both are pure functions of their arguments, and each costs hundreds of
 * Intl probes (a 90-day range: 360 for the segments, six per day for the
 * midnights), several times what the figures themselves cost once the
 * rollups answer: a dashboard asked again for the same range (each change of
 * the calls refreshes it) reuses them.
 */
const segmentsCache = new Map<string, OffsetSegment[]>();
const midnightCache = new Map<string, number>();

function remember<V>(cache: Map<string, V>, key: string, value: V, max: number) {
  if (cache.size >= max) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

function probeSegments(timezone: string, from: number, to: number): OffsetSegment[] {
  const out: OffsetSegment[] = [{ start: from, offset: offsetAt(timezone, from) }];
  for (let t = from; t < to;) {
    const next = Math.min(to, t + 6 * HOUR);
    const offset = offsetAt(timezone, next);
    if (offset !== out[out.length - 1]!.offset) {
      // lo reads the old offset, hi the new one; narrowed to the millisecond,
      // hi is the change itself. Rounding a coarser bracket to a whole minute
      // would start the segment a minute late whenever hi lands just past it.
      let lo = t;
      let hi = next;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(timezone, mid) === offset) hi = mid;
        else lo = mid;
      }
      out.push({ start: hi, offset });
    }
    t = next;
  }
  return out;
}

/** The UTC instant of local midnight beginning the local day `day` (days since 1970-01-01 on the local clock). */
export function localMidnight(timezone: string, day: number): number {
  const key = `${timezone}|${day}`;
  let t = midnightCache.get(key);
  if (t === undefined) {
    t = probeMidnight(timezone, day);
    remember(midnightCache, key, t, 20_000);
  }
  return t;
}

function probeMidnight(timezone: string, day: number): number {
  const wall = day * 86_400_000;
  let t = wall - offsetAt(timezone, wall);
  // Twice: the offset at the guess may differ from the one at midnight itself.
  t = wall - offsetAt(timezone, t);
  return wall - offsetAt(timezone, t);
}

export const localDate = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
