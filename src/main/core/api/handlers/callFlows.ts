import type { CallFlow, FlowStep } from '../../../../shared/api/entities';
import { can } from '../../policy';
import {
  deleteFlow,
  flowBnIds,
  flowNameTaken,
  flowTargets,
  getFlow,
  insertFlow,
  listFlows,
  updateFlow,
} from '../../store/repos/flows';
import { getGroup } from '../../store/repos/groups';
import { getUser } from '../../store/repos/users';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce, notFound } from '../failure';
import type { Handlers } from '../handler';

function mustGetFlow(ctx: AuthedCtx, id: number) {
  const f = getFlow(ctx.db, ctx.actor.accountId, id);
  if (!f) throw notFound('That call flow');
  return f;
}

/** Every group and user a flow names must be a live one of this account. */
function checkSteps(ctx: AuthedCtx, steps: readonly FlowStep[]) {
  const { groupIds, userIds } = flowTargets(steps);
  for (const g of groupIds) if (!getGroup(ctx.db, ctx.actor.accountId, g)) throw notFound('A group in this call flow');
  for (const u of userIds) {
    const user = getUser(ctx.db, ctx.actor.accountId, u);
    if (!user || !user.active) throw notFound('A user in this call flow');
  }
}

function nameFree(ctx: AuthedCtx, name: string, exceptId: number | null) {
  if (flowNameTaken(ctx.db, ctx.actor.accountId, name, exceptId)) {
    throw new ApiFailure('conflict', `There is already a call flow with that name.`, { name: 'Already in use' });
  }
}

/** A flow as the viewer may see it: business numbers outside their access are left out, with their count. */
function visibleNumbersOf(ctx: AuthedCtx, f: CallFlow): CallFlow {
  const visible = new Set(ctx.actor.visibleBnIds);
  const bnIds = f.bnIds.filter((id) => visible.has(id));
  return { ...f, bnIds, hiddenBnCount: f.bnIds.length - bnIds.length };
}

function changed(ctx: AuthedCtx) {
  // Who is "part of" a flow may have changed, so everyone re-reads their access.
  ctx.emit('callFlows.changed', { kind: 'account', accountId: ctx.actor.accountId });
  ctx.emit('access.changed', { kind: 'account', accountId: ctx.actor.accountId });
}

export const callFlowsHandlers: Handlers<'callFlows'> = {
  'callFlows.list': (ctx) => listFlows(ctx.db, ctx.actor.accountId).map((f) => visibleNumbersOf(ctx, f)),
  'callFlows.get': (ctx, { callFlowId }) => visibleNumbersOf(ctx, mustGetFlow(ctx, callFlowId)),

  'callFlows.create': (ctx, { name, steps }) => {
    enforce(can(ctx.actor, 'callFlow.manage', { bnIds: [] }));
    checkSteps(ctx, steps);
    nameFree(ctx, name, null);
    const id = insertFlow(ctx.db, ctx.actor.accountId, name, steps, ctx.now());
    audit(ctx, 'callFlow.create', { type: 'callFlow', id }, `Created the call flow ${name}`, null, { name, steps });
    changed(ctx);
    return mustGetFlow(ctx, id);
  },

  'callFlows.update': (ctx, { callFlowId, name, steps }) => {
    const f = mustGetFlow(ctx, callFlowId);
    enforce(can(ctx.actor, 'callFlow.manage', { bnIds: flowBnIds(ctx.db, f.id) }));
    if (steps) checkSteps(ctx, steps);
    if (name) nameFree(ctx, name, f.id);
    updateFlow(ctx.db, f.id, name ?? f.name, steps ?? f.steps);
    const after = mustGetFlow(ctx, f.id);
    audit(
      ctx,
      'callFlow.update',
      { type: 'callFlow', id: f.id },
      `Changed the call flow ${f.name}`,
      { name: f.name, steps: f.steps },
      { name: after.name, steps: after.steps },
    );
    changed(ctx);
    return after;
  },

  'callFlows.delete': (ctx, { callFlowId }) => {
    const f = mustGetFlow(ctx, callFlowId);
    enforce(can(ctx.actor, 'callFlow.manage', { bnIds: f.bnIds }));
    deleteFlow(ctx.db, f.id, ctx.now());
    audit(
      ctx,
      'callFlow.delete',
      { type: 'callFlow', id: f.id },
      `Deleted the call flow ${f.name}`,
      { name: f.name, steps: f.steps, bnIds: f.bnIds },
      null,
    );
    changed(ctx);
    ctx.emit('numbers.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return null;
  },
};
