import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from '../../src/main/core/store/db';
import { migrations } from '../../src/main/core/store/migrations';
import { seedDemo } from '../../src/main/core/demo/seed';
import { callBranches, callPageSql, loadActor, threadBranches, threadPageSql } from '../../src/main/core/policy';
import { callRows, voicemailsForCalls } from '../../src/main/core/store/repos/calls';
import {
  callPageRows,
  callPageStatementSql,
  voicemailPageRows,
  voicemailPageStatementSql,
} from '../../src/main/core/store/repos/callPage';
import { bnRouting } from '../../src/main/core/store/repos/flows';
import { threadPageRows, threadPageStatementSql, threadRows } from '../../src/main/core/store/repos/threadPage';
import { inListOrder } from '../../src/main/core/store/jsonPage';
import { insertMessage } from '../../src/main/core/store/repos/threads';
import { NOW } from '../helpers/core';
import { searchNumbers } from '../../src/main/core/store/repos/numberSearch';
import { insertCall } from '../../src/main/core/store/repos/calls';

describe('migration 003: covering indexes for the rows of a page', () => {
  it('adds them over existing rows, replaces contacts_phone, and lookups by (account, phone) still find the first contact', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 2));
    db.exec(`
      INSERT INTO accounts (id, name, plan, created_at) VALUES (1, 'A', 'company', 0);
      INSERT INTO users (id, account_id, extension, name, email, role, call_access, created_at) VALUES
        (1, 1, '100', 'One', 'one@example.com', 'agent', 'group', 0);
      INSERT INTO contacts (id, account_id, name, phone, created_at) VALUES
        (7, 1, 'Second', '+13105550100', 0), (3, 1, 'First', '+13105550100', 0);
      INSERT INTO calls (id, account_id, direction, result, external_number, started_at, has_voicemail) VALUES
        (1, 1, 'inbound', 'voicemail', '+13105550100', 10, 1);
      INSERT INTO call_participants (user_id, started_at, call_id, role, has_voicemail) VALUES (1, 10, 1, 'voicemail', 1);
      INSERT INTO voicemails (id, call_id, duration_seconds, transcript) VALUES (9, 1, 12, 'hello');
    `);
    migrate(db, migrations.slice(0, 3));
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").pluck().all();
    expect(indexes).toEqual(
      expect.arrayContaining(['call_participants_call_role', 'contacts_phone_name', 'voicemails_call_list']),
    );
    expect(indexes).not.toContain('contacts_phone');
    const page = callPageSql([{ rule: 'participant', userId: 1 }], 1, { voicemailOnly: true }, null, 51);
    expect(voicemailPageRows(db, page, 1)).toEqual([
      {
        id: 9,
        callId: 1,
        durationSeconds: 12,
        transcript: 'hello',
        hasAudio: false,
        read: false,
        call: expect.objectContaining({
          id: 1,
          contactName: 'First',
          participants: [{ userId: 1, name: 'One', extension: '100', role: 'voicemail' }],
        }),
      },
    ]);
  });
});

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

describe('a page is one statement: the page query, then its rows by primary key, nothing sorted', () => {
  const db = openDatabase(':memory:');
  const ids = seedDemo(db, NOW, { days: 5 });
  db.exec('ANALYZE');
  const plan = (sql: string, params: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
  const fullScan =
    /\bSCAN (c|p|t|q|v|calls|messages|message_threads|call_participants|thread_participants)\b(?! USING)/;
  const users = ['jasmine', 'john', 'karey', 'leo', 'morgan'];
  const cursors = [null, { k: NOW - 86_400_000, id: 1e9 }];

  it.each(users)('%s: calls, voicemails and threads', (key) => {
    const actor = loadActor(db, ids.users[key]!)!;
    for (const cursor of cursors) {
      const calls = callPageSql(callBranches(actor), actor.accountId, {}, cursor, 51);
      const vms = callPageSql(callBranches(actor), actor.accountId, { voicemailOnly: true }, cursor, 51);
      const threads = threadPageSql(
        threadBranches(actor, bnRouting(db, actor.accountId)),
        actor.accountId,
        {},
        cursor,
        51,
      );
      for (const [sql, params] of [
        [callPageStatementSql(calls.sql), calls.params],
        [voicemailPageStatementSql(vms.sql), [...vms.params, actor.userId]],
        [threadPageStatementSql(threads.sql), [...threads.params, actor.userId]],
      ] as const) {
        const details = plan(sql, [...params]);
        // The page query runs as a co-routine in list order, so the outer ORDER BY needs no sort…
        expect(details).toMatch(/CO-ROUTINE page/);
        expect(details).not.toMatch(/TEMP B-TREE/);
        expect(details).not.toMatch(fullScan);
        // …and each row is found by its primary key, its details in covering indexes (migration 003).
        expect(details).toMatch(/SEARCH [ct] USING INTEGER PRIMARY KEY/);
        expect(details).toMatch(/SEARCH k USING COVERING INDEX contacts_phone_name/);
        if (sql.includes('call_participants q'))
          expect(details).toMatch(/SEARCH q USING COVERING INDEX call_participants_call_role/);
        if (sql.includes('voicemails v')) expect(details).toMatch(/SEARCH v USING COVERING INDEX voicemails_call_list/);
      }
    }
  });

  it('rows of a page are checked to be in list order, and sorted if they are not', () => {
    const rows = [
      [3, 'x', 300],
      [5, 'y', 500],
      [4, 'z', 500],
      [4, 'w', 500],
      [1, 'v', 100],
    ];
    expect(inListOrder(rows.slice(), 2, 0).map((r) => r[0])).toEqual([5, 4, 4, 3, 1]);
    const ordered = [rows[1]!, rows[2]!, rows[0]!, rows[4]!];
    expect(inListOrder(ordered, 2, 0)).toBe(ordered);
  });

  it.each(users)('%s: the same rows, in the same order, as the page query followed by the rows by id', (key) => {
    const actor = loadActor(db, ids.users[key]!)!;
    const participants = db.prepare(
      `SELECT p.user_id AS userId, u.name, u.extension, p.role FROM call_participants p JOIN users u ON u.id = p.user_id
        WHERE p.call_id = ? ORDER BY u.extension`,
    );
    for (const cursor of cursors) {
      const calls = callPageSql(callBranches(actor), actor.accountId, {}, cursor, 30);
      const callIds = (db.prepare(calls.sql).all(...calls.params) as { id: number }[]).map((r) => r.id);
      const page = callPageRows(db, calls);
      expect(page.map((c) => c.id)).toEqual(callIds);
      expect(page).toEqual(callRows(db, callIds));
      for (const c of page) expect(c.participants).toEqual(participants.all(c.id));

      const vms = callPageSql(callBranches(actor), actor.accountId, { voicemailOnly: true }, cursor, 30);
      const vmIds = (db.prepare(vms.sql).all(...vms.params) as { id: number }[]).map((r) => r.id);
      const details = voicemailsForCalls(db, vmIds, actor.userId);
      expect(voicemailPageRows(db, vms, actor.userId)).toEqual(
        callRows(db, vmIds).map((call) => ({ ...details.get(call.id)!, call })),
      );

      const threads = threadPageSql(
        threadBranches(actor, bnRouting(db, actor.accountId)),
        actor.accountId,
        {},
        cursor,
        30,
      );
      const threadIds = (db.prepare(threads.sql).all(...threads.params) as { id: number }[]).map((r) => r.id);
      expect(threadPageRows(db, threads, actor.userId)).toEqual(threadRows(db, threadIds, actor.userId));
    }
  });

  it('the SQL of a list is kept per shape: other values, same text; another filter, cursor or limit, another text', () => {
    const john = loadActor(db, ids.users.john!)!;
    const leo = loadActor(db, ids.users.leo!)!;
    const a = callPageSql(callBranches(john), john.accountId, { direction: 'inbound' }, { k: 5, id: 6 }, 51);
    const b = callPageSql(callBranches(john), john.accountId, { direction: 'outbound' }, { k: 7, id: 8 }, 51);
    expect(b.sql).toBe(a.sql);
    expect(b.params).not.toEqual(a.params);
    expect(callPageSql(callBranches(john), john.accountId, { result: 'missed' }, { k: 7, id: 8 }, 51).sql).not.toBe(
      a.sql,
    );
    expect(callPageSql(callBranches(john), john.accountId, { direction: 'inbound' }, null, 51).sql).not.toBe(a.sql);
    expect(callPageSql(callBranches(leo), leo.accountId, { direction: 'inbound' }, { k: 5, id: 6 }, 51).sql).not.toBe(
      a.sql,
    );
    // The limit is in the text (a bound LIMIT makes SQLite compile the statement again on every run).
    const c = callPageSql(callBranches(john), john.accountId, { direction: 'inbound' }, { k: 5, id: 6 }, 21);
    expect(c.sql).not.toBe(a.sql);
    expect(c.sql).toMatch(/LIMIT 21$/);
    expect(c.params).toEqual(a.params);
    expect(() => callPageSql(callBranches(john), john.accountId, {}, null, 1.5)).toThrow(RangeError);
  });
});

describe('migration 004: outside numbers found by any part, and their calls by number', () => {
  const setup = () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 3));
    db.exec(`
      INSERT INTO accounts (id, name, plan, created_at) VALUES (1, 'A', 'company', 0), (2, 'B', 'company', 0);
      INSERT INTO users (id, account_id, extension, name, email, role, call_access, created_at) VALUES
        (1, 1, '100', 'One', 'one@example.com', 'agent', 'group', 0);
      INSERT INTO business_numbers (id, account_id, e164, created_at) VALUES (1, 1, '+12135550100', 0), (2, 2, '+12135550101', 0);
      INSERT INTO contacts (id, account_id, name, phone, created_at) VALUES (1, 1, 'Dana Whitfield', '+13105550177', 0);
      INSERT INTO calls (id, account_id, direction, result, bn_id, external_number, started_at) VALUES
        (1, 1, 'inbound', 'answered', 1, '+13105550177', 10), (2, 1, 'inbound', 'missed', 1, '+13105550177', 20),
        (3, 1, 'outbound', 'answered', 1, '+16465550123', 30), (4, 1, 'internal', 'answered', NULL, NULL, 40),
        (5, 2, 'inbound', 'answered', 2, '+16465550123', 50);
      INSERT INTO message_threads (id, account_id, bn_id, external_number, last_message_at) VALUES (1, 1, 1, '+19175550999', 60);
    `);
    migrate(db, migrations);
    return db;
  };
  const numbers = (db: Database.Database) =>
    db.prepare('SELECT account_id, number, calls FROM external_numbers ORDER BY account_id, number').raw().all();

  it('backfills every number of calls and threads once per account, with its count of calls', () => {
    const db = setup();
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(numbers(db)).toEqual([
      [1, '+13105550177', 2],
      [1, '+16465550123', 1],
      [1, '+19175550999', 0],
      [2, '+16465550123', 1],
    ]);
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").pluck().all();
    expect(indexes).toEqual(expect.arrayContaining(['calls_number', 'message_threads_number']));
    expect(indexes).not.toContain('calls_external');
  });

  it('keeps the numbers and their counts as calls and threads are written', () => {
    const db = setup();
    const call = (external: string | null) =>
      insertCall(db, {
        accountId: 1,
        direction: 'inbound',
        result: 'answered',
        bnId: 1,
        externalNumber: external,
        startedAt: 100,
        answeredAt: null,
        endedAt: null,
        callFlowId: null,
        groupId: null,
        participants: [],
        events: [],
        voicemail: null,
      });
    call('+16465550123');
    call('+14155550142');
    call(null);
    db.prepare(
      "INSERT INTO message_threads (account_id, bn_id, external_number, last_message_at) VALUES (1, 1, '+14155550142', 70), (1, 1, '+17185550111', 80)",
    ).run();
    expect(numbers(db)).toEqual([
      [1, '+13105550177', 2],
      [1, '+14155550142', 1],
      [1, '+16465550123', 2],
      [1, '+17185550111', 0],
      [1, '+19175550999', 0],
      [2, '+16465550123', 1],
    ]);
  });

  it('a search finds numbers by digits anywhere in them and by contact name, within the account only', () => {
    const db = setup();
    expect(searchNumbers(db, 1, '555-0123', 100)).toEqual({ numbers: ['+16465550123'], calls: 1 });
    expect(searchNumbers(db, 1, '(310) 555', 100)).toEqual({ numbers: ['+13105550177'], calls: 2 });
    expect(searchNumbers(db, 1, 'whitf', 100)).toEqual({ numbers: ['+13105550177'], calls: 2 });
    expect(searchNumbers(db, 1, '99999', 100)).toEqual({ numbers: [], calls: 0 });
    expect(searchNumbers(db, 1, 'nobody', 100)).toEqual({ numbers: [], calls: 0 });
    expect(searchNumbers(db, 2, 'whitf', 100)).toEqual({ numbers: [], calls: 0 });
    // LIKE's wildcards in a name are characters to find, not patterns.
    expect(searchNumbers(db, 1, 'Dana_W', 100)).toEqual({ numbers: [], calls: 0 });
    // Two digits are left to the list's own scan (they match most numbers), as are more calls than the budget.
    expect(searchNumbers(db, 1, '55', 100)).toBeNull();
    expect(searchNumbers(db, 1, '310', 1)).toBeNull();
  });
});

describe('a search resolved to numbers drives the page by those numbers, never by a scan', () => {
  const db = openDatabase(':memory:');
  const ids = seedDemo(db, NOW, { days: 5 });
  const plan = (q: { sql: string; params: unknown[] }) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
  const numbers = db.prepare('SELECT number FROM external_numbers LIMIT 3').pluck().all() as string[];

  it.each(['jasmine', 'john', 'karey', 'leo', 'morgan'])(
    '%s: calls, voicemails, threads, with filters and a cursor',
    (key) => {
      const actor = loadActor(db, ids.users[key]!)!;
      for (const cursor of [null, { k: NOW - 86_400_000, id: 1e9 }]) {
        for (const f of [
          { numbers },
          { numbers, voicemailOnly: true },
          { numbers, direction: 'inbound', result: 'missed', bnId: 1 },
        ]) {
          const branches = callBranches(actor);
          const calls = plan(callPageSql(branches, actor.accountId, f, cursor, 51));
          // The group, flow and number branches by the calls' number index, the actor's own calls by their own rows.
          if (branches.some((b) => b.rule !== 'participant'))
            expect(calls).toMatch(
              /SEARCH c USING (COVERING )?INDEX calls_number \(account_id=\? AND external_number=\?/,
            );
          if (branches.some((b) => b.rule === 'participant'))
            expect(calls).toMatch(
              /SEARCH p USING (COVERING )?INDEX call_participants_number \(user_id=\? AND external_number=\?/,
            );
          expect(calls).not.toMatch(/SEARCH vp\b/);
          expect(calls).not.toMatch(/\bSCAN c\b/);
          expect(calls).not.toMatch(/calls_account_time|calls_group_time|calls_flow_time|calls_bn_time/);
        }
        const threads = plan(
          threadPageSql(
            threadBranches(actor, bnRouting(db, actor.accountId)),
            actor.accountId,
            { numbers },
            cursor,
            51,
          ),
        );
        expect(threads).toMatch(
          /SEARCH t USING (COVERING )?INDEX message_threads_number \(account_id=\? AND external_number=\?/,
        );
        expect(threads).not.toMatch(/\bSCAN t\b/);
      }
    },
  );

  it('the number lookup itself reads one range of the suffixes and numbers by id', () => {
    const details = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT n.number FROM external_numbers n WHERE n.id IN (SELECT DISTINCT s.number_id
             FROM external_number_parts s WHERE s.account_id = ? AND s.part >= ? AND s.part < ? LIMIT 2001)`,
        )
        .all(1, '555', '555\u{10ffff}') as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('\n');
    expect(details).toMatch(/SEARCH n USING INTEGER PRIMARY KEY/);
    expect(details).toMatch(/SEARCH s USING PRIMARY KEY \(account_id=\? AND part>\? AND part<\?\)/);
  });
});
