import { AbilityBuilder, createMongoAbility, subject, type MongoAbility } from '@casl/ability';
import type { Actor } from '../../src/main/core/policy';
import type { Check } from './decisionMix';

/**
 * The same four rules of POLICY.md written the way CASL is meant to be used:
 * an ability built once per actor from role rules with Mongo-style
 * conditions, then `ability.can(action, subject)`. Used only by the bench.
 */
export type CaslAbility = MongoAbility;
type Subject = ReturnType<typeof subject>;

export function caslAbility(a: Actor): CaslAbility {
  const { can, cannot, build } = new AbilityBuilder(createMongoAbility);
  // POLICY.md §3: one rule per visibility branch.
  if (a.callAccess === 'all') can('view', 'Call', { accountId: a.accountId });
  else {
    can('view', 'Call', { participantIds: a.userId });
    if (a.callAccess === 'group' && a.groupIds.length > 0) can('view', 'Call', { groupId: { $in: [...a.groupIds] } });
    if (a.callAccess === 'callflow' && a.flowIds.length > 0)
      can('view', 'Call', { callFlowId: { $in: [...a.flowIds] } });
    if (a.callAccess === 'numbers' && a.scopeBnIds.length > 0)
      can('view', 'Call', { bnId: { $in: [...a.scopeBnIds] } });
  }
  // A cancelled account, or an Administrator viewing as someone, changes nothing.
  const writable = a.accountStatus === 'active' && a.viewedBy === null;
  if (writable) {
    if (a.smsBnIds.length > 0) can('smsFrom', 'Number', { id: { $in: [...a.smsBnIds] } });
    can('editSettings', 'User', { id: a.userId });
    if (a.role === 'administrator') {
      can('editSettings', 'User');
      can('manage', 'CallFlow');
    } else if (a.role === 'manager') {
      if (a.permissions.has('userSettings')) can('editSettings', 'User', { role: 'agent' });
      if (a.permissions.has('callFlows')) {
        can('manage', 'CallFlow');
        const visible = new Set(a.visibleBnIds);
        const hidden = a.accountBnIds.filter((id) => !visible.has(id));
        if (hidden.length > 0) cannot('manage', 'CallFlow', { bnIds: { $in: hidden } });
      }
    }
  }
  return build();
}

/** The resources as CASL subjects (tagged once, before timing). */
export function caslSubject(c: Check): [action: string, subject: Subject] {
  switch (c.action) {
    case 'call.view':
      return ['view', subject('Call', { ...c.call })];
    case 'number.smsFrom':
      return ['smsFrom', subject('Number', { id: c.bnId })];
    case 'user.editSettings':
      return ['editSettings', subject('User', { ...c.target })];
    case 'callFlow.manage':
      return ['manage', subject('CallFlow', { id: c.flowId, bnIds: [...c.bnIds] })];
  }
}
