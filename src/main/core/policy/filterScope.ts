import type { Db } from '../store/db';
import { stmt } from '../store/stmt';
import type { Actor } from './actor';

/**
 * The ids a calls-list filter may offer this actor: the numbers, call flows,
 * groups and people that calls inside their call access can carry, as the
 * account is set up now (a flow's routing and the groups and people its
 * steps ring). An option outside them could only ever match nothing, so it
 * is not offered; the list query still filters by visibility on its own.
 *
 * - `all`: every live number, flow and group, and everyone.
 * - `numbers`: the numbers of the scope, the flows they route to, and the
 *   groups and people those flows ring.
 * - `callflow`: the flows they are part of, the numbers routed to them, and
 *   the groups and people the flows ring.
 * - `group`: their groups, the flows that ring them and those flows' numbers,
 *   and the groups' members.
 * - `personal`: only what their own calls can carry.
 *
 * Every level adds its own calls: the numbers they may call from, the flows
 * they are part of and the groups they belong to, and themselves.
 */
export interface FilterScope {
  bnIds: ReadonlySet<number>;
  flowIds: ReadonlySet<number>;
  groupIds: ReadonlySet<number>;
  userIds: ReadonlySet<number>;
}

const json = (ids: Iterable<number>) => JSON.stringify([...ids]);

export function callFilterScope(db: Db, actor: Actor): FilterScope {
  const pluck = (sql: string, ...params: unknown[]) =>
    stmt(db, sql)
      .pluck()
      .all(...params) as number[];
  const a = actor.accountId;
  if (actor.callAccess === 'all') {
    return {
      bnIds: new Set(pluck('SELECT id FROM business_numbers WHERE account_id = ? AND released_at IS NULL', a)),
      flowIds: new Set(pluck('SELECT id FROM call_flows WHERE account_id = ? AND deleted_at IS NULL', a)),
      groupIds: new Set(pluck('SELECT id FROM user_groups WHERE account_id = ? AND deleted_at IS NULL', a)),
      userIds: new Set(pluck('SELECT id FROM users WHERE account_id = ?', a)),
    };
  }
  const flowsRouting = (bnIds: Iterable<number>) =>
    pluck(
      `SELECT DISTINCT f.id FROM business_numbers b JOIN call_flows f ON f.id = b.call_flow_id
        WHERE b.account_id = ? AND b.id IN (SELECT value FROM json_each(?)) AND f.deleted_at IS NULL`,
      a,
      json(bnIds),
    );
  const flowsRinging = (groupIds: Iterable<number>) =>
    pluck(
      `SELECT DISTINCT f.id FROM call_flow_targets t JOIN call_flows f ON f.id = t.call_flow_id
        WHERE f.account_id = ? AND f.deleted_at IS NULL AND t.group_id IN (SELECT value FROM json_each(?))`,
      a,
      json(groupIds),
    );
  const numbersRoutedTo = (flowIds: Iterable<number>) =>
    pluck(
      `SELECT id FROM business_numbers WHERE account_id = ? AND released_at IS NULL
          AND call_flow_id IN (SELECT value FROM json_each(?))`,
      a,
      json(flowIds),
    );

  const flows = new Set<number>(actor.flowIds);
  const numbers = new Set<number>(actor.outboundCallBnIds);
  const groups = new Set<number>(actor.groupIds);
  switch (actor.callAccess) {
    case 'numbers':
      for (const id of actor.scopeBnIds) numbers.add(id);
      for (const id of flowsRouting(actor.scopeBnIds)) flows.add(id);
      break;
    case 'group':
      for (const id of flowsRinging(actor.groupIds)) flows.add(id);
      break;
    case 'callflow':
    case 'personal':
      break;
  }
  // The numbers a flow answers on, for every flow in reach (a `numbers` scope
  // also reaches its own numbers' flows, but not those flows' other numbers).
  if (actor.callAccess !== 'numbers') for (const id of numbersRoutedTo(flows)) numbers.add(id);
  else for (const id of numbersRoutedTo(actor.flowIds)) numbers.add(id);
  const flowGroups = pluck(
    `SELECT DISTINCT t.group_id FROM call_flow_targets t JOIN user_groups g ON g.id = t.group_id
      WHERE g.deleted_at IS NULL AND t.call_flow_id IN (SELECT value FROM json_each(?))`,
    json(actor.callAccess === 'personal' ? [] : flows),
  );
  if (actor.callAccess !== 'group') for (const id of flowGroups) groups.add(id);
  const users = new Set<number>([
    actor.userId,
    ...pluck(
      'SELECT DISTINCT user_id FROM group_members WHERE group_id IN (SELECT value FROM json_each(?))',
      json(groups),
    ),
    ...pluck(
      'SELECT DISTINCT user_id FROM call_flow_targets WHERE user_id IS NOT NULL AND call_flow_id IN (SELECT value FROM json_each(?))',
      json(actor.callAccess === 'personal' ? [] : flows),
    ),
  ]);
  return { bnIds: numbers, flowIds: flows, groupIds: groups, userIds: users };
}
