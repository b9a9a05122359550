import { copyFileSync, rmSync } from 'node:fs';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { insertCall, type NewCall } from '../../src/main/core/store/repos/calls';
import { openDatabase } from '../../src/main/core/store/db';
import { createRandom } from '../../src/main/core/demo/random';
import { BENCH_NOW } from './generate';
import { connectAs } from './connect';
import { since, summarize, type Summary } from './stats';

export interface WriteResult {
  /** What a commit promises: the database's own settings, untouched by the bench. */
  durability: string;
  /** core.recordCall, as the SIP side records a call (commits without waiting for the disk). */
  callInsert: Summary;
  /** The same insert in a transaction that waits for the disk (synchronous=FULL), for comparison. */
  callInsertFsync: Summary;
  /** Every kind of access change together, and each on its own. */
  accessChange: Summary;
  accessChangeByKind: Record<string, Summary>;
}

/**
 * Writes on a copy of the bench database (the cached one stays as generated):
 * calls recorded the way the SIP side records them (one transaction with
 * participants, events, voicemail and the visibility columns), and access
 * changes through the API router as the owner, each with its audit event.
 */
export async function measureWrites(
  source: string,
  work: string,
  o: { iterations: number; warmup: number },
): Promise<WriteResult> {
  for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
  copyFileSync(source, work);
  const db = openDatabase(work);
  try {
    const durability = `journal_mode=${String(db.pragma('journal_mode', { simple: true }))}, synchronous=${['OFF', 'NORMAL', 'FULL', 'EXTRA'][db.pragma('synchronous', { simple: true }) as number]}`;
    const core = createCoreWithDb(db, { now: () => BENCH_NOW });
    const r = createRandom(7);
    const busiest = db
      .prepare('SELECT group_id FROM calls WHERE group_id IS NOT NULL GROUP BY group_id ORDER BY count(*) DESC LIMIT 1')
      .pluck()
      .get() as number;
    const flow = db
      .prepare('SELECT call_flow_id FROM call_flow_targets WHERE group_id = ?')
      .pluck()
      .get(busiest) as number;
    const bn = db
      .prepare('SELECT id FROM business_numbers WHERE call_flow_id = ? ORDER BY id LIMIT 1')
      .pluck()
      .get(flow) as number;
    const members = db
      .prepare('SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id')
      .pluck()
      .all(busiest) as number[];

    const newCall = (i: number): NewCall => {
      const at = BENCH_NOW + i * 60_000;
      const by = r.pick(members);
      const voicemail = r.chance(0.15);
      return {
        accountId: 1,
        direction: 'inbound',
        result: voicemail ? 'voicemail' : 'answered',
        bnId: bn,
        externalNumber: `+1415${String(5_000_000 + i).padStart(7, '0')}`,
        startedAt: at,
        answeredAt: voicemail ? null : at + 5000,
        endedAt: at + 95_000,
        callFlowId: flow,
        groupId: busiest,
        participants: voicemail ? [] : [{ userId: by, role: 'answered' }],
        events: [
          { at, kind: 'entered' },
          { at: at + 2000, kind: 'ring_group', groupId: busiest },
          voicemail
            ? { at: at + 30_000, kind: 'voicemail', groupId: busiest }
            : { at: at + 5000, kind: 'answered', userId: by },
          { at: at + 95_000, kind: 'ended' },
        ],
        voicemail: voicemail ? { durationSeconds: 42, transcript: 'Please call me back about my order.' } : null,
      };
    };
    const callSamples: number[] = [];
    const fsyncSamples: number[] = [];
    const rounds = o.warmup + o.iterations;
    for (let i = 0; i < rounds; i++) {
      // In turn: the app's path, and the same insert committed the durable way.
      const a = newCall(2 * i);
      let t = process.hrtime.bigint();
      core.recordCall(a);
      if (i >= o.warmup) callSamples.push(since(t));
      const b = newCall(2 * i + 1);
      t = process.hrtime.bigint();
      db.transaction(() => insertCall(db, b)).immediate();
      if (i >= o.warmup) fsyncSamples.push(since(t));
    }

    // Access changes, as the owner: a role, a call access level, a group membership, in turn.
    const owner = db.prepare('SELECT owner_user_id FROM accounts WHERE id = 1').pluck().get() as number;
    const conn = connectAs(core.connect)(owner);
    const agent = db
      .prepare(`SELECT id FROM users WHERE role = 'agent' AND call_access = 'group' ORDER BY id DESC LIMIT 1`)
      .pluck()
      .get() as number;
    const other = db
      .prepare(
        `SELECT id FROM users WHERE role = 'agent' AND call_access = 'group' AND id <> ? ORDER BY id DESC LIMIT 1`,
      )
      .pluck()
      .get(agent) as number;
    const outsider = db
      .prepare(
        `SELECT id FROM users WHERE role = 'agent' AND id NOT IN (SELECT user_id FROM group_members WHERE group_id = ?) ORDER BY id DESC LIMIT 1`,
      )
      .pluck()
      .get(busiest) as number;
    const kinds: [string, (i: number) => [string, unknown]][] = [
      ['users.setRole', (i) => ['users.setRole', { userId: agent, role: i % 2 === 0 ? 'manager' : 'agent' }]],
      [
        'users.setCallAccess',
        (i) => [
          'users.setCallAccess',
          { userId: other, callAccess: i % 2 === 0 ? 'callflow' : 'group', scopeBnIds: [] },
        ],
      ],
      [
        'groups.setMembers',
        (i) => ['groups.setMembers', { groupId: busiest, memberIds: i % 2 === 0 ? [...members, outsider] : members }],
      ],
    ];
    const byKind: Record<string, number[]> = {};
    for (let i = 0; i < o.warmup + o.iterations; i++) {
      for (const [name, make] of kinds) {
        const [method, input] = make(i);
        const t = process.hrtime.bigint();
        const res = await conn.invoke(method, input);
        const us = since(t);
        if (!res.ok) throw new Error(`${method} failed: ${res.error.message}`);
        if (i >= o.warmup) (byKind[name] ??= []).push(us);
      }
    }
    conn.close();
    const audits = db.prepare(`SELECT count(*) FROM audit_events WHERE at = ?`).pluck().get(BENCH_NOW) as number;
    if (audits < (o.warmup + o.iterations) * kinds.length)
      throw new Error(`expected an audit event per access change, found ${audits}`);
    return {
      durability,
      callInsert: summarize(callSamples),
      callInsertFsync: summarize(fsyncSamples),
      accessChange: summarize(Object.values(byKind).flat()),
      accessChangeByKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, summarize(v)])),
    };
  } finally {
    db.close();
    for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
  }
}
