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

export async function startSipp(runDir: string, o: SippOptions): Promise<SippRun> {
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
    '1',
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
  const child = spawn('sipp', args, { stdio: 'ignore' });
  live.add(child);
  const done = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => (live.delete(child), resolve(code)));
    child.once('error', () => (live.delete(child), resolve(-1)));
  });
  return {
    localPort,
    messageFile,
    done,
    messages: () => (existsSync(messageFile) ? readFileSync(messageFile, 'utf8') : ''),
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
