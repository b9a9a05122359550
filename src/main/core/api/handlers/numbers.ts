import { formatE164 } from '../../../../shared/phone';
import { can } from '../../policy';
import { isDemoAccount, planLimits } from '../../store/repos/account';
import { getTrunk, listTrunks } from '../../store/repos/carrier';
import { getFlow } from '../../store/repos/flows';
import {
  countLiveNumbers,
  getNumber,
  insertNumber,
  listCatalogue,
  liveNumberAccount,
  listNumbers,
  releaseNumber,
  routeNumber,
  setNumberLabel,
  setNumberTrunk,
  takeFromCatalogue,
} from '../../store/repos/numbers';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce, invalid, notFound } from '../failure';
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

/** The catalogue is demo data: a real account's numbers are the DIDs its carrier gave it (numbers.add). */
function demoOnly(ctx: AuthedCtx) {
  if (!isDemoAccount(ctx.db, ctx.actor.accountId)) {
    throw new ApiFailure(
      'conflict',
      'Numbers come from your carrier: add the numbers it gave you (Numbers → Add numbers). The catalogue is demo data.',
    );
  }
}

function withinPlan(ctx: AuthedCtx, adding: number) {
  const limit = planLimits[ctx.actor.plan].numbers;
  if (countLiveNumbers(ctx.db, ctx.actor.accountId) + adding > limit) {
    throw new ApiFailure(
      'plan',
      `The ${ctx.actor.plan} plan allows ${limit} business numbers; change the plan to add more.`,
    );
  }
}

export const numbersHandlers: Handlers<'numbers'> = {
  'numbers.list': (ctx) => listNumbers(ctx.db, ctx.actor.accountId, ctx.actor.visibleBnIds),

  'numbers.catalogue': (ctx, { search }) => {
    enforce(can(ctx.actor, 'number.manage', { bnId: null }));
    demoOnly(ctx);
    return listCatalogue(ctx.db, search);
  },

  'numbers.buy': (ctx, { e164, label }) => {
    enforce(can(ctx.actor, 'number.manage', { bnId: null }));
    demoOnly(ctx);
    withinPlan(ctx, 1);
    if (!takeFromCatalogue(ctx.db, e164)) throw new ApiFailure('not_found', `${e164} is not available to buy.`);
    const id = insertNumber(ctx.db, ctx.actor.accountId, e164, label, ctx.now());
    audit(ctx, 'number.buy', { type: 'number', id }, `Bought ${formatE164(e164)}`, null, { e164, label });
    changed(ctx);
    // Whoever may buy numbers sees every number, including this one.
    return getNumber(ctx.db, ctx.actor.accountId, id)!;
  },

  'numbers.add': (ctx, { trunkId, numbers, label }) => {
    enforce(can(ctx.actor, 'number.manage', { bnId: null }));
    const accountId = ctx.actor.accountId;
    const trunk =
      trunkId === undefined
        ? (listTrunks(ctx.db, accountId)[0] ?? null) // preferred first
        : getTrunk(ctx.db, accountId, trunkId);
    if (!trunk && trunkId !== undefined) throw notFound('That trunk');
    if (!trunk) {
      throw new ApiFailure(
        'conflict',
        'Connect the carrier first: an Administrator adds its trunk under Numbers → Carrier.',
      );
    }
    const skipped: { e164: string; formatted: string; reason: string }[] = [];
    const fresh: string[] = [];
    const seen = new Set<string>();
    numbers.forEach((e164, i) => {
      const formatted = formatE164(e164);
      if (seen.has(e164)) return void skipped.push({ e164, formatted, reason: 'Repeated in the list' });
      seen.add(e164);
      const holder = liveNumberAccount(ctx.db, e164);
      if (holder === accountId) return void skipped.push({ e164, formatted, reason: 'Already one of your numbers' });
      // A DID rings one account: another account of this server has it in service.
      if (holder !== null) {
        throw invalid(`${formatted} is in service on another account of this server; check it with your carrier.`, {
          [`numbers.${i}`]: 'In service on another account',
        });
      }
      fresh.push(e164);
    });
    withinPlan(ctx, fresh.length);
    const at = ctx.now();
    const added = fresh.map((e164) => {
      // A real DID is nobody's to take from the demo catalogue any more.
      takeFromCatalogue(ctx.db, e164);
      const id = insertNumber(ctx.db, accountId, e164, label, at, trunk.id);
      audit(ctx, 'number.add', { type: 'number', id }, `Added ${formatE164(e164)} from the trunk ${trunk.name}`, null, {
        e164,
        label,
        trunkId: trunk.id,
      });
      return { id, e164, formatted: formatE164(e164) };
    });
    if (added.length > 0) changed(ctx);
    return { added, skipped };
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

  'numbers.setTrunk': (ctx, { bnId, trunkId }) => {
    const bn = mustGetNumber(ctx, bnId);
    // The trunks are the Administrators' (carrier settings); a Manager who manages numbers does not see them.
    enforce(can(ctx.actor, 'carrier.manage', {}));
    const trunk = getTrunk(ctx.db, ctx.actor.accountId, trunkId);
    if (!trunk) throw notFound('That trunk');
    if (bn.trunkId === trunk.id) return bn;
    setNumberTrunk(ctx.db, bnId, trunk.id);
    audit(
      ctx,
      'number.trunk',
      { type: 'number', id: bnId },
      bn.trunkName
        ? `Moved ${bn.formatted} from the trunk ${bn.trunkName} to ${trunk.name}`
        : `Put ${bn.formatted} on the trunk ${trunk.name}`,
      { trunkId: bn.trunkId },
      { trunkId: trunk.id },
    );
    ctx.emit('numbers.changed', { kind: 'account', accountId: ctx.actor.accountId });
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
