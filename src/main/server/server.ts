import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core, Session } from '../core';
import { createSession } from '../core';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp';
import { staticFile } from './static';

export interface ServerOptions {
  core: Core;
  /** The built renderer (out/renderer). */
  staticDir: string;
  port?: number;
  /** Loopback unless told otherwise. */
  host?: string;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const COOKIE = 'teamline_session';
const MAX_MESSAGE = 1024 * 1024;

function cookieOf(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v && /^[A-Za-z0-9_-]{43}$/.test(v)) return v;
  }
  return null;
}

/**
 * The browser host: the same API router as the Electron host, over a
 * WebSocket, and the built renderer over HTTP. It carries bytes and decides
 * nothing: sessions live here, bound to an HttpOnly cookie; every decision is
 * the core's.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const sessions = new Map<string, Session>();
  let origins = new Set<string>();

  const http = createServer((req, res) => void serveHttp(req, res));

  async function serveHttp(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const file = await staticFile(options.staticDir, req.url ?? '/').catch(() => null);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const headers: Record<string, string> = {
      'content-type': file.type,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    };
    if (file.type.startsWith('text/html') && !cookieOf(req)) {
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, createSession());
      headers['set-cookie'] = `${COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : file.body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  http.on('upgrade', (req, socket, head) => {
    const id = cookieOf(req);
    const session = id ? sessions.get(id) : undefined;
    const origin = req.headers.origin ?? '';
    if (req.url !== '/api' || !origins.has(origin) || !session) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, session));
  });

  function serveSocket(ws: WebSocket, session: Session) {
    const connection = options.core.connect((event) => ws.send(JSON.stringify({ event })), session);
    ws.on('message', (data, isBinary) => {
      let id: unknown = null;
      try {
        if (isBinary) throw new Error('binary');
        const message = JSON.parse(String(data)) as { id?: unknown; method?: unknown; input?: unknown };
        id = typeof message.id === 'number' ? message.id : null;
        if (id === null || typeof message.method !== 'string') throw new Error('shape');
        void connection.invoke(message.method, message.input).then((result) => ws.send(JSON.stringify({ id, result })));
      } catch {
        ws.send(JSON.stringify({ id, result: { ok: false, error: { code: 'invalid', message: 'Malformed request' } } }));
      }
    });
    ws.on('close', () => connection.close());
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  origins = new Set([`http://${host}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`]);
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}
