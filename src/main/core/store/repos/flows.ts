import type { CallFlow, FlowStep } from '../../../../shared/api/entities';
import type { Db } from '../db';
import { ids, stmt } from '../stmt';

/** Every group and user a step tree rings or sends voicemail to, at any depth. */
export function flowTargets(steps: readonly FlowStep[]): { groupIds: number[]; userIds: number[] } {
  const groups = new Set<number>();
  const users = new Set<number>();
  const walk = (list: readonly FlowStep[]) => {
    for (const s of list) {
      if (s.groupId !== undefined && (s.kind === 'ring_group' || s.kind === 'voicemail')) groups.add(s.groupId);
      if (s.userId !== undefined && (s.kind === 'ring_user' || s.kind === 'voicemail')) users.add(s.userId);
      for (const b of s.branches ?? []) walk(b.steps);
    }
  };
  walk(steps);
  return { groupIds: [...groups], userIds: [...users] };
}

interface Row {
  id: number;
  name: string;
  steps: string;
}

const toFlow = (db: Db, r: Row): CallFlow => ({
  id: r.id,
  name: r.name,
  steps: JSON.parse(r.steps) as FlowStep[],
  bnIds: flowBnIds(db, r.id),
  hiddenBnCount: 0,
});

export function flowBnIds(db: Db, flowId: number): number[] {
  return ids(db, 'SELECT id FROM business_numbers WHERE call_flow_id = ? AND released_at IS NULL ORDER BY id', flowId);
}

export function getFlow(db: Db, accountId: number, id: number): CallFlow | null {
  const r = stmt(
    db,
    'SELECT id, name, steps FROM call_flows WHERE id = ? AND account_id = ? AND deleted_at IS NULL',
  ).get(id, accountId) as Row | undefined;
  return r ? toFlow(db, r) : null;
}

export function listFlows(db: Db, accountId: number): CallFlow[] {
  return (
    stmt(db, 'SELECT id, name, steps FROM call_flows WHERE account_id = ? AND deleted_at IS NULL ORDER BY name').all(
      accountId,
    ) as Row[]
  ).map((r) => toFlow(db, r));
}

export function flowNameTaken(db: Db, accountId: number, name: string, exceptId: number | null): boolean {
  return (
    stmt(
      db,
      'SELECT 1 FROM call_flows WHERE account_id = ? AND name = ? COLLATE NOCASE AND deleted_at IS NULL AND id IS NOT ?',
    ).get(accountId, name, exceptId) !== undefined
  );
}

export function insertFlow(db: Db, accountId: number, name: string, steps: readonly FlowStep[], at: number): number {
  const id = Number(
    stmt(db, 'INSERT INTO call_flows (account_id, name, steps, created_at) VALUES (?, ?, ?, ?)').run(
      accountId,
      name,
      JSON.stringify(steps),
      at,
    ).lastInsertRowid,
  );
  writeTargets(db, id, steps);
  return id;
}

export function updateFlow(db: Db, id: number, name: string, steps: readonly FlowStep[]): void {
  stmt(db, 'UPDATE call_flows SET name = ?, steps = ? WHERE id = ?').run(name, JSON.stringify(steps), id);
  writeTargets(db, id, steps);
}

function writeTargets(db: Db, flowId: number, steps: readonly FlowStep[]): void {
  stmt(db, 'DELETE FROM call_flow_targets WHERE call_flow_id = ?').run(flowId);
  const { groupIds, userIds } = flowTargets(steps);
  const insert = stmt(db, 'INSERT INTO call_flow_targets (call_flow_id, group_id, user_id) VALUES (?, ?, ?)');
  for (const g of groupIds) insert.run(flowId, g, null);
  for (const u of userIds) insert.run(flowId, null, u);
}

/** A deleted flow keeps its history; its numbers stop routing to it. */
export function deleteFlow(db: Db, id: number, at: number): void {
  stmt(db, 'UPDATE business_numbers SET call_flow_id = NULL WHERE call_flow_id = ?').run(id);
  stmt(db, 'DELETE FROM call_flow_targets WHERE call_flow_id = ?').run(id);
  stmt(db, 'UPDATE call_flows SET deleted_at = ? WHERE id = ?').run(at, id);
}

/** (BN, flow) routing pairs of the account: threads follow their BN's flow. */
export function bnRouting(db: Db, accountId: number): { bnId: number; flowId: number }[] {
  return stmt(
    db,
    'SELECT id AS bnId, call_flow_id AS flowId FROM business_numbers WHERE account_id = ? AND released_at IS NULL AND call_flow_id IS NOT NULL',
  ).all(accountId) as { bnId: number; flowId: number }[];
}
