import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, MigrationError, openDatabase } from '../../src/main/core/store/db';
import { migrations } from '../../src/main/core/store/migrations';
import { seedDemo } from '../../src/main/core/demo/seed';
import { callBranches, callPageSql, loadActor, threadBranches, threadPageSql } from '../../src/main/core/policy';
import { bnRouting } from '../../src/main/core/store/repos/flows';
import { messagePageSql } from '../../src/main/core/store/repos/threads';
import { NOW } from '../helpers/core';

const tables = (db: Database.Database) =>
  db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as {
    name: string;
    sql: string;
  }[];

describe('migrations', () => {
  it('001 creates every entity of POLICY.md §1 as a STRICT table with foreign keys on', () => {
    const db = openDatabase(':memory:');
    const names = tables(db).map((t) => t.name);
    for (const t of [
      'accounts',
      'users',
      'business_numbers',
      'user_groups',
      'group_members',
      'call_flows',
      'calls',
      'call_participants',
      'voicemails',
      'message_threads',
      'messages',
      'contacts',
      'integrations',
      'billing_profiles',
      'audit_events',
      'manager_permissions',
      'user_numbers',
    ]) {
      expect(names).toContain(t);
    }
    // The trigram index (migration 004) is a virtual table with its own shadow tables, which SQLite makes as it likes.
    const ordinary = new Set(
      (db.pragma('table_list') as { name: string; type: string }[])
        .filter((t) => t.type === 'table')
        .map((t) => t.name),
    );
    for (const t of tables(db).filter((x) => ordinary.has(x.name))) expect(t.sql, t.name).toMatch(/\bSTRICT\b/);
    expect(ordinary).toContain('external_numbers');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
  });

  it('uses WAL for a database file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teamline-'));
    try {
      const db = openDatabase(join(dir, 'a.db'));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('001 enforces the role / call access pairs and append-only audit', () => {
    const db = openDatabase(':memory:');
    seedDemo(db, NOW, { days: 0 });
    expect(() => db.prepare(`UPDATE users SET call_access = 'group' WHERE role = 'manager'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE users SET role = 'superuser'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE audit_events SET summary = ?').run('x')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    expect(() =>
      db.prepare(`INSERT INTO business_numbers (account_id, e164, created_at) VALUES (1, '12136472453', 0)`).run(),
    ).toThrow(/CHECK/);
  });

  it('is idempotent: opening again runs nothing', () => {
    const db = openDatabase(':memory:');
    expect(migrate(db, migrations)).toBe(migrations.length);
  });

  it('refuses a database written by a newer version', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${migrations.length + 1}`);
    expect(() => migrate(db, migrations)).toThrow(MigrationError);
  });

  it('refuses gaps in version numbers', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'x', sql: '' }])).toThrow(/expected 1/);
  });

  it('runs pending migrations in one transaction: a failing one leaves the old schema whole', () => {
    const db = new Database(':memory:');
    migrate(db, migrations);
    const before = tables(db).length;
    const broken = [
      ...migrations,
      { version: migrations.length + 1, name: 'ok', sql: 'CREATE TABLE t1 (a INTEGER) STRICT;' },
      { version: migrations.length + 2, name: 'bad', sql: 'CREATE TABLE oops (' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(tables(db).length).toBe(before);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
  });
});

describe('hot list queries use indexes, never a full scan of calls or messages', () => {
  const db = openDatabase(':memory:');
  const ids = seedDemo(db, NOW, { days: 5 });
  db.exec('ANALYZE');
  const plan = (sql: string, params: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  const fullScan = /\bSCAN (c|p|t|calls|messages|message_threads|call_participants|thread_participants)\b(?! USING)/;

  const cases = [
    ['personal', 'jasmine'],
    ['group', 'john'],
    ['callflow', 'karey'],
    ['numbers', 'leo'],
    ['all', 'morgan'],
  ] as const;

  it.each(cases)('calls, %s access (%s): first page and deep page', (level, key) => {
    const actor = loadActor(db, ids.users[key]!)!;
    expect(actor.callAccess).toBe(level);
    for (const cursor of [null, { k: NOW - 2 * 86_400_000, id: 1e9 }]) {
      for (const filter of [{}, { direction: 'inbound' }, { voicemailOnly: true }, { from: NOW - 3 * 86_400_000 }]) {
        const q = callPageSql(callBranches(actor), actor.accountId, filter, cursor, 51);
        const details = plan(q.sql, q.params);
        expect(details.join('\n')).not.toMatch(fullScan);
        expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
      }
    }
  });

  it.each(cases)('message threads, %s access (%s)', (_level, key) => {
    const actor = loadActor(db, ids.users[key]!)!;
    const q = threadPageSql(threadBranches(actor, bnRouting(db, actor.accountId)), actor.accountId, {}, null, 51);
    expect(plan(q.sql, q.params).join('\n')).not.toMatch(fullScan);
  });

  it('messages of a thread', () => {
    for (const [sql, params] of [
      // Thread, where the reader's view begins, and the cursor.
      [messagePageSql(true, 50), [1, 0, 0, NOW, 1e9]],
      [messagePageSql(false, 50), [1, 0, 0]],
    ] as const) {
      const details = plan(sql, [...params]).join('\n');
      expect(details).toMatch(/messages_thread_time/);
      expect(details).not.toMatch(fullScan);
      expect(details).not.toMatch(/TEMP B-TREE/);
    }
  });
});
