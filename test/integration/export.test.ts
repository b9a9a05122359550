import { describe, expect, it } from 'vitest';

import { csvExport, EXPORT_PAGE } from '../../src/main/core/export/csvExport';
import { takeTicket } from '../../src/main/core/export/tickets';
import { createCoreWithDb, createSession } from '../../src/main/core/api/core';
import { seedDemo } from '../../src/main/core/demo/seed';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { openDatabase } from '../../src/main/core/store/db';
import type { Input, Method, Output } from '../../src/shared/api/contract';
import type { ApiResult } from '../../src/shared/result';
import { NOW } from '../helpers/core';

function makeCore(options: { days: number; callsPerDay?: number }) {
  const db = openDatabase(':memory:');
  seedDemo(db, NOW, options);
  const core = createCoreWithDb(db, { now: () => NOW });
  return {
    core,
    async as(key: string) {
      const conn = core.connect(() => {});
      const call = <M extends Method>(method: M, input: Input<M>) =>
        conn.invoke(method, input) as Promise<ApiResult<Output<M>>>;
      const ok = async <M extends Method>(method: M, input: Input<M>) => {
        const r = await call(method, input);
        if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
        return r.value;
      };
      await ok('auth.signIn', { login: `${key}@teamline.demo`, password: DEMO_PASSWORD });
      return { call, ok };
    },
  };
}

async function collect(gen: AsyncGenerator<{ chunk: string; rows: number }>) {
  let text = '';
  let rows = 0;
  for await (const p of gen) {
    text += p.chunk;
    rows = p.rows;
  }
  return { text, rows, lines: text.split('\r\n').filter(Boolean) };
}

describe('CSV exports of any size, page by page through the list methods', () => {
  it('a ticket is bound to the session that asked, used once, and the file holds exactly the list, past any former limit', async () => {
    const t = makeCore({ days: 60, callsPerDay: 12 });
    const leo = await t.as('leo');
    const { token, filename } = await leo.ok('exports.prepare', { kind: 'calls', filter: { direction: 'inbound' } });
    expect(filename).toMatch(/^calls-\d{4}-\d{2}-\d{2}\.csv$/);
    const ticket = takeTicket(token)!;
    expect(ticket).not.toBeNull();
    expect(takeTicket(token)).toBeNull();
    expect(ticket.filter).toEqual({ direction: 'inbound' });

    const conn = t.core.connect(() => {}, ticket.session);
    const { rows, lines } = await collect(csvExport(conn, ticket.kind, ticket.filter, undefined, EXPORT_PAGE));
    conn.close();
    // The list, page by page, as the same user sees it.
    const ids: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await leo.ok('calls.list', { direction: 'inbound', limit: 200, ...(cursor ? { cursor } : {}) });
      ids.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids.length).toBeGreaterThan(EXPORT_PAGE);
    expect(rows).toBe(ids.length);
    expect(lines.length).toBe(ids.length + 1);
    expect(lines[0]).toMatch(/^"?Started \(UTC\)"?,"?Direction"?,"?Result/);
    expect(lines.slice(1).map((l) => Number(l.split(',').pop()!.replace(/"/g, '')))).toEqual(ids);
  });

  it('refuses a filter the list refuses, and the audit log to those who may not read it, before any ticket', async () => {
    const t = makeCore({ days: 5 });
    const john = await t.as('john');
    expect((await john.call('exports.prepare', { kind: 'calls', filter: { bnId: 999999 } })).ok).toBe(false);
    const audit = await john.call('exports.prepare', { kind: 'audit', filter: {} });
    expect(audit.ok ? 'ok' : audit.error.code).toBe('forbidden');
    const morgan = await t.as('morgan');
    const a = await morgan.ok('exports.prepare', { kind: 'audit', filter: {} });
    const m = await morgan.ok('exports.prepare', { kind: 'messages', filter: {} });
    for (const token of [a.token, m.token]) {
      const ticket = takeTicket(token)!;
      const conn = t.core.connect(() => {}, ticket.session);
      const { lines } = await collect(csvExport(conn, ticket.kind, ticket.filter));
      conn.close();
      expect(lines.length).toBeGreaterThan(1);
    }
  });

  it('stops between pages when cancelled, and ends with the error when the session signs out', async () => {
    const t = makeCore({ days: 60, callsPerDay: 12 });
    const session = createSession();
    const morgan = await t.as('morgan');
    const ticket = takeTicket((await morgan.ok('exports.prepare', { kind: 'calls', filter: {} })).token)!;
    let pages = 0;
    const conn = t.core.connect(() => {}, ticket.session);
    const { rows } = await collect(csvExport(conn, 'calls', {}, () => ++pages > 1, EXPORT_PAGE));
    expect(rows).toBe(EXPORT_PAGE);
    const outsider = t.core.connect(() => {}, session);
    await expect(collect(csvExport(outsider, 'calls', {}))).rejects.toThrow(/sign in/i);
    conn.close();
    outsider.close();
  });
});
