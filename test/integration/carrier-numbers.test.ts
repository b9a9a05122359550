import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trunkTakesLongSms } from '../../src/main/core/store/repos/sms';
import { carrierHooks } from '../../src/main/sip/carrierHooks';
import { makeCore, snapshot, type Client, type TestCore } from '../helpers/core';
import { addOtherAccount } from '../helpers/otherAccount';

/**
 * Numbers from the carrier (numbers.add), the demo catalogue kept to the
 * demo account, and the Administrators' emergency notices
 * (emergencies.list / acknowledge).
 */

let tc: TestCore;
let morgan: Client;
beforeEach(async () => {
  tc = makeCore();
  morgan = await tc.as('morgan');
});
afterEach(() => tc.close());

const one = <T>(sql: string, ...params: unknown[]) =>
  tc.db
    .prepare(sql)
    .pluck()
    .get(...params) as T;

async function trunk(name: string, role: 'preferred' | 'fallback' | 'standby') {
  return morgan.ok('carrier.saveTrunk', {
    name,
    host: `sip.${name.toLowerCase().replace(/\W/g, '')}.example`,
    port: 5060,
    transport: 'udp',
    registration: null,
    allowCidrs: ['203.0.113.0/24'],
    role,
  });
}

describe('numbers.add', () => {
  it('adds the carrier’s DIDs on the chosen trunk, each once, leaving out the account’s own, each audited', async () => {
    await trunk('Main carrier', 'preferred');
    const backup = await trunk('Backup carrier', 'fallback');
    const r = await morgan.ok('numbers.add', {
      trunkId: backup.id,
      numbers: ['+12065550101', '+12065550102', '+12065550101', '+12136472453'],
      label: 'Seattle',
    });
    expect(r.added.map((n) => n.e164)).toEqual(['+12065550101', '+12065550102']);
    expect(r.skipped).toEqual([
      { e164: '+12065550101', formatted: '+1 (206) 555-0101', reason: 'Repeated in the list' },
      { e164: '+12136472453', formatted: '+1 (213) 647-2453', reason: 'Already one of your numbers' },
    ]);
    const list = await morgan.ok('numbers.list', {});
    const added = list.filter((n) => n.label === 'Seattle');
    expect(added.map((n) => [n.e164, n.trunkId, n.trunkName])).toEqual([
      ['+12065550101', backup.id, 'Backup carrier'],
      ['+12065550102', backup.id, 'Backup carrier'],
    ]);
    const audits = tc.db
      .prepare(`SELECT summary, target_id FROM audit_events WHERE action = 'number.add' ORDER BY id`)
      .all() as { summary: string; target_id: number }[];
    expect(audits.map((a) => a.summary)).toEqual([
      'Added +1 (206) 555-0101 from the trunk Backup carrier',
      'Added +1 (206) 555-0102 from the trunk Backup carrier',
    ]);
    expect(audits.map((a) => a.target_id)).toEqual(added.map((n) => n.id));
    expect(morgan.events.some((e) => e.name === 'numbers.changed')).toBe(true);

    // A trunk that numbers are on is not removed: they would be left with no trunk.
    const before = snapshot(tc.db, { ignoreSignIns: true });
    const busy = await morgan.call('carrier.deleteTrunk', { trunkId: backup.id });
    expect(busy.ok).toBe(false);
    if (!busy.ok) {
      expect(busy.error).toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/^2 business numbers are on the trunk Backup carrier: move them/),
      });
    }
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before);
  });

  it('refuses, changing nothing: another account’s number, an Agent, a trunk of another account, no trunk at all', async () => {
    const other = addOtherAccount(tc.db);
    const before0 = snapshot(tc.db, { ignoreSignIns: true });
    // No trunk yet: connect the carrier first.
    const none = await morgan.call('numbers.add', { numbers: ['+12065550101'] });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error).toMatchObject({ code: 'conflict', message: /Connect the carrier first/ });
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before0);

    const t = await trunk('Main carrier', 'preferred');
    const before = snapshot(tc.db, { ignoreSignIns: true });
    const taken = await morgan.call('numbers.add', { trunkId: t.id, numbers: ['+12065550101', '+16175550100'] });
    expect(taken.ok).toBe(false);
    if (!taken.ok) {
      expect(taken.error.code).toBe('invalid');
      expect(taken.error.fields).toEqual({ 'numbers.1': 'In service on another account' });
    }
    const foreignTrunk = await morgan.call('numbers.add', { trunkId: other.trunkId, numbers: ['+12065550101'] });
    expect(foreignTrunk.ok).toBe(false);
    if (!foreignTrunk.ok) expect(foreignTrunk.error.code).toBe('not_found');
    const bad = await morgan.call('numbers.add', { trunkId: t.id, numbers: ['2065550101'] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.error.fields ?? {})).toEqual(['numbers.0']);
    const john = await tc.as('john');
    const agent = await john.call('numbers.add', { trunkId: t.id, numbers: ['+12065550101'] });
    expect(agent.ok).toBe(false);
    if (!agent.ok) expect(agent.error.code).toBe('forbidden');
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before);
  });

  it('puts a Manager’s numbers (who does not see the trunks) on the preferred trunk', async () => {
    await trunk('Backup carrier', 'fallback');
    const main = await trunk('Main carrier', 'preferred');
    await morgan.ok('users.setManagerPermissions', { userId: tc.ids.users.leo!, permissions: ['numbers'] });
    const leo = await tc.as('leo');
    expect((await leo.call('carrier.get', {})).ok).toBe(false);
    const r = await leo.ok('numbers.add', { numbers: ['+12065550109'] });
    expect(one('SELECT trunk_id FROM business_numbers WHERE id = ?', r.added[0]!.id)).toBe(main.id);
  });
});

describe('numbers.setTrunk, and removing a trunk that numbers are on', () => {
  const trunkOf = (bnId: number) => one<number | null>('SELECT trunk_id FROM business_numbers WHERE id = ?', bnId);
  const trunkAudits = () =>
    tc.db
      .prepare(
        `SELECT summary, target_id AS targetId, before_json AS b, after_json AS a
           FROM audit_events WHERE action = 'number.trunk' ORDER BY id`,
      )
      .all() as { summary: string; targetId: number; b: string; a: string }[];

  it('moves a number to another trunk, audited; then the emptied trunk can be removed', async () => {
    const main = await trunk('Main carrier', 'preferred');
    const backup = await trunk('Backup carrier', 'fallback');
    const { added } = await morgan.ok('numbers.add', { trunkId: backup.id, numbers: ['+12065550101'] });
    const bnId = added[0]!.id;
    morgan.events.length = 0;

    const moved = await morgan.ok('numbers.setTrunk', { bnId, trunkId: main.id });
    expect(moved).toMatchObject({ id: bnId, trunkId: main.id, trunkName: 'Main carrier' });
    expect(trunkOf(bnId)).toBe(main.id);
    expect(morgan.events.some((e) => e.name === 'numbers.changed')).toBe(true);
    // A number with no trunk yet (the demo's) is put on one.
    await morgan.ok('numbers.setTrunk', { bnId: tc.ids.numbers.mainLA, trunkId: backup.id });
    expect(trunkOf(tc.ids.numbers.mainLA)).toBe(backup.id);
    const audits = trunkAudits();
    expect(audits.map((a) => [a.summary, a.targetId])).toEqual([
      ['Moved +1 (206) 555-0101 from the trunk Backup carrier to Main carrier', bnId],
      ['Put +1 (213) 647-2453 on the trunk Backup carrier', tc.ids.numbers.mainLA],
    ]);
    expect(JSON.parse(audits[0]!.b)).toEqual({ trunkId: backup.id });
    expect(JSON.parse(audits[0]!.a)).toEqual({ trunkId: main.id });

    // The same trunk again changes nothing.
    const before = snapshot(tc.db, { ignoreSignIns: true });
    expect((await morgan.ok('numbers.setTrunk', { bnId, trunkId: main.id })).trunkId).toBe(main.id);
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before);

    // One number left on the backup trunk: said in the singular; once it moves, the trunk goes.
    const busy = await morgan.call('carrier.deleteTrunk', { trunkId: backup.id });
    expect(busy.ok).toBe(false);
    if (!busy.ok) {
      expect(busy.error.code).toBe('conflict');
      expect(busy.error.message).toMatch(/^One business number is on the trunk Backup carrier: move them/);
    }
    await morgan.ok('numbers.setTrunk', { bnId: tc.ids.numbers.mainLA, trunkId: main.id });
    await morgan.ok('carrier.deleteTrunk', { trunkId: backup.id });
    expect(one('SELECT count(*) FROM carrier_trunks WHERE id = ?', backup.id)).toBe(0);
    expect(trunkOf(bnId)).toBe(main.id);
  });

  it('a released number does not hold its trunk', async () => {
    const t = await trunk('Main carrier', 'preferred');
    const { added } = await morgan.ok('numbers.add', { trunkId: t.id, numbers: ['+12065550101'] });
    await morgan.ok('numbers.release', { bnId: added[0]!.id });
    await morgan.ok('carrier.deleteTrunk', { trunkId: t.id });
    expect(one('SELECT count(*) FROM carrier_trunks WHERE id = ?', t.id)).toBe(0);
  });

  it('refuses, changing nothing: unknown, released, hidden and other-account ids; Managers and Agents', async () => {
    const other = addOtherAccount(tc.db);
    const t = await trunk('Main carrier', 'preferred');
    const { added } = await morgan.ok('numbers.add', { trunkId: t.id, numbers: ['+12065550101'] });
    await morgan.ok('numbers.release', { bnId: added[0]!.id });
    await morgan.ok('users.setManagerPermissions', { userId: tc.ids.users.leo!, permissions: ['numbers'] });
    const leo = await tc.as('leo');
    const john = await tc.as('john');
    const before = snapshot(tc.db, { ignoreSignIns: true });
    const cases: [Client, unknown, string, RegExp][] = [
      [morgan, { bnId: tc.ids.numbers.mainLA, trunkId: other.trunkId }, 'not_found', /^That trunk was not found/],
      [morgan, { bnId: tc.ids.numbers.mainLA, trunkId: 999_999 }, 'not_found', /^That trunk was not found/],
      [morgan, { bnId: other.bnId, trunkId: t.id }, 'not_found', /^That business number was not found/],
      [morgan, { bnId: added[0]!.id, trunkId: t.id }, 'not_found', /^That business number was not found/],
      [morgan, { bnId: tc.ids.numbers.mainLA, trunkId: t.id, extra: 1 }, 'invalid', /./],
      // A Manager who manages numbers does not see the trunks; an Agent neither.
      [leo, { bnId: tc.ids.numbers.mainLA, trunkId: t.id }, 'forbidden', /^Only an Administrator can/],
      [john, { bnId: tc.ids.numbers.mainLA, trunkId: t.id }, 'forbidden', /^Only an Administrator can/],
      // A number John does not see reads as unknown, not as forbidden.
      [john, { bnId: tc.ids.numbers.tollFree, trunkId: t.id }, 'not_found', /^That business number was not found/],
    ];
    for (const [client, input, code, message] of cases) {
      const r = await client.raw('numbers.setTrunk', input);
      expect(r.ok, JSON.stringify(input)).toBe(false);
      if (!r.ok) {
        expect(r.error.code, JSON.stringify(input)).toBe(code);
        expect(r.error.message).toMatch(message);
      }
    }
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before);
  });
});

describe('sending long texts in one MESSAGE (smsLong)', () => {
  it('is off by default, saved when set, shown back, audited, and read by the outbox', async () => {
    const t = await trunk('Main carrier', 'preferred');
    expect(t.smsLong).toBe(false);
    expect(trunkTakesLongSms(tc.db, t.id)).toBe(false);
    const { id: _id, state: _state, updatedAt: _at, registration: _reg, ...rest } = t;
    const on = await morgan.ok('carrier.saveTrunk', { ...rest, trunkId: t.id, registration: null, smsLong: true });
    expect(on.smsLong).toBe(true);
    expect((await morgan.ok('carrier.get', {})).trunks.find((x) => x.id === t.id)?.smsLong).toBe(true);
    expect(one('SELECT sms_long FROM carrier_trunks WHERE id = ?', t.id)).toBe(1);
    expect(trunkTakesLongSms(tc.db, t.id)).toBe(true);
    const audit = tc.db
      .prepare(`SELECT before_json AS b, after_json AS a FROM audit_events WHERE action = 'trunk.update'`)
      .get() as { b: string; a: string };
    expect(JSON.parse(audit.b)).toMatchObject({ smsLong: false });
    expect(JSON.parse(audit.a)).toMatchObject({ smsLong: true });

    const off = await morgan.ok('carrier.saveTrunk', { ...rest, trunkId: t.id, registration: null, smsLong: false });
    expect(off.smsLong).toBe(false);
    expect(trunkTakesLongSms(tc.db, t.id)).toBe(false);
  });

  it('docs/carrier.md names the setting where it describes long texts', () => {
    const doc = readFileSync(join(__dirname, '../../docs/carrier.md'), 'utf8');
    const longTexts = doc.slice(doc.indexOf('**Long texts**'), doc.indexOf('**Receiving.**'));
    expect(longTexts).toMatch(/Send long texts in one message/);
    expect(longTexts).toMatch(/`smsLong`/);
  });
});

describe('the demo catalogue', () => {
  it('is the demo account’s only: a real account adds its carrier’s numbers, and a released one does not go on sale', async () => {
    const [offer] = await morgan.ok('numbers.catalogue', {});
    expect(offer).toBeDefined();
    const t = await trunk('Main carrier', 'preferred');
    tc.db.prepare('UPDATE accounts SET demo = 0 WHERE id = ?').run(tc.ids.accountId);
    const me = await morgan.ok('auth.me', {});
    expect(me.account.demo).toBe(false);
    for (const [method, input] of [
      ['numbers.catalogue', {}],
      ['numbers.buy', { e164: offer!.e164 }],
    ] as const) {
      const r = await morgan.call(method, input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/Numbers come from your carrier/);
    }
    const { added } = await morgan.ok('numbers.add', { trunkId: t.id, numbers: ['+12065550150'] });
    await morgan.ok('numbers.release', { bnId: added[0]!.id });
    expect(one('SELECT count(*) FROM number_catalogue WHERE e164 = ?', '+12065550150')).toBe(0);
  });
});

describe('emergency notices', () => {
  it('tells each Administrator until they acknowledge it; it is audited; others cannot read it', async () => {
    const hooks = carrierHooks({ db: tc.db, announce: () => undefined }, tc.ids.accountId);
    hooks.onEmergency({
      userId: tc.ids.users.jasmine!,
      extension: '103',
      number: '911',
      callerId: '+13322139228',
      bnId: tc.ids.numbers.mainNY,
    });
    const [notice] = await morgan.ok('emergencies.list', {});
    expect(notice).toMatchObject({
      userName: 'Jasmine Lee',
      extension: '103',
      number: '911',
      callerId: '+1 (332) 213-9228',
      acknowledged: false,
      acknowledgedBy: [],
    });
    expect(one(`SELECT count(*) FROM audit_events WHERE action = 'call.emergency'`)).toBe(1);

    const acked = await morgan.ok('emergencies.acknowledge', { emergencyId: notice!.id });
    expect(acked.acknowledged).toBe(true);
    expect(acked.acknowledgedBy.map((a) => a.name)).toEqual(['Morgan Reyes']);
    expect(one(`SELECT summary FROM audit_events WHERE action = 'emergency.acknowledge'`)).toBe(
      'Acknowledged the call of Jasmine Lee (extension 103) to 911',
    );
    // Acknowledging again changes nothing.
    const before = snapshot(tc.db, { ignoreSignIns: true });
    await morgan.ok('emergencies.acknowledge', { emergencyId: notice!.id });
    expect(snapshot(tc.db, { ignoreSignIns: true })).toBe(before);

    // Another Administrator still has it to acknowledge, and sees who did.
    await morgan.ok('users.setRole', { userId: tc.ids.users.jessica!, role: 'administrator' });
    const jessica = await tc.as('jessica');
    const [theirs] = await jessica.ok('emergencies.list', {});
    expect(theirs).toMatchObject({ acknowledged: false, acknowledgedBy: [{ name: 'Morgan Reyes' }] });

    for (const key of ['john', 'leo']) {
      const c = await tc.as(key);
      for (const r of [
        await c.call('emergencies.list', {}),
        await c.call('emergencies.acknowledge', { emergencyId: notice!.id }),
      ]) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe('forbidden');
      }
    }
  });
});
