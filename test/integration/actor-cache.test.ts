import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/main/core/store/db';
import { seedDemo } from '../../src/main/core/demo/seed';
import { loadActor } from '../../src/main/core/policy';
import { NOW } from '../helpers/core';

/**
 * loadActor keeps the actors it read while the database is unchanged (a list
 * request then costs no actor queries). These tests hold it to "a revoked
 * grant takes effect at once" whatever the path of the change.
 */
describe('actor cache', () => {
  it('returns the same actor while nothing changed, a fresh one after any write on this connection', () => {
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
