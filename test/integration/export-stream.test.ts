import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { seedDemo } from '../../src/main/core/demo/seed';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { EXPORT_CALL_PAGE } from '../../src/main/core/export/callExport';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { startServer, type RunningServer } from '../../src/main/server/server';
import type { Input, Method, Output } from '../../src/shared/api/contract';
import type { ApiResult } from '../../src/shared/result';
import { NOW } from '../helpers/core';
import { parseCsv } from '../helpers/csv';
import { open, signIn } from '../helpers/host';

/**
 * Exports through the browser host's download route at a size the old
 * `calls.export` cut at 10,000 rows: complete, equal to the list, only what
 * the person may see, and stopped when the download is abandoned.
 */
let db: Db;
let core: ReturnType<typeof createCoreWithDb>;
let server: RunningServer;
let url: string;
let dir: string;
let listCalls = 0;

beforeAll(async () => {
  db = openDatabase(':memory:');
  seedDemo(db, NOW, { days: 240, callsPerDay: 48 });
  core = createCoreWithDb(db, { now: () => NOW });
  // Counts the list pages every connection reads, to see an abandoned export stop.
  const connect = core.connect.bind(core);
  core.connect = (onEvent, session, from) => {
    const conn = connect(onEvent, session, from);
    return {
      ...conn,
      invoke: (method, input) => {
        if (method === 'calls.list') listCalls++;
        return conn.invoke(method, input);
      },
      // The calls export reads its pages in the core (export/callExport.ts), one read per page.
      read: (read) => {
        listCalls++;
        return conn.read(read);
      },
    };
  };
  dir = mkdtempSync(join(tmpdir(), 'teamline-export-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Teamline</title>');
  server = await startServer({ core, staticDir: dir, port: 0 });
  url = server.url;
}, 120_000);

afterAll(async () => {
  await server.close();
  core.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ticket(cookie: string, kind: 'calls' | 'audit' | 'messages', filter: object = {}) {
  const s = await open(url, { origin: url, cookie });
  const r = await s.send('exports.prepare', { kind, filter });
  s.ws.close();
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value as { token: string; filename: string };
}

async function download(cookie: string, kind: 'calls' | 'audit' | 'messages', filter: object = {}) {
  const { token } = await ticket(cookie, kind, filter);
  const res = await fetch(`${url}/export/${token}`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  // A byte-order mark first, for spreadsheet apps.
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parseCsv(bytes.subarray(3).toString('utf8'), ',').filter((r) => r.length > 1);
}

/** A list read to its end through the core, as `key` sees it. */
async function listAll<M extends 'calls.list' | 'messages.threads' | 'audit.list'>(
  key: string,
  method: M,
  filter: object = {},
): Promise<Output<M>['items']> {
  const conn = core.connect(() => {});
  const call = async <N extends Method>(m: N, input: Input<N>) => {
    const r = (await conn.invoke(m, input)) as ApiResult<Output<N>>;
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  await call('auth.signIn', { login: `${key}@teamline.demo`, password: DEMO_PASSWORD });
  const items: Output<M>['items'][number][] = [];
  let cursor: string | undefined;
  do {
    const page = (await call(method, { ...filter, limit: 200, ...(cursor ? { cursor } : {}) } as Input<M>)) as {
      items: Output<M>['items'];
      nextCursor: string | null;
    };
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  conn.close();
  return items as Output<M>['items'];
}

describe('streamed CSV exports (browser host)', () => {
  it('exports more than 10,000 calls, all of them, in the list’s order', async () => {
    const { cookie } = await signIn(url, 'morgan@teamline.demo');
    const rows = await download(cookie!, 'calls');
    const ids = rows.slice(1).map((r) => Number(r.at(-1)));
    const total = db.prepare('SELECT count(*) FROM calls').pluck().get() as number;
    expect(total).toBeGreaterThan(10_000);
    expect(ids.length).toBe(total);
    expect(ids).toEqual((await listAll('morgan', 'calls.list')).map((c) => c.id));
    expect(new Set(ids).size).toBe(ids.length);
  }, 120_000);

  it('an actor’s export holds exactly the rows their lists show them', async () => {
    const leo = (await signIn(url, 'leo@teamline.demo')).cookie!;
    const filter = { direction: 'inbound' };
    const calls = (await download(leo, 'calls', filter)).slice(1).map((r) => Number(r.at(-1)));
    expect(calls).toEqual((await listAll('leo', 'calls.list', filter)).map((c) => c.id));
    expect(calls.length).toBeLessThan(
      db.prepare(`SELECT count(*) FROM calls WHERE direction = 'inbound'`).pluck().get() as number,
    );

    const john = (await signIn(url, 'john@teamline.demo')).cookie!;
    const threads = new Set((await download(john, 'messages')).slice(1).map((r) => Number(r.at(-2))));
    const listed = new Set((await listAll('john', 'messages.threads')).map((t) => t.id));
    expect(threads).toEqual(listed);
    expect(listed.size).toBeLessThan(db.prepare('SELECT count(*) FROM message_threads').pluck().get() as number);

    const morgan = (await signIn(url, 'morgan@teamline.demo')).cookie!;
    // Listed first: signing in to list is itself an audit event.
    const logged = (await listAll('morgan', 'audit.list', { targetType: 'user' })).map((e) => e.id);
    const events = (await download(morgan, 'audit', { targetType: 'user' })).slice(1).map((r) => Number(r.at(-1)));
    expect(events).toEqual(logged);
  }, 120_000);

  it('stops reading the list when the download is abandoned', async () => {
    const { cookie } = await signIn(url, 'morgan@teamline.demo');
    const { token } = await ticket(cookie!, 'calls');
    const pages = Math.ceil((db.prepare('SELECT count(*) FROM calls').pluck().get() as number) / EXPORT_CALL_PAGE);
    listCalls = 0;
    await new Promise<void>((resolve, reject) => {
      const req = get(`${url}/export/${token}`, { headers: { cookie: cookie!, 'sec-fetch-site': 'same-origin' } });
      req.on('response', (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    });
    await new Promise((r) => setTimeout(r, 300));
    const after = listCalls;
    await new Promise((r) => setTimeout(r, 300));
    expect(listCalls).toBe(after);
    expect(after).toBeLessThan(pages / 2);
  }, 60_000);
});
