import type { CallAccessLevel, ManagerPermission, Plan, Role } from '../../../shared/primitives';
import { callAccessLevels, managerPermissions, plans, roles } from '../../../shared/primitives';
import type { Db } from '../store/db';
import { stmt } from '../store/stmt';

/**
 * Everything the policy needs to know about the person acting, as the database
 * holds it now, so that a revoked grant takes effect at once (see the cache in
 * loadActor). Frozen: one actor may serve several requests.
 */
export interface Actor {
  userId: number;
  accountId: number;
  name: string;
  role: Role;
  /** Effective level: the plan may narrow what is stored (POLICY.md §1, basic plan). */
  callAccess: CallAccessLevel;
  isOwner: boolean;
  permissions: ReadonlySet<ManagerPermission>;
  plan: Plan;
  accountStatus: 'active' | 'cancelled';
  cancelledAt: number | null;
  /** Groups the user belongs to. */
  groupIds: readonly number[];
  /** Call flows the user is part of (a step rings them or a group of theirs). */
  flowIds: readonly number[];
  /** BNs of a `numbers` call access. */
  scopeBnIds: readonly number[];
  outboundCallBnIds: readonly number[];
  smsBnIds: readonly number[];
  /** POLICY.md §3 "visible BNs". */
  visibleBnIds: readonly number[];
  /** Live BNs of the account (for "all" decisions). */
  accountBnIds: readonly number[];
  defaultBnId: number | null;
  /** Set when an Administrator views the console as this user: nothing may change. */
  viewedBy: { userId: number; name: string } | null;
}

export class UnknownPolicyValue extends Error {}

function known<T extends string>(list: readonly T[], value: string, what: string): T {
  if (!(list as readonly string[]).includes(value)) throw new UnknownPolicyValue(`Unknown ${what}: ${value}`);
  return value as T;
}

interface UserRow {
  id: number;
  account_id: number;
  name: string;
  role: string;
  call_access: string;
  active: number;
  default_bn_id: number | null;
  plan: string;
  status: string;
  cancelled_at: number | null;
  owner_user_id: number | null;
}

const ids = (db: Db, sql: string, ...params: unknown[]): number[] =>
  (
    stmt(db, sql)
      .pluck()
      .all(...params) as number[]
  ).sort((a, b) => a - b);

/**
 * Actors as last read, per connection. An entry is good only while the
 * access epoch (migration 017) is where it was when it was read: every
 * change to a table an actor is read from moves it on, through this
 * connection or another, so a revoked grant still takes effect on the very
 * next request; calls, messages and other writes leave it (and the cache)
 * alone. Inside a transaction the actor is read and not kept: that
 * transaction's writes may yet roll back.
 */
const actorCache = new WeakMap<Db, { stamp: number; actors: Map<number, Actor | null> }>();

function stampOf(db: Db): number {
  return stmt(db, 'SELECT n FROM access_epoch WHERE id = 1').pluck().get() as number;
}

/**
 * Loads an active user as an actor; null when the user does not exist or is
 * deactivated. An unknown role or level in the database is refused loudly.
 */
export function loadActor(db: Db, userId: number): Actor | null {
  if (db.inTransaction) return readActor(db, userId);
  const stamp = stampOf(db);
  let cache = actorCache.get(db);
  if (!cache || cache.stamp !== stamp) {
    cache = { stamp, actors: new Map() };
    actorCache.set(db, cache);
  }
  if (cache.actors.has(userId)) return cache.actors.get(userId)!;
  const actor = readActor(db, userId);
  cache.actors.set(userId, actor && deepFreeze(actor));
  return actor;
}

/** Freezes the actor and its id lists (the permission set is a ReadonlySet to the type checker). */
function deepFreeze(actor: Actor): Actor {
  for (const value of Object.values(actor)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(actor);
}

function readActor(db: Db, userId: number): Actor | null {
  const row = stmt(
    db,
    `SELECT u.id, u.account_id, u.name, u.role, u.call_access, u.active, u.default_bn_id,
              a.plan, a.status, a.cancelled_at, a.owner_user_id
         FROM users u JOIN accounts a ON a.id = u.account_id
        WHERE u.id = ?`,
  ).get(userId) as UserRow | undefined;
  if (!row || row.active !== 1) return null;
  const role = known(roles, row.role, 'role');
  const plan = known(plans, row.plan, 'plan');
  const accountStatus = known(['active', 'cancelled'] as const, row.status, 'account status');
  let callAccess = known(callAccessLevels, row.call_access, 'call access level');
  const permissions = new Set(
    (stmt(db, 'SELECT permission FROM manager_permissions WHERE user_id = ?').pluck().all(userId) as string[]).map(
      (p) => known(managerPermissions, p, 'manager permission'),
    ),
  );
  const accountBnIds = ids(
    db,
    'SELECT id FROM business_numbers WHERE account_id = ? AND released_at IS NULL',
    row.account_id,
  );
  const live = new Set(accountBnIds);
  const numbersOf = (kind: string) =>
    ids(db, 'SELECT bn_id FROM user_numbers WHERE user_id = ? AND kind = ?', userId, kind).filter((id) => live.has(id));
  const groupIds = ids(
    db,
    `SELECT m.group_id FROM group_members m JOIN user_groups g ON g.id = m.group_id
      WHERE m.user_id = ? AND g.deleted_at IS NULL`,
    userId,
  );
  const flowIds = ids(
    db,
    `SELECT DISTINCT t.call_flow_id FROM call_flow_targets t JOIN call_flows f ON f.id = t.call_flow_id
      WHERE f.deleted_at IS NULL AND f.account_id = ?
        AND (t.user_id = ? OR t.group_id IN (SELECT group_id FROM group_members WHERE user_id = ?))`,
    row.account_id,
    userId,
    userId,
  );

  let outboundCallBnIds = numbersOf('call');
  let smsBnIds = numbersOf('sms');
  let scopeBnIds = callAccess === 'numbers' ? numbersOf('scope') : [];
  if (role === 'administrator' || plan === 'basic') {
    // Administrators use every BN; on the basic plan everyone does (POLICY.md §1).
    outboundCallBnIds = accountBnIds;
    smsBnIds = accountBnIds;
  }
  if (role === 'administrator') callAccess = 'all';
  if (plan === 'basic' && role !== 'administrator') {
    callAccess = 'group';
    scopeBnIds = [];
  }
  const seesAllNumbers =
    role === 'administrator' || callAccess === 'all' || (role === 'manager' && permissions.has('numbers'));
  const visibleBnIds = seesAllNumbers
    ? accountBnIds
    : [...new Set([...outboundCallBnIds, ...smsBnIds, ...scopeBnIds])].sort((a, b) => a - b);

  return {
    userId: row.id,
    accountId: row.account_id,
    name: row.name,
    role,
    callAccess,
    isOwner: row.owner_user_id === row.id,
    permissions,
    plan,
    accountStatus,
    cancelledAt: row.cancelled_at,
    groupIds,
    flowIds,
    scopeBnIds,
    outboundCallBnIds,
    smsBnIds,
    visibleBnIds,
    accountBnIds,
    defaultBnId: row.default_bn_id !== null && outboundCallBnIds.includes(row.default_bn_id) ? row.default_bn_id : null,
    viewedBy: null,
  };
}
