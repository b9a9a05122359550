import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { createCore } from '../core';
import { startServer } from '../server/server';
import { pageOrigins, startHostedPhone } from '../sip/hosted';
import type { PhoneService } from '../sip/service';
import type { TurnSettings } from '../sip/turn';
import type { ServerConfig } from './config';
import type { Logger } from './log';
import { sessionFile } from './sessionFile';
import { loadTlsIdentity } from './tls';

const root = resolve(import.meta.dirname, '../../..');

export const VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

export interface RunningTeamServer {
  url: string;
  /** The server certificate's SHA-256 fingerprint (what a browser shows). */
  fingerprint: string;
  /** What a desktop pins (the server's own CA, or the admin's certificate). */
  pin: string;
  /**
   * Stops the server: new calls are refused (503 with Retry-After), calls
   * going on are waited for up to `drainSeconds`, then every socket closes,
   * the phone service stops and the database is closed (which checkpoints
   * its write-ahead log). Called once; later calls wait for the first.
   */
  shutdown(reason: string): Promise<void>;
}

export class StartError extends Error {}

/** The first IPv4 address of this machine that is not loopback: where phones on the LAN reach it. */
function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces()))
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  return null;
}

/** The address Kamailio's public transports and the media relay use. */
export function sipAddress(config: ServerConfig): string {
  if (config.listen.sipHost) return config.listen.sipHost;
  const host = config.listen.host;
  if (isIP(host) === 4 && host !== '0.0.0.0') return host;
  if (host === 'localhost') return '127.0.0.1';
  return lanAddress() ?? '127.0.0.1';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The team server: the same core, policy, phone service and media service
 * as the desktop app, headless, for the one account in `dataDir`, with the
 * console and its API over HTTPS and WSS and the phones' SIP over TLS.
 */
export async function runTeamServer(config: ServerConfig, log: Logger): Promise<RunningTeamServer> {
  const startedAt = Date.now();
  log('start', { version: VERSION, pid: process.pid, dataDir: config.dataDir, publicName: config.publicName });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const staticDir = config.consoleDir ?? join(root, 'out', 'renderer');
  if (!existsSync(join(staticDir, 'index.html')))
    throw new StartError(`The console is not built in ${staticDir}: run \`npm run build\` (npm run server does).`);

  // The TURN secret's file is read at start: a missing one stops the start, not the first call.
  const turn = turnSettings(config);
  if (turn) log('turn', { urls: turn.urls, auth: turn.auth.kind });
  const identity = loadTlsIdentity({
    dataDir: config.dataDir,
    publicName: config.publicName,
    certFile: config.tls?.certFile,
    keyFile: config.tls?.keyFile,
  });
  const validTo = new Date(new X509Certificate(identity.cert).validTo);
  log('certificate', {
    fingerprint: identity.fingerprint,
    pin: identity.pin,
    selfMade: identity.selfMade,
    certFile: identity.certFile,
    validTo: validTo.toISOString(),
  });
  // The certificate is read at start (the server's own is renewed then): a
  // server that runs for months is told, daily, to restart before it expires.
  const checkExpiry = () => {
    const daysLeft = Math.floor((validTo.getTime() - Date.now()) / 86_400_000);
    if (daysLeft < 30)
      log(
        'certificate.expiring',
        {
          daysLeft,
          message: identity.selfMade
            ? 'Restart the server to renew its certificate.'
            : 'Renew the certificate, then restart the server.',
        },
        'warn',
      );
  };
  checkExpiry();
  const expiryTimer = setInterval(checkExpiry, 86_400_000);
  expiryTimer.unref();

  const dbPath = join(config.dataDir, 'teamline.db');
  const core = createCore({ dbPath, demoIfEmpty: config.demo, resourcesDir: join(root, 'resources') });
  if (!core.db.prepare('SELECT 1 FROM accounts LIMIT 1').get())
    log(
      'account.missing',
      { message: 'This server has no account yet: create it with `teamline-server init` (docs/deployment.md).' },
      'warn',
    );
  let phone: PhoneService | null = null;
  let draining = false;

  const phoneState = (): string => {
    if (!phone) return 'off';
    if (draining) return 'draining';
    try {
      // Signal 0 only asks whether the proxy's process is there (the supervisor restarts it when not).
      process.kill(phone.kamailio.pid, 0);
      return 'running';
    } catch {
      return 'restarting';
    }
  };
  const health = () => {
    let db = 'ok';
    try {
      core.db.prepare('SELECT 1').get();
    } catch {
      db = 'error';
    }
    return {
      ok: db === 'ok' && !draining,
      version: VERSION,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
      db,
      phone: { state: phoneState(), calls: phone?.decisions.tracker.live ?? 0 },
      draining,
    };
  };

  const plain = config.listen.plainHttp !== 'off';
  let server;
  try {
    server = await startServer({
      core,
      staticDir,
      port: config.listen.httpsPort,
      host: config.listen.host,
      // The chain with the server's own CA: a joining desktop pins the CA, and finds it only in the chain presented.
      tls: plain ? undefined : { cert: identity.ca ? identity.cert + identity.ca : identity.cert, key: identity.key },
      insecureHttp: config.listen.plainHttp === 'anywhere',
      names: [config.publicName],
      // The softphone registers over the proxy's secure WebSocket, which the page's CSP must allow by name.
      connectSources: [`wss://${bracketed(config.publicName)}:${config.sip.wssPort}`],
      health,
      // A restart (an upgrade, a certificate renewal) does not sign the open consoles out.
      sessionStore: sessionFile(config.dataDir),
      onLog: (event, fields) => log(event, fields, event === 'request.error' ? 'error' : 'info'),
      warn: (message) => log('warning', { message }, 'warn'),
    });
  } catch (error) {
    core.close();
    throw new StartError(error instanceof Error ? error.message : String(error));
  }
  // Invitation links carry the address phones and browsers use and the fingerprint desktops pin.
  if (!plain)
    core.setTeamServer({ address: `${bracketed(config.publicName)}:${config.listen.httpsPort}`, pin: identity.pin });
  log('listen', {
    url: server.url,
    publicUrl: `${plain ? 'http' : 'https'}://${isIP(config.publicName) === 6 ? `[${config.publicName}]` : config.publicName}:${config.listen.httpsPort}`,
    fingerprint: identity.fingerprint,
  });

  const address = sipAddress(config);

  const consoleOrigin = `${plain ? 'http' : 'https'}://${config.publicName.toLowerCase()}:${config.listen.httpsPort}`;
  phone = await startHostedPhone({
    core,
    instance: dbPath,
    // The loopback transports (the media service, tests) on free ports: phones use the public ones.
    sipPort: 0,
    wsPort: 0,
    peer: process.env.TEAMLINE_SIP_PEER ?? null,
    origins: [consoleOrigin, ...pageOrigins(server.url)],
    public: {
      address,
      publicName: config.publicName,
      tls: {
        certFile: identity.certFile,
        keyFile: identity.keyFile,
        wssPort: config.sip.wssPort,
        tlsPort: config.sip.tlsPort,
      },
      plainPort: config.sip.plainPort,
    },
    media: {
      interfaceIp: config.media.address ?? address,
      advertiseIp: config.media.publicAddress,
      portMin: config.media.portMin,
      portMax: config.media.portMax,
    },
    turn,
    log: (message, error) =>
      log(
        'phone',
        { message, error: error === undefined || error === '' ? undefined : error },
        error ? 'warn' : 'info',
      ),
  });
  if (phone) {
    log('phone.listen', {
      softphones: phone.kamailio.wsUrl,
      // Kamailio's and rtpengine's own logs are beside it.
      proxyLog: phone.kamailio.logFile,
      sipTls: `${address}:${config.sip.tlsPort}`,
      sipPlain: config.sip.plainPort ? `${address}:${config.sip.plainPort}` : null,
      media: {
        address: config.media.address ?? address,
        announced: config.media.publicAddress ?? null,
        ports: `${config.media.portMin}-${config.media.portMax}`,
        relay: phone.media !== null,
      },
    });
  } else log('phone.off', { message: 'The phone service did not start; the console works without it.' }, 'warn');

  let stopped: Promise<void> | null = null;
  const shutdown = (reason: string): Promise<void> => {
    stopped ??= (async () => {
      draining = true;
      clearInterval(expiryTimer);
      const live = () => phone?.decisions.tracker.live ?? 0;
      log('shutdown', { reason, calls: live(), drainSeconds: config.drainSeconds });
      phone?.decisions.drain();
      const deadline = Date.now() + config.drainSeconds * 1000;
      while (live() > 0 && Date.now() < deadline) await sleep(250);
      if (live() > 0) log('shutdown.calls-cut', { calls: live() }, 'warn');
      await server.close();
      await phone?.stop();
      core.close();
      log('stopped', { uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000) });
    })();
    return stopped;
  };

  return { url: server.url, fingerprint: identity.fingerprint, pin: identity.pin, shutdown };
}

/** The TURN settings as the phone service takes them; the shared secret read from its file now. */
export function turnSettings(config: ServerConfig): TurnSettings | null {
  const t = config.turn;
  if (!t) return null;
  if (t.username !== undefined && t.password !== undefined)
    return { urls: t.urls, auth: { kind: 'static', username: t.username, password: t.password } };
  let secret = t.sharedSecret;
  if (t.sharedSecretFile) {
    try {
      secret = readFileSync(t.sharedSecretFile, 'utf8').trim();
    } catch (error) {
      throw new StartError(
        `turn.sharedSecretFile ${t.sharedSecretFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    if (secret.length < 16)
      throw new StartError(`turn.sharedSecretFile ${t.sharedSecretFile}: the secret is shorter than 16 characters`);
  }
  return { urls: t.urls, auth: { kind: 'shared-secret', secret: secret!, ttlSeconds: t.ttlSeconds } };
}

const bracketed = (name: string) => (isIP(name) === 6 ? `[${name}]` : name);
