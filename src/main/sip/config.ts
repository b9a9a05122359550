import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ensurePrivateRunDir, writePrivateFile } from './runDir';
import type { TurnSettings } from './turn';
import { topohAlphabet } from './topoh';
import { dirname, join, resolve } from 'node:path';

/**
 * What the core needs to issue SIP credentials (`sip.credentials`). The
 * phone service serves one account: one SIP domain is one company's
 * extension plan.
 */
export interface SipConfig {
  accountId: number;
  /** The SIP domain and digest realm, e.g. `teamline.local`. */
  domain: string;
  /** Where the softphone connects, e.g. `ws://127.0.0.1:5066`. */
  wsUrl: string;
  /** The HMAC secret that credentials are derived from; never leaves the main process. */
  secret: Buffer;
  /** Lifetime of issued credentials; the softphone renews them before expiry. */
  credentialTtlSeconds: number;
  /** TURN servers the softphones use (the team server's `turn` settings), or none. */
  turn?: TurnSettings | null | undefined;
}

export const DEFAULT_DOMAIN = 'teamline.local';
export const DEFAULT_CREDENTIAL_TTL_SECONDS = 3600;

/** Debian's module directory (kamailio 5.6 from bookworm). */
export const DEBIAN_MODULES_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

export const projectRoot = resolve(import.meta.dirname, '../../..');
export const templatePath = join(projectRoot, 'resources', 'kamailio', 'kamailio.cfg.tmpl');

/** Everything the Kamailio template needs; one value per {{NAME}}. */
export interface KamailioSettings {
  domain: string;
  listenIp: string;
  sipPort: number;
  wsPort: number;
  /** Base URL of the loopback decision service, e.g. `http://127.0.0.1:40123`. */
  decisionUrl: string;
  /** Shared secret the proxy sends with every decision request. */
  token: string;
  /** The outside world: where calls to external numbers go (`host:port`), or null for none. */
  peer: string | null;
  /**
   * The outside world's signalling sources, `udp:<ip>:<port>` (or tcp): only
   * requests from one of these exact sources are calls from outside, and
   * they are never authenticated. Usually the peer itself.
   */
  trunks: string[];
  /**
   * Web origins whose pages may open the softphone's WebSocket
   * (`http://127.0.0.1:5178`, `file://` for the desktop app's window). A
   * handshake without Origin (not a browser) is accepted.
   */
  origins: string[];
  runDir: string;
  modulesDir: string;
  /** Kamailio log level: 1 warnings, 2 info, 3 debug. */
  debug: number;
  children: number;
  /** The media relay's control port (rtpengine's NG protocol on loopback), or null: no relay. */
  rtpenginePort: number | null;
  /** The media service's SIP address on loopback (`127.0.0.1:<port>`), or null: none. */
  mediaService: string | null;
  /**
   * The team server's transports for phones on other computers: SIP over
   * secure WebSocket and over TLS (with the console's certificate) and, when
   * an admin turned it on, plain SIP on the LAN; all on `address`, named as
   * `publicName` in what the proxy writes. Null: loopback only (the desktop
   * app, `npm run serve`).
   */
  public?: PublicTransports | null | undefined;
  /** Topology hiding's mask key (32 hex characters), kept across restarts; without it, one derived from the token. */
  topohKey?: string | undefined;
  /**
   * More certificate authorities a TLS trunk's carrier may be signed by
   * (PEM, e.g. a carrier's private CA), besides the system's; by default
   * TEAMLINE_TRUNK_CA_FILE when set.
   */
  trunkCaFile?: string | null | undefined;
}

export interface PublicTransports {
  /** The IPv4 address the public transports listen on. */
  address: string;
  /** The name or address phones use. */
  publicName: string;
  tls: { certFile: string; keyFile: string; wssPort: number; tlsPort: number } | null;
  plainPort: number | null;
}

// Values go into a configuration language with quotes, "$" variables and
// "|" separated replies: each has a narrow, checked shape.
const patterns: Record<string, RegExp> = {
  DOMAIN: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/,
  LISTEN_IP: /^\d{1,3}(\.\d{1,3}){3}$/,
  TRUNKS: /^((udp|tcp):\d{1,3}(\.\d{1,3}){3}:\d{1,5}(\||$))*$/,
  ORIGINS: /^(((https?:\/\/[a-z0-9.-]+(:\d{1,5})?)|(https?:\/\/\[[0-9a-f:]+\](:\d{1,5})?)|file:\/\/)(\||$))*$/,
  TOPOH_KEY: /^[0-9a-f]{32}$/,
  TOPOH_ALPHABET: /^[A-Za-z0-9.-]{64}$/,
  SIP_PORT: /^\d{1,5}$/,
  WS_PORT: /^\d{1,5}$/,
  DECISION_URL: /^http:\/\/127\.0\.0\.1:\d{1,5}$/,
  TOKEN_HEADER: /^X-Teamline-Token: [0-9a-f]{32,128}$/,
  PEER: /^(\d{1,3}(\.\d{1,3}){3}:\d{1,5})?$/,
  RUN_DIR: /^\/[A-Za-z0-9._\-/]+$/,
  MODULES_DIR: /^\/[A-Za-z0-9._\-/]+$/,
  DEBUG: /^[0-3]$/,
  CHILDREN: /^[1-8]$/,
  RTPENGINE_SOCK: /^udp:127\.0\.0\.1:\d{1,5}$/,
  MEDIA_SERVICE: /^(127\.0\.0\.1:\d{1,5})?$/,
  PUBLIC_IP: /^\d{1,3}(\.\d{1,3}){3}$/,
  PUBLIC_NAME: /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\d{1,3}(\.\d{1,3}){3})$/,
  WSS_PORT: /^\d{1,5}$/,
  TLS_PORT: /^\d{1,5}$/,
  PLAIN_PORT: /^\d{1,5}$/,
};

export class TemplateError extends Error {}

/** Fills every {{NAME}} of the template; an unknown, missing or odd value is an error, never a guess. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  for (const [name, value] of Object.entries(values)) {
    const pattern = patterns[name];
    if (!pattern) throw new TemplateError(`Unknown template value ${name}`);
    if (!pattern.test(value)) throw new TemplateError(`Template value ${name} has an unexpected form`);
  }
  const out = template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TemplateError(`Template value ${name} is missing`);
    return value;
  });
  return out;
}

/** An origin as a browser sends it: `scheme://host[:port]`, lower case, no path; `file://` for local pages. */
export function webOrigin(value: string): string {
  // A page loaded from a file (the desktop app's window) sends "Origin: file://".
  if (/^file:\/\//i.test(value)) return 'file://';
  try {
    const u = new URL(value);
    if (u.origin === 'null') throw new TemplateError(`Not a web origin: ${value}`);
    return u.origin;
  } catch {
    throw new TemplateError(`Not a web origin: ${value}`);
  }
}

/** The proxy's topology-hiding key: stable for the run (a restarted proxy still reads the tokens it handed out), secret to the outside. */
export function topohKey(token: string): string {
  return createHash('sha256').update(`topoh:${token}`).digest('hex').slice(0, 32);
}

export function kamailioValues(s: KamailioSettings): Record<string, string> {
  if (s.runDir.length > 80) throw new TemplateError('The run directory path is too long for a control socket');
  return {
    DOMAIN: s.domain,
    LISTEN_IP: s.listenIp,
    TRUNKS: s.trunks.join('|'),
    ORIGINS: s.origins.map(webOrigin).join('|'),
    TOPOH_KEY: s.topohKey ?? topohKey(s.token),
    // The same key's Call-ID alphabet, for the Call-IDs topoh does not translate (Replaces).
    TOPOH_ALPHABET: topohAlphabet(s.topohKey ?? topohKey(s.token)),
    SIP_PORT: String(s.sipPort),
    WS_PORT: String(s.wsPort),
    DECISION_URL: s.decisionUrl,
    TOKEN_HEADER: `X-Teamline-Token: ${s.token}`,
    PEER: s.peer ?? '',
    RUN_DIR: s.runDir,
    MODULES_DIR: s.modulesDir,
    DEBUG: String(s.debug),
    CHILDREN: String(s.children),
    // Used only when the relay runs (the config's WITH_RTPENGINE define); a placeholder otherwise.
    RTPENGINE_SOCK: `udp:127.0.0.1:${s.rtpenginePort ?? 0}`,
    MEDIA_SERVICE: s.mediaService ?? '',
    // Used only under the config's WITH_TLS and WITH_PLAIN_LAN defines; placeholders otherwise.
    PUBLIC_IP: s.public?.address ?? '127.0.0.1',
    PUBLIC_NAME: (s.public?.publicName ?? 'localhost').toLowerCase(),
    WSS_PORT: String(s.public?.tls?.wssPort ?? 0),
    TLS_PORT: String(s.public?.tls?.tlsPort ?? 0),
    PLAIN_PORT: String(s.public?.plainPort ?? 0),
  };
}

/** The defines a rendered config is started with (`kamailio -A NAME`) for its public transports. */
export function publicDefines(s: KamailioSettings): string[] {
  return [...(s.public?.tls ? ['WITH_TLS'] : []), ...(s.public?.plainPort ? ['WITH_PLAIN_LAN'] : [])];
}

/**
 * The TLS module's settings, with copies of the certificate and key in the
 * run directory (owner-only): the proxy reads them from a path of a known,
 * quotable shape, whatever path the admin gave. TLS 1.2 and newer; phones
 * are not asked for certificates (they sign in with their SIP credentials).
 */
function writeTlsConfig(s: KamailioSettings): void {
  const tls = s.public?.tls;
  if (!tls) return;
  const cert = join(s.runDir, 'tls-cert.pem');
  const key = join(s.runDir, 'tls-key.pem');
  writePrivateFile(cert, readFileSync(tls.certFile, 'utf8'));
  writePrivateFile(key, readFileSync(tls.keyFile, 'utf8'));
  const cas = writeTrunkCas(s);
  // Connections we open (to TLS trunks) check that a CA we trust signed the carrier's certificate (its name: TrunkService).
  const section = (name: 'server' | 'client') =>
    [
      `[${name}:default]`,
      'method = TLSv1.2+',
      `verify_certificate = ${name === 'client' ? 'yes' : 'no'}`,
      `require_certificate = ${name === 'client' ? 'yes' : 'no'}`,
      // The system's CAs from their hashed folder (read when a certificate is checked, not at start), and the admin's own.
      ...(name === 'client' ? [`ca_path = ${SYSTEM_CA_PATH}`, ...(cas ? [`ca_list = ${cas}`] : [])] : []),
      `certificate = ${cert}`,
      `private_key = ${key}`,
      '',
    ].join('\n');
  writePrivateFile(join(s.runDir, 'tls.cfg'), `${section('server')}\n${section('client')}`);
}

/** The system's trusted certificate authorities, one file each, hashed (Debian's update-ca-certificates). */
export const SYSTEM_CA_PATH = '/etc/ssl/certs';
/** The admin's own CAs for TLS trunks, in the run folder (the proxy and the main process read it). */
export const TRUNK_CA_FILE = 'trunk-ca.pem';

/** Copies the admin's own CAs (TEAMLINE_TRUNK_CA_FILE) into the run folder; its path, or null for none. */
function writeTrunkCas(s: KamailioSettings): string | null {
  const extra = s.trunkCaFile ?? process.env.TEAMLINE_TRUNK_CA_FILE ?? null;
  const file = join(s.runDir, TRUNK_CA_FILE);
  if (!extra || !existsSync(extra)) {
    rmSync(file, { force: true });
    return null;
  }
  writePrivateFile(file, `${readFileSync(extra, 'utf8').trim()}\n`);
  return file;
}

/** Renders the template into `<runDir>/kamailio.cfg` (owner-only: it holds the proxy's token). */
export function writeKamailioConfig(s: KamailioSettings, template = readFileSync(templatePath, 'utf8')): string {
  ensurePrivateRunDir(s.runDir);
  const file = join(s.runDir, 'kamailio.cfg');
  writeTlsConfig(s);
  writePrivateFile(file, renderTemplate(template, kamailioValues(s)));
  return file;
}

/**
 * The HMAC secret kept in a file, so that credentials survive a restart of
 * the phone service and two processes (the console host and `npm run sip`)
 * can share it. Created owner-only when missing.
 */
export function loadOrCreateSecret(file: string): Buffer {
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  }
  const secret = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, secret.toString('hex'), { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
