import { createHash, randomBytes } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { extname } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { Core, Session } from '../core';
import { createSession } from '../core';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp';
import { sendStatic, staticFile, type StaticFile } from './static';
import { serveExport } from './exportRoute';

export interface ServerOptions {
  core: Core;
  /** The built renderer (out/renderer). */
  staticDir: string;
  port?: number;
  /** Loopback unless told otherwise. */
  host?: string;
  /** Serve https and wss. Required to serve any address but loopback. */
  tls?: { key: string | Buffer; cert: string | Buffer } | undefined;
  /** Serve plain HTTP to a non-loopback address anyway (a warning is printed). */
  insecureHttp?: boolean | undefined;
  /** Further names the console is reached by (e.g. teamline.example.com), for the Host and Origin checks. */
  names?: readonly string[] | undefined;
  /**
   * Further origins the pages may connect to (the team server's softphone
   * WebSocket, `wss://pbx.example.com:7443`); without it the browser's CSP
   * blocks the softphone on any name but loopback.
   */
  connectSources?: readonly string[] | undefined;
  /** Overrides, for tests. */
  limits?: Partial<Limits> | undefined;
  now?: (() => number) | undefined;
  /** Where a refused configuration or a warning is told. */
  warn?: ((message: string) => void) | undefined;
  /**
   * `GET /healthz`: a monitor's view of the process (the team server). Its
   * `ok` false answers 503, so a load balancer stops sending work.
   */
  health?: (() => { ok: boolean } & Record<string, unknown>) | undefined;
  /** Sign-ins and failed requests, for a host that keeps a log (the team server's JSON lines). */
  onLog?: ((event: string, fields: Record<string, unknown>) => void) | undefined;
  /**
   * Where signed-in sessions are kept across a restart (the team server's
   * data directory), so that an open console reconnects as the same person.
   * Without it they live in memory only.
   */
  sessionStore?: SessionStore | undefined;
}

/** A session as kept: the SHA-256 of its id (the id itself is only in the browser's cookie). */
export interface KeptSession {
  key: string;
  userId: number;
  /** core.sessionStamp at the time: a new password or a deactivation since then ends it. */
  stamp: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStore {
  load(): KeptSession[];
  save(sessions: KeptSession[]): void;
}

export interface RunningServer {
  url: string;
  /** The session cookie's name: `__Host-teamline_session` over https. */
  cookieName: string;
  /** Signed-in sessions held (for tests and diagnostics). */
  sessionCount(): number;
  close(): Promise<void>;
}

/** See docs/security.md, "Browser host". */
export const LIMITS = {
  /** A signed-in session ends after this long without a request. */
  idleMs: 12 * 60 * 60_000,
  /** …and this long after sign-in, whatever happens. */
  absoluteMs: 7 * 24 * 60 * 60_000,
  socketsPerSession: 16,
  sessionsPerUser: 32,
  maxSessions: 10_000,
  /** Sockets not (yet) signed in: the sign-in screen. */
  anonymousSockets: 256,
  anonymousSocketsPerAddress: 16,
  /** One WebSocket message. */
  maxMessage: 1024 * 1024,
  /** Nesting of one request's JSON. */
  maxDepth: 64,
  /** Replies queued for a client that does not read them. */
  maxBuffered: 8 * 1024 * 1024,
  /** Requests of one socket still being answered (sign-ins wait for hashing). */
  maxPending: 32,
  /** Body of a sign-in request. */
  maxSignInBody: 4096,
};
export type Limits = typeof LIMITS;

const PLAIN_COOKIE = 'teamline_session';
const SECURE_COOKIE = '__Host-teamline_session';
/** WebSocket close codes the renderer knows: the session is over (sign in again); the session was replaced (reconnect). */
export const CLOSE_SESSION_ENDED = 4001;
export const CLOSE_SESSION_REPLACED = 4002;
/** A joined desktop's device was revoked or its user deactivated: it must not reconnect (src/main/remote). */
export const DEVICE_REVOKED_CLOSE = 4401;
const DEVICE_AUTH = /^Device ([0-9]{1,15}\.[A-Za-z0-9_-]{43})$/;
/** The device credential of an upgrade, when it carries one; '' when it carries a malformed one. */
function deviceCredential(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header === undefined || !/^Device /.test(header)) return null;
  return DEVICE_AUTH.exec(header)?.[1] ?? '';
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** Sessions are found by the hash of their id: what is kept on disk cannot be replayed as a cookie. */
const keyOf = (id: string) => createHash('sha256').update(id).digest('base64url');

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';
const bracket = (name: string) => (isIP(name) === 6 ? `[${name}]` : name);

/** Every value of the session cookie in a Cookie header (a browser sends one per path and domain that matches). */
function cookieValues(req: IncomingMessage, name: string): string[] {
  const values: string[] = [];
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

const addressOf = (req: IncomingMessage) => (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');

/** Deepest nesting of brackets outside strings; stops counting past `limit`. */
function nesting(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return depth;
}

interface Held {
  session: Session;
  stamp: string;
  createdAt: number;
  lastSeenAt: number;
  sockets: Set<WebSocket>;
}

/**
 * The browser host: the same API router as the Electron host, over a
 * WebSocket, and the built renderer over HTTP. It carries bytes and decides
 * nothing: every decision is the core's. It holds the sessions, each bound to
 * an HttpOnly cookie that is issued only at sign-in (over `POST
 * /api/session`, so the id is always fresh) and withdrawn at sign-out.
 * Nothing a client sends can stop the process: every socket has an error
 * listener and every parse is guarded.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const limits: Limits = { ...LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const secure = options.tls !== undefined;
  if (!secure && !isLoopback(host)) {
    if (!options.insecureHttp) {
      throw new Error(
        `Refusing to serve the console over plain HTTP on ${host}: passwords and session cookies would cross the network in clear. Configure TLS, or pass --insecure-http to accept that risk.`,
      );
    }
    warn(
      `WARNING: serving the console over plain HTTP on ${host}; passwords and session cookies cross the network in clear.`,
    );
  }
  const scheme = secure ? 'https' : 'http';
  const cookie = secure ? SECURE_COOKIE : PLAIN_COOKIE;
  const cookieFlags = `HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
  const sessions = new Map<string, Held>();
  const deviceSockets = new Map<number, Set<WebSocket>>();
  const anonymous = new Map<string, number>();
  let anonymousTotal = 0;
  let hosts = new Set<string>();
  let origins = new Set<string>();

  const extraConnect = (options.connectSources ?? []).filter((o) => /^wss:\/\/[^\s;',]+$/.test(o));
  const pageCsp = extraConnect.length
    ? CONTENT_SECURITY_POLICY.replace(/connect-src [^;]*/, (d) => `${d} ${extraConnect.join(' ')}`)
    : CONTENT_SECURITY_POLICY;

  const baseHeaders: OutgoingHttpHeaders = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
    ...(secure ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serveHttp(req, res).catch((error: unknown) => {
      options.onLog?.('request.error', {
        method: req.method,
        path: (req.url ?? '').split('?')[0],
        address: addressOf(req),
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) res.writeHead(500, baseHeaders).end();
      else res.destroy();
    });
  };
  const http = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(handler);
  http.headersTimeout = 10_000;
  http.requestTimeout = 30_000;
  http.maxHeadersCount = 64;
  http.on('clientError', (_error, socket: Duplex) => socket.destroy());

  /** The session a cookie names, while it is current; an expired or ended one is dropped on sight. */
  const held = (id: string): Held | undefined => heldByKey(keyOf(id));
  function heldByKey(id: string): Held | undefined {
    const h = sessions.get(id);
    if (!h) return undefined;
    const t = now();
    if (t - h.lastSeenAt > limits.idleMs || t - h.createdAt > limits.absoluteMs || !options.core.isCurrent(h.session)) {
      dropKey(id, CLOSE_SESSION_ENDED);
      return undefined;
    }
    h.lastSeenAt = t;
    return h;
  }

  const drop = (id: string, code: number) => dropKey(keyOf(id), code);
  function dropKey(id: string, code: number) {
    const h = sessions.get(id);
    if (!h) return;
    sessions.delete(id);
    keepLater();
    // Expired or signed out here: a request already on its way is not answered as the user.
    h.session.userId = null;
    h.session.viewAsUserId = null;
    h.session.ended = true;
    for (const ws of h.sockets) ws.close(code, code === CLOSE_SESSION_REPLACED ? 'Session replaced' : 'Session ended');
  }

  const sweep = setInterval(() => {
    for (const id of [...sessions.keys()]) heldByKey(id);
    keepLater();
  }, 60_000);
  sweep.unref();

  function hold(session: Session): string {
    for (const id of [...sessions.keys()]) heldByKey(id);
    const mine = [...sessions].filter(([, h]) => h.session.userId === session.userId);
    for (const [id] of mine.slice(0, Math.max(0, mine.length - limits.sessionsPerUser + 1)))
      dropKey(id, CLOSE_SESSION_ENDED);
    // Full: the session seen least recently goes.
    while (sessions.size >= limits.maxSessions) {
      let oldest: [string, Held] | null = null;
      for (const entry of sessions) if (!oldest || entry[1].lastSeenAt < oldest[1].lastSeenAt) oldest = entry;
      if (!oldest) break;
      dropKey(oldest[0], CLOSE_SESSION_ENDED);
    }
    const id = randomBytes(32).toString('base64url');
    const t = now();
    const stamp = session.userId === null ? null : options.core.sessionStamp(session.userId);
    sessions.set(keyOf(id), { session, stamp: stamp ?? '', createdAt: t, lastSeenAt: t, sockets: new Set() });
    keepLater();
    return id;
  }

  /**
   * Kept sessions: written a moment after each sign-in or sign-out (and at
   * close), only those still current; read back at start, each checked
   * against its user's stamp and the idle and absolute limits.
   */
  const store = options.sessionStore;
  let keepTimer: NodeJS.Timeout | null = null;
  function keepNow() {
    if (keepTimer) clearTimeout(keepTimer);
    keepTimer = null;
    if (!store) return;
    const kept: KeptSession[] = [];
    for (const [key, h] of sessions) {
      if (h.session.userId === null || !h.stamp || !options.core.isCurrent(h.session)) continue;
      kept.push({
        key,
        userId: h.session.userId,
        stamp: h.stamp,
        createdAt: h.createdAt,
        lastSeenAt: h.lastSeenAt,
      });
    }
    try {
      store.save(kept);
    } catch (error) {
      warn(`Could not keep the signed-in sessions: ${String(error)}`);
    }
  }
  function keepLater() {
    if (!store || keepTimer) return;
    keepTimer = setTimeout(keepNow, 1000);
    keepTimer.unref();
  }
  if (store) {
    let kept: KeptSession[] = [];
    try {
      kept = store.load();
    } catch (error) {
      warn(`Could not read the kept sessions; everyone signs in again: ${String(error)}`);
    }
    const t = now();
    for (const k of kept.slice(0, limits.maxSessions)) {
      if (t - k.lastSeenAt > limits.idleMs || t - k.createdAt > limits.absoluteMs) continue;
      const session = options.core.resumeSession(k.userId, k.stamp);
      if (!session) continue;
      sessions.set(k.key, {
        session,
        stamp: k.stamp,
        createdAt: k.createdAt,
        lastSeenAt: k.lastSeenAt,
        sockets: new Set(),
      });
    }
  }

  const hostAllowed = (req: IncomingMessage) => hosts.has((req.headers.host ?? '').toLowerCase());
  const originAllowed = (req: IncomingMessage) => origins.has(req.headers.origin ?? '');

  function send(res: ServerResponse, status: number, body: unknown, extra: OutgoingHttpHeaders = {}) {
    res
      .writeHead(status, { ...baseHeaders, 'content-type': 'application/json; charset=utf-8', ...extra })
      .end(JSON.stringify(body));
  }
  const refusal = (message: string) => ({ ok: false, error: { code: 'forbidden', message } });
  const clearCookies = [
    `${cookie}=; Max-Age=0; ${cookieFlags}`,
    `${cookie}=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/api${secure ? '; Secure' : ''}`,
  ];

  function readJson(req: IncomingMessage): Promise<unknown> {
    return new Promise((resolve) => {
      let size = 0;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxSignInBody) {
          resolve(undefined);
          req.destroy();
        } else chunks.push(chunk);
      });
      req.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
        } catch {
          resolve(undefined);
        }
      });
      req.on('error', () => resolve(undefined));
    });
  }

  async function serveSession(req: IncomingMessage, res: ServerResponse) {
    // A cross-site page cannot send these: an exact Origin, and JSON (which needs a preflight we never grant).
    if (!originAllowed(req)) return send(res, 403, refusal('Requests are accepted only from the console’s own pages.'));
    const values = cookieValues(req, cookie);
    if (values.length > 1) {
      return send(res, 400, refusal('Your browser sent two session cookies. Reload the page and sign in again.'), {
        'set-cookie': clearCookies,
      });
    }
    const previous = values[0];
    if (req.method === 'DELETE') {
      const h = previous ? held(previous) : undefined;
      if (h && previous) {
        const connection = options.core.connect(() => {}, h.session, { address: addressOf(req) });
        await connection.invoke('auth.signOut', {});
        connection.close();
        drop(previous, CLOSE_SESSION_ENDED);
      }
      return send(res, 200, { ok: true, value: null }, { 'set-cookie': clearCookies });
    }
    if (req.method !== 'POST') return send(res, 405, refusal('Sign in with POST, sign out with DELETE.'));
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return send(res, 415, refusal('Send the sign-in as JSON.'));
    const input = await readJson(req);
    if (input === undefined)
      return send(res, 400, { ok: false, error: { code: 'invalid', message: 'Malformed request' } });
    // A fresh session for every sign-in: an id planted or seen before it never becomes signed in.
    const session = createSession();
    const connection = options.core.connect(() => {}, session, { address: addressOf(req) });
    const result = await connection.invoke('auth.signIn', input);
    connection.close();
    options.onLog?.(result.ok ? 'signin' : 'signin.refused', {
      address: addressOf(req),
      ...(result.ok ? { userId: session.userId } : { code: result.error.code }),
    });
    if (!result.ok) return send(res, 200, result);
    if (previous && sessions.has(keyOf(previous))) drop(previous, CLOSE_SESSION_REPLACED);
    const id = hold(session);
    send(res, 200, result, {
      'set-cookie': `${cookie}=${id}; ${cookieFlags}; Max-Age=${Math.floor(limits.absoluteMs / 1000)}`,
    });
  }

  /**
   * The built renderer does not change while the host runs: its files are
   * read once and served from memory, so a page load needs no worker thread
   * (they may be busy hashing passwords). Every path without an extension is
   * the app's index.html, so the cache holds at most the renderer's files.
   */
  const files = new Map<string, StaticFile>();
  let cachedBytes = 0;
  async function cachedFile(url: string) {
    const path = url.split('?')[0] ?? '/';
    const key = extname(path) ? path : '/';
    const hit = files.get(key);
    if (hit) return hit;
    const file = await staticFile(options.staticDir, key).catch(() => null);
    if (file && files.size < 2000 && cachedBytes + file.body.length < 64 * 1024 * 1024) {
      files.set(key, file);
      cachedBytes += file.body.length;
    }
    return file;
  }

  async function serveHttp(req: IncomingMessage, res: ServerResponse) {
    // DNS rebinding: a page of another site that resolved its name to us still says its own name.
    if (!hostAllowed(req)) {
      res.writeHead(421, { ...baseHeaders, 'content-type': 'text/plain' }).end('Unknown host');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && options.health && (req.method === 'GET' || req.method === 'HEAD')) {
      const health = options.health();
      return send(res, health.ok ? 200 : 503, health);
    }
    if (path === '/api/session') return serveSession(req, res);
    if (path?.startsWith('/export/')) {
      const credential = deviceCredential(req);
      if (credential !== null) {
        const deviceId = credential ? options.core.deviceSession(credential)?.deviceId : undefined;
        const owns = typeof deviceId === 'number' ? (s: Session) => s.deviceId === deviceId : undefined;
        return serveExport(req, res, options.core, owns, baseHeaders);
      }
      const values = cookieValues(req, cookie);
      const session = values.length === 1 ? held(values[0]!)?.session : undefined;
      return serveExport(req, res, options.core, session ? (s) => s === session : undefined, baseHeaders);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, baseHeaders).end();
      return;
    }
    const file = await cachedFile(req.url ?? '/');
    if (!file) {
      res.writeHead(404, { ...baseHeaders, 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const headers: OutgoingHttpHeaders = {
      ...baseHeaders,
      'content-type': file.type,
      'content-security-policy': pageCsp,
    };
    // A page load clears a cookie that names no session (the host restarted, it expired) or a second one someone planted.
    if (file.type.startsWith('text/html')) {
      const values = cookieValues(req, cookie);
      if (values.length > 1 || (values.length === 1 && !held(values[0]!))) headers['set-cookie'] = clearCookies;
    }
    sendStatic(req, res, file, headers);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessage, perMessageDeflate: false });
  wss.on('error', () => {});

  function refuse(socket: Duplex, status: string) {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!hostAllowed(req)) return refuse(socket, '421 Misdirected Request');
    const credential = deviceCredential(req);
    if (credential !== null) return upgradeDevice(req, socket, head, credential);
    if (req.url !== '/api' || !originAllowed(req)) return refuse(socket, '403 Forbidden');
    const values = cookieValues(req, cookie);
    if (values.length > 1) return refuse(socket, '400 Bad Request');
    const id = values[0] && SESSION_ID.test(values[0]) ? values[0] : null;
    const h = id ? held(id) : undefined;
    const address = addressOf(req);
    if (h) {
      if (h.sockets.size >= limits.socketsPerSession) return refuse(socket, '429 Too Many Requests');
      wss.handleUpgrade(req, socket, head, (ws) => {
        h.sockets.add(ws);
        ws.once('close', () => h.sockets.delete(ws));
        serveSocket(ws, h.session, id, address);
      });
      return;
    }
    // Not signed in (no cookie, or one this host does not know, e.g. after a
    // restart): the sign-in screen's socket, with a session of its own that
    // the host does not keep.
    const mine = anonymous.get(address) ?? 0;
    if (anonymousTotal >= limits.anonymousSockets || mine >= limits.anonymousSocketsPerAddress)
      return refuse(socket, '503 Service Unavailable');
    anonymousTotal += 1;
    anonymous.set(address, mine + 1);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('close', () => {
        anonymousTotal -= 1;
        const n = (anonymous.get(address) ?? 1) - 1;
        if (n > 0) anonymous.set(address, n);
        else anonymous.delete(address);
      });
      serveSocket(ws, createSession(), null, address);
    });
  });

  /**
   * A joined desktop signs in with its device credential on the upgrade
   * (`authorization: Device <id>.<secret>`) instead of a cookie, and acts as
   * that device's user. No Origin check: a browser cannot put an
   * Authorization header on a WebSocket, so no page can ride this. A wrong
   * credential, a revoked device or a deactivated user is refused with 401
   * (the desktop stops, it does not retry); revoking the device or
   * deactivating the user later closes its sockets with DEVICE_REVOKED_CLOSE.
   */
  function upgradeDevice(req: IncomingMessage, socket: Socket, head: Buffer, credential: string) {
    if (req.url !== '/api') return refuse(socket, '403 Forbidden');
    const session = options.core.deviceSession(credential);
    const deviceId = session?.deviceId;
    if (!session || typeof deviceId !== 'number') return refuse(socket, '401 Unauthorized');
    const open = deviceSockets.get(deviceId) ?? new Set<WebSocket>();
    if (open.size >= limits.socketsPerSession) return refuse(socket, '429 Too Many Requests');
    wss.handleUpgrade(req, socket, head, (ws) => {
      open.add(ws);
      deviceSockets.set(deviceId, open);
      ws.once('close', () => {
        open.delete(ws);
        if (open.size === 0) deviceSockets.delete(deviceId);
      });
      serveSocket(ws, session, null, addressOf(req), () =>
        options.core.deviceUsable(deviceId) ? CLOSE_SESSION_ENDED : DEVICE_REVOKED_CLOSE,
      );
    });
  }

  function serveSocket(
    ws: WebSocket,
    session: Session,
    id: string | null,
    address: string,
    endCode: () => number = () => CLOSE_SESSION_ENDED,
  ) {
    // The ws library ends the socket itself on a bad frame (size, UTF-8, opcode); without a listener the error would end the process.
    ws.on('error', () => ws.terminate());
    const reply = (message: unknown) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      // A client that does not read its replies is not buffered without end.
      if (ws.bufferedAmount > limits.maxBuffered) return ws.terminate();
      ws.send(JSON.stringify(message));
    };
    const connection = options.core.connect((event) => reply({ event }), session, {
      address,
      onEnd: () => ws.close(endCode(), 'Session ended'),
    });
    let pending = 0;
    const malformed = (id: unknown, message = 'Malformed request') =>
      reply({ id, result: { ok: false, error: { code: 'invalid', message } } });
    ws.on('message', (data, isBinary) => {
      let requestId: number | null = null;
      try {
        if (isBinary) return malformed(null);
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
        if (nesting(text, limits.maxDepth) > limits.maxDepth) return malformed(null, 'Request nested too deeply');
        const message = JSON.parse(text) as { id?: unknown; method?: unknown; input?: unknown } | null;
        if (typeof message !== 'object' || message === null) return malformed(null);
        requestId = typeof message.id === 'number' && Number.isSafeInteger(message.id) ? message.id : null;
        if (requestId === null || typeof message.method !== 'string') return malformed(requestId);
        if (message.method === 'auth.signIn') {
          return malformed(requestId, 'Sign in through the sign-in page (POST /api/session).');
        }
        if (pending >= limits.maxPending) return malformed(requestId, 'Too many requests at once');
        if (id && !held(id)) return;
        pending += 1;
        const rid = requestId;
        void connection.invoke(message.method, message.input).then(
          (result) => {
            pending -= 1;
            reply({ id: rid, result });
            // Signed out over the socket, or ended from elsewhere: the id is dropped and every tab hears.
            if (id && sessions.has(keyOf(id)) && !options.core.isCurrent(session)) drop(id, CLOSE_SESSION_ENDED);
          },
          () => {
            pending -= 1;
            reply({
              id: rid,
              result: { ok: false, error: { code: 'internal', message: 'Something went wrong; nothing was changed.' } },
            });
          },
        );
      } catch {
        malformed(requestId);
      }
    });
    ws.on('close', () => connection.close());
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  http.on('error', (error) => warn(`The console's server: ${String(error)}`));
  const { port } = http.address() as AddressInfo;

  const names = new Set<string>((options.names ?? []).map((n) => n.toLowerCase()));
  if (isWildcard(host)) {
    for (const n of ['127.0.0.1', 'localhost', '::1']) names.add(n);
    for (const list of Object.values(networkInterfaces()))
      for (const i of list ?? []) names.add(i.address.toLowerCase().replace(/%.*$/, ''));
  } else {
    names.add(host.toLowerCase());
    if (isLoopback(host)) for (const n of ['127.0.0.1', 'localhost', '::1']) names.add(n);
  }
  const defaultPort = secure ? 443 : 80;
  hosts = new Set<string>();
  for (const n of names) {
    hosts.add(`${bracket(n)}:${port}`);
    if (port === defaultPort) hosts.add(bracket(n));
  }
  origins = new Set([...hosts].map((h) => `${scheme}://${h}`));
  const shown = isWildcard(host) ? '127.0.0.1' : bracket(host);

  return {
    url: `${scheme}://${shown}:${port}`,
    cookieName: cookie,
    sessionCount: () => sessions.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(sweep);
        keepNow();
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
