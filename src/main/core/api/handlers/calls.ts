import {
  callBranches,
  callFilterScope,
  callPageSql,
  can,
  decodeCursor,
  explain,
  HOUR_SPANS_MAX,
  type HourFilter,
  matchingBranch,
  splitPage,
} from '../../policy';
import { formatE164 } from '../../../../shared/phone';
import { callEvents, callFacts, callRows, lastBnAmong, voicemailsForCalls } from '../../store/repos/calls';
import { callPageRows } from '../../store/repos/callPage';
import { getNumber } from '../../store/repos/numbers';
import { contactNumbers, searchNumbers } from '../../store/repos/numberSearch';
import { stmt } from '../../store/stmt';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce, invalid, notFound } from '../failure';
import { knownTimezone, offsetSegments } from './dashboardTime';
import type { Handlers } from '../handler';
import { checkFilterIds, paginate } from './lists';
import type { CallFilter } from '../../../../shared/api/contract';
import type { CallDetail } from '../../../../shared/api/entities';

/**
 * How many calls a search's numbers may carry for the page to be driven by
 * them rather than by the actor's branches (store/repos/numberSearch.ts):
 * for `all` the index alone decides each call, for the others a participant
 * check may cost a lookup per call.
 */
export const searchBudget = (ctx: AuthedCtx) => (ctx.actor.callAccess === 'all' ? 50_000 : 5_000);

/**
 * The policy's query for one page of calls the actor may see, newest first,
 * with one row more than the page (it tells whether there is a next page).
 * callPageSql reads only the filter fields, so the input goes as it is.
 */
export function callPageQuery(
  ctx: AuthedCtx,
  f: Partial<CallFilter> & { limit: number },
  extra?: { voicemailOnly?: boolean; unreadBy?: number },
) {
  checkFilterIds(ctx, f);
  const hour = hourFilter(f);
  const numbers = f.search ? searchNumbers(ctx.db, ctx.actor.accountId, f.search, searchBudget(ctx)) : null;
  // A search the branches scan tests the matching contacts' numbers, found once here.
  const contacts = f.search && !numbers ? contactNumbers(ctx.db, ctx.actor.accountId, f.search) : undefined;
  const filter = { ...f, ...extra, hour, numbers: numbers?.numbers, contactNumbers: contacts };
  return callPageSql(callBranches(ctx.actor), ctx.actor.accountId, filter, decodeCursor(f.cursor), f.limit + 1);
}

/** The longest range an hour-of-day filter may span. */
export const HOUR_FILTER_MAX_DAYS = 400;

/**
 * An hour of the day on the viewer's clock (the dashboard's "by hour of
 * day" bars): for the range, the spans of one offset from UTC, as the
 * dashboard counts them (handlers/dashboardTime.ts offsetSegments).
 */
function hourFilter(f: Partial<CallFilter>): HourFilter | undefined {
  if (f.hour === undefined) return undefined;
  const { timezone, from, to } = f;
  if (timezone === undefined) throw invalid('Say which clock the hour is on', { timezone: 'Required with an hour' });
  if (!knownTimezone(timezone)) throw invalid('Not a known time zone', { timezone: 'Not a known time zone' });
  if (from === undefined || to === undefined || to <= from)
    throw invalid('An hour of the day needs a date range', {
      from: 'Required with an hour',
      to: 'Required with an hour',
    });
  if (to - from > HOUR_FILTER_MAX_DAYS * 86_400_000)
    throw invalid(`An hour of the day can be asked for over at most ${HOUR_FILTER_MAX_DAYS} days`, {
      to: `At most ${HOUR_FILTER_MAX_DAYS} days after the start`,
    });
  const segments = offsetSegments(timezone, from, to);
  if (segments.length > HOUR_SPANS_MAX) throw invalid('That range crosses too many clock changes', { to: 'Shorter' });
  return {
    hour: f.hour,
    spans: segments.map((s, i) => ({ start: s.start, end: segments[i + 1]?.start ?? to, offset: s.offset })),
  };
}

/** One page of call keys the actor may see, newest first. */
export function callKeys(
  ctx: AuthedCtx,
  f: Partial<CallFilter> & { limit: number },
  extra: { voicemailOnly?: boolean; unreadBy?: number } = {},
) {
  const q = callPageQuery(ctx, f, extra);
  return paginate(stmt(ctx.db, q.sql).all(...q.params) as { k: number; id: number }[], f.limit);
}

function mustSeeCall(ctx: AuthedCtx, callId: number) {
  const facts = callFacts(ctx.db, ctx.actor.accountId, callId);
  if (!facts || !can(ctx.actor, 'call.view', facts).allowed) {
    throw new ApiFailure('not_found', 'That call was not found, or it is outside your call access.');
  }
  return facts;
}

export { mustSeeCall };

/**
 * Up to this many matching calls are counted exactly: the count walks the
 * list query's own index entries (no rows are read or built), a few
 * milliseconds at most. Beyond it the count is estimated from how densely the
 * newest matches fall in time (docs/performance.md, "Counts").
 */
export const COUNT_EXACT_UP_TO = 2_000;

/** How many of the newest visible calls with a number the caller-ID suggestion looks through. */
const SUGGEST_LOOKBACK = 200;

/** The count statement's text, per page query text (each is itself kept per shape). */
const countSql = new Map<string, string>();

/** "12,345" → 12,000: an estimate shows no more digits than it knows. */
const roughly = (n: number) => {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return Math.round(n / step) * step;
};

export const callsHandlers: Handlers<'calls'> = {
  'calls.count': (ctx, f) => {
    const q = callPageQuery(ctx, { ...f, limit: COUNT_EXACT_UP_TO });
    let sql = countSql.get(q.sql);
    if (sql === undefined) {
      sql = `SELECT count(*) AS n, min(k) AS oldest, max(k) AS newest FROM (${q.sql})`;
      countSql.set(q.sql, sql);
    }
    const r = stmt(ctx.db, sql).get(...q.params) as { n: number; oldest: number | null; newest: number | null };
    if (r.n <= COUNT_EXACT_UP_TO || r.oldest === null || r.newest === null) return { count: r.n, estimated: false };
    // The newest matches span [oldest, newest]; the rest are assumed as dense
    // back to the start of the filter's range, or of the account's history.
    const first = stmt(ctx.db, 'SELECT min(started_at) FROM calls WHERE account_id = ?')
      .pluck()
      .get(ctx.actor.accountId) as number | null;
    const start = Math.max(f.from ?? first ?? r.oldest, first ?? r.oldest);
    const sampled = Math.max(1, r.newest - r.oldest);
    const estimate = (r.n * Math.max(sampled, r.newest - start)) / sampled;
    return { count: Math.max(r.n, roughly(estimate)), estimated: true };
  },

  'calls.filterOptions': (ctx) => {
    const scope = callFilterScope(ctx.db, ctx.actor);
    const a = ctx.actor.accountId;
    const inList = (ids: ReadonlySet<number>) => JSON.stringify([...ids]);
    const numbers = stmt(
      ctx.db,
      'SELECT id, e164, label FROM business_numbers WHERE account_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY e164',
    ).all(a, inList(scope.bnIds)) as { id: number; e164: string; label: string }[];
    return {
      numbers: numbers.map((n) => ({ id: n.id, formatted: formatE164(n.e164), label: n.label })),
      callFlows: stmt(
        ctx.db,
        'SELECT id, name FROM call_flows WHERE account_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY name',
      ).all(a, inList(scope.flowIds)) as { id: number; name: string }[],
      groups: stmt(
        ctx.db,
        'SELECT id, name FROM user_groups WHERE account_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY name',
      ).all(a, inList(scope.groupIds)) as { id: number; name: string }[],
      users: (
        stmt(
          ctx.db,
          'SELECT id, name, extension, active FROM users WHERE account_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY active DESC, name',
        ).all(a, inList(scope.userIds)) as { id: number; name: string; extension: string; active: number }[]
      ).map((u) => ({ ...u, active: u.active === 1 })),
    };
  },

  'calls.list': (ctx, f) =>
    splitPage(callPageRows(ctx.db, callPageQuery(ctx, f)), f.limit, (c) => ({ k: c.startedAt, id: c.id })),

  'calls.get': (ctx, { callId }) => {
    const facts = mustSeeCall(ctx, callId);
    const [row] = callRows(ctx.db, [callId]);
    if (!row) throw notFound('That call');
    const branch = matchingBranch(callBranches(ctx.actor), facts);
    const bn = facts.bnId === null ? null : getNumber(ctx.db, ctx.actor.accountId, facts.bnId);
    const vm = voicemailsForCalls(ctx.db, [callId], ctx.actor.userId).get(callId) ?? null;
    return {
      ...row,
      events: callEvents(ctx.db, callId) as CallDetail['events'],
      voicemail: vm,
      why: explain(branch!, {
        group: row.groupName ?? undefined,
        flow: row.callFlowName ?? undefined,
        bn: bn?.formatted ?? row.bnE164 ?? undefined,
      }),
    };
  },

  'calls.authorizeOutbound': (ctx, { bnId, to }) => {
    const bn = getNumber(ctx.db, ctx.actor.accountId, bnId);
    if (!bn) throw notFound('That business number');
    enforce(can(ctx.actor, 'number.callFrom', { bnId }));
    return { bnId, callerId: bn.e164, to };
  },

  /**
   * The BN of the newest call with `to` that the actor may see (the calls
   * list's own query) and may call from: a call outside their access says
   * nothing, not even which number last spoke to that party.
   */
  'calls.suggestCallerId': (ctx, { to }) => {
    const allowed = ctx.actor.outboundCallBnIds;
    const q = callPageSql(callBranches(ctx.actor), ctx.actor.accountId, { numbers: [to] }, null, SUGGEST_LOOKBACK);
    const last = allowed.length === 0 ? null : lastBnAmong(ctx.db, q, allowed);
    return { bnId: last ?? ctx.actor.defaultBnId ?? allowed[0] ?? null };
  },
};
