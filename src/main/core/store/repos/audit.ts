import type { AuditEvent } from '../../../../shared/api/entities';
import type { Sql } from '../../policy/listSql';
import type { Db } from '../db';
import { sqlLimit } from '../../policy/listSql';
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
