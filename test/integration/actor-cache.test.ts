import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/main/core/store/db';
import { seedDemo } from '../../src/main/core/demo/seed';
import { loadActor } from '../../src/main/core/policy';
import { accessTables } from '../../src/main/core/store/migrations/017_access_epoch';
import { NOW } from '../helpers/core';

/**
 * loadActor keeps the actors it read while nothing they are made of changed
 * (the access epoch, migration 017: a list request then costs no actor
 * queries, and calls being recorded do not empty the cache). These tests
 * hold it to "a revoked grant takes effect at once" whatever the path of the
 * change.
 */
describe('actor cache', () => {
  it('returns the same actor while nothing changed, a fresh one after a change to access on this connection', () => {
    const db = openDatabase(':memory:');
    const ids = seedDemo(db, NOW, { days: 0 });
    const john = ids.users.john!;
    const a = loadActor(db, john)!;
    expect(loadActor(db, john)).toBe(a);
    expect(a.callAccess).toBe('group');
    db.prepare(`UPDATE users SET call_access = 'personal' WHERE id = ?`).run(john);
    const b = loadActor(db, john)!;
    expect(b.callAccess).toBe('personal');
    db.prepare('DELETE FROM group_members WHERE user_id = ?').run(john);
    expect(loadActor(db, john)!.groupIds).toEqual([]);
    db.prepare('UPDATE users SET active = 0 WHERE id = ?').run(john);
    expect(loadActor(db, john)).toBeNull();
  });

  it('keeps the actor while calls are recorded, and drops it on a change to any table an actor is read from', () => {
    const db = openDatabase(':memory:');
    const ids = seedDemo(db, NOW, { days: 2 });
    const john = ids.users.john!;
    const a = loadActor(db, john)!;
    db.prepare('UPDATE calls SET result = result WHERE id = (SELECT min(id) FROM calls)').run();
    db.prepare(
      `INSERT INTO audit_events (account_id, at, action, target_type, summary) VALUES (?, ?, 'x', 'user', 'x')`,
    ).run(ids.accountId, NOW);
    expect(loadActor(db, john)).toBe(a);
    for (const table of accessTables) {
      const before = loadActor(db, john)!;
      const first = db
        .prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid LIMIT 1`)
        .pluck()
        .get(table) as string;
      const changed = db
        .prepare(`UPDATE ${table} SET ${first} = ${first} WHERE ${first} = (SELECT ${first} FROM ${table} LIMIT 1)`)
        .run().changes;
      expect(changed, table).toBeGreaterThan(0);
      expect(loadActor(db, john), table).not.toBe(before);
    }
  });

  it('has a trigger for every change to every table readActor reads, and reads no other', () => {
    const db = openDatabase(':memory:');
    const triggers = db
      .prepare(`SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'access_epoch_%'`)
      .all() as { tbl_name: string; sql: string }[];
    for (const table of accessTables)
      for (const op of ['INSERT', 'UPDATE', 'DELETE'])
        expect(
          triggers.some((t) => t.tbl_name === table && t.sql.includes(`AFTER ${op} ON`)),
          `${op} ${table}`,
        ).toBe(true);
    // Every table named in readActor's statements is one the epoch follows.
    const source = readFileSync(join(import.meta.dirname, '../../src/main/core/policy/actor.ts'), 'utf8');
    const body = source.slice(source.indexOf('function readActor('));
    const read = new Set([...body.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)/g)].map((m) => m[1]!));
    expect(read.size).toBeGreaterThan(5);
    for (const table of read) expect(accessTables, table).toContain(table);
  });

  it('hands out a frozen actor, so one request cannot change what the next one sees', () => {
    const db = openDatabase(':memory:');
    const ids = seedDemo(db, NOW, { days: 0 });
    const leo = loadActor(db, ids.users.leo!)!;
    expect(Object.isFrozen(leo)).toBe(true);
    expect(Object.isFrozen(leo.scopeBnIds)).toBe(true);
    expect(() => ((leo as { callAccess: string }).callAccess = 'all')).toThrow(TypeError);
    expect(() => (leo.outboundCallBnIds as number[]).push(9999)).toThrow(TypeError);
    expect(loadActor(db, ids.users.leo!)!.callAccess).toBe('numbers');
  });

  it('sees a change committed by another connection', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teamline-actor-'));
    try {
      const path = join(dir, 'a.db');
      const db = openDatabase(path);
      const ids = seedDemo(db, NOW, { days: 0 });
      const other = openDatabase(path);
      const leo = ids.users.leo!;
      expect(loadActor(db, leo)!.scopeBnIds).toHaveLength(2);
      other.prepare(`DELETE FROM user_numbers WHERE user_id = ? AND kind = 'scope'`).run(leo);
      expect(loadActor(db, leo)!.scopeBnIds).toEqual([]);
      other.close();
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never keeps what a transaction read: its writes may roll back', () => {
    const db = openDatabase(':memory:');
    const ids = seedDemo(db, NOW, { days: 0 });
    const jasmine = ids.users.jasmine!;
    expect(loadActor(db, jasmine)!.callAccess).toBe('personal');
    expect(() =>
      db.transaction(() => {
        db.prepare(`UPDATE users SET call_access = 'group' WHERE id = ?`).run(jasmine);
        expect(loadActor(db, jasmine)!.callAccess).toBe('group');
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    expect(loadActor(db, jasmine)!.callAccess).toBe('personal');
  });
});
