import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/main/core/demo/seed';
import { callBranches, callPageSql, can, decodeCursor, encodeCursor, loadActor } from '../../src/main/core/policy';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { callFacts } from '../../src/main/core/store/repos/calls';
import { NOW } from '../helpers/core';

/**
 * The team-member filter reads that member's participant rows: within each
 * group, flow or number branch one range of the member's (user, key, time)
 * index, and the actor's own calls probe the member's key
 * (policy/listSql.ts callPageSql, migration 013). Every actor's pages, page
 * after page, hold exactly the calls the policy lets them see that the
 * member took part in, with the other filters applied.
 */
let db: Db;
beforeAll(() => {
  db = openDatabase(':memory:');
  seedDemo(db, NOW, { days: 12, callsPerDay: 30 });
});
afterAll(() => db.close());

interface Row {
  id: number;
  started_at: number;
  direction: string;
  result: string;
  bn_id: number | null;
}

describe('calls of a team member', () => {
  it('are exactly what each actor may see, in list order, across pages', () => {
    const users = db.prepare('SELECT id FROM users WHERE active = 1 ORDER BY id').pluck().all() as number[];
    const calls = db
      .prepare('SELECT id, started_at, direction, result, bn_id FROM calls ORDER BY started_at DESC, id DESC')
      .all() as Row[];
    const members = db.prepare('SELECT user_id, call_id FROM call_participants').all() as {
      user_id: number;
      call_id: number;
    }[];
    const took = new Set(members.map((m) => `${m.user_id}:${m.call_id}`));
    const busiest = db
      .prepare('SELECT user_id FROM call_participants GROUP BY user_id ORDER BY count(*) DESC LIMIT 4')
      .pluck()
      .all() as number[];
    const bn = db.prepare('SELECT bn_id FROM calls WHERE bn_id IS NOT NULL LIMIT 1').pluck().get() as number;
    let compared = 0;
    let driven = 0;
    for (const userId of users) {
      const actor = loadActor(db, userId);
      if (!actor) continue;
      const branches = callBranches(actor);
      const visible = new Set(
        calls.filter((c) => can(actor, 'call.view', callFacts(db, actor.accountId, c.id)!).allowed).map((c) => c.id),
      );
      for (const member of busiest) {
        for (const filter of [{}, { result: 'missed' }, { direction: 'inbound', bnId: bn }] as const) {
          const want = calls
            .filter(
              (c) =>
                visible.has(c.id) &&
                took.has(`${member}:${c.id}`) &&
                (!('result' in filter) || c.result === filter.result) &&
                (!('direction' in filter) || (c.direction === filter.direction && c.bn_id === filter.bnId)),
            )
            .map((c) => c.id);
          const got: number[] = [];
          let cursor: string | undefined;
          for (let i = 0; i < 500; i++) {
            const q = callPageSql(branches, actor.accountId, { ...filter, userId: member }, decodeCursor(cursor), 8);
            if (i === 0 && /INDEXED BY call_participants_(group|bn|flow)_time WHERE p.user_id = \? AND/.test(q.sql))
              driven++;
            const page = db.prepare(q.sql).all(...q.params) as { k: number; id: number }[];
            got.push(...page.slice(0, 7).map((r) => r.id));
            if (page.length <= 7) break;
            cursor = encodeCursor(page[6]!);
          }
          expect(got, `actor ${userId}, member ${member}, ${JSON.stringify(filter)}`).toEqual(want);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
    expect(driven).toBeGreaterThan(0);
  });

  it('reads the member’s participant rows in list order, nothing sorted, no table scanned, no branch walked', () => {
    const actors = [...(db.prepare('SELECT id FROM users ORDER BY id').pluck().all() as number[])]
      .map((id) => loadActor(db, id)!)
      .filter((a) => callBranches(a).length > 1);
    const member = db.prepare('SELECT user_id FROM call_participants LIMIT 1').pluck().get() as number;
    let checked = 0;
    for (const actor of actors) {
      for (const cursor of [null, { k: NOW, id: 1_000_000 }]) {
        const q = callPageSql(callBranches(actor), actor.accountId, { userId: member, result: 'missed' }, cursor, 51);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map(
          (r) => r.detail,
        );
        const what = `${actor.callAccess}: ${plan.join(' | ')}`;
        expect(
          plan.some((l) => /TEMP B-TREE|^SCAN/.test(l)),
          what,
        ).toBe(false);
        // No group, flow or number branch is walked for the member: each is a range of the member's own rows.
        expect(
          plan.some((l) => /calls_(group|flow|bn|account)_time/.test(l)),
          what,
        ).toBe(false);
        for (const l of plan.filter((x) => /^SEARCH p /.test(x)))
          expect(l, what).toMatch(
            /^SEARCH p (USING (PRIMARY KEY \(user_id=\?|COVERING INDEX call_participants_(group|bn|flow)_time \(user_id=\? AND (group_id|bn_id|call_flow_id)=\?)|EXISTS USING (PRIMARY KEY|COVERING INDEX call_participants_(internal|group|bn|flow)_time) \(user_id=\? AND ((group_id|bn_id|call_flow_id)=\? AND )?started_at=\?)/,
          );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(4);
  });

  it('reads the calls an actor shares with the member as one range of their pairs (migration 016), for every filter', () => {
    const actors = [...(db.prepare('SELECT id FROM users ORDER BY id').pluck().all() as number[])]
      .map((id) => loadActor(db, id)!)
      .filter((a) => callBranches(a).some((b) => b.rule === 'participant'));
    const member = db.prepare('SELECT user_id FROM call_participants LIMIT 1').pluck().get() as number;
    const bn = db.prepare('SELECT bn_id FROM calls WHERE bn_id IS NOT NULL LIMIT 1').pluck().get() as number;
    let checked = 0;
    for (const actor of actors.filter((a) => a.userId !== member)) {
      for (const filter of [{}, { result: 'missed' }, { direction: 'internal' }, { bnId: bn }, { search: '555' }]) {
        for (const cursor of [null, { k: NOW, id: 1_000_000 }]) {
          const branches = callBranches(actor).filter((b) => b.rule === 'participant');
          const q = callPageSql(branches, actor.accountId, { ...filter, userId: member }, cursor, 51);
          const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map(
            (r) => r.detail,
          );
          const what = `${actor.userId} ${JSON.stringify(filter)}: ${plan.join(' | ')}`;
          expect(plan[0], what).toMatch(/^SEARCH x USING PRIMARY KEY \(user_id=\? AND other_id=\?/);
          expect(
            plan.some((l) => /TEMP B-TREE|^SCAN/.test(l)),
            what,
          ).toBe(false);
          for (const l of plan.filter((x) => /^SEARCH p /.test(x)))
            expect(l, what).toMatch(
              /^SEARCH p EXISTS USING (PRIMARY KEY|COVERING INDEX call_participants_(internal|group|bn|flow)_time) \(user_id=\? AND ((group_id|bn_id|call_flow_id)=\? AND )?started_at=\?/,
            );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
