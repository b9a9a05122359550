import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { registerRecording, setCallRecordingState } from '../../src/main/core/recordings';
import { setDataDir } from '../../src/main/core/recordings/files';
import { cleanOrphanRecordings, GRACE_MS } from '../../src/main/core/recordings/orphans';
import { makeCore, NOW, type TestCore } from '../helpers/core';

/**
 * What a crash leaves in the recordings at start: a WAV no recording names
 * (written, never registered) goes, unless it is young enough to be being
 * saved; a recording whose file is gone goes, audited, its call marked
 * failed; a call still "being saved" long after it ended failed. A missing
 * recordings folder, or most files gone, deletes nothing.
 */

const open: { tc: TestCore; dir: string }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) {
    o.tc.close();
    rmSync(o.dir, { recursive: true, force: true });
  }
});

function setup() {
  const tc = makeCore({ days: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'tl-orphans-'));
  setDataDir(tc.db, dir);
  open.push({ tc, dir });
  let n = 0;
  const call = () =>
    tc.recordCall({
      accountId: tc.ids.accountId,
      direction: 'inbound',
      result: 'answered',
      bnId: tc.ids.numbers.mainLA,
      externalNumber: '+13105550123',
      startedAt: NOW - 3_600_000 + n++ * 1000,
      answeredAt: NOW - 3_590_000,
      endedAt: NOW - 3_500_000,
      callFlowId: tc.ids.flows.main,
      groupId: tc.ids.groups.sales,
      participants: [{ userId: tc.ids.users.peter!, role: 'answered' }],
      events: [],
      voicemail: null,
    });
  const file = (path: string, ageMs = GRACE_MS * 2) => {
    const f = join(dir, path);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, 'RIFF');
    const t = (NOW - ageMs) / 1000;
    utimesSync(f, t, t);
    return f;
  };
  const recorded = (callId: number, path: string, withFile = true) => {
    if (withFile) file(path);
    return registerRecording(tc.db, {
      accountId: tc.ids.accountId,
      callId,
      path,
      format: 'wav',
      durationMs: 1000,
      sizeBytes: 4,
      startedAt: NOW - 3_590_000,
    });
  };
  const state = (id: number) => tc.db.prepare('SELECT recording_state FROM calls WHERE id = ?').pluck().get(id);
  const rows = () => tc.db.prepare('SELECT path FROM recordings ORDER BY path').pluck().all();
  return { tc, dir, call, file, recorded, state, rows };
}

it('removes old WAVs no recording names, keeps young ones and named ones, deletes rows whose file is gone (audited), fails stale saves', () => {
  const s = setup();
  const [kept, lost, lostToo, saving, fresh] = [s.call(), s.call(), s.call(), s.call(), s.call()];
  s.recorded(kept, 'recordings/2026/12/kept.wav');
  s.recorded(lost, 'recordings/2026/12/lost.wav', false);
  s.recorded(lostToo, 'recordings/2026/12/lost-too-a.wav');
  s.recorded(lostToo, 'recordings/2026/12/lost-too-b.wav', false);
  const orphan = s.file('recordings/2026/11/call-99-1.wav');
  const young = s.file('recordings/2026/12/call-98-1.wav', 1000);
  const other = s.file('recordings/2026/12/notes.txt');
  setCallRecordingState(s.tc.db, s.tc.ids.accountId, saving, 'recording');
  // A call that ended a moment ago may still be being saved: left alone.
  s.tc.db.prepare('UPDATE calls SET ended_at = ? WHERE id = ?').run(NOW - 1000, fresh);
  setCallRecordingState(s.tc.db, s.tc.ids.accountId, fresh, 'recording');

  const r = cleanOrphanRecordings(s.tc.db, NOW, () => {});
  expect(r).toEqual({
    filesRemoved: 1,
    rowsDeleted: 2,
    callsFailed: 1,
    skipped: null,
    accountIds: [s.tc.ids.accountId],
  });
  expect(existsSync(orphan)).toBe(false);
  expect(existsSync(young)).toBe(true);
  expect(existsSync(other)).toBe(true);
  expect(s.rows()).toEqual(['recordings/2026/12/kept.wav', 'recordings/2026/12/lost-too-a.wav']);
  expect([s.state(kept), s.state(lost), s.state(lostToo), s.state(saving), s.state(fresh)]).toEqual([
    'recorded',
    'failed',
    'recorded',
    'failed',
    'recording',
  ]);
  const audits = s.tc.db
    .prepare(
      `SELECT actor_user_id, target_id, json_extract(before_json, '$.path') AS path FROM audit_events WHERE action = 'recording.lost' ORDER BY id`,
    )
    .all();
  expect(audits).toEqual([
    { actor_user_id: null, target_id: lost, path: 'recordings/2026/12/lost.wav' },
    { actor_user_id: null, target_id: lostToo, path: 'recordings/2026/12/lost-too-b.wav' },
  ]);
  // Once clean, a second run finds nothing.
  expect(cleanOrphanRecordings(s.tc.db, NOW, () => {})).toMatchObject({
    filesRemoved: 0,
    rowsDeleted: 0,
    callsFailed: 0,
  });
});

it('deletes nothing when the recordings folder is missing or most files are gone, and says why', () => {
  const s = setup();
  const calls = Array.from({ length: 12 }, () => s.call());
  calls.forEach((c, i) => s.recorded(c, `recordings/2026/12/r-${i}.wav`, false));
  const logged: string[] = [];
  // No recordings folder at all (a data folder restored without it, a disk not mounted).
  expect(cleanOrphanRecordings(s.tc.db, NOW, (m) => logged.push(m))).toMatchObject({
    rowsDeleted: 0,
    skipped: expect.stringMatching(/recordings folder .* is missing/),
  });
  // The folder, but 11 of 12 files gone.
  s.file('recordings/2026/12/r-0.wav');
  expect(cleanOrphanRecordings(s.tc.db, NOW, (m) => logged.push(m))).toMatchObject({
    rowsDeleted: 0,
    skipped: '11 of 12 recordings have no file',
  });
  expect(s.rows()).toHaveLength(12);
  expect(logged).toHaveLength(2);
  expect(s.tc.db.prepare(`SELECT COUNT(*) FROM audit_events WHERE action = 'recording.lost'`).pluck().get()).toBe(0);
});
