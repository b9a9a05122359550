import type { Db } from '../../src/main/core/store/db';
import type { BenchActor } from './actors';
import type { Connect } from './connect';
import { since, summarize, type Summary } from './stats';

/**
 * The filtered and searched lists of issue 15: every filter of calls,
 * voicemails, message threads and the audit log, alone and in the
 * combinations the UI offers (CallFilters: direction, result, business
 * number, flow, group, team member, dates, search), including searches that
 * match nothing and selective filters on top of the widest branch, for every
 * access level, through the router.
 */
export interface FilteredCase {
  key: string;
  list: 'calls' | 'voicemails' | 'threads' | 'audit';
  input: Record<string, unknown>;
}

export interface FilteredResult {
  actor: string;
  label: string;
  level: string;
  list: FilteredCase['list'];
  filter: string;
  input: Record<string, unknown>;
  rows: number;
  keyset: Summary;
  keysetCpu: Summary;
}

export const filteredMethod = {
  calls: 'calls.list',
  voicemails: 'voicemails.list',
  threads: 'messages.threads',
  audit: 'audit.list',
} as const;

const PAGE = 50;
const one = (db: Db, sql: string, ...p: unknown[]) =>
  db
    .prepare(sql)
    .pluck()
    .get(...p) as number | string | undefined;

/** Filter values found in the data: the busiest and the quietest of each kind, a rare number, a contact. */
export function filteredCases(db: Db): FilteredCase[] {
  const busiestBn = one(
    db,
    'SELECT bn_id FROM calls WHERE bn_id IS NOT NULL GROUP BY bn_id ORDER BY count(*) DESC LIMIT 1',
  );
  const quietBn = one(
    db,
    'SELECT bn_id FROM calls WHERE bn_id IS NOT NULL GROUP BY bn_id ORDER BY count(*), bn_id LIMIT 1',
  );
  const busiestGroup = one(
    db,
    'SELECT group_id FROM calls WHERE group_id IS NOT NULL GROUP BY group_id ORDER BY count(*) DESC LIMIT 1',
  );
  const quietGroup = one(
    db,
    'SELECT group_id FROM calls WHERE group_id IS NOT NULL GROUP BY group_id ORDER BY count(*), group_id LIMIT 1',
  );
  const busiestFlow = one(
    db,
    'SELECT call_flow_id FROM calls WHERE call_flow_id IS NOT NULL GROUP BY call_flow_id ORDER BY count(*) DESC LIMIT 1',
  );
  const busyUser = one(db, 'SELECT user_id FROM call_participants GROUP BY user_id ORDER BY count(*) DESC LIMIT 1');
  // A number called once, late in the alphabet of the pool (found without grouping a million rows).
  const rare = String(
    one(
      db,
      `SELECT external_number FROM calls WHERE account_id = 1 AND external_number IS NOT NULL
        GROUP BY external_number HAVING count(*) = 1 ORDER BY external_number DESC LIMIT 1`,
    ) ?? '+12139999999',
  );
  const contact = String(one(db, 'SELECT name FROM contacts ORDER BY id DESC LIMIT 1') ?? 'Ava Chen');
  const threadNumber = String(
    one(db, 'SELECT external_number FROM message_threads ORDER BY id DESC LIMIT 1') ?? '+12130000000',
  );
  const threadBn = one(db, 'SELECT bn_id FROM message_threads GROUP BY bn_id ORDER BY count(*) DESC LIMIT 1');
  const quietThreadBn = one(db, 'SELECT bn_id FROM message_threads GROUP BY bn_id ORDER BY count(*), bn_id LIMIT 1');
  const now = Number(one(db, 'SELECT max(started_at) FROM calls') ?? Date.now());
  const month = 30 * 86_400_000;
  const noDigits = '99999';
  const noName = 'Zyx Nobody';
  const cases: FilteredCase[] = [
    { key: 'search digits, no match', list: 'calls', input: { search: noDigits } },
    { key: 'search digits of a rare number', list: 'calls', input: { search: rare.slice(-7) } },
    { key: 'search whole number', list: 'calls', input: { search: rare } },
    { key: 'search 3 digits (area code)', list: 'calls', input: { search: '415' } },
    { key: 'search 5 digits', list: 'calls', input: { search: '00123' } },
    { key: 'search contact name', list: 'calls', input: { search: contact } },
    { key: 'search name, no match', list: 'calls', input: { search: noName } },
    { key: 'direction + result', list: 'calls', input: { direction: 'inbound', result: 'missed' } },
    { key: 'result voicemail', list: 'calls', input: { result: 'voicemail' } },
    { key: 'direction internal', list: 'calls', input: { direction: 'internal' } },
    { key: 'busiest BN + missed', list: 'calls', input: { bnId: busiestBn, result: 'missed' } },
    { key: 'quiet BN + missed', list: 'calls', input: { bnId: quietBn, result: 'missed' } },
    { key: 'busiest group', list: 'calls', input: { groupId: busiestGroup } },
    { key: 'quiet group + outbound', list: 'calls', input: { groupId: quietGroup, direction: 'outbound' } },
    { key: 'busiest flow', list: 'calls', input: { callFlowId: busiestFlow } },
    { key: 'team member', list: 'calls', input: { userId: busyUser } },
    { key: 'last 30 days + missed', list: 'calls', input: { from: now - month, result: 'missed' } },
    { key: 'a month a year ago', list: 'calls', input: { from: now - 13 * month, to: now - 12 * month } },
    { key: 'BN + search, no match', list: 'calls', input: { bnId: busiestBn, search: noDigits } },
    { key: 'search digits, no match', list: 'voicemails', input: { search: noDigits } },
    { key: 'search whole number', list: 'voicemails', input: { search: rare } },
    { key: 'search 3 digits (area code)', list: 'voicemails', input: { search: '415' } },
    { key: 'search contact name', list: 'voicemails', input: { search: contact } },
    { key: 'unread', list: 'voicemails', input: { unreadOnly: true } },
    { key: 'unread + quiet BN', list: 'voicemails', input: { unreadOnly: true, bnId: quietBn } },
    { key: 'quiet BN', list: 'voicemails', input: { bnId: quietBn } },
    { key: 'busiest BN', list: 'voicemails', input: { bnId: busiestBn } },
    { key: 'busiest group', list: 'voicemails', input: { groupId: busiestGroup } },
    { key: 'quiet group + inbound', list: 'voicemails', input: { groupId: quietGroup, direction: 'inbound' } },
    { key: 'busiest flow', list: 'voicemails', input: { callFlowId: busiestFlow } },
    { key: 'team member', list: 'voicemails', input: { userId: busyUser } },
    { key: 'last 30 days', list: 'voicemails', input: { from: now - month } },
    { key: 'a month a year ago', list: 'voicemails', input: { from: now - 13 * month, to: now - 12 * month } },
    { key: 'search digits, no match', list: 'threads', input: { search: noDigits } },
    { key: 'search a number', list: 'threads', input: { search: threadNumber.slice(-7) } },
    { key: 'search whole number', list: 'threads', input: { search: threadNumber } },
    { key: 'search 3 digits (area code)', list: 'threads', input: { search: '415' } },
    { key: 'search contact name', list: 'threads', input: { search: contact } },
    { key: 'busiest BN', list: 'threads', input: { bnId: threadBn } },
    { key: 'quiet BN', list: 'threads', input: { bnId: quietThreadBn } },
    { key: 'BN + search, no match', list: 'threads', input: { bnId: threadBn, search: noDigits } },
    { key: 'last 30 days', list: 'threads', input: { from: now - month } },
    { key: 'a month a year ago', list: 'threads', input: { from: now - 13 * month, to: now - 12 * month } },
    { key: 'actor', list: 'audit', input: { actorUserId: 1 } },
    { key: 'actor who did nothing', list: 'audit', input: { actorUserId: busyUser } },
    { key: 'target type', list: 'audit', input: { targetType: 'group' } },
    { key: 'actor + target type', list: 'audit', input: { actorUserId: 1, targetType: 'number' } },
    { key: 'last 30 days', list: 'audit', input: { from: now - month } },
    { key: 'a month a year ago', list: 'audit', input: { from: now - 13 * month, to: now - 12 * month } },
  ];
  for (const c of cases) c.input = { limit: PAGE, ...c.input };
  return cases;
}

/** Every case for every actor allowed to run it (the audit log only for those who may read it), interleaved. */
export async function measureFiltered(
  db: Db,
  connect: Connect,
  actors: readonly BenchActor[],
  o: { iterations: number; warmup: number; only?: string | undefined },
): Promise<FilteredResult[]> {
  const base = filteredCases(db).filter((c) => !o.only || `${c.list} ${c.key}`.includes(o.only));
  const conns = new Map(actors.map((a) => [a.userId, connect(a.userId)]));
  const runs: { actor: BenchActor; c: FilteredCase; rows: number; samples: number[]; cpu: number[] }[] = [];
  for (const actor of actors) {
    for (const c of base) {
      const r = await conns.get(actor.userId)!.invoke(filteredMethod[c.list], c.input);
      if (!r.ok) {
        if (c.list === 'audit' && r.error.code === 'forbidden') continue;
        throw new Error(
          `${filteredMethod[c.list]} ${JSON.stringify(c.input)} failed for ${actor.label}: ${r.error.message}`,
        );
      }
      runs.push({ actor, c, rows: (r.value as { items: unknown[] }).items.length, samples: [], cpu: [] });
    }
  }
  for (let round = 0; round < o.warmup + o.iterations; round++) {
    for (const x of runs) {
      const conn = conns.get(x.actor.userId)!;
      const cpu = process.cpuUsage();
      const t = process.hrtime.bigint();
      const r = await conn.invoke(filteredMethod[x.c.list], x.c.input);
      const us = since(t);
      const used = process.cpuUsage(cpu);
      if (!r.ok) throw new Error(r.error.message);
      if (round >= o.warmup) {
        x.samples.push(us);
        x.cpu.push(used.user + used.system);
      }
    }
  }
  for (const conn of conns.values()) conn.close();
  return runs.map((x) => ({
    actor: x.actor.key,
    label: x.actor.label,
    level: x.actor.level,
    list: x.c.list,
    filter: x.c.key,
    input: x.c.input,
    rows: x.rows,
    keyset: summarize(x.samples),
    keysetCpu: summarize(x.cpu),
  }));
}
