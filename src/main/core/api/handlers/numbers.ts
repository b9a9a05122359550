import { formatE164 } from '../../../../shared/phone';
import { can } from '../../policy';
import { planLimits } from '../../store/repos/account';
import { getFlow } from '../../store/repos/flows';
import {
  countLiveNumbers,
  getNumber,
  insertNumber,
  listCatalogue,
  listNumbers,
  releaseNumber,
  routeNumber,
  setNumberLabel,
  takeFromCatalogue,
} from '../../store/repos/numbers';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce, notFound } from '../failure';
import type { Handlers } from '../handler';

/** A BN the actor may see; one they may not reads as unknown. */
function mustGetNumber(ctx: AuthedCtx, id: number) {
  const bn = getNumber(ctx.db, ctx.actor.accountId, id);
  if (!bn || !can(ctx.actor, 'number.view', { bnId: id }).allowed) throw notFound('That business number');
  return bn;
}

function changed(ctx: AuthedCtx) {
  ctx.emit('numbers.changed', { kind: 'account', accountId: ctx.actor.accountId });
  ctx.emit('access.changed', { kind: 'account', accountId: ctx.actor.accountId });
}

export const numbersHandlers: Handlers<'numbers'> = {
  'numbers.list': (ctx) => listNumbers(ctx.db, ctx.actor.accountId, ctx.actor.visibleBnIds),

  'numbers.catalogue': (ctx, { search }) => {
    enforce(can(ctx.actor, 'number.manage', { bnId: null }));
    return listCatalogue(ctx.db, search);
  },

  'numbers.buy': (ctx, { e164, label }) => {
    enforce(can(ctx.actor, 'number.manage', { bnId: null }));
    const limit = planLimits[ctx.actor.plan].numbers;
    if (countLiveNumbers(ctx.db, ctx.actor.accountId) >= limit) {
      throw new ApiFailure(
        'plan',
        `The ${ctx.actor.plan} plan allows ${limit} business numbers; change the plan to add more.`,
      );
    }
    if (!takeFromCatalogue(ctx.db, e164)) throw new ApiFailure('not_found', `${e164} is not available to buy.`);
    const id = insertNumber(ctx.db, ctx.actor.accountId, e164, label, ctx.now());
    audit(ctx, 'number.buy', { type: 'number', id }, `Bought ${formatE164(e164)}`, null, { e164, label });
    changed(ctx);
    // Whoever may buy numbers sees every number, including this one.
    return getNumber(ctx.db, ctx.actor.accountId, id)!;
  },

  'numbers.setLabel': (ctx, { bnId, label }) => {
    const bn = mustGetNumber(ctx, bnId);
    enforce(can(ctx.actor, 'number.manage', { bnId }));
    setNumberLabel(ctx.db, bnId, label);
    audit(
      ctx,
      'number.label',
      { type: 'number', id: bnId },
      `Relabelled ${bn.formatted}`,
      { label: bn.label },
      { label },
    );
    ctx.emit('numbers.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return mustGetNumber(ctx, bnId);
  },

  'numbers.route': (ctx, { bnId, callFlowId }) => {
    const bn = mustGetNumber(ctx, bnId);
    enforce(can(ctx.actor, 'number.manage', { bnId }));
    const flow = callFlowId === null ? null : getFlow(ctx.db, ctx.actor.accountId, callFlowId);
    if (callFlowId !== null && !flow) throw notFound('That call flow');
    routeNumber(ctx.db, bnId, callFlowId);
    audit(
      ctx,
      'number.route',
      { type: 'number', id: bnId },
      flow ? `Routed ${bn.formatted} to the call flow ${flow.name}` : `Took ${bn.formatted} off its call flow`,
      { callFlowId: bn.callFlowId },
      { callFlowId },
    );
    changed(ctx);
    ctx.emit('callFlows.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return mustGetNumber(ctx, bnId);
  },

  'numbers.release': (ctx, { bnId }) => {
    const bn = mustGetNumber(ctx, bnId);
    enforce(can(ctx.actor, 'number.manage', { bnId }));
    releaseNumber(ctx.db, bnId, ctx.now());
    audit(
      ctx,
      'number.release',
      { type: 'number', id: bnId },
      `Released ${bn.formatted}`,
      { e164: bn.e164, label: bn.label, callFlowId: bn.callFlowId },
      null,
    );
    changed(ctx);
    return null;
  },
};
