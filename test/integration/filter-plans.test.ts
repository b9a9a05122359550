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
          const branchLines = lines.filter((l) =>
            /USING .*INDEX calls_(group|flow|bn|vm_\w+)(_internal|_bn|_flow|_group)?_time/.test(l),
          );
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

describe('filters the branches do not share are ranges, not walks (migration 013)', () => {
  const actor = () => [
    { rule: 'participant' as const, userId: ids.user },
    ...[1, 2].map((n) => ({ rule: 'group' as const, groupId: ids.group + n })),
    ...[1, 2].map((n) => ({ rule: 'numbers' as const, bnId: ids.bn + n })),
    { rule: 'callflow' as const, flowId: ids.flow + 1 },
  ];

  it('the participant branch tests its own copied columns, by the (user, key, time) range of a chosen key', () => {
    for (const [filter, index] of [
      [{ bnId: ids.bn + 1, result: 'missed' }, 'call_participants_bn_time'],
      [{ groupId: ids.group + 1, direction: 'outbound' }, 'call_participants_group_time'],
      [{ callFlowId: ids.flow + 1 }, 'call_participants_flow_time'],
      [{ direction: 'internal' }, 'call_participants_internal_time'],
    ] as const) {
      for (const cursor of [null, { k: NOW, id: 1_000_000 }]) {
        const q = callPageSql([{ rule: 'participant', userId: ids.user }], 1, filter, cursor, 51);
        const lines = plan(q.sql, q.params);
        expect(lines, JSON.stringify(filter)).toEqual([
          expect.stringMatching(new RegExp(`^SEARCH p USING COVERING INDEX ${index} \\(user_id=\\?`)),
        ]);
      }
    }
    // Without a key, direction and result are read from the primary key's own rows: no call is looked up.
    const q = callPageSql(
      [{ rule: 'participant', userId: ids.user }],
      1,
      { direction: 'inbound', result: 'missed', from: NOW - 86_400_000 },
      null,
      51,
    );
    expect(plan(q.sql, q.params)).toEqual(['SEARCH p USING PRIMARY KEY (user_id=? AND started_at>?)']);
  });

  it('internal calls of a group, flow or number branch are that branch’s range of internal calls', () => {
    const q = callPageSql(actor(), 1, { direction: 'internal', result: 'answered' }, null, 51);
    const lines = plan(q.sql, q.params).filter((l) => l.startsWith('SEARCH'));
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^SEARCH p USING COVERING INDEX call_participants_internal_time \(user_id=\?\)/);
    for (const l of lines.slice(1))
      expect(l).toMatch(
        /^SEARCH c USING COVERING INDEX calls_(group|bn|flow)_internal_time \((group_id|bn_id|call_flow_id)=\?\)$/,
      );
  });

  it('a branch filtered by a key it does not share is one range of that pair of keys (migration 013)', () => {
    const group = { rule: 'group' as const, groupId: ids.group + 1 };
    const bn = { rule: 'numbers' as const, bnId: ids.bn + 1 };
    const flow = { rule: 'callflow' as const, flowId: ids.flow + 1 };
    for (const [branch, filter, index] of [
      [group, { bnId: ids.bn + 1, result: 'missed' }, 'calls_group_bn_time \\(group_id=\\? AND bn_id=\\?'],
      [group, { callFlowId: ids.flow + 1 }, 'calls_flow_group_time \\(call_flow_id=\\? AND group_id=\\?'],
      [bn, { groupId: ids.group + 1, direction: 'outbound' }, 'calls_group_bn_time \\(group_id=\\? AND bn_id=\\?'],
      [bn, { callFlowId: ids.flow + 1 }, 'calls_bn_flow_time \\(bn_id=\\? AND call_flow_id=\\?'],
      [flow, { bnId: ids.bn + 1, result: 'missed' }, 'calls_bn_flow_time \\(bn_id=\\? AND call_flow_id=\\?'],
      [flow, { groupId: ids.group + 1 }, 'calls_flow_group_time \\(call_flow_id=\\? AND group_id=\\?'],
    ] as const) {
      for (const cursor of [null, { k: NOW, id: 1_000_000 }]) {
        const q = callPageSql([branch], 1, filter, cursor, 51);
        expect(plan(q.sql, q.params), `${branch.rule} × ${JSON.stringify(filter)}`).toEqual([
          expect.stringMatching(new RegExp(`^SEARCH c USING COVERING INDEX ${index}`)),
        ]);
      }
    }
  });
});
