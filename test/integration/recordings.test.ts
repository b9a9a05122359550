import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCore, NOW, snapshot, type Client, type TestCore } from '../helpers/core';
import { addOtherAccount } from '../helpers/otherAccount';
import { demoPeople } from '../../src/main/core/demo/people';
import { recordingPlan, registerRecording } from '../../src/main/core/recordings';
import { seedDemoRecordings } from '../../src/main/core/recordings/demo';
import { setDataDir } from '../../src/main/core/recordings/files';
import { enforceRetention } from '../../src/main/core/recordings/retention';

/**
 * Call recordings (docs/policy-decisions.md, "Call recordings"): a recording
 * is seen exactly when its call is; opening one to play or download is an
 * audit event; deleting one needs the Delete call recordings capability and
 * is audited; retention deletes expired recordings (rows and files) and
 * nothing else; a hidden recording answers as a missing one.
 */

let tc: TestCore;
let dir: string;
let other: ReturnType<typeof addOtherAccount>;
const clients: Record<string, Client> = {};
const as = async (key: string) => (clients[key] ??= await tc.as(key));
const DAY = 86_400_000;
const MISSING = 987_654_321;

const all = (sql: string, ...p: unknown[]) => tc.db.prepare(sql).all(...p) as Record<string, unknown>[];
const one = <T>(sql: string, ...p: unknown[]) =>
  tc.db
    .prepare(sql)
    .pluck()
    .get(...p) as T;
const lastAuditId = () => one<number>('SELECT coalesce(max(id), 0) FROM audit_events');
const auditSince = (id: number) =>
  all(
    'SELECT action, actor_user_id, target_type, target_id, after_json FROM audit_events WHERE id > ? ORDER BY id',
    id,
  );
const tick = () => new Promise((r) => setImmediate(r));

async function visibleCallIds(c: Client): Promise<Set<number>> {
  const ids = new Set<number>();
  let cursor: string | undefined;
  for (;;) {
    const page = await c.ok('calls.list', { limit: 200, ...(cursor ? { cursor } : {}) });
    for (const row of page.items) ids.add(row.id);
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
}

beforeAll(() => {
  tc = makeCore({ days: 4 });
  dir = mkdtempSync(join(tmpdir(), 'teamline-recordings-'));
  setDataDir(tc.db, dir);
  other = addOtherAccount(tc.db);
  const r = seedDemoRecordings(tc.db, dir, tc.ids, NOW);
  expect(r.recorded).toBeGreaterThan(10);
});

afterAll(() => {
  for (const c of Object.values(clients)) c.close();
  tc.close();
  rmSync(dir, { recursive: true, force: true });
});

const recorded = () =>
  all('SELECT r.id, r.call_id, r.path FROM recordings r WHERE r.account_id = ? ORDER BY r.id', tc.ids.accountId) as {
    id: number;
    call_id: number;
    path: string;
  }[];

describe('who sees a recording', () => {
  it.each(demoPeople.map((p) => [p.key]))('%s sees exactly the recordings of the calls they may see', async (key) => {
    const c = await as(key);
    const visible = await visibleCallIds(c);
    const byCall = new Map<number, number[]>();
    for (const r of recorded()) byCall.set(r.call_id, [...(byCall.get(r.call_id) ?? []), r.id]);
    for (const [callId, ids] of byCall) {
      const r = await c.call('recordings.list', { callId });
      if (visible.has(callId)) {
        expect(r.ok, `${key}: recordings of call ${callId}`).toBe(true);
        if (r.ok) expect(r.value.recordings.map((x) => x.id)).toEqual(ids);
      } else {
        expect(r.ok ? 'ok' : r.error.code, `${key}: recordings of hidden call ${callId}`).toBe('not_found');
        const missing = await c.call('recordings.list', { callId: MISSING });
        expect(r).toEqual(missing);
      }
    }
  });

  it.each(demoPeople.map((p) => [p.key]))(
    '%s: "Has recording" lists exactly the visible calls with a recording, alone and with other filters',
    async (key) => {
      const c = await as(key);
      const visible = await visibleCallIds(c);
      const withRecording = new Set(recorded().map((r) => r.call_id));
      const listed = async (f: Record<string, unknown>) => {
        const ids: number[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await c.ok('calls.list', { limit: 50, hasRecording: true, ...f, ...(cursor ? { cursor } : {}) });
          ids.push(...page.items.map((row) => row.id));
          if (!page.nextCursor) return ids;
          cursor = page.nextCursor;
        }
      };
      const expected = [...visible].filter((id) => withRecording.has(id));
      expect((await listed({})).sort((x, y) => x - y)).toEqual(expected.sort((x, y) => x - y));
      // With another filter and with a team member: still within the branches.
      const inbound = all(`SELECT id FROM calls WHERE direction = 'inbound'`).map((x) => x.id as number);
      expect((await listed({ direction: 'inbound' })).sort((x, y) => x - y)).toEqual(
        expected.filter((id) => inbound.includes(id)).sort((x, y) => x - y),
      );
      const peters = all('SELECT call_id FROM call_participants WHERE user_id = ?', tc.ids.users.peter).map(
        (x) => x.call_id as number,
      );
      expect((await listed({ userId: tc.ids.users.peter })).sort((x, y) => x - y)).toEqual(
        expected.filter((id) => peters.includes(id)).sort((x, y) => x - y),
      );
    },
  );

  it('follows the worked example: Leo (his two numbers) sees every Main line recording, Jasmine only her own calls’', async () => {
    const leo = await as('leo');
    const main = recorded().filter((r) =>
      [tc.ids.numbers.mainLA, tc.ids.numbers.mainNY].includes(
        one<number>('SELECT bn_id FROM calls WHERE id = ?', r.call_id),
      ),
    );
    expect(main.length).toBeGreaterThan(5);
    for (const r of main) expect((await leo.call('recordings.list', { callId: r.call_id })).ok).toBe(true);
    const jasmine = await as('jasmine');
    const mine = new Set(
      all('SELECT call_id FROM call_participants WHERE user_id = ?', tc.ids.users.jasmine).map((x) => x.call_id),
    );
    for (const r of recorded())
      expect((await jasmine.call('recordings.list', { callId: r.call_id })).ok).toBe(mine.has(r.call_id));
  });

  it('a hidden or foreign recording answers every method as a missing one, and nothing changes', async () => {
    const jasmine = await as('jasmine');
    const mine = new Set(
      all('SELECT call_id FROM call_participants WHERE user_id = ?', tc.ids.users.jasmine).map((x) => x.call_id),
    );
    const hidden = recorded().find((r) => !mine.has(r.call_id))!;
    const before = snapshot(tc.db, { ignoreSignIns: true });
    for (const id of [hidden.id, other.recordingId]) {
      for (const purpose of ['play', 'download'] as const) {
        const h = await jasmine.call('recordings.audio', { recordingId: id, purpose, offset: 0 });
        const m = await jasmine.call('recordings.audio', { recordingId: MISSING, purpose, offset: 0 });
        expect(h.ok).toBe(false);
        expect(h).toEqual(m);
      }
      const h = await jasmine.call('recordings.delete', { recordingId: id });
      expect(h).toEqual(await jasmine.call('recordings.delete', { recordingId: MISSING }));
    }
    // An Administrator of this account does not reach another account's recording either.
    const morgan = await as('morgan');
    const foreign = await morgan.call('recordings.delete', { recordingId: other.recordingId });
    expect(foreign).toEqual(await morgan.call('recordings.delete', { recordingId: MISSING }));
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before);
  });
});

describe('playing and downloading', () => {
  it('opening a recording to play is an audit event; its parts follow by handle, unaudited, and add up to the file', async () => {
    const leo = await as('leo');
    const rec = recorded()[0]!;
    const mark = lastAuditId();
    const first = await leo.ok('recordings.audio', { recordingId: rec.id, purpose: 'play', offset: 0 });
    const parts = [Buffer.from(first.base64, 'base64')];
    let next = first;
    while (!next.done) {
      next = await leo.ok('recordings.audio', {
        recordingId: rec.id,
        purpose: 'play',
        handle: first.handle,
        offset: first.offset + parts.reduce((n, p) => n + p.length, 0),
      });
      parts.push(Buffer.from(next.base64, 'base64'));
    }
    expect(Buffer.concat(parts).equals(readFileSync(join(dir, rec.path)))).toBe(true);
    expect(auditSince(mark)).toEqual([
      {
        action: 'recording.play',
        actor_user_id: tc.ids.users.leo,
        target_type: 'call',
        target_id: rec.call_id,
        after_json: JSON.stringify({ recordingId: rec.id }),
      },
    ]);
    // The handle is Leo's alone, for that recording and purpose.
    const morgan = await as('morgan');
    const stolen = await morgan.call('recordings.audio', {
      recordingId: rec.id,
      purpose: 'play',
      handle: first.handle,
      offset: 0,
    });
    expect(stolen.ok ? 'ok' : stolen.error.code).toBe('conflict');
    const asDownload = await leo.call('recordings.audio', {
      recordingId: rec.id,
      purpose: 'download',
      handle: first.handle,
      offset: 0,
    });
    expect(asDownload.ok ? 'ok' : asDownload.error.code).toBe('conflict');
  });

  it('the waveform comes with the recording, read from its WAV', async () => {
    const leo = await as('leo');
    const rec = recorded()[0]!;
    const list = await leo.ok('recordings.list', { callId: rec.call_id });
    const w = list.recordings[0]!.waveform!;
    expect(w.length).toBe(160);
    expect(Math.max(...w)).toBeGreaterThan(0.2);
    expect(Math.min(...w)).toBeLessThan(Math.max(...w));
  });

  it('downloading is refused to an Agent, allowed to a Manager who sees the call, and audited', async () => {
    const rec = recorded().find(
      (r) =>
        all('SELECT user_id FROM call_participants WHERE call_id = ?', r.call_id).some(
          (p) => p.user_id === tc.ids.users.john,
        ) || one<number | null>('SELECT group_id FROM calls WHERE id = ?', r.call_id) === tc.ids.groups.sales,
    )!;
    const john = await as('john');
    expect((await john.ok('recordings.list', { callId: rec.call_id })).canDownload).toBe(false);
    const mark = lastAuditId();
    const r = await john.call('recordings.audio', { recordingId: rec.id, purpose: 'download', offset: 0 });
    expect(r.ok ? 'ok' : r.error.code).toBe('forbidden');
    expect(auditSince(mark)).toEqual([]);
    const leo = await as('leo');
    expect((await leo.ok('recordings.list', { callId: rec.call_id })).canDownload).toBe(true);
    await leo.ok('recordings.audio', { recordingId: rec.id, purpose: 'download', offset: 0 });
    expect(auditSince(mark).map((e) => [e.action, e.actor_user_id])).toEqual([
      ['recording.download', tc.ids.users.leo],
    ]);
  });

  it('an Administrator playing one while viewing as someone is the one named in the log', async () => {
    const viewer = await tc.as('morgan');
    await viewer.ok('auth.viewAs', { userId: tc.ids.users.leo! });
    const rec = recorded()[1]!;
    const mark = lastAuditId();
    await viewer.ok('recordings.audio', { recordingId: rec.id, purpose: 'play', offset: 0 });
    expect(auditSince(mark).map((e) => [e.action, e.actor_user_id])).toEqual([['recording.play', tc.ids.users.morgan]]);
    // Deleting is a change: View as is read-only.
    const del = await viewer.call('recordings.delete', { recordingId: rec.id });
    expect(del.ok ? 'ok' : del.error.code).toBe('forbidden');
    viewer.close();
  });
});

describe('deleting', () => {
  it('needs the capability: Agents and Managers without it are refused, a Manager given it deletes, audited', async () => {
    const [rec] = recorded().filter(
      (r) => one<number | null>('SELECT group_id FROM calls WHERE id = ?', r.call_id) === tc.ids.groups.sales,
    );
    expect(rec).toBeDefined();
    const before = snapshot(tc.db, { ignoreSignIns: true });
    for (const key of ['john', 'leo']) {
      const c = await as(key);
      expect((await c.ok('recordings.list', { callId: rec!.call_id })).canDelete).toBe(false);
      const r = await c.call('recordings.delete', { recordingId: rec!.id });
      expect(r.ok ? 'ok' : r.error.code, key).toBe('forbidden');
    }
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before);

    const morgan = await as('morgan');
    const perms = (await morgan.ok('users.get', { userId: tc.ids.users.leo! })).access!.managerPermissions;
    await morgan.ok('users.setManagerPermissions', {
      userId: tc.ids.users.leo!,
      permissions: [...perms, 'deleteRecordings'],
    });
    const leo = await tc.as('leo');
    expect((await leo.ok('auth.me', {})).capabilities['recordings.delete']).toBe(true);
    const mark = lastAuditId();
    const after = await leo.ok('recordings.delete', { recordingId: rec!.id });
    expect(after.recordings).toEqual([]);
    expect(after.state).toBe('deleted');
    expect(auditSince(mark)).toEqual([
      {
        action: 'recording.delete',
        actor_user_id: tc.ids.users.leo,
        target_type: 'call',
        target_id: rec!.call_id,
        after_json: 'null',
      },
    ]);
    await tick();
    expect(existsSync(join(dir, rec!.path))).toBe(false);
    // Other recordings' files are untouched.
    for (const r of recorded()) expect(existsSync(join(dir, r.path)), r.path).toBe(true);
    const again = await leo.call('recordings.delete', { recordingId: rec!.id });
    expect(again).toEqual(await leo.call('recordings.delete', { recordingId: MISSING }));
    leo.close();
  });

  it('an Administrator deletes any recording of the account', async () => {
    const morgan = await as('morgan');
    const rec = recorded().at(-1)!;
    await morgan.ok('recordings.delete', { recordingId: rec.id });
    await tick();
    expect(existsSync(join(dir, rec.path))).toBe(false);
  });
});

describe('settings', () => {
  it('record modes: number and flow managers set them, audited; the phone service reads them', async () => {
    const morgan = await as('morgan');
    const leo = await as('leo');
    // Leo has no Business numbers permission.
    const r = await leo.call('recordingSettings.setNumber', { bnId: tc.ids.numbers.mainLA, mode: 'never' });
    expect(r.ok ? 'ok' : r.error.code).toBe('forbidden');
    const mark = lastAuditId();
    const s = await morgan.ok('recordingSettings.setNumber', { bnId: tc.ids.numbers.tollFree, mode: 'on_demand' });
    expect(s.numbers.find((n) => n.bnId === tc.ids.numbers.tollFree)?.mode).toBe('on_demand');
    // Leo manages the Main line flow (callFlows permission, its numbers are his).
    await leo.ok('recordingSettings.setFlow', {
      callFlowId: tc.ids.flows.main,
      mode: 'always',
      notice: 'Calls to Main line are recorded.',
    });
    expect(auditSince(mark).map((e) => e.action)).toEqual(['number.recordMode', 'callFlow.recording']);
    expect(recordingPlan(tc.db, { accountId: tc.ids.accountId, bnId: tc.ids.numbers.mainLA })).toEqual({
      mode: 'always',
      source: 'callFlow',
      notice: 'Calls to Main line are recorded.',
    });
    // The same value again changes nothing and writes nothing.
    const before = snapshot(tc.db, { ignoreSignIns: true });
    await morgan.ok('recordingSettings.setNumber', { bnId: tc.ids.numbers.tollFree, mode: 'on_demand' });
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before);
  });

  it('retention and internal calls are the Administrators’', async () => {
    const leo = await as('leo');
    expect((await leo.ok('recordingSettings.get', {})).canChangeAccount).toBe(false);
    const r = await leo.call('recordingSettings.update', { retentionDays: 10, internalMode: 'always' });
    expect(r.ok ? 'ok' : r.error.code).toBe('forbidden');
    const morgan = await as('morgan');
    const bad = await morgan.call('recordingSettings.update', { retentionDays: 0, internalMode: 'always' });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('invalid');
    const s = await morgan.ok('recordingSettings.update', { retentionDays: null, internalMode: 'on_demand' });
    expect(s).toMatchObject({ retentionDays: null, internalMode: 'on_demand', canChangeAccount: true });
    await morgan.ok('recordingSettings.update', { retentionDays: 90, internalMode: 'never' });
  });
});

describe('retention', () => {
  it('deletes the expired recordings of each account, rows and files, and nothing else; audited as the system', () => {
    const file = (name: string) => {
      const path = `recordings/retention/${name}.wav`;
      writeFileSync(join(dir, path), Buffer.alloc(44));
      return path;
    };
    const callOf = (accountId: number) =>
      one<number>('SELECT id FROM calls WHERE account_id = ? ORDER BY id LIMIT 1', accountId);
    mkdirSync(join(dir, 'recordings/retention'), { recursive: true });
    const demoCall = callOf(tc.ids.accountId);
    const reg = (accountId: number, callId: number, name: string, age: number) =>
      registerRecording(tc.db, {
        accountId,
        callId,
        path: file(name),
        format: 'wav',
        durationMs: 0,
        sizeBytes: 44,
        startedAt: NOW - age,
      });
    tc.db.prepare('UPDATE accounts SET recording_retention_days = 30 WHERE id = ?').run(tc.ids.accountId);
    tc.db.prepare('UPDATE accounts SET recording_retention_days = NULL WHERE id = ?').run(other.accountId);
    const expired = reg(tc.ids.accountId, demoCall, 'old', 31 * DAY);
    const kept = reg(tc.ids.accountId, demoCall, 'young', 29 * DAY);
    const foreignOld = reg(other.accountId, other.callId, 'foreign-old', 400 * DAY);
    const otherTables = () =>
      snapshotExcept(['recordings', 'audit_events', 'calls']) + JSON.stringify(all('SELECT id, result FROM calls'));
    const before = otherTables();
    const mark = lastAuditId();
    const rows = recorded().length;

    const r = enforceRetention(tc.db, NOW);
    expect(r).toMatchObject({ deleted: 1, filesRemoved: 1, accountIds: [tc.ids.accountId] });
    expect(one('SELECT count(*) FROM recordings WHERE id = ?', expired)).toBe(0);
    expect(one('SELECT count(*) FROM recordings WHERE id IN (?, ?)', kept, foreignOld)).toBe(2);
    expect(recorded().length).toBe(rows - 1);
    expect(existsSync(join(dir, 'recordings/retention/old.wav'))).toBe(false);
    expect(existsSync(join(dir, 'recordings/retention/young.wav'))).toBe(true);
    expect(existsSync(join(dir, 'recordings/retention/foreign-old.wav'))).toBe(true);
    expect(otherTables()).toBe(before);
    expect(auditSince(mark)).toEqual([
      {
        action: 'recording.expire',
        actor_user_id: null,
        target_type: 'call',
        target_id: demoCall,
        after_json: 'null',
      },
    ]);
    // The call keeps its other recording, so it still says recorded.
    expect(one('SELECT recording_state FROM calls WHERE id = ?', demoCall)).toBe('recorded');
    // A second run finds nothing.
    expect(enforceRetention(tc.db, NOW).deleted).toBe(0);
    tc.db.prepare('UPDATE accounts SET recording_retention_days = 90 WHERE id = ?').run(tc.ids.accountId);
  });
});

function snapshotExcept(tables: string[]): string {
  const names = tc.db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .pluck()
    .all() as string[];
  return names
    .filter((n) => !tables.includes(n))
    .map((n) => JSON.stringify(tc.db.prepare(`SELECT * FROM "${n}"`).raw().all()))
    .join('\n');
}
