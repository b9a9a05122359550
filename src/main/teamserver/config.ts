import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The team server's settings: a JSON file, then environment variables, then
 * command-line flags, each overriding the one before. Every layer is checked
 * with the same schema; a key the schema does not know is refused by name,
 * so a typo ("httpPort" for "httpsPort") is an error at start, never a
 * setting silently ignored.
 */

const isLoopbackHost = (h: string) => h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);

const port = z.number().int().min(1).max(65535);
const hostName = z
  .string()
  .min(1)
  .max(253)
  .refine(
    (v) =>
      isIP(v) !== 0 ||
      /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
        v,
      ),
    {
      message: 'must be a host name or an IP address',
    },
  );
/** A TURN (or STUN) server as RTCPeerConnection takes it: turn:host[:port][?transport=udp|tcp], turns: for TLS. */
const iceUrl = z
  .string()
  .max(300)
  .regex(/^(turns?|stun):(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/, {
    message: 'must be a turn:, turns: or stun: address, e.g. turn:turn.example.com:3478?transport=udp',
  });

const ipv4 = z.string().refine((v) => isIP(v) === 4, { message: 'must be an IPv4 address' });

export const serverConfigSchema = z
  .strictObject({
    /** Where the database, the certificates and the phone service's files live. */
    dataDir: z.string().min(1),
    /** The name or address that phones and browsers use to reach this server (in certificates, links and SIP). */
    publicName: hostName,
    /** Addresses to listen on (all interfaces by default). */
    listen: z
      .strictObject({
        host: hostName.default('0.0.0.0'),
        httpsPort: port.default(8443),
        /**
         * The console without TLS: "off" (HTTPS, the default); "loopback" for a
         * reverse proxy on this machine that terminates TLS (listen.host must
         * be loopback); "anywhere" accepts passwords crossing the network in
         * clear.
         */
        plainHttp: z.enum(['off', 'loopback', 'anywhere']).default('off'),
        /** The address Kamailio's public transports listen on; listen.host when that is one IPv4 address, else the first LAN address. */
        sipHost: ipv4.optional(),
      })
      .prefault({}),
    /** A certificate and key from elsewhere (an ACME client); without them the server makes its own. */
    tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
    sip: z
      .strictObject({
        /** SIP over secure WebSocket, for softphones. */
        wssPort: port.default(7443),
        /** SIP over TLS, for desk phones. */
        tlsPort: port.default(5061),
        /** Plain SIP over UDP and TCP, off unless an admin turns it on for desk phones on a trusted LAN. */
        plainPort: port.nullable().default(null),
      })
      .prefault({}),
    media: z
      .strictObject({
        /** The media relay's RTP ports (open them in the firewall). */
        portMin: port.default(30000),
        portMax: port.default(30999),
        /** The address the media relay binds (by default the SIP address). */
        address: ipv4.optional(),
        /** The address written into SDP when the server sits behind a 1:1 NAT. */
        publicAddress: ipv4.optional(),
      })
      .prefault({})
      .refine((m) => m.portMax - m.portMin >= 10, { message: 'portMax must be at least 10 above portMin' }),
    /**
     * TURN servers for the softphones' media when two desks cannot reach each
     * other (different NATs): their addresses, and either coturn's shared
     * secret (`use-auth-secret`; the server gives each signed-in softphone
     * credentials of its own that expire after ttlSeconds, the secret stays
     * here) or one static username and password that every softphone gets.
     */
    turn: z
      .strictObject({
        urls: z.array(iceUrl).min(1).max(8),
        sharedSecret: z.string().min(16, { message: 'must be at least 16 characters' }).max(512).optional(),
        sharedSecretFile: z.string().min(1).optional(),
        username: z.string().min(1).max(256).optional(),
        password: z.string().min(1).max(256).optional(),
        /** How long a softphone's TURN credentials last (a call relayed longer than this loses its relay). */
        ttlSeconds: z
          .number()
          .int()
          .min(600)
          .max(7 * 86400)
          .default(12 * 3600),
      })
      .refine(
        (t) => {
          const secret = (t.sharedSecret !== undefined ? 1 : 0) + (t.sharedSecretFile !== undefined ? 1 : 0);
          const user = t.username !== undefined || t.password !== undefined;
          return (secret === 1 && !user) || (secret === 0 && t.username !== undefined && t.password !== undefined);
        },
        { message: 'give either sharedSecret (or sharedSecretFile), or both username and password' },
      )
      .optional(),
    /** How long SIGTERM waits for running calls before ending them. */
    drainSeconds: z.number().int().min(0).max(3600).default(60),
    /** The built console (out/renderer); by default the one beside this program. */
    consoleDir: z.string().min(1).optional(),
    /** Load the demo account into an empty database (for trying the server out). */
    demo: z.boolean().default(false),
  })
  .refine((c) => c.listen.plainHttp !== 'loopback' || isLoopbackHost(c.listen.host), {
    message: 'listen.plainHttp "loopback" needs listen.host 127.0.0.1 (or use "anywhere" to accept the risk)',
  })
  .refine(
    (c) => {
      const ports = [c.listen.httpsPort, c.sip.wssPort, c.sip.tlsPort, c.sip.plainPort].filter((p) => p !== null);
      return new Set(ports).size === ports.length;
    },
    { message: 'listen.httpsPort, sip.wssPort, sip.tlsPort and sip.plainPort must be different ports' },
  );

export type ServerConfig = z.infer<typeof serverConfigSchema>;

export class ConfigError extends Error {}

/** "listen.httpPort: unknown setting" — the key named, in the file's own words. */
export function describeConfigError(error: z.ZodError, source: string): string {
  return error.issues
    .flatMap((issue) => {
      const at = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((k) => `${source}: unknown setting "${at ? `${at}.` : ''}${k}"`);
      }
      return [`${source}: ${at ? `${at}: ` : ''}${issue.message}`];
    })
    .join('\n');
}

type Layer = Record<string, unknown>;

/** Sets `a.b.c` in a nested object. */
function setPath(target: Layer, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Layer;
  }
  node[keys[keys.length - 1]!] = value;
}

function merge(base: Layer, over: Layer): Layer {
  const out: Layer = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof b === 'object' &&
      b !== null &&
      !Array.isArray(b)
        ? merge(b as Layer, v as Layer)
        : v;
  }
  return out;
}

/** The settings a flag or variable may set, and how its text becomes a value. */
const SETTINGS: Record<string, 'string' | 'port' | 'port-or-off' | 'int' | 'boolean'> = {
  dataDir: 'string',
  publicName: 'string',
  'listen.host': 'string',
  'listen.httpsPort': 'port',
  'listen.plainHttp': 'string',
  'listen.sipHost': 'string',
  'tls.certFile': 'string',
  'tls.keyFile': 'string',
  'sip.wssPort': 'port',
  'sip.tlsPort': 'port',
  'sip.plainPort': 'port-or-off',
  'media.portMin': 'port',
  'media.portMax': 'port',
  'media.address': 'string',
  'media.publicAddress': 'string',
  'turn.sharedSecret': 'string',
  'turn.sharedSecretFile': 'string',
  drainSeconds: 'int',
  consoleDir: 'string',
  demo: 'boolean',
};

/** `listen.httpsPort` as a flag (`--listen-https-port`) and a variable (`TEAMLINE_LISTEN_HTTPS_PORT`). */
function words(setting: string): string[] {
  return setting.split(/\.|(?=[A-Z])/).map((w) => w.toLowerCase());
}
export const flagName = (setting: string) => `--${words(setting).join('-')}`;
export const envName = (setting: string) => `TEAMLINE_${words(setting).join('_').toUpperCase()}`;

function parseValue(setting: string, text: string, source: string): unknown {
  const kind = SETTINGS[setting];
  if (kind === 'string') return text;
  if (kind === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new ConfigError(`${source}: ${setting} must be true or false, not "${text}"`);
  }
  if (kind === 'port-or-off' && text === 'off') return null;
  if (!/^\d+$/.test(text)) throw new ConfigError(`${source}: ${setting} must be a number, not "${text}"`);
  return Number(text);
}

function layerFromEnv(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const setting of Object.keys(SETTINGS)) {
    const value = env[envName(setting)];
    if (value !== undefined && value !== '') setPath(layer, setting, parseValue(setting, value, envName(setting)));
  }
  return layer;
}

function layerFromFlags(argv: readonly string[]): { layer: Layer; configFile: string | undefined } {
  const layer: Layer = {};
  let configFile: string | undefined;
  const byFlag = new Map(Object.keys(SETTINGS).map((s) => [flagName(s), s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = inline ?? argv[i + 1];
    if (flag === '--config') {
      if (value === undefined) throw new ConfigError('--config needs a file');
      configFile = value;
    } else {
      const setting = byFlag.get(flag);
      if (!setting) throw new ConfigError(`unknown option "${flag}" (see teamline-server --help)`);
      if (value === undefined) throw new ConfigError(`${flag} needs a value`);
      setPath(layer, setting, parseValue(setting, value, flag));
    }
    if (inline === undefined) i++;
  }
  return { layer, configFile };
}

/** The settings from a config file (`--config` or TEAMLINE_CONFIG), the environment and the flags. */
export function loadServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const flags = layerFromFlags(argv);
  const file = flags.configFile ?? env.TEAMLINE_CONFIG;
  let fromFile: Layer = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    try {
      fromFile = JSON.parse(text) as Layer;
    } catch (error) {
      throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new ConfigError(`${file}: must hold one JSON object`);
    }
  }
  const merged = merge(merge(fromFile, layerFromEnv(env)), flags.layer);
  const parsed = serverConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describeConfigError(parsed.error, file ?? 'settings'));
  const config = parsed.data;
  const base = file ? resolve(file, '..') : process.cwd();
  return {
    ...config,
    dataDir: resolve(base, config.dataDir),
    tls: config.tls && { certFile: resolve(base, config.tls.certFile), keyFile: resolve(base, config.tls.keyFile) },
    consoleDir: config.consoleDir && resolve(base, config.consoleDir),
    turn: config.turn && {
      ...config.turn,
      sharedSecretFile: config.turn.sharedSecretFile && resolve(base, config.turn.sharedSecretFile),
    },
  };
}

export const USAGE = `teamline-server: Teamline for a team, headless, for one account.

  teamline-server --config /etc/teamline/server.json
  teamline-server --data-dir /var/lib/teamline --public-name pbx.example.com

Settings (file key, flag, environment variable):
${Object.keys(SETTINGS)
  .map((s) => `  ${s.padEnd(20)} ${flagName(s).padEnd(24)} ${envName(s)}`)
  .join('\n')}
  (file)               --config                 TEAMLINE_CONFIG
Flags override variables, which override the file.`;
