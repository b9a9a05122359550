import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { seedDemo } from '../../src/main/core/demo/seed';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { sessionFile } from '../../src/main/teamserver/sessionFile';
import { NOW } from '../helpers/core';
import { open, signIn } from '../helpers/host';

/**
 * A team server restart does not sign the open consoles out: signed-in
 * sessions are kept in the data directory (as hashes of their ids) and the
 * same cookie is the same person after the restart. Sessions that were
 * signed out, or whose user changed password or was deactivated, do not
 * come back.
 */

let dir = '';
let staticDir = '';
let db: Db;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-kept-'));
  staticDir = join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Teamline</title>');
  db = openDatabase(':memory:');
  seedDemo(db, NOW, { days: 0 });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One run of the server process: a new core (fresh in-memory state) over the same account database. */
async function run(port = 0): Promise<RunningServer> {
  const core = createCoreWithDb(db, { now: () => NOW });
  return startServer({ core, staticDir, port, now: () => NOW, sessionStore: sessionFile(dir) });
}

const idOf = (cookie: string) => cookie.split('=')[1]!;

describe('kept sessions', () => {
  it('a signed-in console is the same person after a restart, and the file holds no session id', async () => {
    const first = await run();
    const port = Number(new URL(first.url).port);
    const leo = (await signIn(first.url, 'leo@teamline.demo')).cookie!;
    const gone = (await signIn(first.url, 'john@teamline.demo')).cookie!;
    await fetch(first.url + '/api/session', { method: 'DELETE', headers: { origin: first.url, cookie: gone } });
    await first.close();

    const file = readFileSync(join(dir, 'sessions.json'), 'utf8');
    expect(file).not.toContain(idOf(leo));
    expect(JSON.parse(file)).toHaveLength(1);

    const second = await run(port);
    try {
      const socket = await open(second.url, { origin: second.url, cookie: leo });
      expect(await socket.send('auth.me', {})).toMatchObject({ ok: true, value: { user: { name: 'Leo Martin' } } });
      expect((await socket.send('calls.list', { limit: 5 })).ok).toBe(true);
      socket.ws.close();
      // The signed-out one stays signed out.
      const out = await open(second.url, { origin: second.url, cookie: gone });
      expect(await out.send('auth.me', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
      out.ws.close();
    } finally {
      await second.close();
    }
  });

  it('a new password or a deactivation since it was kept ends it', async () => {
    const first = await run();
    const port = Number(new URL(first.url).port);
    const peter = (await signIn(first.url, 'peter@teamline.demo')).cookie!;
    const jessica = (await signIn(first.url, 'jessica@teamline.demo')).cookie!;
    const karey = (await signIn(first.url, 'karey@teamline.demo')).cookie!;
    await first.close();
    // Leo's, kept from before, and these three.
    expect(JSON.parse(readFileSync(join(dir, 'sessions.json'), 'utf8'))).toHaveLength(4);

    // Changed while the server was down (or after the file was last written).
    db.prepare(`UPDATE users SET password_hash = 'changed' WHERE email = 'peter@teamline.demo'`).run();
    db.prepare(`UPDATE users SET active = 0 WHERE email = 'jessica@teamline.demo'`).run();
    const second = await run(port);
    try {
      for (const [cookie, expected] of [
        [peter, false],
        [jessica, false],
        [karey, true],
      ] as const) {
        const s = await open(second.url, { origin: second.url, cookie });
        expect((await s.send('auth.me', {})).ok, cookie).toBe(expected);
        s.ws.close();
      }
    } finally {
      await second.close();
    }
  });
});
