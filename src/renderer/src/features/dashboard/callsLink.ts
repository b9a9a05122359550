import type { CallFilterInput } from '../calls/api';

/**
 * The calls list's filter in a route's query (#/calls?result=missed&from=…),
 * so that a chart links to exactly the calls it counts, and the link can be
 * bookmarked or shared. Only known fields with valid values are read back.
 */
const numeric = ['bnId', 'callFlowId', 'groupId', 'userId', 'tagId', 'from', 'to'] as const;
const directions = ['inbound', 'outbound', 'internal'] as const;
const results = ['answered', 'missed', 'voicemail'] as const;
const TIMEZONE = /^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/;

export function callsQuery(f: CallFilterInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== null && v !== '') out[k] = String(v);
  return out;
}

export function callFilterFromParams(params: URLSearchParams): CallFilterInput {
  const f: CallFilterInput = {};
  for (const k of numeric) {
    const v = params.get(k);
    if (v !== null && /^\d{1,16}$/.test(v)) f[k] = Number(v);
  }
  const direction = params.get('direction');
  if (directions.includes(direction as never)) f.direction = direction as CallFilterInput['direction'];
  const result = params.get('result');
  if (results.includes(result as never)) f.result = result as CallFilterInput['result'];
  const search = params.get('search');
  if (search) f.search = search.slice(0, 100);
  // An hour of the day (the dashboard's "by hour of day"), on the clock it was counted on, within a range.
  const hour = params.get('hour');
  const timezone = params.get('timezone');
  if (
    hour !== null &&
    /^\d{1,2}$/.test(hour) &&
    Number(hour) <= 23 &&
    timezone !== null &&
    TIMEZONE.test(timezone) &&
    f.from !== undefined &&
    f.to !== undefined
  ) {
    f.hour = Number(hour);
    f.timezone = timezone;
  }
  return f;
}
