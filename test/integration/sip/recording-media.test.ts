import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encode } from '../../../src/main/sip/media/g711';
import { readWav, SAMPLE_RATE } from '../../../src/main/sip/media/wav';
import { readStereoWav } from '../../../src/main/sip/recording/mix';
import { freeUdpRange } from '../../../src/main/sip/ports';
import { DOMAIN, startStack, type Stack } from './harness';
import { scenarioDir } from './sipp';

/**
 * Call recording on the media relay, end to end: real Kamailio, rtpengine
 * recording in pcap, and two sipp phones calling each other through the
 * relay, each sending a tone of its own from a pcap file. The recording is
 * the WAV the phone service writes into the data directory and registers
 * with the call.
 */

let s: Stack;
let dataDir: string;
/** Karey's phone: registered once; a sipp answers on this port for each call. */
let contactPort: number;
const CALLER_HZ = 440;
const CALLEE_HZ = 1000;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tl-rec-'));
  s = await startStack({ recording: { dataDir } });
  contactPort = await freeUdpRange(1);
  await s.register('karey', contactPort, 3600);
}, 30_000);

afterAll(async () => {
  await s?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A pcap (Ethernet, IPv4, UDP) of RTP PCMU packets every 20 ms: a sine tone of `hz` for `ms`. */
function tonePcap(hz: number, ms: number): Buffer {
  const frames = Math.round(ms / 20);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const parts = [header];
  for (let f = 0; f < frames; f++) {
    const samples = new Int16Array(160);
    for (let i = 0; i < 160; i++)
      samples[i] = Math.round(6000 * Math.sin((2 * Math.PI * hz * (f * 160 + i)) / SAMPLE_RATE));
    const rtp = Buffer.alloc(12);
    rtp[0] = 0x80;
    rtp[1] = f === 0 ? 0x80 : 0;
    rtp.writeUInt16BE(f & 0xffff, 2);
    rtp.writeUInt32BE(f * 160, 4);
    rtp.writeUInt32BE(0x5eed0000 + hz, 8);
    const payload = Buffer.concat([rtp, encode('PCMU', samples)]);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40000, 0);
    udp.writeUInt16BE(40002, 2);
    udp.writeUInt16BE(8 + payload.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + payload.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, payload]);
    const rec = Buffer.alloc(16);
    const at = f * 20;
    rec.writeUInt32LE(Math.floor(at / 1000), 0);
    rec.writeUInt32LE((at % 1000) * 1000, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  }
  return Buffer.concat(parts);
}

/** A scenario template from test/fixtures/sip with its placeholders filled, written into the run folder. */
function scenario(name: string, values: Record<string, string>): string {
  let text = readFileSync(join(scenarioDir, name), 'utf8');
  for (const [k, v] of Object.entries(values)) text = text.replaceAll(`@${k}@`, v);
  const file = join(s.runDir, `${name.replace('.xml', '')}-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, text);
  return relative(scenarioDir, file);
}

const play = (pcap: string) => `<nop><action><exec play_pcap_audio="${pcap}"/></action></nop>`;

/** Power of one frequency in a stretch of samples (Goertzel), per sample. */
function power(x: Int16Array, hz: number, from: number, to: number): number {
  const a = Math.max(0, Math.round(from * SAMPLE_RATE));
  const b = Math.min(x.length, Math.round(to * SAMPLE_RATE));
  const k = 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = a; i < b; i++) {
    const s0 = x[i]! + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const n = Math.max(1, b - a);
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (n * n);
}

function rms(x: Int16Array, from: number, to: number): number {
  const a = Math.max(0, Math.round(from * SAMPLE_RATE));
  const b = Math.min(x.length, Math.round(to * SAMPLE_RATE));
  let sum = 0;
  for (let i = a; i < b; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / Math.max(1, b - a));
}

interface Recorded {
  callId: number;
  answeredAt: number;
  endedAt: number;
  recordingState: string;
  recordings: {
    path: string;
    duration_ms: number;
    size_bytes: number;
    started_at: number;
    started_by: number | null;
  }[];
}

/** The last call in the history and its recordings, once the recording has been saved (or marked failed). */
async function lastCall(): Promise<Recorded> {
  for (let i = 0; i < 200; i++) {
    const row = s.db
      .prepare('SELECT id, answered_at, ended_at, recording_state FROM calls ORDER BY id DESC LIMIT 1')
      .get() as { id: number; answered_at: number; ended_at: number; recording_state: string } | undefined;
    if (row && row.recording_state !== 'none' && row.recording_state !== 'recording') {
      const recordings = s.db
        .prepare('SELECT path, duration_ms, size_bytes, started_at, started_by FROM recordings WHERE call_id = ?')
        .all(row.id) as Recorded['recordings'];
      return {
        callId: row.id,
        answeredAt: row.answered_at,
        endedAt: row.ended_at,
        recordingState: row.recording_state,
        recordings,
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no recorded call\n${s.log().slice(-3000)}`);
}

/** The relay's log, shown when a recording is missing. */
const relayLog = () => s.phone.media?.readLog().slice(-6000) ?? 'no relay';

/**
 * John (caller) calls Karey's sipp phone; both send a tone (or Karey echoes
 * what she hears). `during` runs while the call is up, with its SIP Call-ID.
 */
async function recordedCall(o: {
  talkMs: number;
  calleePlays: boolean;
  during?: (sipCallId: string) => Promise<void>;
}): Promise<void> {
  const callerPcap = join(s.runDir, `caller-${CALLER_HZ}.pcap`);
  const calleePcap = join(s.runDir, `callee-${CALLEE_HZ}.pcap`);
  writeFileSync(callerPcap, tonePcap(CALLER_HZ, o.talkMs + 2000));
  writeFileSync(calleePcap, tonePcap(CALLEE_HZ, o.talkMs + 2000));
  const phone = await s.sipp({
    scenario: scenario('record-answer.xml', { PLAY: o.calleePlays ? play(calleePcap) : '' }),
    uas: true,
    localPort: contactPort,
    rtpEcho: !o.calleePlays,
    timeoutSeconds: 30,
  });
  try {
    const c = s.credentials('john');
    const caller = await s.sipp({
      scenario: scenario('record-dial.xml', { PCAP: callerPcap, TALK_MS: String(o.talkMs) }),
      keys: { ext: s.extension('john'), domain: DOMAIN, to: s.extension('karey'), cid: '' },
      auth: { username: c.authorizationUsername, password: c.password },
      timeoutSeconds: 30,
    });
    if (o.during) {
      let callId = '';
      for (let i = 0; i < 100 && !callId; i++) {
        callId = /^Call-ID: (.+)$/m.exec(caller.messages())?.[1]?.trim() ?? '';
        await new Promise((r) => setTimeout(r, 20));
      }
      // Answered: the 200 OK reached the caller.
      for (let i = 0; i < 200 && !/^SIP\/2.0 200 OK[\s\S]*CSeq: 2 INVITE/m.test(caller.messages()); i++)
        await new Promise((r) => setTimeout(r, 20));
      await o.during(callId);
    }
    const code = await caller.done;
    expect(code, caller.messages() + s.log().slice(-3000)).toBe(0);
    await phone.done;
  } finally {
    phone.kill();
  }
}

const setInternalMode = (mode: string) =>
  s.db.prepare('UPDATE accounts SET internal_record_mode = ? WHERE id = ?').run(mode, s.ids.accountId);

it('records a call between two phones through the relay from its answer: both sides, each in its channel, the notice first, the length of the call', async () => {
  setInternalMode('always');
  const talkMs = 7000;
  await recordedCall({ talkMs, calleePlays: true });
  const call = await lastCall();
  expect(call.recordingState, relayLog()).toBe('recorded');
  expect(call.recordings).toHaveLength(1);
  const r = call.recordings[0]!;
  expect(r.path).toMatch(/^recordings\/\d{4}\/\d{2}\/call-\d+-\d+\.wav$/);
  expect(r.started_by).toBeNull();
  // From the answer to the hang-up.
  expect(Math.abs(r.started_at - call.answeredAt)).toBeLessThan(300);
  const file = join(dataDir, r.path);
  expect(readFileSync(file).length).toBe(r.size_bytes);
  const wav = readStereoWav(readFileSync(file));
  expect(wav.rate).toBe(8000);
  const seconds = wav.left.length / SAMPLE_RATE;
  expect(Math.abs(seconds * 1000 - r.duration_ms)).toBeLessThan(5);
  expect(Math.abs(seconds * 1000 - (call.endedAt - call.answeredAt))).toBeLessThan(400);
  expect(seconds).toBeGreaterThan(talkMs / 1000 - 0.5);
  expect(seconds).toBeLessThan(talkMs / 1000 + 1);

  // The caller's tone on the left, the callee's on the right, each through the whole call.
  const notice = readWav(readFileSync(join(import.meta.dirname, '../../../resources/prompts/recording-notice.wav')));
  const noticeEnd = notice.length / SAMPLE_RATE;
  const after = [noticeEnd + 0.3, seconds - 0.3] as const;
  const whole = [0.2, seconds - 0.3] as const;
  expect(power(wav.left, CALLER_HZ, ...whole)).toBeGreaterThan(50 * power(wav.left, CALLEE_HZ, ...whole));
  expect(power(wav.right, CALLEE_HZ, ...whole)).toBeGreaterThan(50 * power(wav.right, CALLER_HZ, ...whole));
  expect(power(wav.left, CALLER_HZ, ...after)).toBeGreaterThan(1e6);
  expect(power(wav.right, CALLEE_HZ, ...after)).toBeGreaterThan(1e6);

  // The notice opens the recording: its words (energy beyond the tones) during its length, not after.
  const withoutTone = (x: Int16Array, hz: number) => {
    // Subtract the tone's own share: what remains is the notice.
    const total = rms(x, 0.2, noticeEnd - 0.2) ** 2;
    return Math.sqrt(Math.max(0, total - 2 * power(x, hz, 0.2, noticeEnd - 0.2)));
  };
  expect(withoutTone(wav.left, CALLER_HZ)).toBeGreaterThan(300);
  const afterOnly = Math.sqrt(Math.max(0, rms(wav.left, ...after) ** 2 - 2 * power(wav.left, CALLER_HZ, ...after)));
  expect(afterOnly).toBeLessThan(withoutTone(wav.left, CALLER_HZ) / 3);
  // Nothing is left in the spool.
  expect(readdirSync(join(dataDir, 'recording-spool', 'pcaps'))).toEqual([]);
}, 40_000);

it('plays the notice to the callee before the conversation: while it plays the callee hears it and not the caller, then the caller', async () => {
  setInternalMode('always');
  // Karey's phone sends back what it hears, so her side of the recording is what she heard.
  await recordedCall({ talkMs: 8000, calleePlays: false });
  const call = await lastCall();
  expect(call.recordingState, relayLog()).toBe('recorded');
  const wav = readStereoWav(readFileSync(join(dataDir, call.recordings[0]!.path)));
  const notice = readWav(readFileSync(join(import.meta.dirname, '../../../resources/prompts/recording-notice.wav')));
  const noticeEnd = notice.length / SAMPLE_RATE;
  const seconds = wav.right.length / SAMPLE_RATE;
  // During the notice: no caller tone reached her.
  const during = power(wav.right, CALLER_HZ, 0.3, noticeEnd - 0.3);
  const later = power(wav.right, CALLER_HZ, noticeEnd + 0.5, seconds - 0.3);
  expect(later).toBeGreaterThan(1e6);
  expect(during).toBeLessThan(later / 100);
  // What she sent back during it is the notice: the right channel holds it twice (heard and laid in), the left once beside the tone.
  const rightWords = rms(wav.right, 0.3, noticeEnd - 0.3);
  const leftWords = Math.sqrt(
    Math.max(0, rms(wav.left, 0.3, noticeEnd - 0.3) ** 2 - 2 * power(wav.left, CALLER_HZ, 0.3, noticeEnd - 0.3)),
  );
  expect(rightWords).toBeGreaterThan(1.25 * leftWords);
}, 40_000);

it('records on demand from when the agent presses Record: the recording starts then, shorter than the call, and nobody hears a notice', async () => {
  setInternalMode('on_demand');
  const john = s.ids.users.john!;
  // Through the API, as the softphone's Record button asks.
  const [johnApi, leoApi] = [await s.as('john'), await s.as('leo')];
  let pressedAt = 0;
  await recordedCall({
    talkMs: 6000,
    calleePlays: false,
    during: async (sipCallId) => {
      await new Promise((r) => setTimeout(r, 2500));
      expect(await johnApi.ok('liveRecording.get', { sipCallId })).toEqual({
        sipCallId,
        mode: 'on_demand',
        recording: false,
        paused: false,
        canStart: true,
        canStop: false,
        reason: null,
        stopReason: null,
      });
      // Only a party to the call may start its recording.
      expect(await leoApi.call('liveRecording.start', { sipCallId })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
      pressedAt = Date.now();
      expect(await johnApi.ok('liveRecording.start', { sipCallId })).toMatchObject({ recording: true });
    },
  });
  const audited = s.db
    .prepare(`SELECT actor_user_id, summary FROM audit_events WHERE action = 'recording.start' ORDER BY id DESC`)
    .all() as { actor_user_id: number; summary: string }[];
  expect(audited[0]?.actor_user_id).toBe(john);
  const call = await lastCall();
  expect(call.recordingState, relayLog()).toBe('recorded');
  const r = call.recordings[0]!;
  expect(r.started_by).toBe(john);
  expect(r.started_at).toBeGreaterThanOrEqual(pressedAt);
  expect(r.started_at - call.answeredAt).toBeGreaterThan(2000);
  const wav = readStereoWav(readFileSync(join(dataDir, r.path)));
  const seconds = wav.right.length / SAMPLE_RATE;
  expect(Math.abs(seconds * 1000 - (call.endedAt - r.started_at))).toBeLessThan(400);
  expect(seconds * 1000).toBeLessThan(call.endedAt - call.answeredAt - 2000);
  // No notice: Karey kept hearing John from the first moment of the recording.
  expect(power(wav.right, CALLER_HZ, 0.2, Math.min(2, seconds - 0.2))).toBeGreaterThan(1e6);
  expect(power(wav.left, CALLER_HZ, 0.2, seconds - 0.2)).toBeGreaterThan(1e6);
}, 40_000);

it('leaves out what follows Stop until Record is pressed again: one recording, the stopped stretch silent; audited', async () => {
  setInternalMode('on_demand');
  const john = s.ids.users.john!;
  const [johnApi, kareyApi] = [await s.as('john'), await s.as('karey')];
  const at: Record<string, number> = {};
  await recordedCall({
    talkMs: 8000,
    calleePlays: true,
    during: async (sipCallId) => {
      await new Promise((r) => setTimeout(r, 1000));
      at.start = Date.now();
      expect(await johnApi.ok('liveRecording.start', { sipCallId })).toMatchObject({ recording: true, canStop: true });
      await new Promise((r) => setTimeout(r, 2000));
      // The customer reads a card number: Stop.
      at.stop = Date.now();
      expect(await johnApi.ok('liveRecording.stop', { sipCallId })).toMatchObject({
        recording: false,
        paused: true,
        canStart: true,
        canStop: false,
      });
      await new Promise((r) => setTimeout(r, 2000));
      // The other party (a teammate here) presses Record again: the same recording continues.
      at.resume = Date.now();
      expect(await kareyApi.ok('liveRecording.start', { sipCallId })).toMatchObject({ recording: true, paused: false });
    },
  });
  const call = await lastCall();
  expect(call.recordingState, relayLog()).toBe('recorded');
  expect(call.recordings).toHaveLength(1);
  const r = call.recordings[0]!;
  expect(r.started_by).toBe(john);
  const audited = s.db
    .prepare(
      `SELECT action, actor_user_id FROM audit_events WHERE action IN ('recording.start', 'recording.stop') ORDER BY id DESC LIMIT 3`,
    )
    .all();
  expect(audited).toEqual([
    { action: 'recording.start', actor_user_id: s.ids.users.karey },
    { action: 'recording.stop', actor_user_id: john },
    { action: 'recording.start', actor_user_id: john },
  ]);
  const wav = readStereoWav(readFileSync(join(dataDir, r.path)));
  const seconds = wav.left.length / SAMPLE_RATE;
  // From the first Record to the hang-up, the stopped stretch kept as time.
  expect(Math.abs(seconds * 1000 - (call.endedAt - r.started_at))).toBeLessThan(400);
  const t = (ms: number) => (ms - r.started_at) / 1000;
  const before: [number, number] = [0.2, t(at.stop!) - 0.2];
  // The relay hears Stop a moment after the press and Record a moment after it: a margin either side.
  const stopped: [number, number] = [t(at.stop!) + 0.3, t(at.resume!) - 0.1];
  const after: [number, number] = [t(at.resume!) + 0.6, seconds - 0.3];
  expect(stopped[1] - stopped[0]).toBeGreaterThan(1);
  for (const [x, hz] of [
    [wav.left, CALLER_HZ],
    [wav.right, CALLEE_HZ],
  ] as const) {
    expect(power(x, hz, ...before)).toBeGreaterThan(1e6);
    expect(power(x, hz, ...after)).toBeGreaterThan(1e6);
    // Nothing of either side while stopped.
    expect(rms(x, ...stopped)).toBeLessThan(1);
  }
  expect(readdirSync(join(dataDir, 'recording-spool', 'pcaps'))).toEqual([]);
}, 40_000);

it('records nothing when the account says never', async () => {
  setInternalMode('never');
  await recordedCall({ talkMs: 1000, calleePlays: true });
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 50));
  const row = s.db.prepare('SELECT id, recording_state FROM calls ORDER BY id DESC LIMIT 1').get() as {
    id: number;
    recording_state: string;
  };
  expect(row.recording_state).toBe('none');
  expect(s.db.prepare('SELECT COUNT(*) FROM recordings WHERE call_id = ?').pluck().get(row.id)).toBe(0);
  expect(existsSync(join(dataDir, 'recording-spool', 'pcaps'))).toBe(true);
}, 30_000);

it('marks a call that should have been recorded as failed, and keeps no audio, when the relay cannot record it', async () => {
  setInternalMode('always');
  // The relay is gone (it crashed): the call still connects, directly, and is recorded nowhere.
  await s.phone.media!.stop();
  await recordedCall({ talkMs: 1500, calleePlays: true });
  const call = await lastCall();
  expect(call.recordingState).toBe('failed');
  expect(call.recordings).toEqual([]);
  expect(readdirSync(join(dataDir, 'recording-spool', 'pcaps'))).toEqual([]);
}, 30_000);
