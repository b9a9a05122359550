import { createRandom } from '../../src/main/core/demo/random';
import {
  callBranches,
  callPageSql,
  can,
  loadActor,
  type Actor,
  type CallFacts,
  type TargetUser,
} from '../../src/main/core/policy';
import type { Db } from '../../src/main/core/store/db';
import { callFacts } from '../../src/main/core/store/repos/calls';
import { flowBnIds } from '../../src/main/core/store/repos/flows';

/**
 * The single-decision mix the three policy implementations are timed on:
 * view a call, send an SMS from a BN, edit a user's settings, manage a call
 * flow, asked by every user of the bench account (so mostly Agents, as in a
 * real team). Resources are built once, before timing, for every engine.
 */
export type Check =
  | { action: 'call.view'; call: CallFacts }
  | { action: 'number.smsFrom'; bnId: number }
  | { action: 'user.editSettings'; target: TargetUser }
  | { action: 'callFlow.manage'; flowId: number; bnIds: readonly number[] };

export interface Mix {
  actors: Actor[];
  /** Parallel arrays: who asks (index into actors) and what. */
  who: Uint32Array;
  checks: Check[];
  share: Record<Check['action'], number>;
}

export function buildMix(db: Db, count: number, seed: number): Mix {
  const r = createRandom(seed);
  const actors = (db.prepare('SELECT id FROM users WHERE active = 1 ORDER BY id').pluck().all() as number[]).map((id) =>
    loadActor(db, id)!,
  );
  const maxCall = db.prepare('SELECT max(id) FROM calls').pluck().get() as number;
  const calls: CallFacts[] = [];
  for (let i = 0; i < 4000; i++) {
    const facts = callFacts(db, 1, r.int(1, maxCall));
    if (facts) calls.push(facts);
  }
  // Most "view call" checks are of a call the user has in front of them (opening it from their list).
  const listed = actors.map((a) => {
    const q = callPageSql(callBranches(a), a.accountId, {}, null, 20);
    return (db.prepare(q.sql).all(...q.params) as { id: number }[]).flatMap(
      (row) => callFacts(db, a.accountId, row.id) ?? [],
    );
  });
  const bns = db.prepare('SELECT id FROM business_numbers ORDER BY id').pluck().all() as number[];
  const targets = (
    db
      .prepare(
        'SELECT u.id, u.name, u.role, u.active, a.owner_user_id = u.id AS owner FROM users u JOIN accounts a ON a.id = u.account_id',
      )
      .all() as {
      id: number;
      name: string;
      role: TargetUser['role'];
      active: number;
      owner: number;
    }[]
  ).map((u): TargetUser => ({ id: u.id, name: u.name, role: u.role, isOwner: u.owner === 1, active: u.active === 1 }));
  const flows = (db.prepare('SELECT id FROM call_flows ORDER BY id').pluck().all() as number[]).map((id) => ({
    id,
    bnIds: flowBnIds(db, id),
  }));
  const who = new Uint32Array(count);
  const checks: Check[] = [];
  const share = { 'call.view': 0, 'number.smsFrom': 0, 'user.editSettings': 0, 'callFlow.manage': 0 };
  for (let i = 0; i < count; i++) {
    const a = r.int(0, actors.length - 1);
    who[i] = a;
    const x = r.next();
    // Editing oneself is part of real traffic: one edit in five is of one's own settings.
    const check: Check =
      x < 0.5
        ? { action: 'call.view', call: r.chance(0.7) && listed[a]!.length > 0 ? r.pick(listed[a]!) : r.pick(calls) }
        : x < 0.7
          ? { action: 'number.smsFrom', bnId: r.pick(bns) }
          : x < 0.9
            ? {
                action: 'user.editSettings',
                target: r.chance(0.2) ? targets.find((t) => t.id === actors[a]!.userId)! : r.pick(targets),
              }
            : (() => {
                const f = r.pick(flows);
                return { action: 'callFlow.manage' as const, flowId: f.id, bnIds: f.bnIds };
              })();
    share[check.action] += 1 / count;
    checks.push(check);
  }
  return { actors, who, checks, share };
}

/** Our policy module: the decisions the app makes. */
export function ourDecision(actor: Actor, c: Check): boolean {
  switch (c.action) {
    case 'call.view':
      return can(actor, 'call.view', c.call).allowed;
    case 'number.smsFrom':
      return can(actor, 'number.smsFrom', { bnId: c.bnId }).allowed;
    case 'user.editSettings':
      return can(actor, 'user.editSettings', { target: c.target, identity: false }).allowed;
    case 'callFlow.manage':
      return can(actor, 'callFlow.manage', { bnIds: c.bnIds }).allowed;
  }
}
