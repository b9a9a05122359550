import { describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/main/core/demo/seed';
import { loadActor, threadBranches, threadPageSql } from '../../src/main/core/policy';
import { bnRouting } from '../../src/main/core/store/repos/flows';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { searchNumbers } from '../../src/main/core/store/repos/numberSearch';
import { NOW } from '../helpers/core';

/**
 * Migration 016's lookups stay equal to what they are built from, whatever
 * writes them: every suffix (3+ characters) of each outside number, and
 * every ordered pair of distinct participants of each call, at the
 * participant's start — after seeding, a new call, a call moved in time
 * (its participants follow, migration 015) and a participant removed.
 */
const expectedPairs = (db: Db) =>
  db
    .prepare(
      `SELECT a.user_id, b.user_id, a.started_at, a.call_id FROM call_participants a
         JOIN call_participants b ON b.call_id = a.call_id AND b.user_id <> a.user_id ORDER BY 1, 2, 3, 4`,
    )
    .raw()
    .all();
const pairs = (db: Db) =>
  db.prepare('SELECT user_id, other_id, started_at, call_id FROM call_coparticipants ORDER BY 1, 2, 3, 4').raw().all();

function expectedParts(db: Db) {
  const out: [number, string, number][] = [];
  for (const [account, id, number] of db.prepare('SELECT account_id, id, number FROM external_numbers').raw().all() as [
    number,
    number,
    string,
  ][])
    for (let i = 0; i + 3 <= number.length; i++) out.push([account, number.slice(i), id]);
  const key = (r: [number, string, number]) => `${r[0]}\u0000${r[1]}\u0000${r[2]}`;
  return [...new Map(out.map((r) => [key(r), r])).values()].sort(
    (a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] - b[2]),
  );
}
const parts = (db: Db) =>
  db.prepare('SELECT account_id, part, number_id FROM external_number_parts ORDER BY 1, 2, 3').raw().all();

describe('search parts and co-participants (migration 016)', () => {
  it('are kept equal to the numbers and the participants by every writer', () => {
    const db = openDatabase(':memory:');
    seedDemo(db, NOW, { days: 10 });
    expect(pairs(db).length).toBeGreaterThan(0);
    expect(pairs(db)).toEqual(expectedPairs(db));
    expect(parts(db)).toEqual(expectedParts(db));

    // A call shared by three users; then moved in time; then one of them removed.
    const users = db.prepare('SELECT id FROM users ORDER BY id LIMIT 3').pluck().all() as number[];
    const call = Number(
      db
        .prepare(
          "INSERT INTO calls (account_id, direction, result, external_number, started_at) VALUES (1, 'inbound', 'answered', '+15125550199', ?)",
        )
        .run(NOW + 1).lastInsertRowid,
    );
    const add = db.prepare(
      "INSERT INTO call_participants (user_id, started_at, call_id, role) VALUES (?, ?, ?, 'answered')",
    );
    for (const u of users) add.run(u, NOW + 1, call);
    expect(pairs(db)).toEqual(expectedPairs(db));
    expect(db.prepare('SELECT count(*) FROM call_coparticipants WHERE call_id = ?').pluck().get(call)).toBe(6);
    expect(parts(db)).toEqual(expectedParts(db));

    db.prepare('UPDATE calls SET started_at = ? WHERE id = ?').run(NOW - 5, call);
    expect(
      db.prepare('SELECT DISTINCT started_at FROM call_coparticipants WHERE call_id = ?').pluck().all(call),
    ).toEqual([NOW - 5]);
    expect(pairs(db)).toEqual(expectedPairs(db));

    db.prepare('DELETE FROM call_participants WHERE call_id = ? AND user_id = ?').run(call, users[1]);
    expect(pairs(db)).toEqual(expectedPairs(db));
    db.close();
  });

  it('finds the numbers that contain the digits anywhere, within the account only', () => {
    const db = openDatabase(':memory:');
    seedDemo(db, NOW, { days: 10 });
    const all = db.prepare('SELECT number FROM external_numbers WHERE account_id = 1').pluck().all() as string[];
    for (const digits of ['555', '0142', '415555', '99999999', all[0]!.slice(1), all[3]!.slice(-7)]) {
      const got = searchNumbers(db, 1, digits, Number.MAX_SAFE_INTEGER);
      const names = db
        .prepare("SELECT phone FROM contacts WHERE account_id = 1 AND name LIKE ? ESCAPE '\\'")
        .pluck()
        .all(`%${digits}%`) as string[];
      const want = new Set([...all.filter((n) => n.includes(digits)), ...names]);
      expect(new Set(got?.numbers), digits).toEqual(want);
    }
    db.close();
  });

  it('reads a group’s conversations with one number as one range of their index', () => {
    const db = openDatabase(':memory:');
    seedDemo(db, NOW, { days: 10 });
    const bn = db.prepare('SELECT bn_id FROM message_threads LIMIT 1').pluck().get() as number;
    let checked = 0;
    for (const id of db.prepare('SELECT id FROM users ORDER BY id').pluck().all() as number[]) {
      const actor = loadActor(db, id);
      if (!actor) continue;
      const branches = threadBranches(actor, bnRouting(db, actor.accountId));
      if (!branches.some((b) => b.rule === 'group')) continue;
      for (const cursor of [null, { k: NOW, id: 1_000_000 }]) {
        const q = threadPageSql(branches, actor.accountId, { bnId: bn }, cursor, 51);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
          .map((r) => r.detail)
          .join(' | ');
        expect(plan).toMatch(
          /SEARCH t USING (COVERING )?INDEX message_threads_group_bn_time \(assigned_group_id=\? AND bn_id=\?/,
        );
        expect(plan).not.toMatch(/message_threads_bn_time|\bSCAN t\b/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    db.close();
  });
});
