import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/main/core/demo/random';
import { changeFor, type Ids } from '../fixtures/access-changes';

/**
 * A child process making access changes is killed with SIGKILL at random
 * moments. Every change it acknowledged must be in the database, with its
 * audit event, and the database must stay consistent.
 */
const dir = mkdtempSync(join(tmpdir(), 'teamline-durability-'));
const dbPath = join(dir, 'teamline.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer from `start` and kills it `afterMs` after its first acknowledgement. */
function runAndKill(start: number, afterMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../fixtures/access-writer.ts'), dbPath, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: number[] = [];
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^ACK (\d+)$/.exec(line);
        if (m) acks.push(Number(m[1]));
      }
      if (!timer && acks.length > 0) timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`writer exited ${code}: ${stderr}`));
      else resolve(acks);
    });
  });
}

function readState(db: Database.Database, ids: Ids) {
  const numbers = db.prepare('SELECT kind, bn_id FROM user_numbers WHERE user_id = ? ORDER BY bn_id').all(ids.john) as { kind: string; bn_id: number }[];
  return [
    db.prepare('SELECT title FROM users WHERE id = ?').pluck().get(ids.peter),
    db.prepare('SELECT call_access FROM users WHERE id = ?').pluck().get(ids.jasmine),
    { call: numbers.filter((n) => n.kind === 'call').map((n) => n.bn_id), sms: numbers.filter((n) => n.kind === 'sms').map((n) => n.bn_id) },
    db.prepare('SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id').pluck().all(ids.support),
  ];
}

describe('durability under SIGKILL', () => {
  it('loses no acknowledged access change and stays consistent', async () => {
    const r = createRandom(20261123);
    let next = 1;
    const acked: number[] = [];
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      const acks = await runAndKill(next, r.int(100, 700));
      expect(acks.length, `round ${round} acknowledged nothing`).toBeGreaterThan(0);
      acked.push(...acks);
      const last = acks[acks.length - 1]!;

      const db = new Database(dbPath);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.pragma('foreign_key_check')).toEqual([]);
        const ids: Ids = {
          peter: db.prepare(`SELECT id FROM users WHERE extension = '101'`).pluck().get() as number,
          jasmine: db.prepare(`SELECT id FROM users WHERE extension = '103'`).pluck().get() as number,
          john: db.prepare(`SELECT id FROM users WHERE extension = '100'`).pluck().get() as number,
          allie: db.prepare(`SELECT id FROM users WHERE extension = '104'`).pluck().get() as number,
          jessica: db.prepare(`SELECT id FROM users WHERE extension = '102'`).pluck().get() as number,
          support: db.prepare(`SELECT id FROM user_groups WHERE name = 'Support'`).pluck().get() as number,
          bns: db.prepare('SELECT id FROM business_numbers ORDER BY id').pluck().all() as number[],
        };
        // Each kind of change shows its last acknowledged value — or the one
        // in flight when the kill came, if it committed without its ACK.
        const state = readState(db, ids);
        for (let kind = 0; kind < 4; kind++) {
          const lastOfKind = [...acks].reverse().find((s) => s % 4 === kind);
          if (lastOfKind === undefined) continue;
          const allowed = [changeFor(lastOfKind, ids).expected];
          if ((last + 1) % 4 === kind) allowed.push(changeFor(last + 1, ids).expected);
          expect(allowed, `kind ${kind} after round ${round}`).toContainEqual(state[kind]);
        }
        // Every acknowledged settings change left its audit event.
        const titles = new Set(
          (db.prepare(`SELECT after_json FROM audit_events WHERE action = 'user.settings'`).pluck().all() as string[]).map(
            (j) => (JSON.parse(j) as { title: string }).title,
          ),
        );
        for (const seq of acked.filter((s) => s % 4 === 0)) expect(titles.has(`title-${seq}`), `audit of ${seq}`).toBe(true);
        const changes = db.prepare(`SELECT count(*) FROM audit_events WHERE action IN ('user.settings','user.callAccess','user.outboundNumbers','group.members')`).pluck().get() as number;
        expect(changes).toBeGreaterThanOrEqual(acked.length);
        expect(changes).toBeLessThanOrEqual(acked.length + round + 1);
        // POLICY.md §2 invariants.
        const owner = db.prepare(`SELECT u.role, u.active FROM accounts a JOIN users u ON u.id = a.owner_user_id`).get() as { role: string; active: number };
        expect(owner).toEqual({ role: 'administrator', active: 1 });
        expect(db.prepare(`SELECT count(*) FROM users WHERE role = 'administrator' AND active = 1`).pluck().get()).toBeGreaterThanOrEqual(1);
      } finally {
        db.close();
      }
      next = last + 2;
    }
    expect(acked.length).toBeGreaterThan(rounds * 3);
  }, 90_000);
});
