import { spawnSync } from 'node:child_process';
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
import { startPhoneService, type PhoneService } from '../../../src/main/sip/service';
import { carrierHooks, carrierView } from '../../../src/main/sip/carrierHooks';
import { withdrawHook } from '../../../src/main/sip/hosted';
import type { Input, Method, Output } from '../../../src/shared/api/contract';
import type { PushEvent } from '../../../src/shared/api/events';
import type { ApiResult } from '../../../src/shared/result';
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
    kamailio: { peer: `127.0.0.1:${peerPort}`, log: 'file', origins: [CONSOLE_ORIGIN] },
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
