import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCore, snapshot, type TestCore } from '../helpers/core';
import { parseCsv } from '../helpers/csv';
import { exportCsv } from '../helpers/exportCsv';

let tc: TestCore;
beforeAll(() => {
  tc = makeCore({ days: 10, callsPerDay: 30 });
});
afterAll(() => tc.close());

async function allIds(c: Awaited<ReturnType<TestCore['as']>>) {
  const ids: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const p = await c.ok('calls.list', { limit: 200, ...(cursor ? { cursor } : {}) });
    ids.push(...p.items.map((x) => x.id));
    if (!p.nextCursor) break;
    cursor = p.nextCursor;
  }
  return ids;
}

describe('view as (Administrators)', () => {
  it('shows the console exactly as the chosen user sees it, read-only', async () => {
    const morgan = await tc.as('morgan');
    const jasmine = await tc.as('jasmine');
    const me = await morgan.ok('auth.viewAs', { userId: tc.ids.users.jasmine! });
    expect(me.user.name).toBe('Jasmine Lee');
    expect(me.viewedBy).toMatchObject({ name: 'Morgan Reyes' });
    expect(Object.values(me.capabilities).every((v) => !v)).toBe(true);
    expect(await allIds(morgan)).toEqual(await allIds(jasmine));
    const before = snapshot(tc.db);
    for (const [method, input] of [
      ['contacts.create', { name: 'X', phone: '+13105550100' }],
      ['users.setCallAccess', { userId: tc.ids.users.john!, callAccess: 'personal' }],
      ['messages.send', { bnId: tc.ids.numbers.mainLA, to: '+13105550100', body: 'hi' }],
      ['auth.changePassword', { current: 'teamline-demo', next: 'something-else' }],
    ] as const) {
      const r = await morgan.raw(method, input);
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      if (!r.ok) expect(r.error.message).toMatch(/viewing as Jasmine/);
    }
    expect(snapshot(tc.db)).toBe(before);
    const back = await morgan.ok('auth.viewAs', { userId: null });
    expect(back.user.name).toBe('Morgan Reyes');
    expect(back.viewedBy).toBeNull();
    expect((await allIds(morgan)).length).toBeGreaterThan((await allIds(jasmine)).length);
  });

  it('is for Administrators only, and is audited', async () => {
    const leo = await tc.as('leo');
    expect(await leo.call('auth.viewAs', { userId: tc.ids.users.john! })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const morgan = await tc.as('morgan');
    await morgan.ok('auth.viewAs', { userId: tc.ids.users.leo! });
    await morgan.ok('auth.viewAs', { userId: null });
    const log = await morgan.ok('audit.list', { limit: 5 });
    expect(log.items[0]).toMatchObject({ action: 'user.viewAs', summary: 'Viewed the console as Leo Martin' });
  });
});

describe('CSV export of the calls list', () => {
  it('holds exactly the calls the user may see, with the filter applied', async () => {
    const leo = await tc.as('leo');
    const filter = { result: 'missed' as const, bnId: tc.ids.numbers.mainLA };
    const listed: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const p = await leo.ok('calls.list', { ...filter, limit: 100, ...(cursor ? { cursor } : {}) });
      listed.push(...p.items.map((c) => c.id));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    const out = await exportCsv(leo, 'calls', filter);
    const lines = parseCsv(out.csv, ',');
    expect(lines[0]!.slice(0, 3)).toEqual(['Started (UTC)', 'Direction', 'Result']);
    const ids = lines.slice(1).map((l) => Number(l.at(-1)));
    expect(ids).toEqual(listed);
    expect(out.rows).toBe(listed.length);
    expect(lines.slice(1).every((l) => l[2] === 'missed')).toBe(true);
  });

  it('an Agent’s export holds only their scope', async () => {
    const jasmine = await tc.as('jasmine');
    const out = await exportCsv(jasmine, 'calls', {});
    const own = new Set(
      tc.db
        .prepare('SELECT call_id FROM call_participants WHERE user_id = ?')
        .pluck()
        .all(tc.ids.users.jasmine) as number[],
    );
    const ids = parseCsv(out.csv, ',')
      .slice(1)
      .map((l) => Number(l.at(-1)));
    expect(ids.length).toBe(own.size);
    expect(ids.every((id) => own.has(id))).toBe(true);
  });
});
