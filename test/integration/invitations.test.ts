import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../src/main/core/api/core';
import { seedDemo, type DemoIds } from '../../src/main/core/demo/seed';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { deviceForCredential, touchDevice } from '../../src/main/core/store/repos/devices';
import type { Input, Method, Output } from '../../src/shared/api/contract';
import { parseJoinLink } from '../../src/shared/joinLink';
import type { ApiResult } from '../../src/shared/result';
import { NOW, snapshot } from '../helpers/core';

/**
 * Invitations and devices through the API (docs/policy-decisions.md,
 * "Invitations and devices"): who may invite whom, what an invitation says
 * about itself, that it works once, and that every step is audited.
 */

const DAY = 86_400_000;
let clock = NOW;
let db: Db;
let ids: DemoIds;
let core: ReturnType<typeof createCoreWithDb>;

beforeEach(() => {
  clock = NOW;
  db = openDatabase(':memory:');
  ids = seedDemo(db, NOW, { days: 0, audioDir: join(import.meta.dirname, '../../resources/voicemail') });
  core = createCoreWithDb(db, { now: () => clock, validateOutput: true });
  core.setTeamServer({ address: 'pbx.example.com:8443', pin: 'AB:'.repeat(31) + 'CD' });
});
afterEach(() => core.close());

function client() {
  const events: string[] = [];
  const conn = core.connect((e) => events.push(e.name));
  const call = <M extends Method>(m: M, input: Input<M>) => conn.invoke(m, input) as Promise<ApiResult<Output<M>>>;
  const ok = async <M extends Method>(m: M, input: Input<M>) => {
    const r = await call(m, input);
    if (!r.ok) throw new Error(`${m}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  return { call, ok, conn, events };
}
async function as(key: string, password = DEMO_PASSWORD) {
  const c = client();
  await c.ok('auth.signIn', { login: `${key}@teamline.demo`, password });
  return c;
}
const uid = (key: string) => ids.users[key]!;
const actions = (since: number) =>
  db.prepare('SELECT action FROM audit_events WHERE id > ? ORDER BY id').pluck().all(since) as string[];
const lastAudit = () => db.prepare('SELECT coalesce(max(id), 0) FROM audit_events').pluck().get() as number;

async function refused<M extends Method>(
  c: ReturnType<typeof client>,
  m: M,
  input: Input<M>,
  code: string,
  reason: RegExp,
) {
  const before = snapshot(db);
  const r = await c.call(m, input);
  expect(r.ok, `${m} should be refused`).toBe(false);
  if (!r.ok) {
    expect(r.error.code).toBe(code);
    expect(r.error.message).toMatch(reason);
  }
  expect(snapshot(db), `${m} changed nothing`).toBe(before);
}

describe('who may invite whom (POLICY §2: the same rule as managing the user’s settings)', () => {
  it('an Administrator invites anyone active but the owner; the owner only themselves', async () => {
    const morgan = await as('morgan');
    const admin = await morgan.ok('users.add', {
      name: 'Ada Admin',
      email: 'ada@teamline.demo',
      extension: '150',
      password: 'ada-password-1',
      role: 'administrator',
    });
    for (const key of ['john', 'leo']) await morgan.ok('invitations.create', { userId: uid(key) });
    await morgan.ok('invitations.create', { userId: admin.id });
    await morgan.ok('invitations.create', { userId: uid('morgan') });
    const ada = await as('ada', 'ada-password-1');
    await ada.ok('invitations.create', { userId: uid('leo') });
    await refused(ada, 'invitations.create', { userId: uid('morgan') }, 'forbidden', /owns the account/);
  });

  it('a Manager with "User settings" invites Agents and themselves, never another Manager or an Administrator', async () => {
    const leo = await as('leo');
    await leo.ok('invitations.create', { userId: uid('john') });
    await leo.ok('invitations.create', { userId: uid('leo') });
    await refused(leo, 'invitations.create', { userId: uid('morgan') }, 'forbidden', /owns the account/);
    const morgan = await as('morgan');
    const other = await morgan.ok('users.add', {
      name: 'Mia Manager',
      email: 'mia@teamline.demo',
      extension: '151',
      password: 'mia-password-1',
      role: 'manager',
      callAccess: 'all',
    });
    await refused(leo, 'invitations.create', { userId: other.id }, 'forbidden', /Agents only/);

    await morgan.ok('users.setManagerPermissions', { userId: uid('leo'), permissions: ['addUsers', 'userAccess'] });
    await refused(leo, 'invitations.create', { userId: uid('john') }, 'forbidden', /User settings/);
    await refused(leo, 'invitations.list', { userId: uid('john') }, 'forbidden', /User settings/);
  });

  it('an Agent invites no one, but sees and removes their own desktops', async () => {
    const john = await as('john');
    await refused(john, 'invitations.create', { userId: uid('john') }, 'forbidden', /Agents cannot/);
    await refused(john, 'invitations.create', { userId: uid('peter') }, 'forbidden', /Agents cannot/);
    await refused(john, 'devices.list', { userId: uid('peter') }, 'forbidden', /Agents cannot/);
    expect(await john.ok('devices.list', { userId: uid('john') })).toEqual([]);
  });

  it('a deactivated user cannot be invited, and their pending invitation no longer works', async () => {
    const morgan = await as('morgan');
    const { token } = await morgan.ok('invitations.create', { userId: uid('peter') });
    await morgan.ok('users.deactivate', { userId: uid('peter') });
    await refused(morgan, 'invitations.create', { userId: uid('peter') }, 'conflict', /deactivated/);
    expect((await client().ok('invitations.inspect', { token })).status).toBe('revoked');
    await refused(client(), 'invitations.redeem', { token, password: 'a-new-password' }, 'conflict', /withdrawn/);
  });

  it('a user of another account is not found', async () => {
    const morgan = await as('morgan');
    await refused(morgan, 'invitations.create', { userId: 99_999 }, 'not_found', /not found/);
  });
});

describe('an invitation', () => {
  it('carries the server, the fingerprint and the token in both links, and is audited', async () => {
    const morgan = await as('morgan');
    const since = lastAudit();
    const made = await morgan.ok('invitations.create', { userId: uid('jessica') });
    expect(made.invitation).toMatchObject({ status: 'pending', createdBy: 'Morgan Reyes', expiresAt: NOW + 7 * DAY });
    expect(parseJoinLink(made.links!.app)).toEqual({
      server: 'pbx.example.com:8443',
      fingerprint: 'ab'.repeat(31) + 'cd',
      token: made.token,
    });
    expect(made.links!.web).toMatch(/^https:\/\/pbx\.example\.com:8443\/join#/);
    expect(made.links!.web.split('#')[0]).not.toContain(made.token);
    expect(parseJoinLink(made.links!.web).token).toBe(made.token);
    expect(actions(since)).toEqual(['invitation.create']);
    // Only the token's digest is stored.
    expect(JSON.stringify(db.prepare('SELECT * FROM invitations').all())).not.toContain(made.token);
  });

  it('inspect says for whom, and whether it is unknown, expired, used or revoked', async () => {
    const anon = client();
    expect(await anon.ok('invitations.inspect', { token: 'A'.repeat(43) })).toEqual({
      status: 'unknown',
      userName: null,
      login: null,
      accountName: null,
      expiresAt: null,
    });
    expect((await anon.ok('invitations.inspect', { token: 'not a token' })).status).toBe('unknown');
    const morgan = await as('morgan');
    const a = await morgan.ok('invitations.create', { userId: uid('jessica'), expiresInDays: 1 });
    expect(await anon.ok('invitations.inspect', { token: a.token })).toEqual({
      status: 'pending',
      userName: 'Jessica Brown',
      login: 'jessica@teamline.demo',
      accountName: 'Teamline Demo',
      expiresAt: NOW + DAY,
    });
    const b = await morgan.ok('invitations.create', { userId: uid('jessica') });
    await morgan.ok('invitations.revoke', { invitationId: b.invitation.id });
    expect((await anon.ok('invitations.inspect', { token: b.token })).status).toBe('revoked');
    const c = await morgan.ok('invitations.create', { userId: uid('jessica') });
    await anon.ok('invitations.redeem', { token: c.token, password: 'jessica-new-pass' });
    expect((await anon.ok('invitations.inspect', { token: c.token })).status).toBe('used');
    clock = NOW + DAY;
    expect((await anon.ok('invitations.inspect', { token: a.token })).status).toBe('expired');
  });

  it('redeems once: sets the password, makes a device credential, ends old sessions, and is audited', async () => {
    const morgan = await as('morgan');
    const { token } = await morgan.ok('invitations.create', { userId: uid('jessica') });
    const before = client();
    await before.ok('auth.signIn', { login: 'jessica@teamline.demo', password: DEMO_PASSWORD });
    const since = lastAudit();
    morgan.events.length = 0;
    const anon = client();
    const done = await anon.ok('invitations.redeem', { token, password: 'jessica-new-pass', deviceName: 'Desk 3' });
    expect(done).toMatchObject({ userName: 'Jessica Brown', login: 'jessica@teamline.demo' });
    expect(done.device!.credential).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(deviceForCredential(db, done.device!.credential)).toMatchObject({ userId: uid('jessica'), name: 'Desk 3' });
    expect(deviceForCredential(db, done.device!.credential.replace(/.$/, 'x'))).toBeNull();
    expect(actions(since)).toEqual(['invitation.use']);
    // The Administrator's open card of Jessica hears of it.
    expect(morgan.events).toContain('users.changed');
    const event = db.prepare(`SELECT actor_user_id, after_json FROM audit_events WHERE id > ?`).get(since) as {
      actor_user_id: number;
      after_json: string;
    };
    expect(event.actor_user_id).toBe(uid('jessica'));
    expect(JSON.parse(event.after_json)).toMatchObject({ status: 'used', deviceId: done.device!.id });
    expect(JSON.stringify(db.prepare('SELECT * FROM devices').all())).not.toContain(
      done.device!.credential.split('.')[1],
    );

    // The old password's session is over; the new password signs in.
    expect((await before.call('auth.me', {})).ok).toBe(false);
    await as('jessica', 'jessica-new-pass');
    await refused(client(), 'invitations.redeem', { token, password: 'another-password' }, 'conflict', /already used/);
    expect((await morgan.ok('devices.list', { userId: uid('jessica') })).map((d) => d.name)).toEqual(['Desk 3']);
  });

  it('is refused when expired, revoked, unknown or the account is cancelled', async () => {
    const morgan = await as('morgan');
    const expired = await morgan.ok('invitations.create', { userId: uid('allie'), expiresInDays: 2 });
    const revoked = await morgan.ok('invitations.create', { userId: uid('allie') });
    await morgan.ok('invitations.revoke', { invitationId: revoked.invitation.id });
    await refused(morgan, 'invitations.revoke', { invitationId: revoked.invitation.id }, 'conflict', /already/);
    clock = NOW + 2 * DAY;
    const anon = client();
    await refused(
      anon,
      'invitations.redeem',
      { token: expired.token, password: 'allie-new-pass' },
      'conflict',
      /expired/,
    );
    await refused(
      anon,
      'invitations.redeem',
      { token: revoked.token, password: 'allie-new-pass' },
      'conflict',
      /withdrawn/,
    );
    await refused(
      anon,
      'invitations.redeem',
      { token: 'B'.repeat(43), password: 'allie-new-pass' },
      'not_found',
      /not found/,
    );
    await refused(
      anon,
      'invitations.redeem',
      { token: 'short', password: 'allie-new-pass' },
      'invalid',
      /invitation code/,
    );

    const pending = await morgan.ok('invitations.create', { userId: uid('allie') });
    await morgan.ok('account.cancel', { confirmName: 'Teamline Demo' });
    await refused(
      anon,
      'invitations.redeem',
      { token: pending.token, password: 'allie-new-pass' },
      'conflict',
      /cancelled/,
    );
  });

  it('lists pending and past invitations for those who may manage the user; revoking is audited', async () => {
    const leo = await as('leo');
    const a = await leo.ok('invitations.create', { userId: uid('karey') });
    const since = lastAudit();
    await leo.ok('invitations.revoke', { invitationId: a.invitation.id });
    expect(actions(since)).toEqual(['invitation.revoke']);
    await leo.ok('invitations.create', { userId: uid('karey') });
    expect((await leo.ok('invitations.list', { userId: uid('karey') })).map((i) => i.status)).toEqual([
      'pending',
      'revoked',
    ]);
    const morgan = await as('morgan');
    const m = await morgan.ok('invitations.create', { userId: uid('morgan') });
    await refused(leo, 'invitations.revoke', { invitationId: m.invitation.id }, 'forbidden', /owns the account/);
  });
});

describe('devices', () => {
  async function joined(key: string) {
    const morgan = await as('morgan');
    const { token } = await morgan.ok('invitations.create', { userId: uid(key) });
    const r = await client().ok('invitations.redeem', {
      token,
      password: `${key}-new-pass`,
      deviceName: `${key}'s desk`,
    });
    return { morgan, device: r.device! };
  }

  it('revoking one ends its sessions at once, leaves others alone, and is audited', async () => {
    const { morgan, device } = await joined('john');
    const ended: string[] = [];
    const session = core.deviceSession(device.credential)!;
    expect(session).toMatchObject({ userId: uid('john'), deviceId: device.id });
    expect(core.deviceSession(device.credential.replace(/^\d+/, '999'))).toBeNull();
    const deviceConn = core.connect(() => {}, session, { onEnd: () => ended.push('device') });
    const other = core.connect(() => {}, undefined, { onEnd: () => ended.push('other') });
    await other.invoke('auth.signIn', { login: 'john@teamline.demo', password: 'john-new-pass' });
    expect((await deviceConn.invoke('auth.me', {})).ok).toBe(true);

    const since = lastAudit();
    const r = await morgan.ok('devices.revoke', { deviceId: device.id });
    expect(r.revokedAt).toBe(NOW);
    expect(ended).toEqual(['device']);
    expect((await deviceConn.invoke('auth.me', {})).ok).toBe(false);
    expect((await other.invoke('auth.me', {})).ok).toBe(true);
    expect(actions(since)).toEqual(['device.revoke']);
    expect(deviceForCredential(db, device.credential)).toBeNull();
    await refused(morgan, 'devices.revoke', { deviceId: device.id }, 'conflict', /already removed/);
  });

  it('a deactivated user’s device credential is refused until they are reactivated', async () => {
    const { morgan, device } = await joined('peter');
    await morgan.ok('users.deactivate', { userId: uid('peter') });
    expect(deviceForCredential(db, device.credential)).toBeNull();
    await morgan.ok('users.reactivate', { userId: uid('peter') });
    expect(deviceForCredential(db, device.credential)).not.toBeNull();
  });

  it('an Agent removes their own desktop; a Manager cannot remove an Administrator’s', async () => {
    const { device } = await joined('allie');
    const allie = await as('allie', 'allie-new-pass');
    await allie.ok('devices.revoke', { deviceId: device.id });
    const own = await joined('morgan');
    const leo = await as('leo');
    await refused(leo, 'devices.revoke', { deviceId: own.device.id }, 'forbidden', /Agents only/);
    await refused(leo, 'devices.list', { userId: uid('morgan') }, 'forbidden', /Agents only/);
  });

  it('last seen is written at most once a minute', async () => {
    const { device } = await joined('karey');
    const read = () => db.prepare('SELECT last_seen_at FROM devices WHERE id = ?').pluck().get(device.id);
    expect(read()).toBe(NOW);
    touchDevice(db, device.id, NOW + 30_000);
    expect(read()).toBe(NOW);
    touchDevice(db, device.id, NOW + 61_000);
    expect(read()).toBe(NOW + 61_000);
  });
});
