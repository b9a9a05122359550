import { callBranches, callPageSql, can, decodeCursor, explain, matchingBranch, splitPage } from '../../policy';
import { callEvents, callFacts, callRows, lastBnWith, voicemailsForCalls } from '../../store/repos/calls';
import { callPageRows } from '../../store/repos/callPage';
import { getNumber } from '../../store/repos/numbers';
import { stmt } from '../../store/stmt';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce, notFound } from '../failure';
import type { Handlers } from '../handler';
import { checkFilterIds, paginate } from './lists';
import type { CallFilter } from '../../../../shared/api/contract';
import type { CallDetail } from '../../../../shared/api/entities';

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
  const filter = extra ? { ...f, ...extra } : f;
  return callPageSql(callBranches(ctx.actor), ctx.actor.accountId, filter, decodeCursor(f.cursor), f.limit + 1);
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

export const callsHandlers: Omit<Handlers<'calls'>, 'calls.export'> = {
  'calls.list': (ctx, f) => splitPage(callPageRows(ctx.db, callPageQuery(ctx, f)), f.limit, (c) => ({ k: c.startedAt, id: c.id })),

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
      why: explain(branch!, { group: row.groupName ?? undefined, flow: row.callFlowName ?? undefined, bn: bn?.formatted ?? row.bnE164 ?? undefined }),
    };
  },

  'calls.authorizeOutbound': (ctx, { bnId, to }) => {
    const bn = getNumber(ctx.db, ctx.actor.accountId, bnId);
    if (!bn) throw notFound('That business number');
    enforce(can(ctx.actor, 'number.callFrom', { bnId }));
    return { bnId, callerId: bn.e164, to };
  },

  'calls.suggestCallerId': (ctx, { to }) => {
    const allowed = ctx.actor.outboundCallBnIds;
    const last = lastBnWith(ctx.db, ctx.actor.accountId, to, allowed);
    return { bnId: last ?? ctx.actor.defaultBnId ?? allowed[0] ?? null };
  },
};
