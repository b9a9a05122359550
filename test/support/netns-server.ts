import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Lab } from './netns';

/**
 * The team server (and a TURN server) inside a lab's server namespace, for
 * the tests across a real network (test/integration/teamserver-netns.test.ts,
 * test/e2e/10-team-server-netns.spec.ts, test/e2e/11-team-server-turn.spec.ts).
 */

const root = resolve(import.meta.dirname, '../..');

export interface NetnsServer {
  child: ChildProcess;
  /** SIGTERM (the server drains), SIGKILL after 15 s; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts `teamline-server --config <configFile>` in the role's namespace and resolves once its phone service listens. */
export async function startNetnsServer(lab: Lab, role: string, configFile: string): Promise<NetnsServer> {
  const [cmd, args] = lab.wrap(role, [
    process.execPath,
    '--import',
    'tsx',
    join(root, 'src/main/teamserver/cli.ts'),
    '--config',
    configFile,
  ]);
  const child = spawn(cmd, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEAMLINE_SIP_PEER: '' },
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the team server did not start in 180 s: ${out}${err}`)), 180_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('"event":"phone.listen"')) {
        clearTimeout(timer);
        resolve();
      } else if (out.includes('"event":"phone.off"')) {
        // The tests need the phones: say why at once rather than wait out the timer.
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`the team server's phone service did not start: ${out}${err}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the team server exited (${code}): ${out}${err}`));
    });
  });
  // Keep reading, so a chatty server never blocks on a full pipe.
  child.stdout!.resume();
  return { child, stop: () => stopChild(child, 'SIGTERM') };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export interface NetnsTurn {
  /** The TURN address the server hands out: `turn:<addr>:3478?transport=udp`. */
  url: string;
  /** coturn's log so far (allocations, permissions, refusals). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Debian's coturn in the role's namespace, as docs/deployment.md configures
 * it: long-term credentials from a shared secret (`use-auth-secret`), UDP
 * on 3478, relays on the role's address.
 */
export async function startNetnsTurn(lab: Lab, role: string, dir: string, secret: string): Promise<NetnsTurn> {
  const addr = lab.addr(role);
  const [cmd, args] = lab.wrap(role, [
    '/usr/bin/turnserver',
    '-n',
    '--listening-ip',
    addr,
    '--relay-ip',
    addr,
    '--listening-port',
    '3478',
    '--min-port',
    '49160',
    '--max-port',
    '49260',
    '--realm',
    'teamline.test',
    '--use-auth-secret',
    '--static-auth-secret',
    secret,
    '--no-tls',
    '--no-dtls',
    '--no-tcp-relay',
    '--no-cli',
    '--no-multicast-peers',
    '--userdb',
    join(dir, 'turndb'),
    '--pidfile',
    join(dir, 'turnserver.pid'),
    '--log-file',
    'stdout',
    '--simple-log',
    '--verbose',
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start in 15 s: ${log}`)), 15_000);
    const check = setInterval(() => {
      if (/listener opened on|Total (UDP|General) servers/i.test(log)) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`coturn exited (${code}): ${log}`));
    });
  });
  return { url: `turn:${addr}:3478?transport=udp`, log: () => log, stop: () => stopChild(child, 'SIGTERM') };
}
