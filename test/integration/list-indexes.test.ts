import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from '../../src/main/core/store/db';
import { migrations } from '../../src/main/core/store/migrations';
import { seedDemo } from '../../src/main/core/demo/seed';
import { callBranches, callPageSql, loadActor, threadBranches, threadPageSql } from '../../src/main/core/policy';
import { bnRouting } from '../../src/main/core/store/repos/flows';
import { insertMessage } from '../../src/main/core/store/repos/threads';
import { NOW } from '../helpers/core';

describe('migration 002: list indexes', () => {
  it('backfills has_voicemail on participants and last_message_at on thread participants', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 1));
    db.exec(`
      INSERT INTO accounts (id, name, plan, created_at) VALUES (1, 'A', 'company', 0);
      INSERT INTO users (id, account_id, extension, name, email, role, call_access, created_at) VALUES
        (1, 1, '100', 'One', 'one@example.com', 'agent', 'group', 0), (2, 1, '101', 'Two', 'two@example.com', 'agent', 'group', 0);
      INSERT INTO business_numbers (id, account_id, e164, created_at) VALUES (1, 1, '+12135550100', 0);
      INSERT INTO calls (id, account_id, direction, result, bn_id, started_at, has_voicemail) VALUES
        (1, 1, 'inbound', 'voicemail', 1, 10, 1), (2, 1, 'inbound', 'answered', 1, 20, 0);
      INSERT INTO call_participants (user_id, started_at, call_id, role) VALUES (1, 10, 1, 'voicemail'), (2, 20, 2, 'answered');
      INSERT INTO message_threads (id, account_id, bn_id, external_number, last_message_at) VALUES (1, 1, 1, '+13105550100', 500);
      INSERT INTO thread_participants (user_id, thread_id) VALUES (1, 1), (2, 1);
    `);
    migrate(db, migrations);
    expect(db.prepare('SELECT call_id, has_voicemail FROM call_participants ORDER BY call_id').raw().all()).toEqual([
      [1, 1],
      [2, 0],
    ]);
    expect(db.prepare('SELECT DISTINCT last_message_at FROM thread_participants').pluck().all()).toEqual([500]);
  });

  it('the repositories keep both copies equal to their source', () => {
    const db = openDatabase(':memory:');
    const ids = seedDemo(db, NOW, { days: 20 });
    const drift = () => ({
      calls: db
        .prepare(
          'SELECT count(*) FROM call_participants p JOIN calls c ON c.id = p.call_id WHERE p.has_voicemail <> c.has_voicemail',
        )
        .pluck()
        .get(),
      threads: db
        .prepare(
          'SELECT count(*) FROM thread_participants p JOIN message_threads t ON t.id = p.thread_id WHERE p.last_message_at <> t.last_message_at',
        )
        .pluck()
        .get(),
    });
    expect(db.prepare('SELECT count(*) FROM call_participants WHERE has_voicemail = 1').pluck().get()).toBeGreaterThan(
      0,
    );
    expect(drift()).toEqual({ calls: 0, threads: 0 });
    // A new message moves every participant's copy; an older one (out of order) moves none.
    const thread = db
      .prepare('SELECT thread_id FROM thread_participants GROUP BY thread_id HAVING count(*) > 1 LIMIT 1')
      .pluck()
      .get() as number;
    insertMessage(db, { threadId: thread, direction: 'inbound', senderUserId: null, body: 'new', at: NOW + 1000 });
    insertMessage(db, {
      threadId: thread,
      direction: 'inbound',
      senderUserId: null,
      body: 'late',
      at: NOW - 90 * 86_400_000,
    });
    insertMessage(db, {
      threadId: thread,
      direction: 'outbound',
      senderUserId: ids.users.leo!,
      body: 'reply',
      at: NOW + 2000,
    });
    expect(drift()).toEqual({ calls: 0, threads: 0 });
    expect(
      db.prepare('SELECT DISTINCT last_message_at FROM thread_participants WHERE thread_id = ?').pluck().all(thread),
    ).toEqual([NOW + 2000]);
  });
});

describe('voicemail and thread lists walk an index in list order for every access level', () => {
  const db = openDatabase(':memory:');
  const ids = seedDemo(db, NOW, { days: 5 });
  const plan = (q: { sql: string; params: unknown[] }) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');

  it.each(['jasmine', 'john', 'karey', 'leo', 'morgan'])('%s', (key) => {
    const actor = loadActor(db, ids.users[key]!)!;
    for (const cursor of [null, { k: NOW - 86_400_000, id: 1e9 }]) {
      const vm = plan(callPageSql(callBranches(actor), actor.accountId, { voicemailOnly: true }, cursor, 51));
      expect(vm).not.toMatch(/TEMP B-TREE/);
      expect(vm).not.toMatch(/\bSCAN\b(?! \w+ USING)/);
      // Every branch reads a partial index of voicemail calls, not all calls.
      for (const line of vm.split('\n').filter((l) => /^(SEARCH|SCAN)/.test(l)))
        expect(line).toMatch(/calls_vm_|call_participants_vm_time/);
      const threads = plan(
        threadPageSql(threadBranches(actor, bnRouting(db, actor.accountId)), actor.accountId, {}, cursor, 51),
      );
      expect(threads).not.toMatch(/TEMP B-TREE/);
      if (actor.callAccess !== 'all') expect(threads).toMatch(/thread_participants_time/);
    }
  });
});
