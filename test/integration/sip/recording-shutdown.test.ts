import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freeUdpRange } from '../../../src/main/sip/ports';
import { Recorder } from '../../../src/main/sip/recording/recorder';
import { ngCommand } from '../../../src/main/sip/recording/ng';
import { startRtpengine } from '../../../src/main/sip/rtpengine';

/**
 * Stopping the media relay while calls are being recorded. rtpengine 10.5
 * crashes (SIGSEGV in recording_finish) when SIGTERM finds a call still
 * recording; the phone service deletes the relay's calls first, so it closes
 * their recordings while running and exits cleanly.
 */

const dir = mkdtempSync(join(tmpdir(), 'tl-rec-stop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sdp = (port: number) =>
  `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n`;

it('stops a relay with calls being recorded: their recordings are closed, and it exits 0 rather than crashing', async () => {
  const spool = join(dir, 'spool');
  for (const sub of ['pcaps', 'metadata', 'tmp']) mkdirSync(join(spool, sub), { recursive: true });
  const portMin = await freeUdpRange(20);
  const relay = await startRtpengine({
    runDir: join(dir, 'run'),
    portMin,
    portMax: portMin + 19,
    extraArgs: Recorder.relayArgs(spool),
  });
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const phones = await freeUdpRange(8);
  try {
    for (let k = 0; k < 3; k++) {
      const callId = `stop-${k}@pc.teamline.test`;
      const offer = await ngCommand(relay.ngPort, {
        command: 'offer',
        'call-id': callId,
        'from-tag': 'a',
        sdp: sdp(phones + k * 2),
      });
      const answer = await ngCommand(relay.ngPort, {
        command: 'answer',
        'call-id': callId,
        'from-tag': 'a',
        'to-tag': 'b',
        sdp: sdp(phones + k * 2 + 1),
      });
      await ngCommand(relay.ngPort, { command: 'start recording', 'call-id': callId });
      const toCallee = Number(/m=audio (\d+)/.exec(String(offer.sdp))![1]);
      const toCaller = Number(/m=audio (\d+)/.exec(String(answer.sdp))![1]);
      for (let i = 0; i < 10; i++) {
        const rtp = Buffer.alloc(172, 0xff);
        rtp[0] = 0x80;
        rtp[1] = 0;
        rtp.writeUInt16BE(i, 2);
        rtp.writeUInt32BE(i * 160, 4);
        rtp.writeUInt32BE(0x1000 + k, 8);
        sock.send(rtp, toCallee, '127.0.0.1');
        sock.send(rtp, toCaller, '127.0.0.1');
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(readdirSync(join(spool, 'pcaps'))).toHaveLength(3);
    expect(readdirSync(join(spool, 'metadata'))).toHaveLength(0);
    await relay.stop();
    // Exited by itself (0), not killed by a signal (null).
    expect(await relay.exited, relay.readLog().slice(-3000)).toBe(0);
    expect(relay.readLog()).not.toMatch(/segmentation|SIGSEGV/i);
    // Each recording was closed: the relay wrote its metadata.
    for (const pcap of readdirSync(join(spool, 'pcaps')))
      expect(existsSync(join(spool, 'metadata', `rtpengine-meta-${pcap.replace(/\.pcap$/, '.txt')}`))).toBe(true);
  } finally {
    sock.close();
    await relay.stop();
  }
}, 30_000);
