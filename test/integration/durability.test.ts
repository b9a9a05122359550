import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/main/core/demo/random';
import { auditAction, CLOCK0, lastCommittedSeq, STEP, type Expected } from '../fixtures/access-writer';

/**
 * Issue requirement 17: a child process making access changes, killed with
 * SIGKILL at random moments, loses no change it acknowledged and leaves the
 * database consistent (integrity check ok, the invariants of POLICY.md §2
 * still true).
 *
 * The writer (test/fixtures/access-writer.ts) prints `TRY <seq> …` before each
 * change and `ACK <seq> …` after its ok reply, with the state the change must
 * leave. After each kill the test opens the file itself and checks that every
 * acknowledged change is there with its audit event, that at most the one
 * change in flight was added beyond them, and that nothing is half-done. Then
 * it starts the writer again on the same file, which resumes after the last
 * committed change.
 */
const WRITER = join(import.meta.dirname, '../fixtures/access-writer.ts');
const ROUNDS = 8;
const dir = mkdtempSync(join(tmpdir(), 'teamline-durability-'));
const dbPath = join(dir, 'teamline.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Change {
  seq: number;
  method: string;
  expected: Expected;
}

interface Run {
  start: number;
  tried: Change[];
  acked: Change[];
  killed: boolean;
}

/** Starts the writer and kills it with SIGKILL `afterMs` after it is ready (signed in, about to write). */
function runAndKill(afterMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { start: 0, tried: [], acked: [], killed: false };
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    const overall = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? ''; // a line cut by the kill is not a line
      for (const line of lines) {
        const m = /^(START|TRY|ACK|DONE) (\d+)(?: (\S+) (.+))?$/.exec(line);
        if (!m) {
          reject(new Error(`writer said: ${line}`));
          continue;
        }
        const seq = Number(m[2]);
        if (m[1] === 'START') {
          run.start = seq;
          timer = setTimeout(() => {
            run.killed = child.kill('SIGKILL');
          }, afterMs);
        } else if (m[1] === 'TRY' || m[1] === 'ACK') {
          const change = { seq, method: m[3]!, expected: JSON.parse(m[4]!) as Expected };
          (m[1] === 'TRY' ? run.tried : run.acked).push(change);
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(overall);
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL' || code === 0) resolve(run);
      else reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

const sortedIds = (ids: readonly number[]) => [...ids].sort((a, b) => a - b);

/** The access state of one user, as the writer's expectations describe it. */
function userState(db: Database.Database, userId: number) {
  const u = db
    .prepare('SELECT role, call_access AS callAccess, default_bn_id AS defaultBnId FROM users WHERE id = ?')
    .get(userId) as {
    role: string;
    callAccess: string;
    defaultBnId: number | null;
  };
  const numbers = (kind: string) =>
    db
      .prepare('SELECT bn_id FROM user_numbers WHERE user_id = ? AND kind = ? ORDER BY bn_id')
      .pluck()
      .all(userId, kind) as number[];
  return {
    role: u.role,
    callAccess: u.callAccess,
    scopeBnIds: numbers('scope'),
    outboundCallBnIds: numbers('call'),
    smsBnIds: numbers('sms'),
    defaultBnId: u.defaultBnId,
    managerPermissions: (
      db
        .prepare('SELECT permission FROM manager_permissions WHERE user_id = ? ORDER BY permission')
        .pluck()
        .all(userId) as string[]
    ).sort(),
  };
}

/** The state a change's target is in now, in the shape of its expectation. */
function stateOf(db: Database.Database, expected: Expected): Expected {
  if ('groupId' in expected) {
    const memberIds = db
      .prepare('SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id')
      .pluck()
      .all(expected.groupId) as number[];
    return { groupId: expected.groupId, memberIds };
  }
  const state = userState(db, expected.userId);
  return Object.fromEntries(
    Object.keys(expected).map((k) => [k, k === 'userId' ? expected.userId : state[k as keyof typeof state]]),
  ) as Expected;
}

/** The user-visible part of an expectation, to compare with an audit event's "after". */
const withoutTarget = (e: Expected) =>
  Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'userId' && k !== 'groupId'));

/** POLICY.md §2 invariants and the product's own consistency rules, checked straight in the database. */
function checkInvariants(db: Database.Database, label: string) {
  expect(db.pragma('integrity_check', { simple: true }), `${label}: integrity_check`).toBe('ok');
  expect(db.pragma('foreign_key_check'), `${label}: foreign_key_check`).toEqual([]);
  const accounts = db.prepare('SELECT id, owner_user_id AS owner FROM accounts').all() as {
    id: number;
    owner: number;
  }[];
  expect(accounts.length).toBeGreaterThan(0);
  for (const a of accounts) {
    const admins = db
      .prepare(`SELECT count(*) FROM users WHERE account_id = ? AND role = 'administrator' AND active = 1`)
      .pluck()
      .get(a.id);
    expect(admins, `${label}: account ${a.id} has an active Administrator`).toBeGreaterThanOrEqual(1);
    const owner = db.prepare('SELECT account_id AS accountId, role, active FROM users WHERE id = ?').get(a.owner);
    expect(owner, `${label}: the owner of account ${a.id} is its active Administrator`).toEqual({
      accountId: a.id,
      role: 'administrator',
      active: 1,
    });
  }
  // Role and call access go together (POLICY.md §3 "who can have it").
  const badPairs = db
    .prepare(
      `SELECT id, role, call_access FROM users WHERE NOT (
         (role = 'agent' AND call_access IN ('personal','group','callflow','numbers')) OR
         (role = 'manager' AND call_access IN ('numbers','all')) OR
         (role = 'administrator' AND call_access = 'all'))`,
    )
    .all();
  expect(badPairs, `${label}: (role, call access) pairs`).toEqual([]);
  // Only Managers hold Manager permissions; only `numbers` access has a scope of numbers.
  expect(
    db
      .prepare(
        `SELECT DISTINCT p.user_id FROM manager_permissions p JOIN users u ON u.id = p.user_id WHERE u.role <> 'manager'`,
      )
      .all(),
    `${label}: permissions of non-Managers`,
  ).toEqual([]);
  expect(
    db
      .prepare(
        `SELECT DISTINCT n.user_id FROM user_numbers n JOIN users u ON u.id = n.user_id WHERE n.kind = 'scope' AND u.call_access <> 'numbers'`,
      )
      .all(),
    `${label}: stray scopes`,
  ).toEqual([]);
  // Every number and group a user is tied to is a live one of the same account.
  expect(
    db
      .prepare(
        `SELECT n.user_id, n.bn_id FROM user_numbers n JOIN users u ON u.id = n.user_id JOIN business_numbers b ON b.id = n.bn_id
          WHERE b.account_id <> u.account_id OR b.released_at IS NOT NULL`,
      )
      .all(),
    `${label}: numbers of other accounts`,
  ).toEqual([]);
  expect(
    db
      .prepare(
        `SELECT m.user_id FROM group_members m JOIN users u ON u.id = m.user_id JOIN user_groups g ON g.id = m.group_id WHERE g.account_id <> u.account_id`,
      )
      .all(),
    `${label}: members of other accounts' groups`,
  ).toEqual([]);
  // A default caller ID is one of the user's outbound call numbers.
  expect(
    db
      .prepare(
        `SELECT id FROM users u WHERE default_bn_id IS NOT NULL AND role <> 'administrator'
          AND NOT EXISTS (SELECT 1 FROM user_numbers n WHERE n.user_id = u.id AND n.kind = 'call' AND n.bn_id = u.default_bn_id)`,
      )
      .all(),
    `${label}: default caller IDs`,
  ).toEqual([]);
}

describe('durability under SIGKILL', () => {
  it('loses no acknowledged access change, records each with its audit event, and stays consistent', async () => {
    const random = createRandom(20261117);
    /** Every change any run announced, by seq (a seq means the same change in every run). */
    const known = new Map<number, Change>();
    let committed = 0;
    let acknowledged = 0;
    let inFlightCommitted = 0;

    for (let round = 1; round <= ROUNDS; round++) {
      const label = `round ${round}`;
      const delay = random.int(100, 800);
      const run = await runAndKill(delay);
      expect(run.killed, `${label}: the writer was killed`).toBe(true);
      // It resumed right after the last change that committed before.
      expect(run.start, `${label}: resumed after seq ${committed}`).toBe(committed + 1);
      for (const c of [...run.tried, ...run.acked]) {
        const before = known.get(c.seq);
        if (before) expect(c, `${label}: seq ${c.seq} means the same change`).toEqual(before);
        known.set(c.seq, c);
      }
      const lastAck = run.acked.at(-1)?.seq ?? committed;
      const lastTry = run.tried.at(-1)?.seq ?? committed;
      expect(run.acked.map((c) => c.seq)).toEqual(run.tried.map((c) => c.seq).filter((s) => s <= lastAck));

      const db = new Database(dbPath);
      try {
        checkInvariants(db, label);

        // The writer's changes in the audit log, in the order they were written, each with its seq.
        const events = db
          .prepare(
            `SELECT at, action, target_id AS targetId, after_json AS after FROM audit_events WHERE at >= ? AND action NOT LIKE 'auth.%' ORDER BY id`,
          )
          .all(CLOCK0 + STEP) as { at: number; action: string; targetId: number; after: string }[];
        const seqs = events.map((e) => (e.at - CLOCK0) / STEP);
        // One event per change, none lost, none twice, in order: exactly 1..K.
        expect(seqs, `${label}: audit events are 1..K`).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
        const k = seqs.length;
        expect(lastCommittedSeq(db)).toBe(k);
        // Every acknowledged change committed; beyond them, at most the one in flight.
        expect(k, `${label}: acknowledged through ${lastAck}`).toBeGreaterThanOrEqual(lastAck);
        expect(k, `${label}: tried through ${lastTry}`).toBeLessThanOrEqual(Math.max(lastTry, committed));
        expect(k - lastAck).toBeLessThanOrEqual(1);
        if (k > lastAck) inFlightCommitted += 1;

        // Each event records the change it belongs to, and what it left.
        for (const e of events) {
          const seq = (e.at - CLOCK0) / STEP;
          const change = known.get(seq);
          expect(change, `${label}: seq ${seq} was announced`).toBeDefined();
          expect(e.action, `${label}: action of seq ${seq}`).toBe(auditAction[change!.method]);
          const target = 'groupId' in change!.expected ? change!.expected.groupId : change!.expected.userId;
          expect(e.targetId, `${label}: target of seq ${seq}`).toBe(target);
          const after = JSON.parse(e.after) as Record<string, unknown>;
          for (const key of ['scopeBnIds', 'outboundCallBnIds', 'smsBnIds', 'memberIds', 'managerPermissions']) {
            if (Array.isArray(after[key]))
              after[key] =
                key === 'managerPermissions' ? [...(after[key] as string[])].sort() : sortedIds(after[key] as number[]);
          }
          expect(after, `${label}: audit of seq ${seq}`).toMatchObject(withoutTarget(change!.expected));
        }

        // The database holds, for each kind of change, what its last committed change left.
        const lastOfKind = new Map<number, number>();
        for (let s = 1; s <= k; s++) lastOfKind.set(s % 4, s);
        for (const [kind, s] of lastOfKind) {
          const change = known.get(s)!;
          expect(stateOf(db, change.expected), `${label}: state after seq ${s} (kind ${kind})`).toEqual(
            change.expected,
          );
        }
        // The last acknowledged change in particular: the one in flight, if it committed, is of another kind.
        const last = known.get(lastAck);
        if (last) expect(stateOf(db, last.expected), `${label}: last ACK ${lastAck}`).toEqual(last.expected);

        committed = k;
        acknowledged += run.acked.length;
      } finally {
        db.close();
      }
    }
    console.log(
      `durability: ${ROUNDS} kills, ${acknowledged} acknowledged changes, ${committed} committed, ${inFlightCommitted} committed without their ACK`,
    );
    expect(acknowledged).toBeGreaterThan(ROUNDS * 10);
  }, 60_000);
});
