import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCore, NOW, snapshot, type TestCore } from '../helpers/core';
import { addOtherAccount } from '../helpers/otherAccount';
import {
  DEFAULT_RECORDING_NOTICE,
  RecordingError,
  recordingPlan,
  registerRecording,
  setCallRecordingState,
  storedRecordingPath,
} from '../../src/main/core/recordings';

/**
 * The repository the phone service records through: a finished recording is
 * registered against a call of its own account, with a path inside the
 * recordings folder; the record mode of a call comes from its number, its
 * call flow, or (internal calls) the account.
 */

let tc: TestCore;
let other: ReturnType<typeof addOtherAccount>;
let call: number;

beforeAll(() => {
  tc = makeCore({ days: 0 });
  other = addOtherAccount(tc.db);
  call = tc.recordCall({
    accountId: tc.ids.accountId,
    direction: 'inbound',
    result: 'answered',
    bnId: tc.ids.numbers.mainLA,
    externalNumber: '+13105550123',
    startedAt: NOW - 60_000,
    answeredAt: NOW - 50_000,
    endedAt: NOW - 20_000,
    callFlowId: tc.ids.flows.main,
    groupId: tc.ids.groups.sales,
    participants: [{ userId: tc.ids.users.peter!, role: 'answered' }],
    events: [],
    voicemail: null,
  });
});

afterAll(() => tc.close());

const state = (id: number) => tc.db.prepare('SELECT recording_state FROM calls WHERE id = ?').pluck().get(id);

describe('registerRecording', () => {
  it('stores the recording and marks its call recorded', () => {
    expect(state(call)).toBe('none');
    setCallRecordingState(tc.db, tc.ids.accountId, call, 'recording');
    expect(state(call)).toBe('recording');
    const id = registerRecording(tc.db, {
      accountId: tc.ids.accountId,
      callId: call,
      path: 'recordings/2026/11/call-1.wav',
      format: 'wav',
      durationMs: 30_000,
      sizeBytes: 480_044,
      startedAt: NOW - 50_000,
      createdAt: NOW,
    });
    expect(tc.db.prepare('SELECT call_id, path, duration_ms FROM recordings WHERE id = ?').get(id)).toEqual({
      call_id: call,
      path: 'recordings/2026/11/call-1.wav',
      duration_ms: 30_000,
    });
    expect(state(call)).toBe('recorded');
  });

  it('refuses a call of another account, a path outside the recordings folder, and bad numbers, changing nothing', () => {
    const before = snapshot(tc.db);
    const base = {
      accountId: other.accountId,
      callId: call,
      path: 'recordings/x.wav',
      format: 'wav' as const,
      durationMs: 1,
      sizeBytes: 1,
      startedAt: NOW,
    };
    expect(() => registerRecording(tc.db, base)).toThrow(RecordingError);
    for (const path of [
      '/etc/passwd.wav',
      'recordings/../teamline.db',
      '../recordings/x.wav',
      'tls/x.wav',
      'recordings/x.mp3',
    ])
      expect(() => registerRecording(tc.db, { ...base, accountId: tc.ids.accountId, path })).toThrow(RecordingError);
    expect(() => registerRecording(tc.db, { ...base, accountId: tc.ids.accountId, durationMs: -1 })).toThrow(
      RecordingError,
    );
    expect(() => setCallRecordingState(tc.db, other.accountId, call, 'failed')).toThrow(RecordingError);
    expect(snapshot(tc.db)).toBe(before);
  });

  it('normalises paths to forward slashes inside the recordings folder', () => {
    expect(storedRecordingPath('recordings/./a/b.wav')).toBe('recordings/a/b.wav');
  });
});

describe('recordingPlan', () => {
  const set = (sql: string, ...p: unknown[]) => tc.db.prepare(sql).run(...p);

  it('is never by default, with the default notice', () => {
    expect(recordingPlan(tc.db, { accountId: tc.ids.accountId, bnId: tc.ids.numbers.mainLA })).toEqual({
      mode: 'never',
      source: 'none',
      notice: DEFAULT_RECORDING_NOTICE,
    });
  });

  it('takes the stronger of the number and its call flow, and the flow’s notice', () => {
    set(`UPDATE business_numbers SET record_mode = 'on_demand' WHERE id = ?`, tc.ids.numbers.mainLA);
    expect(recordingPlan(tc.db, { accountId: tc.ids.accountId, bnId: tc.ids.numbers.mainLA }).mode).toBe('on_demand');
    set(`UPDATE call_flows SET record_mode = 'always', recording_notice = 'Recorded.' WHERE id = ?`, tc.ids.flows.main);
    expect(recordingPlan(tc.db, { accountId: tc.ids.accountId, bnId: tc.ids.numbers.mainLA })).toEqual({
      mode: 'always',
      source: 'callFlow',
      notice: 'Recorded.',
    });
    // An outbound call names no flow: only the number counts.
    expect(
      recordingPlan(tc.db, { accountId: tc.ids.accountId, bnId: tc.ids.numbers.mainLA, callFlowId: null }).mode,
    ).toBe('on_demand');
    // Another account's number is not this account's setting.
    expect(recordingPlan(tc.db, { accountId: other.accountId, bnId: tc.ids.numbers.mainLA }).mode).toBe('never');
  });

  it('uses the account’s internal mode for calls without a business number', () => {
    expect(recordingPlan(tc.db, { accountId: tc.ids.accountId, bnId: null }).mode).toBe('never');
    set(`UPDATE accounts SET internal_record_mode = 'always' WHERE id = ?`, tc.ids.accountId);
    expect(recordingPlan(tc.db, { accountId: tc.ids.accountId, bnId: null })).toMatchObject({
      mode: 'always',
      source: 'account',
    });
  });
});
