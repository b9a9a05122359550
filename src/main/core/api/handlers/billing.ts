import type { Plan } from '../../../../shared/primitives';
import { can, capabilityRules } from '../../policy';
import { countActiveUsers, getBilling, planLimits, setPlan, updateBilling } from '../../store/repos/account';
import { countLiveNumbers } from '../../store/repos/numbers';
import { stmt } from '../../store/stmt';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce } from '../failure';
import type { Handlers } from '../handler';

interface Effects {
  managers: { id: number; name: string }[];
  narrowed: { id: number; name: string }[];
  messages: string[];
  blockers: string[];
}

/** What moving to `plan` would do to roles and access (POLICY.md §1, basic plan). */
function planEffects(ctx: AuthedCtx, plan: Plan): Effects {
  const { db } = ctx;
  const accountId = ctx.actor.accountId;
  const effects: Effects = { managers: [], narrowed: [], messages: [], blockers: [] };
  const limits = planLimits[plan];
  const users = countActiveUsers(db, accountId);
  const numbers = countLiveNumbers(db, accountId);
  if (users > limits.users)
    effects.blockers.push(`The ${plan} plan allows ${limits.users} active users; you have ${users}.`);
  if (numbers > limits.numbers)
    effects.blockers.push(`The ${plan} plan allows ${limits.numbers} business numbers; you have ${numbers}.`);
  if (plan === 'basic') {
    effects.managers = stmt(
      db,
      `SELECT id, name FROM users WHERE account_id = ? AND role = 'manager' ORDER BY name`,
    ).all(accountId) as Effects['managers'];
    effects.narrowed = stmt(
      db,
      `SELECT id, name FROM users WHERE account_id = ? AND role = 'agent' AND call_access <> 'group' ORDER BY name`,
    ).all(accountId) as Effects['narrowed'];
    for (const m of effects.managers) effects.messages.push(`${m.name} becomes an Agent with "Calling group" access.`);
    for (const a of effects.narrowed) effects.messages.push(`${a.name}'s call access becomes "Calling group".`);
    effects.messages.push('Every Agent may call and text from every business number.');
  }
  if (effects.messages.length === 0) effects.messages.push('Roles and access stay as they are.');
  return effects;
}

const changed = (ctx: AuthedCtx) => ctx.emit('billing.changed', { kind: 'account', accountId: ctx.actor.accountId });

export const billingHandlers: Handlers<'billing'> = {
  'billing.get': (ctx) => {
    enforce(capabilityRules['billing.manage'](ctx.actor));
    return getBilling(ctx.db, ctx.actor.accountId);
  },

  'billing.update': (ctx, input) => {
    enforce(can(ctx.actor, 'billing.manage', {}));
    const before = getBilling(ctx.db, ctx.actor.accountId);
    updateBilling(ctx.db, ctx.actor.accountId, input);
    const after = getBilling(ctx.db, ctx.actor.accountId);
    audit(ctx, 'billing.update', { type: 'billing', id: null }, 'Changed the billing information', before, after);
    changed(ctx);
    return after;
  },

  'billing.previewPlanChange': (ctx, { plan }) => {
    enforce(capabilityRules['plan.change'](ctx.actor));
    const e = planEffects(ctx, plan);
    return { plan, effects: e.messages, blockers: e.blockers };
  },

  'billing.changePlan': (ctx, { plan }) => {
    enforce(can(ctx.actor, 'plan.change', { plan }));
    const before = getBilling(ctx.db, ctx.actor.accountId).plan;
    if (before === plan) return getBilling(ctx.db, ctx.actor.accountId);
    const e = planEffects(ctx, plan);
    if (e.blockers.length > 0) throw new ApiFailure('plan', e.blockers.join(' '));
    if (plan === 'basic') {
      // The basic plan has no extended roles: Managers become Agents, every Agent gets group access.
      const { db } = ctx;
      stmt(
        db,
        `DELETE FROM manager_permissions WHERE user_id IN (SELECT id FROM users WHERE account_id = ? AND role = 'manager')`,
      ).run(ctx.actor.accountId);
      stmt(
        db,
        `UPDATE users SET role = 'agent', call_access = 'group' WHERE account_id = ? AND role IN ('manager','agent')`,
      ).run(ctx.actor.accountId);
      stmt(
        db,
        `DELETE FROM user_numbers WHERE kind = 'scope' AND user_id IN (SELECT id FROM users WHERE account_id = ?)`,
      ).run(ctx.actor.accountId);
    }
    setPlan(ctx.db, ctx.actor.accountId, plan);
    audit(
      ctx,
      'billing.plan',
      { type: 'billing', id: null },
      `Changed the plan from ${before} to ${plan}`,
      { plan: before },
      { plan, effects: e.messages },
    );
    changed(ctx);
    ctx.emit('users.changed', { kind: 'account', accountId: ctx.actor.accountId });
    ctx.emit('access.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return getBilling(ctx.db, ctx.actor.accountId);
  },
};
