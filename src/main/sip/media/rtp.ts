import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { encode, decodeInto, type G711 } from './g711';

/**
 * One RTP stream on a UDP socket: sends audio paced at 20 ms frames, and
 * hands over what arrives (G.711 audio, RFC 4733 tones).
 */

const FRAME = 160; // 20 ms at 8 kHz
const DIGITS = '0123456789*#ABCD';

export interface RtpPeer {
  address: string;
  port: number;
}

export class RtpStream {
  private seq = randomBytes(2).readUInt16BE(0);
  private timestamp = randomBytes(4).readUInt32BE(0);
  private readonly ssrc = randomBytes(4).readUInt32BE(0);
  private playing: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private lastEvent: number | null = null;
  private lastSeq: number | null = null;
  private closed = false;
  /** When the last packet arrived (ms since epoch), or null. */
  lastHeardAt: number | null = null;

  constructor(
    private readonly socket: Socket,
    public peer: RtpPeer,
    private readonly codec: G711,
    private readonly payloadType: number,
    private readonly eventType: number | null,
    handlers: { audio: (samples: Int16Array) => void; digit: (digit: string) => void },
  ) {
    const scratch = new Int16Array(FRAME * 4);
    socket.on('message', (packet, from) => {
      if (this.closed || packet.length < 12 || packet[0]! >> 6 !== 2) return;
      // Only the far end's address the SDP named (the relay, or the caller) is heard; some phones send from another port.
      if (from.address !== this.peer.address) return;
      this.lastHeardAt = Date.now();
      const pt = packet[1]! & 0x7f;
      const seq = packet.readUInt16BE(2);
      const cc = packet[0]! & 0x0f;
      let offset = 12 + cc * 4;
      if (packet[0]! & 0x10) {
        if (packet.length < offset + 4) return;
        offset += 4 + packet.readUInt16BE(offset + 2) * 4;
      }
      let end = packet.length;
      if (packet[0]! & 0x20) end -= packet[end - 1]!;
      if (offset > end) return;
      const payload = packet.subarray(offset, end);
      if (pt === this.eventType && payload.length >= 4) {
        const ts = packet.readUInt32BE(4);
        // One digit per event (an event's packets share its timestamp).
        if (ts !== this.lastEvent && payload[0]! < DIGITS.length) {
          this.lastEvent = ts;
          handlers.digit(DIGITS[payload[0]!]!);
        }
        return;
      }
      if (pt !== this.payloadType) return;
      if (seq === this.lastSeq) return; // a duplicate
      this.lastSeq = seq;
      const n = decodeInto(this.codec, payload, scratch, 0);
      handlers.audio(scratch.subarray(0, n));
    });
  }

  /** Sends `samples` in real time; resolves when all were sent or `stop()` was called. */
  play(samples: Int16Array): Promise<void> {
    this.stop();
    return new Promise((resolve) => {
      const start = Date.now();
      let frame = 0;
      const frames = Math.ceil(samples.length / FRAME);
      const tick = () => {
        if (this.closed) return this.finishPlay();
        // Catch up after a late timer, so the stream keeps its 20 ms pace on average.
        while (frame < frames && Date.now() - start >= frame * 20) {
          const chunk = new Int16Array(FRAME);
          chunk.set(samples.subarray(frame * FRAME, (frame + 1) * FRAME));
          this.send(encode(this.codec, chunk), frame === 0);
          frame++;
        }
        if (frame >= frames) return this.finishPlay();
        this.playing!.timer = setTimeout(tick, Math.max(1, start + frame * 20 - Date.now()));
      };
      this.playing = { timer: setTimeout(tick, 0), resolve };
    });
  }

  stop(): void {
    this.finishPlay();
  }

  close(): void {
    this.closed = true;
    this.finishPlay();
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private finishPlay(): void {
    const p = this.playing;
    if (!p) return;
    this.playing = null;
    clearTimeout(p.timer);
    p.resolve();
  }

  private send(payload: Buffer, marker: boolean): void {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (marker ? 0x80 : 0) | this.payloadType;
    header.writeUInt16BE(this.seq, 2);
    header.writeUInt32BE(this.timestamp >>> 0, 4);
    header.writeUInt32BE(this.ssrc, 8);
    this.seq = (this.seq + 1) & 0xffff;
    this.timestamp = (this.timestamp + FRAME) >>> 0;
    this.socket.send(Buffer.concat([header, payload]), this.peer.port, this.peer.address);
  }
}
