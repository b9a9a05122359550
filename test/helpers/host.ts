import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { seedDemo } from '../../src/main/core/demo/seed';
import { openDatabase } from '../../src/main/core/store/db';
import type { Core } from '../../src/main/core';
import { startServer, type RunningServer, type ServerOptions } from '../../src/main/server/server';
import { NOW } from './core';

export interface Reply {
  ok: boolean;
  value?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- replies of many methods, read loosely
  error?: { code: string; message: string };
}

export interface Host {
  server: RunningServer;
  core: Core;
  /** The renderer folder; a secret file sits beside it. */
  dir: string;
  close(): Promise<void>;
}

/** An in-process browser host over the demo account, with a stand-in renderer. */
export async function startHost(options: Partial<ServerOptions> & { now?: () => number } = {}): Promise<Host> {
  const parent = mkdtempSync(join(tmpdir(), 'teamline-static-'));
  writeFileSync(join(parent, 'secret.txt'), 'top secret');
  const dir = join(parent, 'renderer');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Teamline</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  const db = openDatabase(':memory:');
  seedDemo(db, NOW, { days: 2 });
  const core = createCoreWithDb(db, { now: options.now ?? (() => NOW) });
  const server = await startServer({ core, staticDir: dir, port: 0, ...options });
  return {
    server,
    core,
    dir,
    close: async () => {
      await server.close();
      core.close();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

/** The cookie pair (`name=value`) a Set-Cookie header sets, if it sets a value. */
export function setCookie(res: Response): string | null {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    if (!/=$/.test(pair)) return pair;
  }
  return null;
}

/** Signs in as the renderer does (POST /api/session); returns the reply and the cookie it set. */
export async function signIn(
  url: string,
  login: string,
  password = 'teamline-demo',
  headers: Record<string, string> = {},
): Promise<{ res: Response; reply: Reply; cookie: string | null }> {
  const res = await fetch(url + '/api/session', {
    method: 'POST',
    headers: { origin: url, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ login, password }),
  });
  const reply = (await res.json()) as Reply;
  return { res, reply, cookie: setCookie(res) };
}

export interface SocketClient {
  ws: WebSocket;
  send(method: string, input: unknown): Promise<Reply>;
  events: string[];
  closed: Promise<number>;
}

export function open(url: string, headers: Record<string, string>): Promise<SocketClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace('http', 'ws') + '/api', { headers });
    const waiting = new Map<number, (v: unknown) => void>();
    const events: string[] = [];
    let next = 1;
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id?: number; result?: unknown; event?: { name: string } };
      if (m.event) events.push(m.event.name);
      else if (m.id !== undefined) waiting.get(m.id)?.(m.result);
    });
    ws.on('open', () =>
      resolve({
        ws,
        events,
        closed,
        send: (method, input) =>
          new Promise<Reply>((r) => {
            const id = next++;
            waiting.set(id, r as (v: unknown) => void);
            ws.send(JSON.stringify({ id, method, input }));
          }),
      }),
    );
    ws.on('error', reject);
  });
}
