import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { NewCall } from '../core/store/repos/calls';
import type { Db } from '../core/store/db';
import { CallTracker } from './callTracker';
import { parseAuthorizationUsername, sameSecret } from './credentials';
import { createDecisions, reject, type EmergencyCall } from './decide';
import { trunkCredentials, trunkRoute } from './trunkDecide';
import type { TrunkService } from './trunks';
import { accountDirectory } from './directory';
import type { Sms } from './sms';
import { Presence } from './presence';
import type { Recorder } from './recording/recorder';

/**
 * The loopback decision service the proxy asks (Kamailio's http_client):
 * a node:http server on 127.0.0.1 that answers only requests carrying the
 * random token written into the rendered Kamailio config. Every input is
 * validated; every decision goes through the policy module (decide.ts).
 * Nothing here logs a request body, so no credential reaches a log.
 */

export interface DecisionServiceOptions {
  db: Db;
  accountId: number;
  domain: string;
  secret: Buffer;
  /** Writes a finished call into the history (core.recordCall); returns its id. */
  recordCall: (call: NewCall) => number | void;
  /** Call recording on the media relay, when it runs. */
  recorder?: Recorder | null | undefined;
  now?: () => number;
  log?: (message: string, error?: unknown) => void;
  /** Presence changed (coalesced). */
  onPresenceChange?: (() => void) | undefined;
  /** Whether the media service (prompts, voicemail) runs now. */
  mediaRunning?: (() => boolean) | undefined;
  /** The carrier's trunks (registrations, live state), when the service runs them. */
  trunks?: TrunkService | null | undefined;
  /** Someone dialled the emergency services. */
  onEmergency?: ((e: EmergencyCall) => void) | undefined;
  /** Text messages over the trunk: the outbox's MESSAGEs and the carrier's. */
  sms?: (() => Sms | null) | undefined;
}

export interface DecisionService {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  token: string;
  tracker: CallTracker;
  presence: Presence;
  /**
   * Refuses new calls from now on (503, the proxy adds Retry-After) while
   * calls already going on carry on: the server is stopping.
   */
  drain(): void;
  close(): Promise<void>;
}

const Field = (max: number) => z.string().max(max).default('');
const CallId = z.string().regex(/^[A-Za-z0-9_-]{8,40}$/);
/** The connection a request came over, as the proxy names it: "ws:127.0.0.1:40312". */
const Connection = z.string().regex(/^[a-z]{2,4}:\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/);

const schemas = {
  '/sip/ha1': z.object({ au: Field(64), aor: Field(64) }),
  '/sip/outbound': z.object({ au: Field(64), to: Field(64), cid: Field(64), rb: Field(64) }),
  '/sip/inbound': z.object({
    to: Field(64),
    from: Field(128),
    rb: Field(64),
    // The trunk the proxy matched by source address (0 or absent: the configured peer), and the To user.
    tg: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    si: z.union([z.ipv4(), z.literal('')]).default(''),
    tu: Field(64),
  }),
  '/sip/trunk': z.object({
    to: z.string().regex(/^\+?\d{2,16}$/),
    cid: z.union([z.string().regex(/^\+[1-9]\d{6,14}$/), z.literal('')]).default(''),
    n: z.coerce.number().int().min(0).max(1),
  }),
  // A MESSAGE from the outside world (docs/carrier.md, "Text messages").
  '/sip/sms': z.object({
    to: Field(64),
    tu: Field(64),
    from: Field(64),
    tg: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    si: z.union([z.ipv4(), z.literal('')]).default(''),
    ci: Field(256),
    cs: Field(16),
    concat: Field(100),
    body: z.string().max(3000),
  }),
  // A MESSAGE on loopback that says it is the outbox's: its reference.
  '/sip/smsout': z.object({ ref: Field(100) }),
  '/sip/trunkauth': z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
  '/sip/next': z.object({ tl: CallId, code: Field(3) }),
  '/sip/event': z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('branch'), tl: CallId, idx: z.coerce.number().int().min(0).max(1000), to: Field(64) }),
    z.object({
      kind: z.literal('answered'),
      tl: CallId,
      idx: z.coerce.number().int().min(-1).max(1000),
      // The SIP Call-ID, so that the call can still be ended after a proxy restart lost its dialog.
      ci: Field(256),
      // The dialog's tags (caller's, callee's): the media relay names each side by them (recording).
      ft: Field(128),
      tt: Field(128),
    }),
    // A BYE for a dialog the proxy does not know (it was restarted since): its Call-ID.
    z.object({ kind: z.literal('bye'), ci: Field(256) }),
    z.object({ kind: z.enum(['ended', 'failed']), tl: CallId }),
    z.object({
      kind: z.literal('refer'),
      tl: CallId,
      dir: z.enum(['up', 'down']),
      to: Field(64),
      attended: z.enum(['0', '1']),
    }),
    z.object({
      kind: z.literal('registered'),
      ext: z.string().regex(/^\d{2,6}$/),
      contact: z.string().min(1).max(256),
      conn: Connection,
      expires: z.coerce.number().int().min(0).max(1_000_000),
      // The authorization username it registered with: a joined desktop's names the desktop.
      au: Field(64),
    }),
    z.object({ kind: z.literal('closed'), conn: Connection }),
    // The carrier answered one of our registrations (To: user@domain).
    z.object({
      kind: z.literal('trunkreply'),
      user: Field(64),
      domain: Field(253),
      code: z.coerce.number().int().min(100).max(699),
      reason: z
        .string()
        .max(200)
        .default('')
        .transform((r) => r.replace(/[^\x20-\x7e]/g, ' ').slice(0, 120)),
    }),
  ]),
} as const;
type Path = keyof typeof schemas;

const MAX_BODY = 4096;
/** A text's body, URL-encoded: up to 3000 bytes, each byte at most three characters. */
const MAX_SMS_BODY = 12_288;

function readBody(req: IncomingMessage, max = MAX_BODY): Promise<string | null> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

export async function startDecisionService(o: DecisionServiceOptions): Promise<DecisionService> {
  const now = o.now ?? Date.now;
  const log = o.log ?? ((message: string, error?: unknown) => console.error(`[sip] ${message}`, error ?? ''));
  const token = randomBytes(24).toString('hex');
  const tracker = new CallTracker({
    accountId: o.accountId,
    // Do not disturb, as the members set it in their phones: their phones are not rung.
    directory: accountDirectory(o.db, o.accountId, (userId): boolean => presence.doNotDisturb(userId)),
    record: o.recordCall,
    onWritten: (tl, callId) => void o.recorder?.finished(tl, callId),
    now,
    log,
    onBusyChange: () => presence.changed(),
    media: o.mediaRunning,
  });
  const presence = new Presence({ now, busy: () => tracker.busyUserIds(), onChange: o.onPresenceChange });
  const decisions = createDecisions({
    db: o.db,
    accountId: o.accountId,
    domain: o.domain,
    secret: o.secret,
    tracker,
    now,
    trunks: o.trunks,
    onEmergency: o.onEmergency,
    recording: o.recorder,
    log,
  });

  let draining = false;
  const answer = (path: Path, input: Record<string, unknown>): string => {
    if (draining && (path === '/sip/outbound' || path === '/sip/inbound' || path === '/sip/sms'))
      return reject(503, 'The phone service is restarting');
    switch (path) {
      case '/sip/ha1': {
        const i = input as z.output<(typeof schemas)['/sip/ha1']>;
        return decisions.ha1(i.au, i.aor);
      }
      case '/sip/outbound': {
        const i = input as z.output<(typeof schemas)['/sip/outbound']>;
        return decisions.outbound(i.au, i.to, i.cid, i.rb);
      }
      case '/sip/inbound': {
        const i = input as z.output<(typeof schemas)['/sip/inbound']>;
        return decisions.inbound(i.to, i.from, i.rb, {
          trunkId: i.tg,
          ip: i.si,
          requestUser: i.to,
          toUser: i.tu,
        });
      }
      case '/sip/trunk': {
        const i = input as z.output<(typeof schemas)['/sip/trunk']>;
        // A TLS trunk whose certificate was refused takes no calls.
        return trunkRoute(o.db, o.accountId, i.to, i.cid, i.n, (t) => !o.trunks?.refused(t.id));
      }
      case '/sip/sms': {
        const i = input as z.output<(typeof schemas)['/sip/sms']>;
        const sms = o.sms?.();
        if (!sms) return reject(503, 'Text messages are not available');
        return sms.inbound({
          to: i.to,
          toUser: i.tu,
          from: i.from,
          trunkId: i.tg,
          ip: i.si,
          callId: i.ci,
          cseq: i.cs,
          concat: i.concat,
          body: i.body,
        });
      }
      case '/sip/smsout': {
        const i = input as z.output<(typeof schemas)['/sip/smsout']>;
        return o.sms?.()?.route(i.ref) ?? reject(403, 'Not a message of this service');
      }
      case '/sip/trunkauth': {
        const i = input as z.output<(typeof schemas)['/sip/trunkauth']>;
        return trunkCredentials(o.db, o.accountId, i.id);
      }
      case '/sip/next': {
        const i = input as z.output<(typeof schemas)['/sip/next']>;
        return decisions.next(i.tl, Number(i.code) || 0);
      }
      case '/sip/event': {
        const e = input as z.output<(typeof schemas)['/sip/event']>;
        switch (e.kind) {
          case 'branch':
            tracker.branch(e.tl, e.idx, e.to);
            break;
          case 'answered':
            tracker.answered(e.tl, e.idx, e.ci);
            if (e.ci)
              o.recorder?.answered(e.tl, { sipCallId: e.ci, fromTag: e.ft, toTag: e.tt, ...tracker.answeredBy(e.tl) });
            break;
          case 'bye':
            if (e.ci) tracker.endedAfterProxyLoss(e.ci);
            break;
          case 'ended':
          case 'failed':
            tracker.ended(e.tl);
            break;
          case 'refer':
            tracker.referred(e.tl, e.dir === 'down', e.to, e.attended === '1');
            break;
          case 'registered':
            presence.registered(
              e.ext,
              e.contact,
              e.conn,
              e.expires,
              parseAuthorizationUsername(e.au)?.deviceId ?? null,
            );
            break;
          case 'closed':
            presence.closed(e.conn);
            break;
          case 'trunkreply':
            o.trunks?.reply(e.user, e.domain, e.code, e.reason);
            break;
        }
        return 'ok';
      }
    }
  };

  const reply = (res: ServerResponse, status: number, line: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end(`${line}\n`);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const presented = req.headers['x-teamline-token'];
      if (typeof presented !== 'string' || !sameSecret(presented, token)) return reply(res, 401, 'unauthorized');
      const path = (req.url ?? '').split('?')[0] as Path;
      if (req.method !== 'POST' || !Object.hasOwn(schemas, path)) return reply(res, 404, 'not found');
      const body = await readBody(req, path === '/sip/sms' ? MAX_SMS_BODY : MAX_BODY);
      if (body === null) return reply(res, 413, 'too large');
      const parsed = schemas[path].safeParse(Object.fromEntries(new URLSearchParams(body)));
      if (!parsed.success) {
        // A digest username or address no credential of ours could have (too
        // long, say) is a refused credential, not a broken proxy: the phone is
        // told so, where a 400 here would make the proxy answer 503.
        if (path === '/sip/ha1') return reply(res, 200, reject(403, 'Unknown credentials'));
        return reply(res, 400, 'invalid');
      }
      try {
        // No surrounding transaction: a decision may finish a call, and
        // core.recordCall commits and announces it on its own.
        reply(res, 200, answer(path, parsed.data as Record<string, unknown>));
      } catch (error) {
        log(`decision ${path} failed`, error);
        reply(res, 200, reject(500, 'The phone service failed'));
      }
    })();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const sweep = setInterval(() => tracker.sweep(), 60_000);
  sweep.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    tracker,
    presence,
    drain: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(sweep);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
