import { decodeInto, type G711 } from '../media/g711';
import { pcmWav, SAMPLE_RATE } from '../media/wav';
import type { UdpPacket } from './pcap';

/**
 * A call's recording from the RTP its two sides sent (what rtpengine's pcap
 * holds): G.711 decoded, each side in its own channel of a 16-bit 8 kHz
 * stereo WAV (left: the caller, right: the callee), every stream placed on
 * the call's clock by its RTP timestamps from where its first packet
 * arrived, so that lost or late packets leave silence in the right place
 * rather than shifting what follows. The recording notice, which the relay
 * plays to the parties rather than receiving from them, is laid into both
 * channels at the instant it was played. Stretches where a party stopped
 * the recording are silence, whatever the relay wrote then.
 */

export interface MixInput {
  packets: UdpPacket[];
  /** When recording began (ms since the epoch): sample 0. */
  startedAt: number;
  /** When it ended; audio after it is cut. Defaults to the last packet. */
  endedAt?: number | undefined;
  /** The relay's ports that face the caller: a packet to one of them is the caller speaking. */
  callerPorts: ReadonlySet<number>;
  /** Audio the relay played into the call (the notice), at ms since the epoch. */
  inserts?: { at: number; samples: Int16Array }[] | undefined;
  /**
   * When the call was being recorded (ms since the epoch), when a party
   * stopped and resumed it: audio outside them is silence. Defaults to all.
   */
  spans?: { from: number; to: number }[] | undefined;
}

export interface Mixed {
  wav: Buffer;
  durationMs: number;
  /** RTP packets decoded per channel (0: caller, 1: callee). */
  packets: [number, number];
}

const PAYLOAD_TYPES: Record<number, G711> = { 0: 'PCMU', 8: 'PCMA' };
/** A stream whose timestamps stray this far from its arrival times is anchored again (a new source, a jump). */
const REANCHOR_SAMPLES = SAMPLE_RATE;
/** Recordings are cut at four hours, the longest a call lasts (the dialog timeout). */
const MAX_SAMPLES = 4 * 3600 * SAMPLE_RATE;

interface StreamClock {
  anchorSample: number;
  anchorTs: number;
  seqs: Set<number>;
}

export function mixCall(input: MixInput): Mixed {
  const spans = input.spans;
  const inSpan = (at: number) => !spans || spans.some((s) => at >= s.from && at < s.to);
  const rtp = input.packets.filter((p) => p.payload.length >= 12 && p.payload[0]! >> 6 === 2 && inSpan(p.at));
  const lastAt = rtp.reduce((m, p) => Math.max(m, p.at), input.startedAt);
  const endedAt = input.endedAt ?? lastAt + 20;
  const length = Math.max(0, Math.min(MAX_SAMPLES, Math.round(((endedAt - input.startedAt) * SAMPLE_RATE) / 1000)));
  const channels = [new Int32Array(length), new Int32Array(length)] as const;
  const counts: [number, number] = [0, 0];
  const clocks = new Map<string, StreamClock>();
  const scratch = new Int16Array(2048);

  for (const p of rtp) {
    const b = p.payload;
    const pt = b[1]! & 0x7f;
    const codec = PAYLOAD_TYPES[pt];
    if (!codec) continue; // telephone-event, comfort noise, anything not G.711
    const seq = b.readUInt16BE(2);
    const ts = b.readUInt32BE(4);
    const ssrc = b.readUInt32BE(8);
    let offset = 12 + (b[0]! & 0x0f) * 4;
    if (b[0]! & 0x10) {
      if (b.length < offset + 4) continue;
      offset += 4 + b.readUInt16BE(offset + 2) * 4;
    }
    let end = b.length;
    if (b[0]! & 0x20) end -= b[end - 1]!;
    if (offset >= end) continue;
    const channel = input.callerPorts.has(p.dstPort) ? 0 : 1;
    const key = `${channel}:${p.dstPort}:${ssrc}`;
    const arrival = Math.round(((p.at - input.startedAt) * SAMPLE_RATE) / 1000);
    let clock = clocks.get(key);
    let position = clock ? clock.anchorSample + ((ts - clock.anchorTs) | 0) : arrival;
    if (!clock || Math.abs(position - arrival) > REANCHOR_SAMPLES) {
      clock = { anchorSample: arrival, anchorTs: ts, seqs: clock?.seqs ?? new Set() };
      clocks.set(key, clock);
      position = arrival;
    }
    if (clock.seqs.has(seq)) continue; // a duplicate
    clock.seqs.add(seq);
    const n = decodeInto(codec, b.subarray(offset, end), scratch, 0);
    const out = channels[channel];
    for (let i = 0; i < n; i++) {
      const at = position + i;
      if (at >= 0 && at < length) out[at]! += scratch[i]!;
    }
    counts[channel]++;
  }
  for (const insert of input.inserts ?? []) {
    const from = Math.round(((insert.at - input.startedAt) * SAMPLE_RATE) / 1000);
    for (const out of channels)
      for (let i = 0; i < insert.samples.length; i++) {
        const at = from + i;
        if (at >= 0 && at < length) out[at]! += insert.samples[i]!;
      }
  }
  if (spans) {
    // Samples a packet from before a Stop laid past it, or the notice: cut at the span's edges.
    const keep = new Uint8Array(length);
    for (const s of spans) {
      const a = Math.max(0, Math.round(((s.from - input.startedAt) * SAMPLE_RATE) / 1000));
      const b = Math.min(length, Math.round(((s.to - input.startedAt) * SAMPLE_RATE) / 1000));
      if (b > a) keep.fill(1, a, b);
    }
    for (const out of channels) for (let i = 0; i < length; i++) if (!keep[i]) out[i] = 0;
  }
  return {
    wav: stereoWav(channels[0], channels[1]),
    durationMs: Math.round((length * 1000) / SAMPLE_RATE),
    packets: counts,
  };
}

/** 16-bit PCM, two channels, 8 kHz; sums beyond 16 bits are clipped. */
export function stereoWav(left: Int32Array, right: Int32Array): Buffer {
  return pcmWav(2, Math.min(left.length, right.length), (c, i) => (c === 0 ? left : right)[i]!);
}

/** The two channels of a stereo 16-bit WAV (tests, the player's waveform). */
export function readStereoWav(file: Buffer): { left: Int16Array; right: Int16Array; rate: number } {
  if (file.toString('latin1', 0, 4) !== 'RIFF' || file.toString('latin1', 8, 12) !== 'WAVE')
    throw new Error('Not a WAV file');
  let offset = 12;
  let channels = 0;
  let rate = 0;
  while (offset + 8 <= file.length) {
    const id = file.toString('latin1', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = file.readUInt16LE(body + 2);
      rate = file.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (channels !== 2) throw new Error('Expected a stereo WAV');
      const frames = Math.floor(Math.min(size, file.length - body) / 4);
      const left = new Int16Array(frames);
      const right = new Int16Array(frames);
      for (let i = 0; i < frames; i++) {
        left[i] = file.readInt16LE(body + i * 4);
        right[i] = file.readInt16LE(body + i * 4 + 2);
      }
      return { left, right, rate };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('The WAV file has no audio');
}
