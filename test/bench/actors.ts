import type { CallAccessLevel } from '../../src/shared/primitives';
import { bnRouting } from '../../src/main/core/store/repos/flows';
import { callBranches, loadActor, threadBranches } from '../../src/main/core/policy';
import type { Db } from '../../src/main/core/store/db';

/** Someone the list benchmark signs in as: one per access level, plus a user in several groups. */
export interface BenchActor {
  key: string;
  label: string;
  userId: number;
  level: CallAccessLevel;
  /** Visibility branches of the call list: how many index range scans the UNION merges. */
  branches: number;
  threadBranches: number;
}

const one = (db: Db, sql: string): number | undefined => db.prepare(sql).pluck().get() as number | undefined;

/**
 * The heaviest user of each kind, found in the data rather than assumed:
 * the personal Agent who took part in the most calls, a one-group Agent of
 * the busiest group, the group Agent in the most groups, the call-flow Agent
 * in the most flows, the Manager with the most business numbers, the owner.
 */
export function pickActors(db: Db): BenchActor[] {
  const picks: [string, string, number | undefined][] = [
    [
      'personal',
      'personal (most calls)',
      one(
        db,
        `SELECT u.id FROM users u JOIN call_participants p ON p.user_id = u.id WHERE u.call_access = 'personal' GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1`,
      ),
    ],
    [
      'group',
      'group (busiest group)',
      one(
        db,
        `SELECT m.user_id FROM group_members m JOIN users u ON u.id = m.user_id
          WHERE u.call_access = 'group' AND m.group_id = (SELECT group_id FROM calls WHERE group_id IS NOT NULL GROUP BY group_id ORDER BY count(*) DESC LIMIT 1)
            AND (SELECT count(*) FROM group_members x WHERE x.user_id = m.user_id) = 1
          ORDER BY m.user_id LIMIT 1`,
      ),
    ],
    [
      'groups',
      'group (several groups)',
      one(
        db,
        `SELECT u.id FROM users u JOIN group_members m ON m.user_id = u.id WHERE u.call_access = 'group' GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1`,
      ),
    ],
    ['callflow', 'callflow (most flows)', undefined],
    [
      'numbers',
      'numbers (Manager, most BNs)',
      one(
        db,
        `SELECT u.id FROM users u JOIN user_numbers n ON n.user_id = u.id AND n.kind = 'scope' WHERE u.role = 'manager' GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1`,
      ),
    ],
    ['all', 'all (owner)', one(db, 'SELECT owner_user_id FROM accounts ORDER BY id LIMIT 1')],
  ];
  // "Most flows" needs the policy's own notion of being part of a flow.
  const flowAgents = db
    .prepare(`SELECT id FROM users WHERE call_access = 'callflow' AND active = 1 ORDER BY id`)
    .pluck()
    .all() as number[];
  let best: [number, number] | null = null;
  for (const id of flowAgents) {
    const n = loadActor(db, id)?.flowIds.length ?? 0;
    if (!best || n > best[1]) best = [id, n];
  }
  picks[3]![2] = best?.[0];

  const routing = bnRouting(db, 1);
  return picks.flatMap(([key, label, userId]) => {
    if (userId === undefined) return [];
    const actor = loadActor(db, userId);
    if (!actor) return [];
    return [
      {
        key,
        label,
        userId,
        level: actor.callAccess,
        branches: callBranches(actor).length,
        threadBranches: threadBranches(actor, routing).length,
      },
    ];
  });
}
