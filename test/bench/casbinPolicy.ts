import { newEnforcer, newModelFromString, type Enforcer } from 'casbin';
import type { Actor } from '../../src/main/core/policy';
import type { Check } from './decisionMix';

/**
 * The same four rules as an ABAC model for casbin: each policy line is a
 * condition over the request's subject and object attributes, evaluated by
 * casbin's matcher with `eval()`. Used only by the bench.
 */
const model = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub_rule, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && eval(p.sub_rule)
`;

const rules: [string, string][] = [
  ["r.sub.callAccess == 'all' && r.obj.accountId == r.sub.accountId", 'call.view'],
  ['has(r.obj.participantIds, r.sub.userId)', 'call.view'],
  ["r.sub.callAccess == 'group' && has(r.sub.groupIds, r.obj.groupId)", 'call.view'],
  ["r.sub.callAccess == 'callflow' && has(r.sub.flowIds, r.obj.callFlowId)", 'call.view'],
  ["r.sub.callAccess == 'numbers' && has(r.sub.scopeBnIds, r.obj.bnId)", 'call.view'],
  ['r.sub.writable && has(r.sub.smsBnIds, r.obj.id)', 'number.smsFrom'],
  ['r.sub.writable && r.obj.id == r.sub.userId', 'user.editSettings'],
  ["r.sub.writable && r.sub.role == 'administrator'", 'user.editSettings'],
  [
    "r.sub.writable && r.sub.role == 'manager' && has(r.sub.permissions, 'userSettings') && r.obj.role == 'agent'",
    'user.editSettings',
  ],
  ["r.sub.writable && r.sub.role == 'administrator'", 'callFlow.manage'],
  [
    "r.sub.writable && r.sub.role == 'manager' && has(r.sub.permissions, 'callFlows') && within(r.obj.bnIds, r.sub.visibleBnIds)",
    'callFlow.manage',
  ],
];

export async function casbinEnforcer(): Promise<Enforcer> {
  const e = await newEnforcer(newModelFromString(model));
  await e.addFunction('has', (list: readonly unknown[], x: unknown) => Array.isArray(list) && list.includes(x));
  await e.addFunction('within', (items: readonly unknown[], list: readonly unknown[]) =>
    items.every((x) => list.includes(x)),
  );
  await e.addPolicies(rules);
  return e;
}

export interface CasbinSubject {
  userId: number;
  accountId: number;
  role: string;
  callAccess: string;
  groupIds: readonly number[];
  flowIds: readonly number[];
  scopeBnIds: readonly number[];
  smsBnIds: readonly number[];
  visibleBnIds: readonly number[];
  permissions: string[];
  writable: boolean;
}

export const casbinSubject = (a: Actor): CasbinSubject => ({
  userId: a.userId,
  accountId: a.accountId,
  role: a.role,
  callAccess: a.callAccess,
  groupIds: a.groupIds,
  flowIds: a.flowIds,
  scopeBnIds: a.scopeBnIds,
  smsBnIds: a.smsBnIds,
  visibleBnIds: a.visibleBnIds,
  permissions: [...a.permissions],
  writable: a.accountStatus === 'active' && a.viewedBy === null,
});

export function casbinObject(c: Check): object {
  switch (c.action) {
    case 'call.view':
      return c.call;
    case 'number.smsFrom':
      return { id: c.bnId };
    case 'user.editSettings':
      return c.target;
    case 'callFlow.manage':
      return { id: c.flowId, bnIds: c.bnIds };
  }
}
