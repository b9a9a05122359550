import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../../../src/main/sip/ports';
import { killAllSipp, startSipp, udpBound } from './sipp';

/** The sipp runner itself: a port taken before sipp binds it is not a failed test. */

const dir = mkdtempSync(join(tmpdir(), 'teamline-sipp-'));
afterAll(() => {
  killAllSipp();
  rmSync(dir, { recursive: true, force: true });
});

it('starts sipp again when its SIP port was taken, and resolves once sipp holds it', async () => {
  const port = await freePort('127.0.0.1', true);
  const squatter = createSocket('udp4');
  await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', resolve));
  setTimeout(() => squatter.close(), 150);
  const uas = await startSipp(dir, { scenario: 'phone-answer.xml', localPort: port, timeoutSeconds: 5 });
  let ended: number | null | 'running' = 'running';
  void uas.done.then((code) => (ended = code));
  await new Promise((r) => setTimeout(r, 100));
  expect(ended).toBe('running');
  expect(udpBound(port)).toBe(true);
  uas.kill();
  await uas.done;
});
