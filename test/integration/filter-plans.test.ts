import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/main/core/demo/seed';
import { callPageSql } from '../../src/main/core/policy';
import type { Branch } from '../../src/main/core/policy/visibility';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { refreshStatistics } from '../../src/main/core/store/statistics';
import { NOW } from '../helpers/core';

/**
 * A filter on top of a wide branch (a Manager's numbers, a flow agent's
 * flows, several groups) tests every call the branch walks past. Each
 * branch's index carries the columns those tests read, so the walk reads the
 * index alone: EXPLAIN QUERY PLAN must show every group, flow and BN branch
 * as a covering-index search, in list order (no sort), and no table scan, for
 * each filter the calls list offers and their combinations.
 */
let db: Db;
let ids: { bn: number; flow: number; group: number; user: number };
beforeAll(() => {
  db = openDatabase(':memory:');
  seedDemo(db, NOW, { days: 5 });
  const one = (sql: string) => db.prepare(sql).pluck().get() as number;
  ids = {
    bn: one('SELECT id FROM business_numbers ORDER BY id LIMIT 1'),
    flow: one('SELECT id FROM call_flows ORDER BY id LIMIT 1'),
    group: one('SELECT id FROM user_groups ORDER BY id LIMIT 1'),
    user: one('SELECT id FROM users ORDER BY id LIMIT 1'),
  };
});
afterAll(() => db.close());

const plan = (sql: string, params: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);

describe('filters on wide branches read the branch index alone', () => {
  const wide = (): [string, Branch[]][] => [
    [
      'numbers',
      [
        { rule: 'participant', userId: ids.user },
        ...[1, 2, 3].map((n) => ({ rule: 'numbers' as const, bnId: ids.bn + n })),
      ],
    ],
    [
      'callflow',
      [
        { rule: 'participant', userId: ids.user },
        ...[1, 2].map((n) => ({ rule: 'callflow' as const, flowId: ids.flow + n })),
      ],
    ],
    [
      'group',
      [
        { rule: 'participant', userId: ids.user },
        ...[1, 2].map((n) => ({ rule: 'group' as const, groupId: ids.group + n })),
      ],
    ],
  ];
  const filters = (): [string, Record<string, unknown>][] => [
    ['direction internal', { direction: 'internal' }],
    ['result missed', { result: 'missed' }],
    ['direction + result', { direction: 'inbound', result: 'missed' }],
    ['a business number + missed', { bnId: ids.bn + 1, result: 'missed' }],
    ['a flow', { callFlowId: ids.flow + 1 }],
    ['a group + outbound', { groupId: ids.group + 1, direction: 'outbound' }],
    ['voicemail only', { voicemailOnly: true }],
  ];

  it.each([
    ['without statistics', () => {}],
    ['with the statistics the app keeps', () => refreshStatistics(db)],
  ])('for every access level and filter, with and without a cursor (%s)', (_name, prepare) => {
    prepare();
    let checked = 0;
    for (const [level, branches] of wide()) {
      for (const [name, filter] of filters()) {
        for (const cursor of [null, { k: NOW, id: 1_000_000 }]) {
          const q = callPageSql(branches, 1, filter, cursor, 51);
          const lines = plan(q.sql, q.params);
          const what = `${level} × ${name}${cursor ? ' (deep page)' : ''}: ${lines.join(' | ')}`;
          // No branch reads the whole table, and the merge needs no sort.
          expect(
            lines.some((l) => /^SCAN c\b/.test(l)),
            what,
          ).toBe(false);
          expect(
            lines.some((l) => /TEMP B-TREE/.test(l)),
            what,
          ).toBe(false);
          const branchLines = lines.filter((l) => /USING .*INDEX calls_(group|flow|bn|vm_\w+)_time/.test(l));
          // A filter on the very key of a branch may leave it out (a BN filter keeps one BN branch).
          expect(branchLines.length, what).toBeGreaterThan(0);
          for (const l of branchLines) expect(l, what).toMatch(/^SEARCH c USING COVERING INDEX /);
          checked++;
        }
      }
    }
    expect(checked).toBe(42);
  });

  it('the whole account, filtered by a group, number or flow, walks that key’s index', () => {
    for (const [filter, index] of [
      [{ groupId: ids.group, direction: 'outbound' }, 'calls_group_time'],
      [{ bnId: ids.bn, result: 'missed' }, 'calls_bn_time'],
      [{ callFlowId: ids.flow }, 'calls_flow_time'],
      [{ callFlowId: ids.flow, bnId: ids.bn }, 'calls_bn_time'],
    ] as const) {
      const q = callPageSql([{ rule: 'all', accountId: 1 }], 1, filter, null, 51);
      expect(plan(q.sql, q.params), JSON.stringify(filter)).toEqual([
        expect.stringMatching(
          new RegExp(`^SEARCH c USING COVERING INDEX ${index} \\((group_id|bn_id|call_flow_id)=\\?\\)$`),
        ),
      ]);
    }
  });
});

describe('statistics', () => {
  it('are kept as per-index averages only, so no list statement is planned per bound value', () => {
    refreshStatistics(db);
    expect(db.prepare("SELECT count(*) FROM sqlite_stat1 WHERE idx = 'calls_bn_time'").pluck().get()).toBe(1);
    const stat4 = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'").pluck().get();
    if (stat4) expect(db.prepare('SELECT count(*) FROM sqlite_stat4').pluck().get()).toBe(0);
  });
});
