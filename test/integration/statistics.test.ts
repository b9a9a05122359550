import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/main/core/demo/seed';
import { openDatabase } from '../../src/main/core/store/db';
import { keepStatisticsFresh } from '../../src/main/core/store/statistics';
import { NOW } from '../helpers/core';

const dir = mkdtempSync(join(tmpdir(), 'teamline-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stat1 = (db: ReturnType<typeof openDatabase>, idx: string) =>
  db.prepare('SELECT count(*) FROM sqlite_stat1 WHERE idx = ?').pluck().get(idx) as number;

describe('planner statistics', () => {
  it('are brought up to date when the app opens its database, as per-index averages only', () => {
    const path = join(dir, 'account.db');
    const first = openDatabase(path);
    seedDemo(first, NOW, { days: 3 });
    first.close();
    // The next start finds the tables grown from nothing and analyzes them.
    const db = openDatabase(path);
    expect(stat1(db, 'calls_bn_time')).toBe(1);
    expect(stat1(db, 'call_participants_call_role')).toBe(1);
    // Samples of values would make SQLite plan each list statement for its bound values, on every request.
    const stat4 = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'").pluck().get();
    if (stat4) expect(db.prepare('SELECT count(*) FROM sqlite_stat4').pluck().get()).toBe(0);
    db.close();
  });

  it('are refreshed periodically while the app runs, and the timer stops with the database', async () => {
    const db = openDatabase(join(dir, 'periodic.db'));
    seedDemo(db, NOW, { days: 1 });
    db.exec('DELETE FROM sqlite_stat1');
    const stop = keepStatisticsFresh(db, 20);
    db.exec('DELETE FROM sqlite_stat1');
    await new Promise((r) => setTimeout(r, 100));
    expect(stat1(db, 'calls_bn_time')).toBe(1);
    stop();
    db.close();
  });
});
