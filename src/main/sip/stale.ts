import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

/**
 * Ends a server this app started earlier and could not stop (the app was
 * killed): its pid file is in our run directory, and its command line names
 * that directory, so nothing else is ever touched. Without this a killed
 * app would leave Kamailio or rtpengine running, holding their ports.
 */
export function reapStale(pidFile: string, marker: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  if (ps.status !== 0 || !ps.stdout.includes(marker)) return;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Gone already, or not a group leader.
    }
  }
}
