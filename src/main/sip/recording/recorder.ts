import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CallDirection } from '../../../shared/primitives';
import type { Speech } from '../media/speech';
import { readWav, writeWav } from '../media/wav';
import { mixCall } from './mix';
import { ngCommand, type Bencoded } from './ng';
import { readPcap } from './pcap';

/**
 * Call recording on the media relay (docs/softphone.md, "Recording").
 * rtpengine's `pcap` method keeps, per call, the RTP each side sent; when
 * the call ends this process mixes it into a stereo WAV in the data
 * directory and registers it with the call. The proxy relays a call's
 * media through rtpengine whenever the call may be recorded (the decision
 * marks it), and the relay is told to record by this process: at the
 * answer for calls recorded always (after which both parties hear the
 * notice), or when the agent presses Record.
 */

export type RecordMode = 'always' | 'never' | 'on_demand';

export interface RecordingPlanOf {
  mode: RecordMode;
  /** What the parties hear first when the call is recorded from its answer. */
  notice: string;
}

export interface FinishedRecording {
  accountId: number;
  /** The call's id in the history (calls.id). */
  callId: number;
  /** The WAV file, relative to the data directory (`recordings/…`). */
  path: string;
  durationMs: number;
  sizeBytes: number;
  startedAt: number;
  /** Who pressed Record; null when the call was recorded from its answer. */
  startedBy: number | null;
}

/** Where recordings go: the account's settings and the recordings repository. */
export interface RecordingSink {
  plan(call: {
    accountId: number;
    bnId: number | null;
    callFlowId: number | null;
    direction: CallDirection;
  }): RecordingPlanOf;
  finished(r: FinishedRecording): void;
  /** The call is in the history and its recording is being saved: its details say it is being recorded. */
  saving?(r: { accountId: number; callId: number }): void;
  /** The call should have been recorded and was not (the relay failed): its details say so. */
  failed(r: { accountId: number; callId: number }): void;
}

export interface RecorderOptions {
  accountId: number;
  /** The data directory (the account database's folder); recordings go to its `recordings/` folder. */
  dataDir: string;
  /** rtpengine's `--recording-dir`: pcaps, metadata and cached notices. */
  spoolDir: string;
  /** The relay's NG port, or null when it does not run. */
  ngPort: () => number | null;
  sink: RecordingSink;
  speech?: Speech | undefined;
  /** The committed default notice (resources/prompts/recording-notice.wav) and its text. */
  defaultNotice?: { file: string; text: string } | undefined;
  log?: ((message: string, error?: unknown) => void) | undefined;
  now?: (() => number) | undefined;
  /** How long to wait for the relay to close a finished call's pcap. */
  closeWaitMs?: number | undefined;
}

export type StartResult = { ok: true } | { ok: false; reason: string };

/** One stretch the relay recorded: from Record (or the answer) to Stop (null: still recording). */
interface Segment {
  pcap: string;
  from: number;
  to: number | null;
}

interface Live {
  trackerId: string;
  mode: RecordMode;
  notice: string;
  /** The SIP dialog, known once answered. */
  sipCallId: string | null;
  fromTag: string;
  toTag: string;
  participants: Set<number>;
  /** paused: recorded, then stopped by a party (on-demand calls); Record again continues the same recording. */
  state: 'idle' | 'starting' | 'recording' | 'paused' | 'failed';
  starting: Promise<void> | null;
  /** A Stop being sent to the relay: Record and the end of the call wait for it. */
  stopping: Promise<void> | null;
  startedAt: number;
  startedBy: number | null;
  segments: Segment[];
  callerPorts: Set<number>;
  inserts: { at: number; samples: Int16Array }[];
  timers: NodeJS.Timeout[];
}

const NG_TIMEOUT_MS = 1000;

/** 1 s: how long the relay may take to see the answer the proxy reported. */
const ANSWER_WAIT_TRIES = 50;

/** The Call-ID a pcap is named after: rtpengine writes `<percent-escaped Call-ID>-<random hex>.pcap`. */
function pcapCallId(file: string): string | null {
  const m = /^(.*)-[0-9a-f]{16}\.pcap$/.exec(file);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}

export class Recorder {
  private readonly calls = new Map<string, Live>();
  private readonly notices = new Map<string, Promise<{ file: string; samples: Int16Array } | null>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly now: () => number;

  readonly spoolDir: string;

  constructor(private readonly o: RecorderOptions) {
    this.now = o.now ?? Date.now;
    this.spoolDir = o.spoolDir;
    for (const sub of ['pcaps', 'metadata', 'tmp', 'notices'])
      mkdirSync(join(o.spoolDir, sub), { recursive: true, mode: 0o700 });
    // Left by a host that was killed mid-call: their calls are written without them, the audio is not kept.
    for (const sub of ['pcaps', 'metadata', 'tmp'])
      for (const f of readdirSync(join(o.spoolDir, sub))) rmSync(join(o.spoolDir, sub, f), { force: true });
  }

  /** rtpengine's arguments for recording into the spool. */
  static relayArgs(spoolDir: string): string[] {
    return ['--recording-method=pcap', `--recording-dir=${spoolDir}`, '--recording-format=raw'];
  }

  /**
   * A new call: whether it may be recorded, from its settings now. True
   * means its media must go through the relay (the proxy is told so).
   * Emergency calls are never recorded (no notice delays them).
   */
  decide(
    trackerId: string,
    call: {
      bnId: number | null;
      callFlowId: number | null;
      direction: CallDirection;
      placedBy: number | null;
      emergency?: boolean;
    },
  ): boolean {
    if (call.emergency) return false;
    let plan: RecordingPlanOf;
    try {
      plan = this.o.sink.plan({ accountId: this.o.accountId, ...call });
    } catch (error) {
      this.o.log?.('The recording settings could not be read; the call is not recorded', error);
      return false;
    }
    if (plan.mode === 'never') return false;
    const live: Live = {
      trackerId,
      mode: plan.mode,
      notice: plan.notice,
      sipCallId: null,
      fromTag: '',
      toTag: '',
      participants: new Set(call.placedBy === null ? [] : [call.placedBy]),
      state: this.o.ngPort() === null ? 'failed' : 'idle',
      starting: null,
      stopping: null,
      startedAt: 0,
      startedBy: null,
      segments: [],
      callerPorts: new Set(),
      inserts: [],
      timers: [],
    };
    this.calls.set(trackerId, live);
    if (live.state === 'failed') this.o.log?.('The media relay does not run: a call that should be recorded is not');
    return live.state !== 'failed';
  }

  /** The call was answered: its dialog is known; a call recorded always starts now, with the notice. */
  answered(
    trackerId: string,
    a: { sipCallId: string; fromTag: string; toTag: string; userId: number | null; voicemail: boolean },
  ): void {
    const c = this.calls.get(trackerId);
    if (!c || c.sipCallId !== null) return;
    // Voicemail answered: the message is the call's recording (kept with the call), not this.
    if (a.voicemail) return void this.calls.delete(trackerId);
    c.sipCallId = a.sipCallId;
    c.fromTag = a.fromTag;
    c.toTag = a.toTag;
    if (a.userId !== null) c.participants.add(a.userId);
    if (c.mode === 'always' && c.state === 'idle') this.begin(c, null);
  }

  /** Whether a member may press Record on this call now (a party to an answered call that allows it). */
  liveCallOf(
    sipCallId: string,
    userId: number,
  ): { trackerId: string; mode: RecordMode; recording: boolean; paused: boolean } | null {
    for (const c of this.calls.values())
      if (c.sipCallId === sipCallId && c.participants.has(userId))
        return {
          trackerId: c.trackerId,
          mode: c.mode,
          recording: c.state === 'recording' || c.state === 'starting',
          paused: c.state === 'paused',
        };
    return null;
  }

  /** Whether an answered call with this SIP Call-ID may be recorded here (whoever its parties are). */
  hasCall(sipCallId: string): boolean {
    for (const c of this.calls.values()) if (c.sipCallId === sipCallId) return true;
    return false;
  }

  /** The agent pressed Record: the relay starts recording this call now; the other party hears nothing new. */
  async startOnDemand(sipCallId: string, userId: number): Promise<StartResult> {
    const c = [...this.calls.values()].find((x) => x.sipCallId === sipCallId && x.participants.has(userId));
    if (!c) return { ok: false, reason: 'That call is not going on, or you are not on it.' };
    if (c.mode === 'never') return { ok: false, reason: 'Calls on this line are not recorded.' };
    // A Stop under way finishes first.
    while (c.stopping) await c.stopping;
    if (c.state === 'recording') return { ok: true };
    if (c.state === 'starting') {
      await c.starting;
    } else {
      if (c.state === 'failed') c.state = 'idle';
      this.begin(c, userId);
      await c.starting;
    }
    return (c.state as Live['state']) === 'recording'
      ? { ok: true }
      : { ok: false, reason: 'The call could not be recorded.' };
  }

  /**
   * A party pressed Stop on a call recorded on demand: the relay stops
   * recording; what follows is not in the recording until Record is pressed
   * again, which continues the same recording (the stopped stretch is
   * silence in it). A call recorded always is never stopped here.
   */
  async stopOnDemand(sipCallId: string, userId: number): Promise<StartResult> {
    const c = [...this.calls.values()].find((x) => x.sipCallId === sipCallId && x.participants.has(userId));
    if (!c) return { ok: false, reason: 'That call is not going on, or you are not on it.' };
    if (c.mode !== 'on_demand') return { ok: false, reason: 'Calls on this line are always recorded.' };
    while (c.state === 'starting') await c.starting;
    if (c.state !== 'recording') return { ok: true };
    const segment = c.segments.at(-1)!;
    // From the press: what the relay still writes until it hears is left out of the mix.
    segment.to = this.now();
    c.state = 'paused';
    const port = this.o.ngPort();
    const callId = c.sipCallId!;
    const stopping = (async () => {
      if (port === null) return;
      await ngCommand(port, { command: 'stop recording', 'call-id': callId }, NG_TIMEOUT_MS).catch((error: unknown) =>
        this.o.log?.('The media relay did not stop recording a call; the stopped stretch is left out of it', error),
      );
    })();
    c.stopping = stopping;
    await stopping;
    if (c.stopping === stopping) c.stopping = null;
    return { ok: true };
  }

  private begin(c: Live, userId: number | null): void {
    c.state = 'starting';
    // Who pressed Record first (a resumed recording keeps them).
    if (c.segments.length === 0) c.startedBy = userId;
    c.starting = this.start(c).then(
      () => {
        c.state = 'recording';
      },
      (error: unknown) => {
        c.state = 'failed';
        this.o.log?.('The media relay did not start recording a call', error);
      },
    );
  }

  private async start(c: Live): Promise<void> {
    const port = this.o.ngPort();
    if (port === null || c.sipCallId === null) throw new Error('No media relay');
    const callId = c.sipCallId;
    // The proxy reports the answer before it hands it to the relay: wait until the relay knows both sides.
    for (let i = 0; ; i++) {
      const q = await ngCommand(port, { command: 'query', 'call-id': callId }, NG_TIMEOUT_MS);
      // Which of the relay's ports face the caller: RTP arriving there is the caller speaking.
      c.callerPorts = localPorts(q, c.fromTag);
      if ((c.callerPorts.size > 0 && localPorts(q, c.toTag).size > 0) || i >= ANSWER_WAIT_TRIES) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const pcaps = join(this.o.spoolDir, 'pcaps');
    const before = new Set(readdirSync(pcaps));
    const from = this.now();
    const first = c.segments.length === 0;
    if (first) c.startedAt = from;
    await ngCommand(port, { command: 'start recording', 'call-id': callId }, NG_TIMEOUT_MS);
    const ours = (f: string) => f.endsWith('.pcap') && pcapCallId(f) === callId;
    // The relay opens a new file after a stop, or goes on writing the one it has.
    const pcap =
      readdirSync(pcaps).find((f) => ours(f) && !before.has(f)) ??
      c.segments.at(-1)?.pcap ??
      readdirSync(pcaps).find(ours) ??
      null;
    if (pcap === null) throw new Error('The relay wrote no recording file');
    c.segments.push({ pcap, from, to: null });
    if (first && c.startedBy === null) await this.notice(c, port);
  }

  /**
   * The notice, played by the relay to both parties, who meanwhile do not
   * hear each other; laid into the recording at the same instant.
   */
  private async notice(c: Live, port: number): Promise<void> {
    const prompt = await this.prompt(c.notice);
    if (!prompt || c.sipCallId === null) throw new Error('No recording notice could be prepared');
    const callId = c.sipCallId;
    const tags = [c.fromTag, c.toTag].filter(Boolean);
    for (const tag of tags)
      await ngCommand(port, { command: 'block media', 'call-id': callId, 'from-tag': tag }, NG_TIMEOUT_MS);
    const at = this.now();
    let duration = Math.round((prompt.samples.length * 1000) / 8000);
    for (const tag of tags) {
      const r = await ngCommand(
        port,
        { command: 'play media', 'call-id': callId, 'from-tag': tag, file: prompt.file },
        NG_TIMEOUT_MS,
      );
      if (typeof r.duration === 'number') duration = r.duration;
    }
    c.inserts.push({ at, samples: prompt.samples });
    const unblock = setTimeout(() => {
      for (const tag of tags)
        ngCommand(port, { command: 'unblock media', 'call-id': callId, 'from-tag': tag }, NG_TIMEOUT_MS).catch(() => {
          // The call ended during the notice.
        });
    }, duration);
    unblock.unref();
    c.timers.push(unblock);
  }

  /** The notice's audio: the committed default, else the flow's text spoken once and kept in the spool. */
  private prompt(text: string): Promise<{ file: string; samples: Int16Array } | null> {
    let hit = this.notices.get(text);
    if (!hit) {
      hit = (async () => {
        const d = this.o.defaultNotice;
        if (d && text === d.text && existsSync(d.file)) return { file: d.file, samples: readWav(readFileSync(d.file)) };
        const file = join(
          this.o.spoolDir,
          'notices',
          `${createHash('sha256').update(text).digest('hex').slice(0, 24)}.wav`,
        );
        if (existsSync(file)) return { file, samples: readWav(readFileSync(file)) };
        const samples = (await this.o.speech?.say(text)) ?? null;
        if (samples) {
          writeFileSync(file, writeWav(samples), { mode: 0o600 });
          return { file, samples };
        }
        // No synthesizer for the flow's own words: the default notice, rather than none.
        return d && existsSync(d.file) ? { file: d.file, samples: readWav(readFileSync(d.file)) } : null;
      })();
      this.notices.set(text, hit);
      void hit.then((p) => p ?? this.notices.delete(text));
    }
    return hit;
  }

  /**
   * The call was written into the history as `callId` (null: it could not
   * be): its recording, if any, is mixed, saved and registered. Resolves
   * when that is done.
   */
  finished(trackerId: string, callId: number | null): Promise<void> {
    const c = this.calls.get(trackerId);
    if (!c) return Promise.resolve();
    this.calls.delete(trackerId);
    const endedAt = this.now();
    const work = this.finish(c, callId, endedAt).catch((error: unknown) =>
      this.o.log?.('Saving a recording failed', error),
    );
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
    return work;
  }

  private async finish(c: Live, callId: number | null, endedAt: number): Promise<void> {
    for (const t of c.timers) clearTimeout(t);
    while ((c.state === 'starting' && c.starting) || c.stopping) await (c.stopping ?? c.starting);
    const spool = (sub: string, f: string) => join(this.o.spoolDir, sub, f);
    const pcaps = [...new Set(c.segments.map((s) => s.pcap))];
    const files = pcaps.flatMap((p) => [
      spool('pcaps', p),
      spool('metadata', `rtpengine-meta-${p.replace(/\.pcap$/, '.txt')}`),
    ]);
    try {
      if ((c.state !== 'recording' && c.state !== 'paused') || c.segments.length === 0) {
        // Answered, meant to be recorded, and not: the call's details say so.
        if (callId !== null && c.sipCallId !== null && (c.mode === 'always' || c.state === 'failed'))
          this.o.sink.failed({ accountId: this.o.accountId, callId });
        return;
      }
      // Saved from here on: the call's details say it is being recorded until the recording is registered.
      if (callId !== null) this.o.sink.saving?.({ accountId: this.o.accountId, callId });
      for (let i = 1; i < files.length; i += 2) await this.closed(c, files[i]!);
      if (callId === null) return;
      const spans = c.segments.map((s) => ({ from: s.from, to: s.to ?? endedAt }));
      const mixed = mixCall({
        packets: files
          .filter((_, i) => i % 2 === 0)
          .flatMap((f) => (existsSync(f) ? readPcap(readFileSync(f)) : []))
          .sort((a, b) => a.at - b.at),
        startedAt: c.startedAt,
        // Stopped and not resumed: the recording ends at the Stop.
        endedAt: Math.min(endedAt, spans.at(-1)!.to),
        callerPorts: c.callerPorts,
        inserts: c.inserts,
        spans,
      });
      const at = new Date(c.startedAt);
      const path = `recordings/${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/call-${callId}-${c.startedAt}.wav`;
      const file = join(this.o.dataDir, path);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, mixed.wav, { mode: 0o600 });
      try {
        this.o.sink.finished({
          accountId: this.o.accountId,
          callId,
          path,
          durationMs: mixed.durationMs,
          sizeBytes: statSync(file).size,
          startedAt: c.startedAt,
          startedBy: c.startedBy,
        });
      } catch (error) {
        rmSync(file, { force: true });
        throw error;
      }
    } catch (error) {
      if (callId !== null) {
        try {
          this.o.sink.failed({ accountId: this.o.accountId, callId });
        } catch {
          // The call is gone (a deleted account); nothing to mark.
        }
      }
      throw error;
    } finally {
      for (const f of files) rmSync(f, { force: true });
    }
  }

  /**
   * Waits for the relay to close the call's pcap: it writes the metadata
   * file when the proxy deletes the call at the end of the dialog. A relay
   * the proxy did not tell (a proxy restart) is told here.
   */
  private async closed(c: Live, metadata: string): Promise<void> {
    const wait = async (ms: number) => {
      const until = Date.now() + ms;
      while (!existsSync(metadata) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      return existsSync(metadata);
    };
    const ms = this.o.closeWaitMs ?? 2000;
    if (await wait(ms)) return;
    const port = this.o.ngPort();
    if (port !== null && c.sipCallId !== null)
      await ngCommand(port, { command: 'delete', 'call-id': c.sipCallId }, NG_TIMEOUT_MS).catch(() => undefined);
    await wait(ms);
  }

  /** Recordings still being saved (a stopping service waits for them). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    for (const c of this.calls.values()) for (const t of c.timers) clearTimeout(t);
  }
}

/** The relay's local ports of one side (its tag) in a `query` reply. */
export function localPorts(reply: Record<string, Bencoded>, tag: string): Set<number> {
  const ports = new Set<number>();
  const tags = reply.tags;
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return ports;
  const side = tags[tag];
  if (!side || typeof side !== 'object' || Array.isArray(side) || !Array.isArray(side.medias)) return ports;
  for (const m of side.medias) {
    if (!m || typeof m !== 'object' || Array.isArray(m) || !Array.isArray(m.streams)) continue;
    for (const s of m.streams)
      if (s && typeof s === 'object' && !Array.isArray(s) && typeof s['local port'] === 'number')
        ports.add(s['local port']);
  }
  return ports;
}
