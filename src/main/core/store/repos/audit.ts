import type { AuditEvent } from '../../../../shared/api/entities';
import type { Sql } from '../../policy/listSql';
import type { Db } from '../db';
import { sqlLimit } from '../../policy/listSql';
import { formatE164 } from '../../../../shared/phone';
import { stmt } from '../stmt';

export interface AuditFilter {
  actorUserId?: number | undefined;
  targetType?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/** Newest first, keyset on id; `scope` is the policy's predicate for this reader. */
export function auditPage(db: Db, scope: Sql, f: AuditFilter, beforeId: number | null, limit: number): AuditEvent[] {
  const rows = stmt(
    db,
    `SELECT e.id, e.at, e.actor_user_id, u.name AS actor_name, e.action, e.target_type, e.target_id, e.summary, e.before_json, e.after_json
       FROM audit_events e LEFT JOIN users u ON u.id = e.actor_user_id
      WHERE ${scope.sql}
        AND (? IS NULL OR e.id < ?)
        AND (? IS NULL OR e.actor_user_id = ?)
        AND (? IS NULL OR e.target_type = ?)
        AND (? IS NULL OR e.at >= ?)
        AND (? IS NULL OR e.at < ?)
      ORDER BY e.id DESC ${sqlLimit(limit)}`,
  ).all(
    ...scope.params,
    beforeId,
    beforeId,
    f.actorUserId ?? null,
    f.actorUserId ?? null,
    f.targetType ?? null,
    f.targetType ?? null,
    f.from ?? null,
    f.from ?? null,
    f.to ?? null,
    f.to ?? null,
  ) as {
    id: number;
    at: number;
    actor_user_id: number | null;
    actor_name: string | null;
    action: string;
    target_type: string;
    target_id: number | null;
    summary: string;
    before_json: string | null;
    after_json: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorUserId: r.actor_user_id,
    actorName: r.actor_name,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    summary: r.summary,
    before: r.before_json === null ? null : (JSON.parse(r.before_json) as unknown),
    after: r.after_json === null ? null : (JSON.parse(r.after_json) as unknown),
  }));
}

/** Which kind of thing an id under this key of a before/after value names. */
const refKinds: Record<string, 'numbers' | 'users' | 'groups' | 'callFlows'> = {
  bnId: 'numbers',
  bnIds: 'numbers',
  scopeBnIds: 'numbers',
  outboundCallBnIds: 'numbers',
  smsBnIds: 'numbers',
  defaultBnId: 'numbers',
  userId: 'users',
  userIds: 'users',
  memberIds: 'users',
  ownerUserId: 'users',
  groupId: 'groups',
  groupIds: 'groups',
  callFlowId: 'callFlows',
};

/** Every id the values hold under a known key, by kind (flow steps' group and user ids included). */
export function auditRefs(
  values: readonly unknown[],
): Record<'numbers' | 'users' | 'groups' | 'callFlows', Set<number>> {
  const refs = {
    numbers: new Set<number>(),
    users: new Set<number>(),
    groups: new Set<number>(),
    callFlows: new Set<number>(),
  };
  const walk = (v: unknown, depth: number): void => {
    if (depth > 12 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      const kind = refKinds[k];
      if (kind) {
        for (const id of Array.isArray(x) ? x : [x])
          if (typeof id === 'number' && Number.isSafeInteger(id)) refs[kind].add(id);
      } else walk(x, depth + 1);
    }
  };
  for (const v of values) walk(v, 0);
  return refs;
}

/**
 * The names of the ids an audit page refers to, read from the account's own
 * rows (released numbers, deleted groups and flows and deactivated people
 * are kept, so history still names them).
 */
export function auditNames(db: Db, accountId: number, events: readonly AuditEvent[]) {
  const refs = auditRefs(events.flatMap((e) => [e.before, e.after]));
  const each = <R>(sql: string, ids: Set<number>): R[] =>
    ids.size === 0 ? [] : (stmt(db, sql).all(accountId, JSON.stringify([...ids])) as R[]);
  const inList = 'account_id = ? AND id IN (SELECT value FROM json_each(?))';
  const numbers = each<{ id: number; e164: string; label: string; released_at: number | null }>(
    `SELECT id, e164, label, released_at FROM business_numbers WHERE ${inList}`,
    refs.numbers,
  );
  const users = each<{ id: number; name: string; extension: string; active: number }>(
    `SELECT id, name, extension, active FROM users WHERE ${inList}`,
    refs.users,
  );
  const groups = each<{ id: number; name: string; deleted_at: number | null }>(
    `SELECT id, name, deleted_at FROM user_groups WHERE ${inList}`,
    refs.groups,
  );
  const flows = each<{ id: number; name: string; deleted_at: number | null }>(
    `SELECT id, name, deleted_at FROM call_flows WHERE ${inList}`,
    refs.callFlows,
  );
  return {
    numbers: Object.fromEntries(
      numbers.map((n) => [n.id, { formatted: formatE164(n.e164), label: n.label, released: n.released_at !== null }]),
    ),
    users: Object.fromEntries(
      users.map((u) => [u.id, { name: u.name, extension: u.extension, active: u.active === 1 }]),
    ),
    groups: Object.fromEntries(groups.map((g) => [g.id, { name: g.name, deleted: g.deleted_at !== null }])),
    callFlows: Object.fromEntries(flows.map((f) => [f.id, { name: f.name, deleted: f.deleted_at !== null }])),
  };
}
