import type { Db } from '../store/db';
import type { AuthedCtx } from './context';

export type TargetType =
  | 'user'
  | 'group'
  | 'callFlow'
  | 'number'
  | 'integration'
  | 'billing'
  | 'account'
  | 'contact'
  | 'trunk'
  | 'call'
  | 'callTag';

/**
 * Appends an audit event. Call it inside the transaction that makes the change,
 * so the change and its record land together or not at all.
 */
export function audit(
  ctx: AuthedCtx,
  action: string,
  target: { type: TargetType; id: number | null },
  summary: string,
  before: unknown,
  after: unknown,
): void {
  writeAudit(ctx.db, {
    accountId: ctx.actor.accountId,
    at: ctx.now(),
    actorUserId: ctx.actor.userId,
    action,
    targetType: target.type,
    targetId: target.id,
    summary,
    before,
    after,
  });
  ctx.emit('audit.changed', { kind: 'account', accountId: ctx.actor.accountId });
}

export function writeAudit(
  db: Db,
  e: {
    accountId: number;
    at: number;
    actorUserId: number | null;
    action: string;
    targetType: TargetType;
    targetId: number | null;
    summary: string;
    before: unknown;
    after: unknown;
  },
): void {
  db.prepare(
    `INSERT INTO audit_events (account_id, at, actor_user_id, action, target_type, target_id, summary, before_json, after_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    e.accountId,
    e.at,
    e.actorUserId,
    e.action,
    e.targetType,
    e.targetId,
    e.summary,
    e.before === undefined ? null : JSON.stringify(e.before),
    e.after === undefined ? null : JSON.stringify(e.after),
  );
}
