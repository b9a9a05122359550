import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, udpAsk } from './ports';
import { reapStale } from './stale';
import {
  DEBIAN_MODULES_DIR,
  publicDefines,
  templatePath,
  writeKamailioConfig,
  type KamailioSettings,
  type PublicTransports,
} from './config';

/**
 * Runs Kamailio in the foreground (-DD -E) from a rendered config in a run
 * directory, on free loopback ports unless told otherwise, and resolves
 * once it answers SIP on UDP and accepts connections on the WebSocket port.
 */

export interface KamailioOptions {
  domain: string;
  decisionUrl: string;
  token: string;
  runDir: string;
  peer?: string | null | undefined;
  /** The outside world's signalling sources (`udp:<ip>:<port>`); by default the peer over UDP. */
  trunks?: string[] | undefined;
  /** Web pages whose softphones may connect (see KamailioSettings.origins). */
  origins?: string[] | undefined;
  listenIp?: string | undefined;
  /** SIP over UDP and TCP; a free port when 0 or missing. */
  sipPort?: number | undefined;
  wsPort?: number | undefined;
  modulesDir?: string | undefined;
  debug?: number | undefined;
  children?: number | undefined;
  /** 'inherit' streams the log to this process's stderr; otherwise it goes to <runDir>/kamailio.log. */
  log?: 'inherit' | 'file' | undefined;
  binary?: string | undefined;
  /** The template's path when not run from the source tree (a packaged app's resources). */
  templateFile?: string | undefined;
  readyTimeoutMs?: number | undefined;
  /** rtpengine's control port, when a media relay runs beside the proxy. */
  rtpenginePort?: number | null | undefined;
  /** Where the media service takes calls (`127.0.0.1:<port>`), or none. */
  mediaService?: string | null | undefined;
  /** The team server's transports for phones elsewhere (secure WebSocket, TLS, plain SIP on a LAN). */
  public?: PublicTransports | null | undefined;
  /** Topology hiding's key, kept across restarts (the data directory's `topoh.key`). */
  topohKey?: string | undefined;
  /** More CAs a TLS trunk's carrier may be signed by, besides the system's (TEAMLINE_TRUNK_CA_FILE by default). */
  trunkCaFile?: string | null | undefined;
}

export interface RunningKamailio {
  wsUrl: string;
  sipUdpPort: number;
  wsPort: number;
  pid: number;
  configFile: string;
  logFile: string | null;
  /** The log so far (file mode), for a failing test to show. */
  readLog(): string;
  /** Settles when the proxy's main process ends, by stop() or otherwise (its exit code). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export class KamailioError extends Error {}

/** True once the proxy answers an OPTIONS sent to itself over UDP. */
async function probeUdp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`;
  const reply = await udpAsk(
    host,
    port,
    (local) =>
      [
        `OPTIONS sip:${host}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${host}:${local};branch=${branch};rport`,
        'Max-Forwards: 5',
        `From: <sip:probe@${host}>;tag=${branch}`,
        `To: <sip:${host}:${port}>`,
        `Call-ID: ${branch}@probe`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    timeoutMs,
  );
  return reply?.startsWith('SIP/2.0 ') ?? false;
}

function probeTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host, port });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The public ports are configured, not yet bound: a loopback port chosen before the proxy starts must not land on one. */
export function publicPorts(pub: PublicTransports | null | undefined): Set<number> {
  const ports = new Set<number>();
  for (const p of [pub?.tls?.wssPort, pub?.tls?.tlsPort, pub?.plainPort]) if (p) ports.add(p);
  return ports;
}

export async function startKamailio(o: KamailioOptions): Promise<RunningKamailio> {
  const listenIp = o.listenIp ?? '127.0.0.1';
  const taken = publicPorts(o.public);
  const sipPort = o.sipPort || (await freePort(listenIp, true, taken));
  taken.add(sipPort);
  const wsPort = o.wsPort || (await freePort(listenIp, false, taken));
  const settings: KamailioSettings = {
    domain: o.domain,
    listenIp,
    sipPort,
    wsPort,
    decisionUrl: o.decisionUrl,
    token: o.token,
    peer: o.peer ?? null,
    trunks: o.trunks ?? (o.peer ? [`udp:${o.peer}`] : []),
    origins: o.origins ?? [],
    runDir: o.runDir,
    modulesDir: o.modulesDir ?? DEBIAN_MODULES_DIR,
    debug: o.debug ?? 2,
    children: o.children ?? 2,
    rtpenginePort: o.rtpenginePort ?? null,
    mediaService: o.mediaService ?? null,
    public: o.public ?? null,
    topohKey: o.topohKey,
    trunkCaFile: o.trunkCaFile,
  };
  if (!existsSync(settings.modulesDir)) {
    throw new KamailioError(
      `Kamailio modules not found in ${settings.modulesDir}: install kamailio, kamailio-websocket-modules and kamailio-utils-modules`,
    );
  }
  const configFile = writeKamailioConfig(settings, readFileSync(o.templateFile ?? templatePath, 'utf8'));
  reapStale(join(o.runDir, 'kamailio.pid'), configFile);
  const logFile = o.log === 'inherit' ? null : join(o.runDir, 'kamailio.log');
  const logFd = logFile ? openSync(logFile, 'a') : null;
  const args = ['-DD', '-E', '-f', configFile, '-P', join(o.runDir, 'kamailio.pid'), '-Y', o.runDir, '-w', o.runDir];
  if (settings.rtpenginePort !== null) args.push('-A', 'WITH_RTPENGINE');
  for (const define of publicDefines(settings)) args.push('-A', define);
  let child: ChildProcess;
  try {
    // Its own process group, so a stop (or a failed test) ends every Kamailio worker.
    child = spawn(o.binary ?? 'kamailio', args, {
      stdio: ['ignore', logFd ?? 'inherit', logFd ?? 'inherit'],
      detached: true,
    });
  } finally {
    if (logFd !== null) closeSync(logFd);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  let spawnError: Error | null = null;
  child.once('error', (e) => (spawnError = e));
  let gone = false;
  void exited.then(() => (gone = true));

  const readLog = () => (logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const kill = (signal: NodeJS.Signals) => {
    if (!gone) killGroup(signal);
  };
  // If this process ends without stop() (a crash, process.exit), take the proxy with it.
  const onExit = () => kill('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
    if (timedOut) kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
    // Workers outlive a main process that was killed outright: they would hold the ports.
    killGroup('SIGKILL');
  };

  const deadline = Date.now() + (o.readyTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (gone || spawnError) {
      const why = spawnError
        ? `could not run kamailio (${(spawnError as Error).message}); install the kamailio package`
        : 'kamailio exited';
      throw new KamailioError(`${why}\n${readLog().slice(-4000)}`);
    }
    const tls = settings.public?.tls;
    if (
      (await probeUdp(listenIp, sipPort, 300)) &&
      (await probeTcp(listenIp, wsPort)) &&
      (!tls || (await probeTcp(settings.public!.address, tls.wssPort)))
    ) {
      return {
        // Softphones elsewhere reach the proxy by its public name, over TLS.
        wsUrl: tls ? `wss://${settings.public!.publicName}:${tls.wssPort}` : `ws://${listenIp}:${wsPort}`,
        sipUdpPort: sipPort,
        wsPort,
        pid: child.pid!,
        configFile,
        logFile,
        readLog,
        exited,
        stop,
      };
    }
    await sleep(50);
  }
  await stop();
  throw new KamailioError(`kamailio did not start listening in time\n${readLog().slice(-4000)}`);
}
