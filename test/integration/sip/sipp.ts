import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, freeUdpRange } from '../../../src/main/sip/ports';

/**
 * Runs sipp scenarios from test/fixtures/sip: each run is one UA with its
 * own ports and a message trace the test can read. Every process started is
 * remembered so that a failing test leaves nothing running.
 */

export const scenarioDir = join(import.meta.dirname, '../../fixtures/sip');

export interface SippOptions {
  scenario: string;
  /** host:port of the proxy; omitted for a UAS that waits for calls. */
  remote?: string;
  keys?: Record<string, string>;
  /** Digest credentials for [authentication]. */
  auth?: { username: string; password: string };
  localPort?: number;
  transport?: 'u1' | 't1';
  timeoutSeconds?: number;
  /** Send back the RTP it receives (a far end that can be heard). */
  rtpEcho?: boolean;
  /** How many calls (for a UAS: requests that start one, e.g. MESSAGEs) before it ends; 1 by default. */
  calls?: number;
}

export interface SippRun {
  localPort: number;
  messageFile: string;
  /** Resolves with sipp's exit code (0: the call went as the scenario says). */
  done: Promise<number | null>;
  /** The SIP messages sent and received so far. */
  messages(): string;
  kill(): void;
}

const live = new Set<ChildProcess>();

/** sipp's exit code when a socket it binds at start is in use (EXIT_BIND_ERROR). */
const BIND_ERROR = 254;

/** True while something holds this loopback UDP port (read from the kernel's table; binding to test would race). */
export function udpBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  try {
    return readFileSync('/proc/net/udp', 'utf8')
      .split('\n')
      .some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex.trim()));
  } catch {
    return false;
  }
}

/**
 * Starts sipp and resolves once it holds its SIP and media ports (or has
 * already ended). A port picked free can be taken by another program before
 * sipp binds it; sipp then ends at once with nothing sent, and it is started
 * again on other ports (the same SIP port when the caller fixed it).
 */
export async function startSipp(runDir: string, o: SippOptions): Promise<SippRun> {
  // A sipp just killed on the same port may still hold it: its socket would pass for the new one's.
  for (let i = 0; o.localPort && i < 300 && udpBound(o.localPort); i++) await new Promise((r) => setTimeout(r, 10));
  for (let attempt = 1; ; attempt++) {
    const run = await spawnSipp(runDir, o);
    const exit = await Promise.race([run.done, run.bound]);
    if (exit === BIND_ERROR && attempt < 5 && !/message sent/.test(run.messages())) {
      await new Promise((r) => setTimeout(r, 50 * attempt));
      continue;
    }
    return run;
  }
}

async function spawnSipp(runDir: string, o: SippOptions): Promise<SippRun & { bound: Promise<'bound'> }> {
  const localPort = o.localPort ?? (await freePort('127.0.0.1', true));
  // sipp binds the media port and the three after it (RTP and RTCP, audio and video).
  const mediaPort = await freeUdpRange(4);
  const messageFile = join(runDir, `sipp-${o.scenario.replace(/\W/g, '_')}-${localPort}-${Date.now()}.log`);
  const args = [
    '-sf',
    join(scenarioDir, o.scenario),
    '-i',
    '127.0.0.1',
    '-bind_local',
    '-p',
    String(localPort),
    '-mp',
    String(mediaPort),
    '-t',
    o.transport ?? 'u1',
    '-m',
    String(o.calls ?? 1),
    '-nostdin',
    '-timeout',
    String(o.timeoutSeconds ?? 15),
    '-timeout_error',
    '-max_recv_loops',
    '100',
    '-trace_msg',
    '-message_file',
    messageFile,
  ];
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, v);
  if (o.auth) args.push('-au', o.auth.username, '-ap', o.auth.password);
  if (o.rtpEcho) args.push('-rtp_echo');
  if (o.remote) args.push(o.remote);
  const child = spawn('sipp', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 20_000) stderr += d;
  });
  let exited = false;
  const done = new Promise<number | null>((resolve) => {
    child.once('close', (code) => ((exited = true), live.delete(child), resolve(code)));
    child.once('error', () => ((exited = true), live.delete(child), resolve(-1)));
  });
  const bound = (async () => {
    // Bounded: 3 s at 10 ms; a sipp that neither binds nor ends is left to its own timeout.
    for (let i = 0; i < 300 && !exited; i++) {
      if (udpBound(localPort) && udpBound(mediaPort)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    return 'bound' as const;
  })();
  const messages = () => {
    const trace = existsSync(messageFile) ? readFileSync(messageFile, 'utf8') : '';
    return stderr ? `${trace}\n----------------------------------------------- sipp stderr\n${stderr}` : trace;
  };
  return {
    localPort,
    messageFile,
    done,
    bound,
    messages,
    kill: () => {
      if (live.has(child)) child.kill('SIGKILL');
    },
  };
}

/** Runs a UAC scenario to its end. */
export async function runSipp(runDir: string, o: SippOptions): Promise<{ code: number | null; messages: string }> {
  const run = await startSipp(runDir, o);
  const code = await run.done;
  return { code, messages: run.messages() };
}

/** Ends every sipp still running (a failed or timed-out test). */
export function killAllSipp(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** Every message a UA received that starts with `start` (a method, or "SIP/2.0 403"), whole. */
export function received(messages: string, start: string): string[] {
  return messages
    .split(/^-{20,}.*$/m)
    .map((block) => block.trim())
    .filter((block) => /^(UDP|TCP) message received/.test(block))
    .map((block) => block.slice(block.indexOf('\n') + 1).trim())
    .filter((message) => message.startsWith(`${start} `));
}
