import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCoreWithDb } from '../../../src/main/core/api/core';
import { DEMO_PASSWORD } from '../../../src/main/core/demo/people';
import { seedDemo, type DemoIds } from '../../../src/main/core/demo/seed';
import { setPasswordCost } from '../../../src/main/core/domain/password';
import { openDatabase, type Db } from '../../../src/main/core/store/db';
import { issueCredentials, type IssuedCredentials } from '../../../src/main/sip/credentials';
import { freePort } from '../../../src/main/sip/ports';
import type { KamailioOptions } from '../../../src/main/sip/kamailio';
import { startPhoneService, type PhoneService } from '../../../src/main/sip/service';
import { carrierHooks, carrierView } from '../../../src/main/sip/carrierHooks';
import { withdrawHook } from '../../../src/main/sip/hosted';
import type { Input, Method, Output } from '../../../src/shared/api/contract';
import type { PushEvent } from '../../../src/shared/api/events';
import type { ApiResult } from '../../../src/shared/result';
import { digest, header, sipRequest, status, token, type RawUa } from './rawSip';
import { killAllSipp, runSipp, startSipp, type SippOptions } from './sipp';

/**
 * The whole phone stack for a test file: the demo account in memory (real
 * clock, no history), the core, the decision service and a real Kamailio
 * on free loopback ports, plus an outside-world port for a sipp UAS.
 */

setPasswordCost({ N: 1024, r: 8, p: 1 });

export const DOMAIN = 'teamline.local';
export const CONSOLE_ORIGIN = 'http://127.0.0.1:5178';

export interface ApiClient {
  call<M extends Method>(method: M, input: Input<M>): Promise<ApiResult<Output<M>>>;
  ok<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
}

export interface Stack {
  db: Db;
  ids: DemoIds;
  phone: PhoneService;
  runDir: string;
  /** host:port of the proxy's UDP (and TCP) SIP port. */
  proxy: string;
  /** Where the proxy sends calls to outside numbers; a sipp UAS listens here when a test needs it. */
  peerPort: number;
  as(key: string, onEvent?: (event: PushEvent) => void): Promise<ApiClient>;
  /** Fresh credentials for a demo user, as `sip.credentials` would issue them (optionally at another time). */
  credentials(key: string, at?: number): IssuedCredentials;
  /** Every password `credentials` issued, to prove that none reaches a log. */
  issued: string[];
  /** A sipp UA; `trunk`: it sends from the trunk's address and port, as the outside world does. */
  sipp(o: Omit<SippOptions, 'remote'> & { uas?: boolean; trunk?: boolean }): ReturnType<typeof startSipp>;
  run(o: Omit<SippOptions, 'remote'> & { trunk?: boolean }): ReturnType<typeof runSipp>;
  /** Registers a demo user's phone (a sipp UAS on `contactPort`) over UDP. */
  register(key: string, contactPort: number, expires?: number): Promise<void>;
  extension(key: string): string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * `trunkTiming`: how quickly trunk registrations are read and retried (carrier tests);
 * `supervise`: a proxy that ends by itself is started again, as in the app.
 */
export async function startStack(
  o: {
    trunkTiming?: { pollMs?: number; backoffMs?: number; maxBackoffMs?: number };
    supervise?: boolean;
    /** Call recording into this data directory (the database is in memory, so off otherwise). */
    recording?: { dataDir: string };
    smsTiming?: { pollMs?: number; backoffMs?: number; maxBackoffMs?: number; timerF?: number };
    /** The team server's transports (TLS) and the CAs a TLS trunk may be signed by. */
    kamailio?: Pick<KamailioOptions, 'public' | 'trunkCaFile' | 'readyTimeoutMs' | 'binary'>;
  } = {},
): Promise<Stack> {
  if (spawnSync('sipp', ['-v']).error) {
    throw new Error(
      'sipp is not installed: apt-get install sip-tester (and kamailio, kamailio-websocket-modules, kamailio-utils-modules)',
    );
  }
  const runDir = mkdtempSync(join(tmpdir(), 'tl-sip-'));
  const db = openDatabase(':memory:');
  const ids = seedDemo(db, Date.now(), { days: 0 });
  const peerPort = await freePort('127.0.0.1', true);
  // The core needs the phone service's settings and the service records into the core: tie them late.
  let core: ReturnType<typeof createCoreWithDb> | null = null;
  const phone = await startPhoneService({
    db,
    accountId: ids.accountId,
    recordCall: (c) => core?.recordCall(c),
    runDir,
    domain: DOMAIN,
    // The console's page may open the softphone's WebSocket; any other page may not.
    kamailio: { peer: `127.0.0.1:${peerPort}`, log: 'file', origins: [CONSOLE_ORIGIN], ...o.kamailio },
    // A menu waits one second for a key (five in use), so that no-input calls finish quickly.
    mediaService: { menuWaitSeconds: 1 },
    onPresenceChange: () => core?.announce('presence.changed', { kind: 'account', accountId: ids.accountId }),
    onCarrierChange: () => core && carrierHooks(core, ids.accountId).onCarrierChange(),
    onEmergency: (e) => core && carrierHooks(core, ids.accountId).onEmergency(e),
    announce: (name, audience) => core?.announce(name, audience),
    smsTiming: o.smsTiming,
    trunkTiming: o.trunkTiming,
    supervise: o.supervise,
    recording: o.recording,
  });
  core = createCoreWithDb(db, { validateOutput: true });
  core.setPhone({
    sip: phone.sip,
    problem: null,
    presence: phone.decisions.presence,
    carrier: carrierView(phone.trunks),
    // A revoked desktop or a deactivated user loses its registrations and calls at once, as in the hosts.
    withdraw: withdrawHook(core, phone, ids.accountId, () => {}),
    ...(phone.recorder ? { recorder: phone.recorder } : {}),
  });
  const proxy = `127.0.0.1:${phone.kamailio.sipUdpPort}`;
  const extensions = Object.fromEntries(
    Object.entries(ids.users).map(([k, id]) => [
      k,
      db.prepare('SELECT extension FROM users WHERE id = ?').pluck().get(id) as string,
    ]),
  );

  const stack: Stack = {
    db,
    ids,
    phone,
    runDir,
    proxy,
    peerPort,
    extension: (key) => extensions[key]!,
    async as(key, onEvent = () => {}) {
      const conn = core!.connect(onEvent);
      const call = <M extends Method>(method: M, input: Input<M>) =>
        conn.invoke(method, input) as Promise<ApiResult<Output<M>>>;
      const client: ApiClient = {
        call,
        async ok(method, input) {
          const r = await call(method, input);
          if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
          return r.value;
        },
      };
      await client.ok('auth.signIn', { login: `${key}@teamline.demo`, password: DEMO_PASSWORD });
      return client;
    },
    issued: [],
    credentials(key, at = Date.now()) {
      const c = issueCredentials(
        phone.sip,
        { accountId: ids.accountId, userId: ids.users[key]!, extension: extensions[key]! },
        at,
      );
      stack.issued.push(c.password);
      return c;
    },
    sipp: ({ uas, trunk, ...o }) =>
      startSipp(runDir, { ...o, ...(trunk ? { localPort: peerPort } : {}), ...(uas ? {} : { remote: proxy }) }),
    run: ({ trunk, ...o }) => runSipp(runDir, { ...o, ...(trunk ? { localPort: peerPort } : {}), remote: proxy }),
    async register(key, contactPort, expires = 120) {
      const c = stack.credentials(key);
      const ext = extensions[key]!;
      const r = await runSipp(runDir, {
        scenario: 'register.xml',
        remote: proxy,
        keys: { ext, domain: DOMAIN, contact_user: ext, contact_port: String(contactPort), expires: String(expires) },
        auth: { username: c.authorizationUsername, password: c.password },
      });
      if (r.code !== 0) throw new Error(`registering ${key} failed (sipp ${r.code})\n${r.messages}`);
    },
    log: () => phone.kamailio.readLog(),
    async stop() {
      killAllSipp();
      await phone.stop();
      core?.close();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Polls until `check` returns a value (not undefined/false), within `ms`; bounded like every loop here. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 3000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type StackOptions = Parameters<typeof startStack>[0];

/**
 * The stack of a test file: started before its first test, stopped after
 * its last, and Kamailio's log (its last `logChars`) printed under a failed
 * test. Returned at once, before it starts: use it inside tests and hooks.
 * `prepare` runs first and gives options known only then (certificates,
 * ports); `ready` runs once it is up (signing in, say), both within
 * `startTimeoutMs` when given. `stopping` runs just before it stops,
 * `stopped` just after.
 */
export function useStack(
  o: StackOptions & {
    logChars?: number;
    prepare?: () => Promise<StackOptions>;
    ready?: (s: Stack) => Promise<void>;
    startTimeoutMs?: number;
    stopping?: () => unknown;
    stopped?: () => unknown;
  } = {},
): Stack {
  const { logChars = 6000, prepare, ready, startTimeoutMs, stopping, stopped, ...options } = o;
  let started: Stack | null = null;
  beforeAll(async () => {
    started = await startStack({ ...options, ...(await prepare?.()) });
    await ready?.(started);
  }, startTimeoutMs);
  afterAll(async () => {
    await stopping?.();
    await started?.stop();
    await stopped?.();
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      killAllSipp();
      console.error(`--- kamailio log (last ${logChars} chars) ---\n${started?.log().slice(-logChars) ?? ''}`);
    });
  });
  return new Proxy({} as Stack, {
    get(_target, key) {
      if (!started) throw new Error('the stack is not started yet: use it inside tests and hooks');
      return started[key as keyof Stack];
    },
  });
}

// Phones, calls and dialogs by hand (raw UDP): what the tests of requests
// inside calls need, so that each message that reaches a phone is seen.

/** An SDP offer or answer from `ua` (plain RTP, PCMU, two ports above its SIP port). */
export function sdp(ua: RawUa): string {
  return [
    'v=0',
    `o=raw 1 1 IN IP4 ${ua.ip}`,
    's=-',
    `c=IN IP4 ${ua.ip}`,
    't=0 0',
    `m=audio ${ua.port + 2} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    '',
  ].join('\r\n');
}

/** Every value of a header (each line), in order. */
export function headers(m: string, name: string): string[] {
  return m
    .split('\r\n\r\n')[0]!
    .split('\r\n')
    .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((l) => l.slice(l.indexOf(':') + 1).trim());
}

/** A digest registration of a demo user's extension from `ua`; the time each answer took. */
export async function registerFrom(
  s: Stack,
  ua: RawUa,
  key: string,
  o: { password?: string; contactUser?: string; expires?: number } = {},
) {
  const c = s.credentials(key);
  const ext = s.extension(key);
  const callId = `${token()}@reg`;
  const request = (cseq: number, auth: string | null) =>
    sipRequest(ua, `REGISTER sip:${DOMAIN} SIP/2.0`, [
      `From: <sip:${ext}@${DOMAIN}>;tag=${token()}`,
      `To: <sip:${ext}@${DOMAIN}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:${o.contactUser ?? ext}@${ua.ip}:${ua.port}>`,
      `Expires: ${o.expires ?? 60}`,
      ...(auth ? [`Authorization: ${auth}`] : []),
    ]);
  let t = performance.now();
  const challenge = await ua.request(request(1, null), s.proxy, 1000);
  const challengeMs = performance.now() - t;
  if (!challenge?.startsWith('SIP/2.0 401 ')) return { challengeMs, finalMs: 0, challenge, final: null };
  const auth = digest(challenge, {
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
    username: c.authorizationUsername,
    password: o.password ?? c.password,
  });
  t = performance.now();
  const final = await ua.request(request(2, auth), s.proxy, 1000);
  return { challengeMs, finalMs: performance.now() - t, challenge, final };
}

/** Registers a demo user's phone at `ua`; throws unless the registrar said 200. */
export async function registered(s: Stack, ua: RawUa, key: string, expires = 60): Promise<void> {
  const r = await registerFrom(s, ua, key, { expires });
  if (status(r.final) !== 'SIP/2.0 200 OK') throw new Error(`registering ${key}: ${status(r.final ?? r.challenge)}`);
}

/** A response from `ua` to a request it received (Vias, From, To, Call-ID, CSeq and Record-Route copied). */
export function respond(
  s: Stack,
  ua: RawUa,
  req: string,
  code: string,
  o: { toTag?: string; extra?: string[]; body?: string } = {},
): void {
  const to = header(req, 'To')!;
  const lines = [
    `SIP/2.0 ${code}`,
    ...headers(req, 'Via').map((v) => `Via: ${v}`),
    ...headers(req, 'Record-Route').map((v) => `Record-Route: ${v}`),
    `From: ${header(req, 'From')}`,
    `To: ${o.toTag && !/;tag=/.test(to) ? `${to};tag=${o.toTag}` : to}`,
    `Call-ID: ${header(req, 'Call-ID')}`,
    `CSeq: ${header(req, 'CSeq')}`,
    ...(o.extra ?? []),
    ...(o.body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(o.body ?? '')}`,
    '',
    o.body ?? '',
  ];
  ua.send(lines.join('\r\n'), s.proxy);
}

/** Answers the next INVITE reaching `ua` (as extension `ext`); the INVITE and the tag it answered with. */
export async function answerNext(s: Stack, ua: RawUa, ext: string, match: (m: string) => boolean = () => true) {
  const invite = await ua.next((m) => m.startsWith('INVITE ') && match(m), 5000);
  if (!invite) throw new Error(`no INVITE reached ${ext}`);
  const tag = token();
  respond(s, ua, invite, '200 OK', {
    toTag: tag,
    extra: [`Contact: <sip:${ext}@${ua.ip}:${ua.port}>`],
    body: sdp(ua),
  });
  return { invite, tag };
}

export interface Dialog {
  callId: string;
  /** Route set, in the order the sender writes it. */
  route: string[];
  target: string;
  from: string;
  to: string;
}

/** A request inside dialog `d` from `ua` (optionally to another Request-URI). */
export function inDialog(
  ua: RawUa,
  d: Dialog,
  method: string,
  cseq: number,
  extra: string[] = [],
  uri = d.target,
  body = '',
): string {
  return sipRequest(
    ua,
    `${method} ${uri} SIP/2.0`,
    [
      ...d.route.map((r) => `Route: ${r}`),
      `From: ${d.from}`,
      `To: ${d.to}`,
      `Call-ID: ${d.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:${ua.ip}:${ua.port}>`,
      ...extra,
      ...(body ? ['Content-Type: application/sdp'] : []),
    ],
    body,
  );
}

/** The dialog as the side that answered (or rang with) `invite` using `tag` knows it. */
export function calleeDialog(invite: string, tag: string): Dialog {
  return {
    callId: header(invite, 'Call-ID')!,
    route: headers(invite, 'Record-Route'),
    target: /<([^>]+)>/.exec(header(invite, 'Contact')!)![1]!,
    from: `${header(invite, 'To')};tag=${tag}`,
    to: header(invite, 'From')!,
  };
}

/**
 * A team member's INVITE from `ua` to `to`, digest answered on the 407: the
 * authenticated INVITE is sent, and its final answer is awaited by the
 * caller of this function (`final`). `invite` is the INVITE as sent.
 */
export async function dial(s: Stack, ua: RawUa, key: string, to: string, extra: string[] = []) {
  const c = s.credentials(key);
  const ext = s.extension(key);
  const callId = `${token()}@${key}`;
  const fromTag = token();
  const request = (cseq: number, auth: string | null) =>
    sipRequest(
      ua,
      `INVITE sip:${to}@${DOMAIN} SIP/2.0`,
      [
        `From: <sip:${ext}@${DOMAIN}>;tag=${fromTag}`,
        `To: <sip:${to}@${DOMAIN}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} INVITE`,
        `Contact: <sip:${ext}@${ua.ip}:${ua.port}>`,
        ...extra,
        ...(auth ? [`Proxy-Authorization: ${auth}`] : []),
        'Content-Type: application/sdp',
      ],
      sdp(ua),
    );
  const challenge = await ua.request(request(1, null), s.proxy);
  if (!/^SIP\/2\.0 407 /.test(status(challenge))) throw new Error(`calling ${to}: ${status(challenge)}`);
  const auth = digest(challenge!, {
    method: 'INVITE',
    uri: `sip:${to}@${DOMAIN}`,
    username: c.authorizationUsername,
    password: c.password,
  });
  const invite = request(2, auth);
  const final = ua.request(invite, s.proxy, 8000);
  return { callId, fromTag, from: `<sip:${ext}@${DOMAIN}>;tag=${fromTag}`, invite, final };
}

/**
 * A team member's call from `ua`, answered by whoever `answer` is (a raw
 * phone, or a sipp phone: then `{ tag: '' }`); ACKed; the dialog as the
 * caller knows it.
 */
export async function call(
  s: Stack,
  ua: RawUa,
  key: string,
  to: string,
  answer: () => Promise<{ tag: string }>,
  extra: string[] = [],
) {
  const placed = await dial(s, ua, key, to, extra);
  const answered = await answer();
  const ok = await placed.final;
  if (status(ok) !== 'SIP/2.0 200 OK') throw new Error(`calling ${to}: ${status(ok)}`);
  const toTag = /;tag=([^;>\s]+)/.exec(header(ok!, 'To')!)![1]!;
  const d = {
    callId: placed.callId,
    fromTag: placed.fromTag,
    toTag: answered.tag || toTag,
    route: headers(ok!, 'Record-Route').reverse(),
    target: /<([^>]+)>/.exec(header(ok!, 'Contact')!)![1]!,
    from: placed.from,
    to: header(ok!, 'To')!,
  };
  ua.send(inDialog(ua, d, 'ACK', 2), s.proxy);
  return d;
}
