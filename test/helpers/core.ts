import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { seedDemo, type DemoIds } from '../../src/main/core/demo/seed';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { setPasswordCost } from '../../src/main/core/domain/password';
import type { CoreConnection } from '../../src/main/core';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import type { Input, Method, Output } from '../../src/shared/api/contract';
import type { PushEvent } from '../../src/shared/api/events';
import type { ApiResult } from '../../src/shared/result';

// Tests hash many passwords; production cost is set in password.ts.
setPasswordCost({ N: 1024, r: 8, p: 1 });

/** A fixed clock: 1 Nov 2026, 12:00 UTC. */
export const NOW = Date.UTC(2026, 10, 1, 12);

export interface Client {
  call<M extends Method>(method: M, input: Input<M>): Promise<ApiResult<Output<M>>>;
  /** Like call, but throws unless the reply is ok. */
  ok<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  /** Sends anything, as an untrusted renderer could. */
  raw(method: string, input: unknown): Promise<ApiResult<unknown>>;
  /** A read in the core as this client's user (Connection.read: the calls export's pages). */
  read: CoreConnection['read'];
  events: PushEvent[];
  close(): void;
}

export interface TestCore {
  db: Db;
  ids: DemoIds;
  /** A signed-in client for a demo user by key (john, leo, morgan…). */
  as(key: string): Promise<Client>;
  anonymous(): Client;
  /** Records a finished call as the SIP side would, with its push events. */
  recordCall: ReturnType<typeof createCoreWithDb>['recordCall'];
  close(): void;
}

function wrap(core: ReturnType<typeof createCoreWithDb>): Client {
  const events: PushEvent[] = [];
  const conn = core.connect((e) => events.push(e));
  const call = <M extends Method>(method: M, input: Input<M>) =>
    conn.invoke(method, input) as Promise<ApiResult<Output<M>>>;
  return {
    call,
    ok: async (method, input) => {
      const r = await call(method, input);
      if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
      return r.value;
    },
    raw: (method, input) => conn.invoke(method, input),
    read: (read) => conn.read(read),
    events,
    close: () => conn.close(),
  };
}

/** A fresh in-memory database with the demo account (history optional). */
export function makeCore(options: { days?: number; callsPerDay?: number; seed?: number } = {}): TestCore {
  const db = openDatabase(':memory:');
  const ids = seedDemo(db, NOW, {
    days: options.days ?? 0,
    callsPerDay: options.callsPerDay ?? 45,
    audioDir: join(import.meta.dirname, '../../resources/voicemail'),
    ...(options.seed ? { seed: options.seed } : {}),
  });
  const core = createCoreWithDb(db, { now: () => NOW, validateOutput: true });
  return {
    db,
    ids,
    anonymous: () => wrap(core),
    recordCall: (call) => core.recordCall(call),
    async as(key: string) {
      const c = wrap(core);
      await c.ok('auth.signIn', { login: `${key}@teamline.demo`, password: DEMO_PASSWORD });
      return c;
    },
    close: () => core.close(),
  };
}

/**
 * A digest of every row of every table, to prove that a refused or invalid
 * request changed nothing.
 */
export function snapshot(db: Db, o: { ignoreSignIns?: boolean } = {}): string {
  const tables = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .pluck()
    .all() as string[];
  const hash = createHash('sha256');
  for (const t of tables) {
    hash.update(`\u0000${t}\u0000`);
    // Signing in and out is audited; a test that signs in may leave those rows out.
    const where = o.ignoreSignIns && t === 'audit_events' ? ` WHERE action NOT LIKE 'auth.%'` : '';
    for (const row of db.prepare(`SELECT * FROM "${t}"${where}`).raw().iterate() as Iterable<unknown[]>) {
      for (const cell of row) hash.update(Buffer.isBuffer(cell) ? cell : `${typeof cell}:${String(cell)}\u0001`);
      hash.update('\u0002');
    }
  }
  return hash.digest('hex');
}
