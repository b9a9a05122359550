import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../src/main/core/api/core';
import type { PhoneRecorder } from '../../src/main/core/api/context';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { can, loadActor } from '../../src/main/core/policy';
import type { ApiResult } from '../../src/shared/result';
import { makeCore, NOW, snapshot, type TestCore } from '../helpers/core';

/**
 * The softphone's Record button through the API (docs/softphone.md,
 * "Recording"): only a party to a call whose line records on demand starts
 * its recording; the start is audited once; every refusal is typed, names
 * its reason and changes nothing. The recorder is the phone interface the
 * core holds, here a stand-in that keeps what the real one would know.
 */

interface FakeCall {
  mode: 'always' | 'on_demand';
  parties: number[];
  recording: boolean;
  paused?: boolean;
}

class FakeRecorder implements PhoneRecorder {
  readonly calls = new Map<string, FakeCall>();
  readonly started: [string, number][] = [];
  readonly stopped: [string, number][] = [];
  fail: string | null = null;
  liveCallOf(sipCallId: string, userId: number) {
    const c = this.calls.get(sipCallId);
    return c && c.parties.includes(userId) ? { mode: c.mode, recording: c.recording, paused: !!c.paused } : null;
  }
  hasCall(sipCallId: string) {
    return this.calls.has(sipCallId);
  }
  async startOnDemand(sipCallId: string, userId: number) {
    this.started.push([sipCallId, userId]);
    await new Promise((r) => setTimeout(r, 5));
    if (this.fail !== null) return { ok: false as const, reason: this.fail };
    this.calls.get(sipCallId)!.recording = true;
    this.calls.get(sipCallId)!.paused = false;
    return { ok: true as const };
  }
  async stopOnDemand(sipCallId: string, userId: number) {
    this.stopped.push([sipCallId, userId]);
    await new Promise((r) => setTimeout(r, 5));
    this.calls.get(sipCallId)!.recording = false;
    this.calls.get(sipCallId)!.paused = true;
    return { ok: true as const };
  }
}

const open: { t: TestCore; core: ReturnType<typeof createCoreWithDb> }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) {
    o.core.close();
    o.t.close();
  }
});

function setup() {
  const t = makeCore();
  const core = createCoreWithDb(t.db, { now: () => NOW, validateOutput: true });
  const recorder = new FakeRecorder();
  const sip = {
    accountId: t.ids.accountId,
    domain: 'teamline.test',
    wsUrl: 'ws://127.0.0.1:1',
    secret: randomBytes(32),
    credentialTtlSeconds: 3600,
  };
  core.setPhone({ sip, problem: null, recorder });
  open.push({ t, core });
  const as = async (key: string) => {
    const conn = core.connect(() => {});
    const call = (method: string, input: unknown) =>
      conn.invoke(method as never, input as never) as Promise<ApiResult<unknown>>;
    const r = await call('auth.signIn', { login: `${key}@teamline.demo`, password: DEMO_PASSWORD });
    if (!r.ok) throw new Error(r.error.message);
    return call;
  };
  const uid = (key: string) => t.ids.users[key]!;
  const audits = (action = 'recording.start') =>
    t.db
      .prepare(
        `SELECT actor_user_id, action, target_type, summary, after_json FROM audit_events WHERE action = ? ORDER BY id`,
      )
      .all(action) as {
      actor_user_id: number;
      action: string;
      target_type: string;
      summary: string;
      after_json: string;
    }[];
  return { t, core, recorder, sip, as, uid, audits };
}

describe('liveRecording: the Record button', () => {
  it('starts the recording of an on-demand call its party is on, audited once, and says so', async () => {
    const s = setup();
    s.recorder.calls.set('od-1@pc', { mode: 'on_demand', parties: [s.uid('john'), s.uid('leo')], recording: false });
    const john = await s.as('john');

    expect(await john('liveRecording.get', { sipCallId: 'od-1@pc' })).toEqual({
      ok: true,
      value: {
        sipCallId: 'od-1@pc',
        mode: 'on_demand',
        recording: false,
        paused: false,
        canStart: true,
        canStop: false,
        reason: null,
        stopReason: null,
      },
    });
    const r = await john('liveRecording.start', { sipCallId: 'od-1@pc' });
    expect(r).toEqual({
      ok: true,
      value: {
        sipCallId: 'od-1@pc',
        mode: 'on_demand',
        recording: true,
        paused: false,
        canStart: false,
        canStop: true,
        reason: null,
        stopReason: null,
      },
    });
    expect(s.recorder.started).toEqual([['od-1@pc', s.uid('john')]]);
    const [a, ...more] = s.audits();
    expect(more).toEqual([]);
    expect(a).toMatchObject({ actor_user_id: s.uid('john'), target_type: 'call' });
    expect(a!.summary).toContain('od-1@pc');
    expect(JSON.parse(a!.after_json)).toEqual({ sipCallId: 'od-1@pc' });

    // Pressed again, or by the other party: the same recording, no second start or audit.
    expect((await john('liveRecording.start', { sipCallId: 'od-1@pc' })).ok).toBe(true);
    const leo = await s.as('leo');
    expect(await leo('liveRecording.start', { sipCallId: 'od-1@pc' })).toMatchObject({
      ok: true,
      value: { recording: true },
    });
    expect(s.recorder.started).toHaveLength(1);
    expect(s.audits()).toHaveLength(1);
  });

  it('refuses someone not on the call, whatever their role, and changes nothing', async () => {
    const s = setup();
    s.recorder.calls.set('od-2@pc', { mode: 'on_demand', parties: [s.uid('john')], recording: false });
    const before = snapshot(s.t.db, { ignoreSignIns: true });
    for (const key of ['leo', 'morgan']) {
      const c = await s.as(key);
      expect(await c('liveRecording.start', { sipCallId: 'od-2@pc' })).toEqual({
        ok: false,
        error: { code: 'forbidden', message: 'You can record only a call you are on.' },
      });
      // Not even the call's mode is told to someone who is not on it.
      expect(await c('liveRecording.get', { sipCallId: 'od-2@pc' })).toMatchObject({
        ok: true,
        value: { mode: null, canStart: false, reason: 'You can record only a call you are on.' },
      });
    }
    expect(s.recorder.started).toEqual([]);
    expect(snapshot(s.t.db, { ignoreSignIns: true })).toBe(before);
  });

  it('refuses a call whose line does not record on demand, with the reason', async () => {
    const s = setup();
    s.recorder.calls.set('al-1@pc', { mode: 'always', parties: [s.uid('john')], recording: true });
    const john = await s.as('john');
    const before = snapshot(s.t.db, { ignoreSignIns: true });
    expect(await john('liveRecording.start', { sipCallId: 'al-1@pc' })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'This call is already recorded: its line records every call.' },
    });
    expect(await john('liveRecording.get', { sipCallId: 'al-1@pc' })).toMatchObject({
      ok: true,
      value: {
        mode: 'always',
        recording: true,
        canStart: false,
        canStop: false,
        stopReason: 'Calls on this line are always recorded: the recording cannot be stopped.',
      },
    });
    // Stop, on a line that records always: refused, nothing changes, nothing is audited.
    expect(await john('liveRecording.stop', { sipCallId: 'al-1@pc' })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'Calls on this line are always recorded: the recording cannot be stopped.' },
    });
    expect(s.recorder.stopped).toEqual([]);
    // A line that never records: the recorder does not keep its calls.
    expect(await john('liveRecording.start', { sipCallId: 'never-1@pc' })).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message: 'Calls on this line are not recorded, or this call has ended.',
      },
    });
    expect(s.recorder.started).toEqual([]);
    expect(snapshot(s.t.db, { ignoreSignIns: true })).toBe(before);
  });

  it('reports a relay that did not start, the phone service off, and a View as, without an audit', async () => {
    const s = setup();
    s.recorder.calls.set('od-3@pc', { mode: 'on_demand', parties: [s.uid('john')], recording: false });
    s.recorder.fail = 'The call could not be recorded.';
    const john = await s.as('john');
    expect(await john('liveRecording.start', { sipCallId: 'od-3@pc' })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'The call could not be recorded.' },
    });
    expect(s.audits()).toEqual([]);

    const morgan = await s.as('morgan');
    expect((await morgan('auth.viewAs', { userId: s.uid('john') })).ok).toBe(true);
    expect(await morgan('liveRecording.start', { sipCallId: 'od-3@pc' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    s.core.setPhone({ sip: null, problem: 'The phone service is not running.' });
    expect(await john('liveRecording.start', { sipCallId: 'od-3@pc' })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'The phone service is not running.' },
    });
    // Running without a media relay: nothing is recorded here.
    s.core.setPhone({ sip: s.sip, problem: null });
    expect(await john('liveRecording.get', { sipCallId: 'od-3@pc' })).toMatchObject({
      ok: true,
      value: { canStart: false, reason: expect.stringMatching(/^Calls are not recorded here/) },
    });
    expect(s.recorder.started).toHaveLength(1);
    expect(s.audits()).toEqual([]);
  });

  it('stops an on-demand recording for a party, audited, and Record continues it; not for anyone else', async () => {
    const s = setup();
    s.recorder.calls.set('od-4@pc', { mode: 'on_demand', parties: [s.uid('john'), s.uid('leo')], recording: true });
    const [john, leo, morgan] = [await s.as('john'), await s.as('leo'), await s.as('morgan')];
    const before = snapshot(s.t.db, { ignoreSignIns: true });
    // Not on the call, even a Manager over it: refused, nothing changes.
    expect(await morgan('liveRecording.stop', { sipCallId: 'od-4@pc' })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'You can stop recording only a call you are on.' },
    });
    expect(snapshot(s.t.db, { ignoreSignIns: true })).toBe(before);
    expect(s.recorder.stopped).toEqual([]);

    expect(await john('liveRecording.stop', { sipCallId: 'od-4@pc' })).toEqual({
      ok: true,
      value: {
        sipCallId: 'od-4@pc',
        mode: 'on_demand',
        recording: false,
        paused: true,
        canStart: true,
        canStop: false,
        reason: null,
        stopReason: null,
      },
    });
    expect(s.recorder.stopped).toEqual([['od-4@pc', s.uid('john')]]);
    const [a, ...more] = s.audits('recording.stop');
    expect(more).toEqual([]);
    expect(a).toMatchObject({ actor_user_id: s.uid('john'), target_type: 'call' });
    expect(JSON.parse(a!.after_json)).toEqual({ sipCallId: 'od-4@pc' });
    // Not recording now: a second Stop is refused as such, not audited.
    expect(await leo('liveRecording.stop', { sipCallId: 'od-4@pc' })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'This call is not being recorded.' },
    });
    // The other party presses Record: it continues.
    expect(await leo('liveRecording.start', { sipCallId: 'od-4@pc' })).toMatchObject({
      ok: true,
      value: { recording: true, paused: false, canStop: true },
    });
    expect(s.audits('recording.stop')).toHaveLength(1);
    expect(s.audits('recording.start')).toHaveLength(1);
  });

  it('policy: call.recordStop allows a party on an on-demand call being recorded only', () => {
    const s = setup();
    const john = loadActor(s.t.db, s.uid('john'))!;
    const live = { unavailable: null, onCall: true, mode: 'on_demand' as const, recording: true };
    expect(can(john, 'call.recordStop', live)).toEqual({ allowed: true });
    expect(can(john, 'call.recordStop', { ...live, onCall: false })).toMatchObject({ code: 'forbidden' });
    expect(can(john, 'call.recordStop', { ...live, mode: 'always' })).toMatchObject({ code: 'conflict' });
    expect(can(john, 'call.recordStop', { ...live, recording: false })).toMatchObject({ code: 'conflict' });
    const cancelled = { ...john, accountStatus: 'cancelled' as const, cancelledAt: NOW };
    expect(can(cancelled, 'call.recordStop', live)).toMatchObject({ allowed: false, code: 'conflict' });
    const viewed = { ...john, viewedBy: { userId: s.uid('morgan'), name: 'Morgan' } };
    expect(can(viewed, 'call.recordStop', live)).toMatchObject({ allowed: false });
  });

  it('policy: call.record allows a party on an on-demand call only, and nothing on a cancelled account', () => {
    const s = setup();
    const john = loadActor(s.t.db, s.uid('john'))!;
    const onDemand = { unavailable: null, onCall: true, mode: 'on_demand' as const };
    expect(can(john, 'call.record', onDemand)).toEqual({ allowed: true });
    expect(can(john, 'call.record', { ...onDemand, onCall: false })).toMatchObject({ code: 'forbidden' });
    expect(can(john, 'call.record', { ...onDemand, mode: 'never' })).toMatchObject({ code: 'conflict' });
    expect(can(john, 'call.record', { ...onDemand, mode: 'always' })).toMatchObject({ code: 'conflict' });
    expect(can(john, 'call.record', { ...onDemand, unavailable: 'Off.' })).toEqual({
      allowed: false,
      code: 'conflict',
      reason: 'Off.',
    });
    const cancelled = { ...john, accountStatus: 'cancelled' as const, cancelledAt: NOW };
    expect(can(cancelled, 'call.record', onDemand)).toMatchObject({ allowed: false, code: 'conflict' });
  });
});
