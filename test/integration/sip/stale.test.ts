import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reapStale } from '../../../src/main/sip/stale';
import { eventually } from './harness';

/** A server a killed host left behind is ended on the next start; nothing else is. */
const dir = mkdtempSync(join(tmpdir(), 'tl-stale-'));
const started: number[] = [];
afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Ended by the test.
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function leftBehind(marker: string): number {
  const child = spawn('sh', ['-c', `sleep 30; : ${marker}`], { detached: true, stdio: 'ignore' });
  child.unref();
  started.push(child.pid!);
  return child.pid!;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('reapStale', () => {
  it('ends the process named in the pid file when its command line names our run directory', async () => {
    const pid = leftBehind(join(dir, 'kamailio.cfg'));
    writeFileSync(join(dir, 'kamailio.pid'), String(pid));
    reapStale(join(dir, 'kamailio.pid'), join(dir, 'kamailio.cfg'));
    expect(await eventually(() => !alive(pid), 2000)).toBe(true);
  });

  it('leaves alone a process that is not ours (a reused pid)', () => {
    const pid = leftBehind('/somewhere/else.cfg');
    writeFileSync(join(dir, 'kamailio.pid'), String(pid));
    reapStale(join(dir, 'kamailio.pid'), join(dir, 'kamailio.cfg'));
    expect(alive(pid)).toBe(true);
  });
});
