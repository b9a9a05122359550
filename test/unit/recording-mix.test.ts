import { describe, expect, it } from 'vitest';
import { encode, ulawToLinear, linearToUlaw } from '../../src/main/sip/media/g711';
import { mixCall, readStereoWav } from '../../src/main/sip/recording/mix';
import { bdecode, bencode } from '../../src/main/sip/recording/ng';
import { readPcap, type UdpPacket } from '../../src/main/sip/recording/pcap';
import { localPorts } from '../../src/main/sip/recording/recorder';

const T0 = 1_800_000_000_000;
const CALLER_PORT = 20000;
const CALLEE_PORT = 20002;

/** A stream's packets: 20 ms of G.711 µ-law each, sample value `value(i)` for the stream's i-th sample. */
function stream(o: {
  dstPort: number;
  ssrc: number;
  firstTs: number;
  startMs: number;
  frames: number;
  value: (i: number) => number;
  pt?: number;
}): UdpPacket[] {
  const out: UdpPacket[] = [];
  for (let f = 0; f < o.frames; f++) {
    const samples = Int16Array.from({ length: 160 }, (_, i) => o.value(f * 160 + i));
    const rtp = Buffer.alloc(12);
    rtp[0] = 0x80;
    rtp[1] = o.pt ?? 0;
    rtp.writeUInt16BE((100 + f) & 0xffff, 2);
    rtp.writeUInt32BE((o.firstTs + f * 160) >>> 0, 4);
    rtp.writeUInt32BE(o.ssrc, 8);
    out.push({
      at: T0 + o.startMs + f * 20,
      srcPort: 40000,
      dstPort: o.dstPort,
      payload: Buffer.concat([rtp, encode('PCMU', samples)]),
    });
  }
  return out;
}

/** What a sample value becomes through µ-law. */
const q = (v: number) => ulawToLinear(linearToUlaw(v));

describe('mixing a call from the RTP its sides sent', () => {
  it('puts each side in its own channel at its place on the call clock, by RTP timestamps', () => {
    const caller = stream({
      dstPort: CALLER_PORT,
      ssrc: 1,
      firstTs: 5000,
      startMs: 100,
      frames: 50,
      value: () => 1000,
    });
    const callee = stream({ dstPort: CALLEE_PORT, ssrc: 2, firstTs: 9, startMs: 300, frames: 25, value: () => -2000 });
    const { wav, durationMs, packets } = mixCall({
      packets: [...caller, ...callee],
      startedAt: T0,
      endedAt: T0 + 1500,
      callerPorts: new Set([CALLER_PORT]),
    });
    expect(durationMs).toBe(1500);
    expect(packets).toEqual([50, 25]);
    const { left, right, rate } = readStereoWav(wav);
    expect(rate).toBe(8000);
    expect(left.length).toBe(12000);
    // Caller: from 100 ms for 1 s; silence before and after.
    expect(left[799]).toBe(0);
    expect(left[800]).toBe(q(1000));
    expect(left[800 + 8000 - 1]).toBe(q(1000));
    expect(left[800 + 8000]).toBe(0);
    // Callee: from 300 ms for 0.5 s, only on the right.
    expect(right[2399]).toBe(0);
    expect(right[2400]).toBe(q(-2000));
    expect(right[2400 + 4000 - 1]).toBe(q(-2000));
    expect(right[2400 + 4000]).toBe(0);
    expect(left[2400 + 10]).toBe(q(1000));
  });

  it('leaves silence where a packet was lost, ignores a duplicate, and places a late packet by its timestamp', () => {
    const packets = stream({ dstPort: CALLER_PORT, ssrc: 7, firstTs: 0, startMs: 0, frames: 10, value: (i) => i });
    const lost = packets.splice(3, 1)[0]!;
    // Frame 6 arrives 50 ms late, after frame 9; frame 8 is sent twice.
    const late = packets.splice(5, 1)[0]!;
    packets.push({ ...late, at: late.at + 50 }, { ...packets[6]!, at: packets[6]!.at + 1 });
    const { wav } = mixCall({ packets, startedAt: T0, endedAt: T0 + 200, callerPorts: new Set([CALLER_PORT]) });
    const { left } = readStereoWav(wav);
    expect(lost).toBeDefined();
    for (let i = 0; i < 1600; i++) {
      const expected = i >= 480 && i < 640 ? 0 : q(i);
      if (left[i] !== expected) throw new Error(`sample ${i}: ${left[i]} ≠ ${expected}`);
    }
  });

  it('follows RTP timestamps across their wrap at 2^32', () => {
    const packets = stream({
      dstPort: CALLEE_PORT,
      ssrc: 3,
      firstTs: 0xffffffff - 159,
      startMs: 0,
      frames: 4,
      value: () => 500,
    });
    const { wav } = mixCall({ packets, startedAt: T0, endedAt: T0 + 100, callerPorts: new Set([CALLER_PORT]) });
    const { right } = readStereoWav(wav);
    expect(Array.from(right.subarray(0, 640)).every((v) => v === q(500))).toBe(true);
    expect(right[640]).toBe(0);
  });

  it('lays the notice into both channels where it was played, and skips what is not G.711', () => {
    const opus = stream({
      dstPort: CALLER_PORT,
      ssrc: 4,
      firstTs: 0,
      startMs: 0,
      frames: 5,
      value: () => 3000,
      pt: 111,
    });
    const notice = Int16Array.from({ length: 800 }, () => 700);
    const { wav, packets } = mixCall({
      packets: opus,
      startedAt: T0,
      endedAt: T0 + 500,
      callerPorts: new Set([CALLER_PORT]),
      inserts: [{ at: T0 + 250, samples: notice }],
    });
    expect(packets).toEqual([0, 0]);
    const { left, right } = readStereoWav(wav);
    for (const ch of [left, right]) {
      expect(ch[1999]).toBe(0);
      expect(ch[2000]).toBe(700);
      expect(ch[2799]).toBe(700);
      expect(ch[2800]).toBe(0);
    }
  });
});

describe("rtpengine's files and control protocol", () => {
  it('reads the RTP of a raw-IP pcap as rtpengine writes it, and stops at a packet cut short', () => {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(101, 20);
    const packet = (sec: number, usec: number, src: number, dst: number, body: string) => {
      const payload = Buffer.from(body);
      const ip = Buffer.alloc(20);
      ip[0] = 0x45;
      ip[9] = 17;
      const udp = Buffer.alloc(8);
      udp.writeUInt16BE(src, 0);
      udp.writeUInt16BE(dst, 2);
      udp.writeUInt16BE(8 + payload.length, 4);
      const frame = Buffer.concat([ip, udp, payload]);
      const rec = Buffer.alloc(16);
      rec.writeUInt32LE(sec, 0);
      rec.writeUInt32LE(usec, 4);
      rec.writeUInt32LE(frame.length, 8);
      rec.writeUInt32LE(frame.length, 12);
      return Buffer.concat([rec, frame]);
    };
    const whole = Buffer.concat([
      header,
      packet(1_800_000_000, 250_000, 40000, 20000, 'first'),
      packet(1_800_000_001, 0, 40002, 20002, 'second'),
    ]);
    const cut = whole.subarray(0, whole.length - 3);
    const read = readPcap(whole);
    expect(read.map((p) => [p.at, p.srcPort, p.dstPort, p.payload.toString()])).toEqual([
      [1_800_000_000_250, 40000, 20000, 'first'],
      [1_800_000_001_000, 40002, 20002, 'second'],
    ]);
    expect(readPcap(cut)).toHaveLength(1);
    expect(() => readPcap(Buffer.from('not a pcap, not at all'))).toThrow(/pcap/);
  });

  it("encodes NG commands in bencode and finds a side's relay ports in a query reply", () => {
    expect(bencode({ command: 'query', 'call-id': 'a@b', n: 3, l: ['x'] }).toString()).toBe(
      'd7:call-id3:a@b7:command5:query1:ll1:xe1:ni3ee',
    );
    const reply = bdecode(
      bencode({
        result: 'ok',
        tags: {
          ft: { medias: [{ streams: [{ 'local port': 20020 }, { 'local port': 20021 }] }] },
          tt: { medias: [{ streams: [{ 'local port': 20000 }] }] },
        },
      }),
    ) as Record<string, never>;
    expect([...localPorts(reply, 'ft')]).toEqual([20020, 20021]);
    expect([...localPorts(reply, 'tt')]).toEqual([20000]);
    expect([...localPorts(reply, 'other')]).toEqual([]);
    expect(() => bdecode(Buffer.from('d3:abc'))).toThrow();
  });
});
