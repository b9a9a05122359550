import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, udpAsk } from './ports';
import { ngCommand } from './recording/ng';
import { reapStale } from './stale';

/**
 * The media relay: rtpengine (Debian's rtpengine-daemon) in the
 * foreground, in user space (no kernel module), on loopback, controlled by
 * Kamailio over its NG protocol. It translates between a WebRTC softphone's
 * ICE + DTLS-SRTP and the plain RTP of desk phones and the outside world.
 */
export interface RtpengineOptions {
  runDir: string;
  /** Where the relay's media sockets listen (and what it writes into SDP). */
  interfaceIp?: string | undefined;
  /** What it writes into SDP instead, when the server sits behind a 1:1 NAT. */
  advertiseIp?: string | undefined;
  /** UDP ports for media. */
  portMin?: number | undefined;
  portMax?: number | undefined;
  binary?: string | undefined;
  readyTimeoutMs?: number | undefined;
  /** Extra arguments (call recording: `Recorder.relayArgs`). */
  extraArgs?: string[] | undefined;
}

export interface RunningRtpengine {
  ngPort: number;
  pid: number;
  exited: Promise<number | null>;
  readLog(): string;
  stop(): Promise<void>;
}

export class RtpengineError extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True once the relay answers an NG "ping" ("d7:command4:pinge" in bencode) with "pong". */
async function ping(port: number, timeoutMs: number): Promise<boolean> {
  return (await udpAsk('127.0.0.1', port, () => 'probe d7:command4:pinge', timeoutMs))?.includes('pong') ?? false;
}

/**
 * Media ports below the kernel's ephemeral range (Linux: 32768–60999, macOS
 * and Windows: 49152 and up), so a port the OS hands out to another program
 * is never one the relay is about to bind, nor the other way round. 1,000
 * ports carry 250 relayed calls (two ports per side, two sides).
 */
export const MEDIA_PORT_MIN = 20000;
export const MEDIA_PORT_MAX = 20999;

/** No media for this long ends a relayed call (the other side vanished without a BYE). */
export const MEDIA_TIMEOUT_SECONDS = 60;
/** A call on hold sends little or no media: it may stay quiet for an hour. */
export const HELD_MEDIA_TIMEOUT_SECONDS = 3600;

/**
 * The relay's command line: everything it needs, and nothing from the
 * system's own configuration (Debian's /etc/rtpengine/rtpengine.conf sets an
 * HTTP listener on port 2225, kernel forwarding, recording and its own
 * ports), so that a system rtpengine, another copy of this app or anything
 * else holding those ports never stops this one from starting.
 */
export function rtpengineArgs(o: {
  interfaceIp: string;
  advertiseIp?: string | undefined;
  ngPort: number;
  portMin: number;
  portMax: number;
  pidFile: string;
}): string[] {
  return [
    '--config-file=none',
    '--foreground',
    '--log-stderr',
    '--log-level=6',
    // User space forwarding: the kernel module is neither needed on loopback nor installed.
    '--table=-1',
    `--interface=${o.interfaceIp}${o.advertiseIp ? `!${o.advertiseIp}` : ''}`,
    // Its only listener is the NG control port; no HTTP, CLI, TCP or plain UDP control ports.
    `--listen-ng=127.0.0.1:${o.ngPort}`,
    `--port-min=${o.portMin}`,
    `--port-max=${o.portMax}`,
    `--pidfile=${o.pidFile}`,
    `--timeout=${MEDIA_TIMEOUT_SECONDS}`,
    `--silent-timeout=${HELD_MEDIA_TIMEOUT_SECONDS}`,
    // Expedited Forwarding (DSCP 46), as voice is marked for the network's queues.
    '--tos=184',
    '--delete-delay=0',
  ];
}

/**
 * Deletes every call the relay has, as the proxy does at the end of a
 * dialog. rtpengine 10.5 (Debian 12) stopped by SIGTERM while a call is
 * being recorded dies with SIGSEGV in recording_finish as it tears the call
 * down during its shutdown (reproduced every time, with one recorded call or
 * several); a call deleted while it runs closes its recording cleanly, and
 * the relay then exits 0. Bounded: a relay that does not answer is stopped
 * anyway.
 */
export async function deleteCalls(ngPort: number): Promise<number> {
  let ids: string[];
  try {
    const reply = await ngCommand(ngPort, { command: 'list', limit: 100_000 }, 500);
    ids = Array.isArray(reply.calls) ? reply.calls.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return 0;
  }
  let deleted = 0;
  for (let i = 0; i < ids.length; i += 50) {
    const batch = await Promise.allSettled(
      ids.slice(i, i + 50).map((id) => ngCommand(ngPort, { command: 'delete', 'call-id': id, 'delete-delay': 0 }, 500)),
    );
    deleted += batch.filter((r) => r.status === 'fulfilled').length;
  }
  return deleted;
}

export async function startRtpengine(o: RtpengineOptions): Promise<RunningRtpengine> {
  const ngPort = await freePort('127.0.0.1', true);
  mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
  const logFile = join(o.runDir, 'rtpengine.log');
  const pidFile = join(o.runDir, 'rtpengine.pid');
  reapStale(pidFile, pidFile);
  const logFd = openSync(logFile, 'a');
  const args = rtpengineArgs({
    interfaceIp: o.interfaceIp ?? '127.0.0.1',
    advertiseIp: o.advertiseIp,
    ngPort,
    portMin: o.portMin ?? MEDIA_PORT_MIN,
    portMax: o.portMax ?? MEDIA_PORT_MAX,
    pidFile,
  }).concat(o.extraArgs ?? []);
  let child: ChildProcess;
  try {
    child = spawn(o.binary ?? 'rtpengine', args, { stdio: ['ignore', logFd, logFd], detached: true });
  } finally {
    closeSync(logFd);
  }
  let gone = false;
  let spawnError: Error | null = null;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => ((gone = true), resolve(code)));
    child.once('error', (e) => ((spawnError = e), (gone = true), resolve(-1)));
  });
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const kill = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const onExit = () => kill('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    // Its calls end first, while it runs: stopped with a call being recorded, it crashes (see deleteCalls).
    if (!gone) await deleteCalls(ngPort);
    if (!gone) kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(3000).then(() => true)]);
    if (timedOut) kill('SIGKILL');
  };

  const deadline = Date.now() + (o.readyTimeoutMs ?? 5000);
  while (Date.now() < deadline) {
    if (gone) {
      const why = spawnError ? `could not run rtpengine (${(spawnError as Error).message})` : 'rtpengine exited';
      throw new RtpengineError(`${why}\n${readLog().slice(-2000)}`);
    }
    if (await ping(ngPort, 200)) return { ngPort, pid: child.pid!, exited, readLog, stop };
    await sleep(50);
  }
  await stop();
  throw new RtpengineError(`rtpengine did not answer in time\n${readLog().slice(-2000)}`);
}
