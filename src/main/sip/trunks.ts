import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as dns } from 'node:dns';
import { existsSync, mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { checkServerIdentity, rootCertificates, connect as tlsConnect } from 'node:tls';
import type { TrunkState } from '../../shared/api/carrier';
import type { Db } from '../core/store/db';
import { listTrunks, type TrunkRow } from '../core/store/repos/carrier';
import { writePrivateFile } from './runDir';
import { keyFor, open, trunkContext } from './trunkSecrets';

/**
 * The carrier's trunks inside the proxy. The main process owns them: it
 * writes, owner-only in the run folder, the tables Kamailio reads (db_text)
 * and tells it to reload them over its control socket:
 *
 * - `uacreg`: one registration per trunk that registers (uac module,
 *   `uac_reg`); Kamailio refreshes it before it expires. A registration that
 *   fails stays off until this service enables it again, after a backoff
 *   that doubles from 5 s to 5 minutes, so a carrier that refuses us is not
 *   hammered.
 * - `address`: where a trunk's calls come from (permissions module): its
 *   allow-listed networks, and the addresses its registrar resolves to.
 * - the `trunk` htable: each trunk's signalling address, so the in-dialog
 *   checks and topology hiding treat it as the outside world.
 *
 * Live state comes from `uac.reg_dump` (registered or not) and from the
 * carrier's answers to our REGISTERs, which the proxy reports (`reply`).
 */

export interface TrunkServiceOptions {
  db: Db;
  accountId: number;
  runDir: string;
  /**
   * Where the carrier sends our calls over UDP or TCP: the Contact's
   * `host:port`; null when the proxy has no SIP port a carrier can reach
   * (a team server without its plain SIP port).
   */
  contactAddr: () => string | null;
  /**
   * The proxy's socket a registration over UDP or TCP leaves from
   * (`udp:<ip>:<port>`), when not the proxy's first one: the team server's
   * public plain SIP port.
   */
  sendSocket?: ((transport: 'udp' | 'tcp') => string | null) | undefined;
  /**
   * The Contact of a registration over TLS (`host:port;transport=tls`), or
   * null when the proxy has no TLS (only the team server loads it).
   */
  tlsContactAddr?: (() => string | null) | undefined;
  /** kamcmd, unless elsewhere (TEAMLINE_KAMCMD). */
  kamcmd?: string | undefined;
  now?: () => number;
  log?: (message: string, error?: unknown) => void;
  /** A trunk's live state changed. */
  onChange?: () => void;
  /** How often the registrations are read (ms). */
  pollMs?: number;
  /** The first wait before a failed registration is tried again (ms); it doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

interface Live {
  status: TrunkState['status'];
  lastAnswer: string | null;
  since: number | null;
  /** The carrier's last answer to a REGISTER, and when. */
  reply: { code: number; reason: string; at: number } | null;
  /** When this service last asked for a registration (load, test, retry). */
  askedAt: number;
  backoff: number;
  retry: NodeJS.Timeout | null;
}

/** A trunk's signalling address: an IPv4 address and the port there. */
interface Endpoint {
  ip: string;
  port: number;
}

/** A TLS trunk's registration when the proxy has no TLS. */
export const NO_TLS = 'TLS trunks need the team server (its proxy loads TLS)';
export const NO_PLAIN_PORT =
  'A carrier over UDP or TCP needs the team server’s plain SIP port (sip.plainPort in its settings); or use TLS';

/** Flags of a uac_reg record (Kamailio's uac_reg.c). */
const REG_DISABLED = 1 << 0;
const REG_ONGOING = 1 << 1;
const REG_ONLINE = 1 << 2;

/** A value in a db_text row: the column separator and the escape character are escaped. */
const dbt = (v: string | number | null | undefined) =>
  v === null || v === undefined
    ? ''
    : String(v)
        .replace(/\\/g, '\\\\')
        .replace(/:/g, '\\:')
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r')
        .replace(/\t/g, '\\t');

const VERSION_TABLE = 'table_name(string) table_version(int)\nuacreg:5\naddress:6\ntrusted:6\n';
const UACREG_HEADER =
  'id(int,auto) l_uuid(string) l_username(string) l_domain(string) r_username(string) r_domain(string) realm(string,null) auth_username(string) auth_password(string,null) auth_ha1(string,null) auth_proxy(string) expires(int) flags(int) reg_delay(int) contact_addr(string,null) socket(string,null)';
const ADDRESS_HEADER = 'id(int,auto) grp(int) ip_addr(string) mask(int) port(int) tag(string,null)';
const TRUSTED_HEADER =
  'id(int,auto) src_ip(string) proto(string) from_pattern(string,null) ruri_pattern(string,null) tag(string,null) priority(int)';

/** `sip:` URI parts of where a trunk's requests go: the outbound proxy if any, else the trunk itself. */
export function nextHop(t: Pick<TrunkRow, 'host' | 'port' | 'transport' | 'outboundProxy'>): string {
  const transport = t.transport === 'udp' ? '' : `;transport=${t.transport}`;
  if (t.outboundProxy) return `sip:${t.outboundProxy}${transport}`;
  return `sip:${t.host}${t.port ? `:${t.port}` : ''}${transport}`;
}

/** The number as the trunk wants it: E.164 with or without the +. */
export const asDialled = (t: Pick<TrunkRow, 'callerIdPlus'>, e164: string) =>
  t.callerIdPlus || !e164.startsWith('+') ? e164 : e164.slice(1);

/** Whether an IPv4 address is in a network (`a.b.c.d/n`). */
export function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? 32);
  const n = (a: string) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  if (isIP(ip) !== 4 || isIP(net ?? '') !== 4) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(n(ip) / size) === Math.floor(n(net!) / size);
}

/** A TLS error that is about the carrier's certificate, in words; null for anything else (no answer). */
export function certificateProblem(error: NodeJS.ErrnoException, host: string): string | null {
  switch (error.code) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `The carrier's certificate is not for ${host}`;
    case 'CERT_HAS_EXPIRED':
      return "The carrier's certificate has expired";
    case 'CERT_NOT_YET_VALID':
      return "The carrier's certificate is not valid yet";
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
    case 'CERT_SIGNATURE_FAILURE':
      return `The carrier's certificate is not signed by an authority we trust (${error.message})`;
    default:
      return null;
  }
}

export class TrunkService {
  private readonly live = new Map<number, Live>();
  private poller: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private again = false;
  private lastMtime = 0;
  /** The Contact users of the registrations the proxy holds. */
  private registered = new Set<string>();
  private stopped = false;
  /** The resolved signalling addresses of each trunk (with the port there), from the last sync. */
  private addresses = new Map<number, Endpoint[]>();
  /** The `trunk` htable entries this service set. */
  private htEntries = new Set<string>();
  /** TLS trunks whose certificate was refused at the last sync, and why. */
  private certProblems = new Map<number, string>();
  private readonly now: () => number;

  constructor(private readonly o: TrunkServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  private get ctl() {
    return `unix:${join(this.o.runDir, 'kamailio_ctl')}`;
  }

  /** Runs one control command; its output, or null when the proxy did not answer. */
  rpc(...args: string[]): Promise<string | null> {
    return new Promise((resolve) => {
      execFile(
        this.o.kamcmd ?? process.env.TEAMLINE_KAMCMD ?? 'kamcmd',
        ['-s', this.ctl, ...args],
        { timeout: 3000 },
        (error, stdout) => resolve(error ? null : stdout),
      );
    });
  }

  trunks(): TrunkRow[] {
    return listTrunks(this.o.db, this.o.accountId);
  }

  /** The db_text folder Kamailio reads (`text://<runDir>/db`). */
  static dbDir(runDir: string) {
    return join(runDir, 'db');
  }

  /** Writes the tables; called before the proxy starts too (it loads them then). */
  async writeTables(): Promise<void> {
    const trunks = this.trunks();
    const dir = TrunkService.dbDir(this.o.runDir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = trunks.some((t) => t.register) ? keyFor(this.o.db) : null;
    const reg: string[] = [UACREG_HEADER];
    const addr: string[] = [ADDRESS_HEADER];
    const addresses = new Map<number, Endpoint[]>();
    let row = 0;
    const problems = new Map<number, string>();
    for (const t of trunks) {
      const endpoints = await this.resolve(t);
      const ips = [...new Set(endpoints.map((e) => e.ip))];
      // A TLS trunk whose certificate we refuse is not handed to the proxy at all.
      const problem = t.transport === 'tls' && endpoints[0] ? await this.probeTls(t, endpoints[0]) : null;
      if (problem) {
        problems.set(t.id, problem);
        this.o.log?.(`The trunk ${t.name} is not used: ${problem}`);
        addresses.set(t.id, []);
        continue;
      }
      addresses.set(t.id, endpoints);
      for (const cidr of t.allowCidrs) {
        const [ip, bits] = cidr.split('/');
        addr.push([++row, t.id, ip, bits, 0, ''].map(dbt).join(':'));
      }
      if (!t.register || !t.passwordEnc || !key) continue;
      const contact = t.transport === 'tls' ? (this.o.tlsContactAddr?.() ?? null) : this.o.contactAddr();
      if (contact === null) continue;
      // An address the allow-list covers already needs no registration check.
      for (const ip of ips.filter((a) => !t.allowCidrs.some((c) => inCidr(a, c))))
        addr.push([++row, t.id, ip, 32, 0, t.contactToken].map(dbt).join(':'));
      let password: string;
      try {
        password = open(key, t.passwordEnc, trunkContext(this.o.accountId, t.contactToken));
      } catch (error) {
        this.o.log?.(`The password of the trunk ${t.name} cannot be read; it does not register`, error);
        continue;
      }
      const authUser = t.authUsername || t.username;
      // With a known realm the proxy gets only the digest hash, never the password.
      const ha1 = t.realm ? createHash('md5').update(`${authUser}:${t.realm}:${password}`).digest('hex') : null;
      reg.push(
        [
          t.id,
          t.contactToken,
          t.contactToken,
          t.host,
          t.username,
          t.host,
          t.realm || null,
          authUser,
          ha1 ? null : password,
          ha1,
          nextHop(t),
          t.expiry,
          0,
          0,
          contact,
          t.transport === 'tls' ? null : (this.o.sendSocket?.(t.transport) ?? null),
        ]
          .map(dbt)
          .join(':'),
      );
    }
    this.addresses = addresses;
    this.certProblems = problems;
    // db_text reloads a table whose file time moved on, to the second: every write moves it on.
    const mtime = Math.max(Math.floor(Date.now() / 1000), this.lastMtime + 1);
    this.lastMtime = mtime;
    for (const [name, lines] of [
      ['version', [VERSION_TABLE.trimEnd()]],
      ['uacreg', reg],
      ['address', addr],
      ['trusted', [TRUSTED_HEADER]],
    ] as const) {
      const file = join(dir, name);
      writePrivateFile(file, `${lines.join('\n')}\n`);
      utimesSync(file, mtime, mtime);
    }
  }

  /**
   * Where a trunk's requests go and its calls come from, as the proxy finds
   * it (RFC 3263): the outbound proxy and the host when there is a proxy; else, for a host
   * without a port, the targets of its SRV records with their ports, and the
   * host itself on the transport's usual port when it publishes none.
   */
  private async resolve(t: TrunkRow): Promise<Endpoint[]> {
    const defaultPort = t.transport === 'tls' ? 5061 : 5060;
    const targets: { host: string; port: number; srv: boolean }[] = [];
    if (t.outboundProxy) {
      const m = /^(.*?)(?::(\d+))?$/.exec(t.outboundProxy)!;
      targets.push({ host: m[1]!, port: Number(m[2] ?? defaultPort), srv: false });
      // The carrier's own calls may still come from its host.
      targets.push({ host: t.host, port: t.port ?? defaultPort, srv: false });
    } else if (t.port !== null) {
      targets.push({ host: t.host, port: t.port, srv: false });
    } else {
      if (isIP(t.host) === 0) {
        const proto = t.transport === 'tls' ? '_sips._tcp' : `_sip._${t.transport}`;
        try {
          for (const r of await dns.resolveSrv(`${proto}.${t.host}`))
            targets.push({ host: r.name, port: r.port, srv: true });
        } catch {
          // No SRV records: the host itself.
        }
      }
      if (targets.length === 0) targets.push({ host: t.host, port: defaultPort, srv: false });
    }
    const out = new Map<string, Endpoint>();
    for (const { host, port, srv } of targets) {
      if (isIP(host) === 4) {
        out.set(`${host}:${port}`, { ip: host, port });
        continue;
      }
      try {
        // An SRV target is a DNS name (RFC 2782): asked of DNS, as the proxy does; a host as the system resolves it.
        const ips = srv
          ? await dns.resolve4(host)
          : (await dns.lookup(host, { all: true, family: 4 })).map((a) => a.address);
        for (const ip of ips) out.set(`${ip}:${port}`, { ip, port });
      } catch (error) {
        this.o.log?.(`The trunk host ${host} does not resolve`, error);
      }
    }
    return [...out.values()];
  }

  /**
   * Brings the proxy in line with the database: tables, reloads, the trunk
   * htable, and a fresh registration for every trunk. Coalesced: changes
   * during a sync cause one more.
   */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        try {
          await this.syncOnce();
        } catch (error) {
          this.o.log?.('The trunks could not be handed to the proxy', error);
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async syncOnce() {
    await this.writeTables();
    await this.rpc('permissions.addressReload');
    const trunks = this.trunks();
    // One record at a time: a whole reload is refused within minutes of the last one.
    const tokens = new Set(trunks.filter((t) => t.register).map((t) => t.contactToken));
    for (const token of this.registered) if (!tokens.has(token)) await this.rpc('uac.reg_remove', token);
    for (const token of tokens) await this.rpc('uac.reg_refresh', token);
    this.registered = tokens;
    const keep = new Set<string>();
    for (const t of trunks) {
      // Over TLS the proxy names the protocol "tls" ($pr) and its address checks look for "tcp".
      const protos = t.transport === 'udp' ? ['udp'] : t.transport === 'tls' ? ['tcp', 'tls'] : ['tcp'];
      for (const { ip, port } of this.addresses.get(t.id) ?? [])
        for (const proto of protos) keep.add(`${proto}:${ip}:${port}`);
    }
    // Entries of trunks that went away or moved: only those set before (one control command each).
    for (const entry of this.htEntries) if (!keep.has(entry)) await this.rpc('htable.delete', 'trunk', entry);
    this.htEntries = keep;
    for (const entry of keep) await this.rpc('htable.seti', 'trunk', entry, '1');
    const ids = new Set(trunks.map((t) => t.id));
    for (const [id, l] of this.live) {
      if (!ids.has(id)) {
        if (l.retry) clearTimeout(l.retry);
        this.live.delete(id);
      }
    }
    const at = this.now();
    for (const t of trunks) {
      const l = this.entry(t.id);
      if (l.retry) clearTimeout(l.retry);
      l.retry = null;
      l.backoff = 0;
      l.askedAt = at;
      l.reply = null;
      this.set(
        t.id,
        t.register ? { status: 'registering', lastAnswer: null } : { status: 'allowlist', lastAnswer: null },
      );
    }
    await this.poll();
  }

  private entry(id: number): Live {
    let l = this.live.get(id);
    if (!l) {
      l = {
        status: 'registering',
        lastAnswer: null,
        since: null,
        reply: null,
        askedAt: 0,
        backoff: 0,
        retry: null,
      };
      this.live.set(id, l);
    }
    return l;
  }

  private set(id: number, s: { status: TrunkState['status']; lastAnswer: string | null }) {
    const l = this.entry(id);
    if (l.status === s.status && l.lastAnswer === s.lastAnswer && l.since !== null) return;
    l.status = s.status;
    l.lastAnswer = s.lastAnswer;
    l.since = this.now();
    this.o.onChange?.();
  }

  /** The carrier answered a REGISTER of `user@domain` (reported by the proxy). */
  reply(user: string, domain: string, code: number, reason: string) {
    for (const t of this.trunks()) {
      if (!t.register || t.username !== user || t.host !== domain.toLowerCase()) continue;
      this.entry(t.id).reply = { code, reason, at: this.now() };
    }
    void this.poll();
  }

  /** Reads the registrations from the proxy and works out each trunk's state. */
  async poll(): Promise<void> {
    // Only registrations have a state to read from the proxy: without them no
    // control command (each one a process started from this one).
    const trunks = this.trunks();
    const out = trunks.some((t) => t.register) ? await this.rpc('uac.reg_dump') : '';
    if (out === null || this.stopped) return;
    const records = new Map<string, { flags: number; diff: number }>();
    for (const block of out.split('}')) {
      const uuid = /l_uuid:\s*(\S+)/.exec(block)?.[1];
      const flags = /\bflags:\s*(\d+)/.exec(block)?.[1];
      const diff = /diff_expires:\s*(-?\d+)/.exec(block)?.[1];
      if (uuid && flags) records.set(uuid, { flags: Number(flags), diff: Number(diff ?? 0) });
    }
    for (const t of trunks) {
      if (t.transport !== 'tls' && this.o.contactAddr() === null) {
        this.set(t.id, { status: 'failing', lastAnswer: NO_PLAIN_PORT });
        continue;
      }
      if (!t.register) {
        this.set(t.id, { status: 'allowlist', lastAnswer: null });
        continue;
      }
      const l = this.entry(t.id);
      if (t.transport === 'tls' && !this.o.tlsContactAddr?.()) {
        this.set(t.id, { status: 'failing', lastAnswer: NO_TLS });
        continue;
      }
      const certProblem = this.certProblems.get(t.id);
      if (certProblem) {
        this.set(t.id, { status: 'failing', lastAnswer: certProblem });
        continue;
      }
      const r = records.get(t.contactToken);
      const answered = l.reply && l.reply.at >= l.askedAt ? l.reply : null;
      const answer = answered ? `${answered.code} ${answered.reason}`.trim() : null;
      if (r && r.flags & REG_ONLINE && r.diff > 0) {
        l.backoff = 0;
        this.set(t.id, { status: 'registered', lastAnswer: answer });
      } else if (r && r.flags & REG_DISABLED && !(r.flags & REG_ONGOING)) {
        // Refused or unanswered: try again later, later each time. No address at all is a DNS failure.
        const unresolved = this.addresses.get(t.id)?.length === 0;
        this.set(
          t.id,
          answered && answered.code >= 300
            ? { status: 'failing', lastAnswer: answer }
            : {
                status: 'unreachable',
                lastAnswer: unresolved ? `${t.host} does not resolve (DNS)` : 'No answer from the carrier',
              },
        );
        this.retryLater(t);
      } else if (!r) {
        this.set(t.id, { status: 'failing', lastAnswer: 'The proxy did not take this registration' });
      }
    }
  }

  private retryLater(t: TrunkRow) {
    const l = this.entry(t.id);
    if (l.retry || this.stopped) return;
    l.backoff = Math.min(this.o.maxBackoffMs ?? 300_000, l.backoff ? l.backoff * 2 : (this.o.backoffMs ?? 5000));
    l.retry = setTimeout(() => {
      l.retry = null;
      void this.reregister(t.id);
    }, l.backoff);
    l.retry.unref();
  }

  private async reregister(id: number) {
    const t = this.trunks().find((x) => x.id === id);
    if (!t?.register || this.stopped) return;
    this.entry(id).askedAt = this.now();
    await this.rpc('uac.reg_enable', 'l_uuid', t.contactToken);
  }

  /** "Test": registers again now; the state reads "registering" until the carrier's answer. */
  test(id: number) {
    const l = this.entry(id);
    if (l.retry) clearTimeout(l.retry);
    l.retry = null;
    l.backoff = 0;
    const t = this.trunks().find((x) => x.id === id);
    // A refused certificate is checked again (the carrier may have replaced it): a whole sync does.
    if (t && this.certProblems.has(id)) return void this.sync();
    if (!t?.register) return;
    this.set(id, { status: 'registering', lastAnswer: null });
    l.askedAt = this.now();
    // A fresh REGISTER even when the registration stands, so the carrier's answer is today's.
    void this.rpc('uac.reg_refresh', t.contactToken)
      .then(() => this.reregister(id))
      .then(() => this.poll());
  }

  /** The CAs a carrier's certificate may be signed by: the well-known ones, and the admin's own (written with the proxy's TLS settings). */
  private cas(): string[] | undefined {
    const file = join(this.o.runDir, 'trunk-ca.pem');
    return existsSync(file) ? [...rootCertificates, readFileSync(file, 'utf8')] : undefined;
  }

  /**
   * Why a TLS trunk's certificate was refused (no CA we trust signed it, or
   * it is not for the trunk's host), or null. Such a trunk is not handed to
   * the proxy: it does not register and takes no calls or texts.
   */
  refused(id: number): string | null {
    return this.certProblems.get(id) ?? null;
  }

  /** The name a TLS trunk's certificate must carry: its outbound proxy's host if it has one, else its host. */
  private tlsHost(t: TrunkRow): string {
    return t.outboundProxy ? t.outboundProxy.replace(/:\d+$/, '') : t.host;
  }

  /**
   * Connects to a TLS trunk as the proxy will and checks the carrier's
   * certificate: signed by a CA we trust (the proxy's list) and for the
   * trunk's host. The certificate's problem, or null (fine, or no answer:
   * the registration then says so).
   */
  private probeTls(t: TrunkRow, at: Endpoint): Promise<string | null> {
    const host = this.tlsHost(t);
    return new Promise((resolve) => {
      const socket = tlsConnect({
        host: at.ip,
        port: at.port,
        ca: this.cas(),
        ...(isIP(host) ? {} : { servername: host }),
        checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert),
        timeout: 3000,
      });
      const done = (problem: string | null) => {
        socket.destroy();
        resolve(problem);
      };
      socket.once('secureConnect', () => done(null));
      socket.once('timeout', () => done(null));
      socket.once('error', (error: NodeJS.ErrnoException) => done(certificateProblem(error, host)));
    });
  }

  state(id: number): TrunkState {
    const l = this.live.get(id);
    if (!l) return { status: 'registering', lastAnswer: null, since: null };
    return { status: l.status, lastAnswer: l.lastAnswer, since: l.since };
  }

  /** Which trunk a call from `ip` is, given the trunk the proxy matched: its networks, or its registrar and our Contact. */
  recognise(trunkId: number, ip: string, requestUser: string): TrunkRow | null {
    const t = this.trunks().find((x) => x.id === trunkId);
    if (!t) return null;
    if (t.allowCidrs.some((c) => inCidr(ip, c))) return t;
    if (t.register && requestUser === t.contactToken && (this.addresses.get(t.id) ?? []).some((a) => a.ip === ip))
      return t;
    return null;
  }

  start() {
    const tick = () => {
      this.poller = setTimeout(() => {
        void this.poll().finally(() => !this.stopped && tick());
      }, this.o.pollMs ?? 3000);
      this.poller.unref();
    };
    tick();
  }

  stop() {
    this.stopped = true;
    if (this.poller) clearTimeout(this.poller);
    for (const l of this.live.values()) if (l.retry) clearTimeout(l.retry);
  }
}
