/**
 * Starts the load generators of `npm run bench:server` (sipp) for the bench,
 * from a small process of its own: forking the server's large process held
 * its event loop up for tens of milliseconds per child, ten children at a
 * time, which the consoles and phones waiting on the server counted as its
 * latency.
 *
 * One JSON object per line on stdin:
 *   {"op":"spawn","id":N,"cmd":"sipp","args":[…],"cwd":"…","limitMs":N}
 *   {"op":"kill","id":N,"signal":"SIGTERM"}
 * and one per line on stdout when a child ends: {"id":N,"code":N|null}
 * (-1 when it could not start). A child still running after its limit is
 * killed; when stdin closes every child is killed and the spawner ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

type Command =
  | { op: 'spawn'; id: number; cmd: string; args: string[]; cwd: string; limitMs: number }
  | { op: 'kill'; id: number; signal: NodeJS.Signals };

const children = new Map<number, ChildProcess>();
const report = (id: number, code: number | null) => process.stdout.write(`${JSON.stringify({ id, code })}\n`);

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const c = JSON.parse(line) as Command;
    if (c.op === 'kill') {
      children.get(c.id)?.kill(c.signal);
      return;
    }
    const child = spawn(c.cmd, c.args, { cwd: c.cwd, stdio: 'ignore' });
    children.set(c.id, child);
    const timer = setTimeout(() => child.kill('SIGKILL'), c.limitMs);
    let ended = false;
    const end = (code: number | null) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      children.delete(c.id);
      report(c.id, code);
    };
    child.once('close', (code) => end(code));
    child.once('error', () => end(-1));
  })
  .on('close', () => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(0);
  });
