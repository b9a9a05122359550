import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCoreWithDb, createSession } from '../../src/main/core/api/core';
import { seedDemo } from '../../src/main/core/demo/seed';
import { callBranches, callPageSql, can, loadActor, threadBranches, threadPageSql } from '../../src/main/core/policy';
import { openDatabase } from '../../src/main/core/store/db';
import { callFacts, insertCall } from '../../src/main/core/store/repos/calls';
import { bnRouting } from '../../src/main/core/store/repos/flows';
import { insertThread, threadFacts } from '../../src/main/core/store/repos/threads';
import { contactNumbers } from '../../src/main/core/store/repos/numberSearch';
import type { CallDirection, CallResult } from '../../src/shared/primitives';
import { NOW } from '../helpers/core';

/**
 * Searches and filters of the calls and threads lists, against a plain model:
 * an item is listed when the policy's single decision allows it and it
 * matches the filter as written in JS (digits anywhere in the number, or part
 * of a contact's name). Both ways a search can run are checked: the page
 * driven by the numbers the search matches (through the API), and the
 * branches' own scans with the search as a condition (the fallback for
 * searches that match many numbers). The policy's decisions themselves are
 * checked against the model of POLICY.md §3 in visibility.property.test.ts.
 */
const words = ['Ava', 'Bo', 'Cruz', 'Dee', 'Eli'];
const digitsArb = fc.array(fc.constantFrom('0', '1', '2', '3'), { minLength: 4, maxLength: 6 }).map((d) => d.join(''));

const worldArb = fc.record({
  numbers: fc.array(digitsArb, { minLength: 1, maxLength: 5 }),
  contacts: fc.array(fc.record({ first: fc.nat(4), last: fc.nat(4), number: fc.nat(7) }), { maxLength: 4 }),
  calls: fc.array(
    fc.record({
      number: fc.option(fc.nat(6)),
      direction: fc.constantFrom<CallDirection>('inbound', 'outbound'),
      result: fc.constantFrom<CallResult>('answered', 'missed', 'voicemail'),
      bn: fc.nat(9),
      group: fc.option(fc.nat(9)),
      flow: fc.option(fc.nat(9)),
      participants: fc.array(fc.nat(9), { maxLength: 2 }),
      t: fc.nat(4),
    }),
    { maxLength: 30 },
  ),
  threads: fc.array(
    fc.record({
      number: fc.nat(6),
      bn: fc.nat(9),
      group: fc.option(fc.nat(9)),
      user: fc.option(fc.nat(9)),
      t: fc.nat(4),
    }),
    {
      maxLength: 8,
    },
  ),
  searches: fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant('digits' as const),
        number: fc.nat(6),
        from: fc.nat(5),
        len: fc.integer({ min: 2, max: 7 }),
      }),
      fc.record({ kind: fc.constant('name' as const), word: fc.nat(4), lower: fc.boolean() }),
      fc.constantFrom(
        { kind: 'none' as const, text: '99999' },
        { kind: 'none' as const, text: 'Zed' },
        { kind: 'none' as const, text: '1 Ava' },
      ),
    ),
    { minLength: 1, maxLength: 3 },
  ),
  filter: fc.record({
    result: fc.option(fc.constantFrom<CallResult>('missed', 'voicemail')),
    bn: fc.option(fc.nat(9)),
  }),
  pageSize: fc.integer({ min: 1, max: 6 }),
});

const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;

describe('searches and filters equal a plain model (property)', () => {
  it('calls and threads, through the numbers a search matches and through the scans, page by page', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (g) => {
        const db = openDatabase(':memory:');
        const ids = seedDemo(db, NOW, { days: 1 });
        const core = createCoreWithDb(db, { now: () => NOW });
        try {
          const accountId = ids.accountId;
          const col = (sql: string) => db.prepare(sql).pluck().all(accountId) as number[];
          const bns = col('SELECT id FROM business_numbers WHERE account_id = ?');
          const groups = col('SELECT id FROM user_groups WHERE account_id = ?');
          const flows = col('SELECT id FROM call_flows WHERE account_id = ?');
          const users = col('SELECT id FROM users WHERE account_id = ?');
          const numbers = g.numbers.map((d) => `+1415${d}`);
          const t0 = NOW + 3_600_000;
          for (const c of g.contacts)
            db.prepare('INSERT INTO contacts (account_id, name, phone, created_at) VALUES (?, ?, ?, 0)').run(
              accountId,
              `${pick(words, c.first)} ${pick(words, c.last)}`,
              pick(numbers, c.number),
            );
          for (const c of g.calls)
            insertCall(db, {
              accountId,
              direction: c.direction,
              result: c.result,
              bnId: pick(bns, c.bn),
              externalNumber: c.number === null ? null : pick(numbers, c.number),
              startedAt: t0 + c.t * 1000,
              answeredAt: null,
              endedAt: null,
              callFlowId: c.flow === null ? null : pick(flows, c.flow),
              groupId: c.group === null ? null : pick(groups, c.group),
              participants: [...new Set(c.participants.map((u) => pick(users, u)))].map((userId) => ({
                userId,
                role: 'answered',
              })),
              events: [],
              voicemail: c.result === 'voicemail' ? { durationSeconds: 5, transcript: '' } : null,
            });
          for (const t of g.threads) {
            const bnId = pick(bns, t.bn);
            const number = pick(numbers, t.number);
            if (db.prepare('SELECT 1 FROM message_threads WHERE bn_id = ? AND external_number = ?').get(bnId, number))
              continue;
            insertThread(db, {
              accountId,
              bnId,
              externalNumber: number,
              assignedUserId: t.user === null ? null : pick(users, t.user),
              assignedGroupId: t.group === null ? null : pick(groups, t.group),
              at: t0 + t.t * 1000,
            });
          }

          const contacts = db.prepare('SELECT name, phone FROM contacts WHERE account_id = ?').all(accountId) as {
            name: string;
            phone: string;
          }[];
          const matches = (search: string, number: string | null) => {
            if (number === null) return false;
            const text = search.trim();
            const digits = text.replace(/[^\d]/g, '');
            if (digits.length >= 2 && number.includes(digits)) return true;
            return contacts.some((k) => k.phone === number && k.name.toLowerCase().includes(text.toLowerCase()));
          };
          const searches = g.searches.map((s) =>
            s.kind === 'digits'
              ? pick(numbers, s.number).slice(2 + s.from, 2 + s.from + s.len)
              : s.kind === 'name'
                ? pick(words, s.word)[s.lower ? 'toLowerCase' : 'toUpperCase']()
                : s.text,
          );
          const callRows = db
            .prepare(
              'SELECT id, started_at, external_number, result, bn_id FROM calls WHERE account_id = ? ORDER BY started_at DESC, id DESC',
            )
            .all(accountId) as {
            id: number;
            started_at: number;
            external_number: string | null;
            result: string;
            bn_id: number | null;
          }[];
          const threadRowsAll = db
            .prepare(
              'SELECT id, external_number, bn_id FROM message_threads WHERE account_id = ? ORDER BY last_message_at DESC, id DESC',
            )
            .all(accountId) as { id: number; external_number: string; bn_id: number }[];
          const filter = {
            ...(g.filter.result ? { result: g.filter.result } : {}),
            ...(g.filter.bn !== null ? { bnId: pick(bns, g.filter.bn) } : {}),
          };

          for (const key of ['jasmine', 'john', 'karey', 'leo', 'morgan']) {
            const actor = loadActor(db, ids.users[key]!)!;
            const session = createSession();
            session.userId = actor.userId;
            const conn = core.connect(() => {}, session);
            try {
              for (const search of searches) {
                const wantCalls = callRows
                  .filter((c) => can(actor, 'call.view', callFacts(db, accountId, c.id)!).allowed)
                  .filter((c) => matches(search, c.external_number))
                  .filter(
                    (c) =>
                      (filter.result === undefined || c.result === filter.result) &&
                      (filter.bnId === undefined || c.bn_id === filter.bnId),
                  )
                  .map((c) => c.id);
                const got: number[] = [];
                let cursor: string | undefined;
                for (let i = 0; i < 100; i++) {
                  const r = await conn.invoke('calls.list', {
                    search,
                    ...filter,
                    limit: g.pageSize,
                    ...(cursor ? { cursor } : {}),
                  });
                  if (!r.ok) throw new Error(r.error.message);
                  const page = r.value as { items: { id: number }[]; nextCursor: string | null };
                  got.push(...page.items.map((c) => c.id));
                  if (!page.nextCursor) break;
                  cursor = page.nextCursor;
                }
                expect(got, `${key} calls ${JSON.stringify({ search, ...filter })}`).toEqual(wantCalls);
                // The scans, with the search as a condition, list the same calls.
                const scan = callPageSql(callBranches(actor), accountId, { search, ...filter }, null, 1000);
                expect(
                  (db.prepare(scan.sql).all(...scan.params) as { id: number }[]).map((r) => r.id),
                  `${key} scan ${search}`,
                ).toEqual(wantCalls);
                // …and with the contacts' numbers found once for the request.
                const listed = callPageSql(
                  callBranches(actor),
                  accountId,
                  { search, ...filter, contactNumbers: contactNumbers(db, accountId, search) },
                  null,
                  1000,
                );
                expect(
                  (db.prepare(listed.sql).all(...listed.params) as { id: number }[]).map((r) => r.id),
                  `${key} scan with contacts listed ${search}`,
                ).toEqual(wantCalls);

                const wantThreads = threadRowsAll
                  .filter((t) => can(actor, 'thread.view', threadFacts(db, accountId, t.id)!).allowed)
                  .filter((t) => matches(search, t.external_number))
                  .map((t) => t.id);
                const threads = await conn.invoke('messages.threads', { search, limit: 200 });
                if (!threads.ok) throw new Error(threads.error.message);
                expect(
                  (threads.value as { items: { id: number }[] }).items.map((t) => t.id),
                  `${key} threads ${search}`,
                ).toEqual(wantThreads);
                const tscan = threadPageSql(
                  threadBranches(actor, bnRouting(db, accountId)),
                  accountId,
                  { search },
                  null,
                  1000,
                );
                expect(
                  (db.prepare(tscan.sql).all(...tscan.params) as { id: number }[]).map((r) => r.id),
                  `${key} thread scan ${search}`,
                ).toEqual(wantThreads);
                const tlisted = threadPageSql(
                  threadBranches(actor, bnRouting(db, accountId)),
                  accountId,
                  { search, contactNumbers: contactNumbers(db, accountId, search) },
                  null,
                  1000,
                );
                expect(
                  (db.prepare(tlisted.sql).all(...tlisted.params) as { id: number }[]).map((r) => r.id),
                  `${key} thread scan with contacts listed ${search}`,
                ).toEqual(wantThreads);
              }
            } finally {
              conn.close();
            }
          }
        } finally {
          core.close();
        }
      }),
      { numRuns: 25, seed: 0x15ea2c },
    );
  }, 120_000);
});
