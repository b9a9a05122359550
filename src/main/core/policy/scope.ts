import type { CallAccessLevel } from '../../../shared/primitives';
import type { Db } from '../store/db';
import { stmt } from '../store/stmt';
import type { Actor } from './actor';
import type { Sql } from './listSql';

/**
 * The business numbers whose calls a `group` or `callflow` level would show
 * (through the call flows that ring the groups or the user, as routed now).
 * Used to stop a Manager granting a scope wider than their own (invariant 3).
 */
export function reachBnIds(
  db: Db,
  accountId: number,
  subject: { userId?: number | undefined; groupIds: readonly number[] },
  level: CallAccessLevel | 'groupMembership',
): number[] {
  if (level === 'personal' || level === 'numbers' || level === 'all') return [];
  const groups = JSON.stringify(subject.groupIds);
  const includeUser = level === 'callflow' && subject.userId !== undefined;
  return stmt(
    db,
    `SELECT DISTINCT b.id FROM business_numbers b
         JOIN call_flow_targets t ON t.call_flow_id = b.call_flow_id
        WHERE b.account_id = ? AND b.released_at IS NULL
          AND (t.group_id IN (SELECT value FROM json_each(?)) OR (? AND t.user_id = ?))
        ORDER BY b.id`,
  )
    .pluck()
    .all(accountId, groups, includeUser ? 1 : 0, subject.userId ?? 0) as number[];
}

/**
 * Which audit events an actor may read. Administrators read everything;
 * a Manager with a user permission reads what they did, what was done to
 * Agents, and the areas their permissions cover.
 */
export function auditScopeSql(actor: Actor): Sql {
  if (actor.role === 'administrator') return { sql: 'e.account_id = ?', params: [actor.accountId] };
  const areas: string[] = [];
  if (actor.permissions.has('callFlows')) areas.push('callFlow');
  if (actor.permissions.has('numbers')) areas.push('number');
  if (actor.permissions.has('groups')) areas.push('group');
  if (actor.permissions.has('billing')) areas.push('billing');
  return {
    sql: `e.account_id = ? AND (
            e.actor_user_id = ?
         OR (e.target_type = 'user' AND e.target_id IN (SELECT id FROM users WHERE account_id = ? AND role = 'agent'))
         OR e.target_type IN (SELECT value FROM json_each(?)))`,
    params: [actor.accountId, actor.userId, actor.accountId, JSON.stringify(areas)],
  };
}
