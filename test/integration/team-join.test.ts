import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { DEVICE_REVOKED_CLOSE, connectToServer } from '../../src/main/remote/connection';
import { inspectInvitation, joinWithInvitation, type Joined } from '../../src/main/remote/join';
import { PinMismatchError } from '../../src/main/remote/pin';
import { DEVICE_REVOKED_CLOSE as SERVER_REVOKED_CLOSE } from '../../src/main/server/server';
import { loadTlsIdentity, type TlsIdentity } from '../../src/main/teamserver/tls';
import type { Input, Method, Output } from '../../src/shared/api/contract';
import type { ConnectionState } from '../../src/shared/api/socketBridge';
import { appLink } from '../../src/shared/joinLink';
import { NOW } from '../helpers/core';
import { startHost, type Host } from '../helpers/host';

/**
 * A desktop joins a real team server over TLS with an invitation, in plain
 * Node: the pinned connection, the one-time redeem, the device credential on
 * the upgrade, and the cut-off when the device is revoked or its user
 * deactivated (issue 13, "Joining").
 */

const DAY = 86_400_000;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'teamline-join-'));
  dirs.push(d);
  return d;
};
let id: TlsIdentity;
let impostor: TlsIdentity;
let host: Host;
let clock = NOW;
let address = '';

beforeAll(async () => {
  id = loadTlsIdentity({ dataDir: tempDir(), publicName: 'localhost' });
  impostor = loadTlsIdentity({ dataDir: tempDir(), publicName: 'localhost' });
  host = await startHost({ tls: { key: id.key, cert: id.cert + id.ca }, now: () => clock });
  address = `localhost:${new URL(host.server.url).port}`;
  host.core.setTeamServer({ address, pin: id.pin });
});
afterAll(async () => {
  await host.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  clock = NOW;
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A signed-in console client of the host's core (the Administrator's side). */
async function admin(login = 'morgan@teamline.demo') {
  const conn = host.core.connect(() => {});
  cleanups.push(() => conn.close());
  const r = await conn.invoke('auth.signIn', { login, password: DEMO_PASSWORD });
  if (!r.ok) throw new Error(r.error.message);
  return async <M extends Method>(m: M, input: Input<M>): Promise<Output<M>> => {
    const res = await conn.invoke(m, input);
    if (!res.ok) throw new Error(`${m}: ${res.error.message}`);
    return res.value as Output<M>;
  };
}
const userId = (email: string) =>
  host.core.db.prepare('SELECT id FROM users WHERE email = ?').pluck().get(email) as number;

function connect(j: Joined) {
  const states: ConnectionState[] = [];
  const client = connectToServer({
    url: j.url,
    pin: j.pin,
    pinnedPem: j.pinnedPem,
    deviceCredential: j.deviceCredential,
    onState: (s) => states.push(s),
    maxBackoffMs: 300,
    requestTimeoutMs: 5_000,
  });
  cleanups.push(() => client.close());
  return { client, states };
}

/** A raw socket with the device credential, to see the server's own close code. */
function rawDevice(j: Joined): Promise<{ ws: WebSocket; closed: Promise<number> } | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(j.url, { ca: [id.ca!], headers: { authorization: `Device ${j.deviceCredential}` } });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('open', () => resolve({ ws, closed }));
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', () => {});
  });
}

async function until(check: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('joining a team server with an invitation', () => {
  it('joins pinned, acts as the invitee with the device credential, and cannot use the link twice', async () => {
    const ask = await admin();
    const jessica = userId('jessica@teamline.demo');
    const made = await ask('invitations.create', { userId: jessica });
    expect(made.links!.app).toContain(`server=${encodeURIComponent(address)}`);

    expect(await inspectInvitation(made.links!.app)).toMatchObject({
      status: 'pending',
      userName: 'Jessica Brown',
      accountName: 'Teamline Demo',
    });
    const joined = await joinWithInvitation(made.links!.web, { password: 'jessica-desk-pass', deviceName: 'Desk 2' });
    expect(joined).toMatchObject({ userName: 'Jessica Brown', url: `wss://${address}/api`, pin: id.pin });

    const { client } = connect(joined);
    const me = await client.invoke('auth.me', {});
    expect(me.ok && me.value.user.id).toBe(jessica);
    const devices = await ask('devices.list', { userId: jessica });
    expect(devices).toMatchObject([{ id: joined.deviceId, name: 'Desk 2', lastSeenAt: NOW, revokedAt: null }]);

    await expect(
      joinWithInvitation(made.links!.app, { password: 'another-pass-1', deviceName: 'Desk 9' }),
    ).rejects.toThrow(/already used/);
    expect(await ask('devices.list', { userId: jessica })).toHaveLength(1);
  });

  it('refuses a server whose certificate is not the one the link names, before sending the token', async () => {
    const ask = await admin();
    const made = await ask('invitations.create', { userId: userId('allie@teamline.demo') });
    const forged = appLink({
      server: address,
      fingerprint: impostor.pin.replaceAll(':', '').toLowerCase(),
      token: made.token,
    });
    const attempt = joinWithInvitation(forged, { password: 'allie-desk-pass', deviceName: 'Desk 4' });
    await expect(attempt).rejects.toBeInstanceOf(PinMismatchError);
    await expect(attempt).rejects.toThrow(/not the one this desktop trusts/);
    // Nothing reached the server: the invitation is still pending.
    expect((await ask('invitations.list', { userId: userId('allie@teamline.demo') }))[0]!.status).toBe('pending');
  });

  it('refuses an expired or a withdrawn invitation, and a link that is not one', async () => {
    const ask = await admin();
    const karey = userId('karey@teamline.demo');
    const expiring = await ask('invitations.create', { userId: karey, expiresInDays: 1 });
    const withdrawn = await ask('invitations.create', { userId: karey });
    await ask('invitations.revoke', { invitationId: withdrawn.invitation.id });
    await expect(
      joinWithInvitation(withdrawn.links!.app, { password: 'karey-desk-pass', deviceName: 'D' }),
    ).rejects.toThrow(/withdrawn/);
    clock = NOW + DAY;
    await expect(
      joinWithInvitation(expiring.links!.app, { password: 'karey-desk-pass', deviceName: 'D' }),
    ).rejects.toThrow(/expired/);
    await expect(joinWithInvitation('https://example.com/other', { password: 'x', deviceName: 'D' })).rejects.toThrow(
      /invitation link/,
    );
    expect(await ask('devices.list', { userId: karey })).toEqual([]);
  });

  it('cuts the desktop off (4401) when its device is revoked, and refuses it at the door after', async () => {
    const ask = await admin();
    const john = userId('john@teamline.demo');
    const made = await ask('invitations.create', { userId: john });
    const joined = await joinWithInvitation(made.links!.app, { password: 'john-desk-pass', deviceName: 'Laptop' });
    const other = await joinWithInvitation((await ask('invitations.create', { userId: john })).links!.app, {
      password: 'john-desk-pass',
      deviceName: 'Desk',
    });
    const { client, states } = connect(joined);
    const kept = connect(other);
    expect((await client.invoke('auth.me', {})).ok).toBe(true);
    expect((await kept.client.invoke('auth.me', {})).ok).toBe(true);
    const raw = await rawDevice(joined);
    if (typeof raw === 'number') throw new Error(`refused with ${raw}`);

    await ask('devices.revoke', { deviceId: joined.deviceId });
    expect(await raw.closed).toBe(SERVER_REVOKED_CLOSE);
    expect(SERVER_REVOKED_CLOSE).toBe(DEVICE_REVOKED_CLOSE);
    await until(() => client.state().state === 'refused', 'refused');
    const state = client.state();
    expect(state.state === 'refused' && state.reason).toMatch(/no longer signed in/);
    expect(states.filter((s) => s.state === 'reconnecting')).toEqual([]);
    expect(await rawDevice(joined)).toBe(401);
    // The other desktop of the same user goes on.
    expect((await kept.client.invoke('auth.me', {})).ok).toBe(true);
  });

  it('cuts every desktop of a deactivated user off at once', async () => {
    const ask = await admin();
    const peter = userId('peter@teamline.demo');
    const made = await ask('invitations.create', { userId: peter });
    const joined = await joinWithInvitation(made.links!.app, { password: 'peter-desk-pass', deviceName: 'Desk 7' });
    const { client } = connect(joined);
    expect((await client.invoke('auth.me', {})).ok).toBe(true);
    const raw = await rawDevice(joined);
    if (typeof raw === 'number') throw new Error(`refused with ${raw}`);

    await ask('users.deactivate', { userId: peter });
    expect(await raw.closed).toBe(SERVER_REVOKED_CLOSE);
    await until(() => client.state().state === 'refused', 'refused');
    expect(await rawDevice(joined)).toBe(401);
    await ask('users.reactivate', { userId: peter });
  });

  it('refuses a made-up or malformed device credential with 401', async () => {
    const fake = { url: `wss://${address}/api`, deviceCredential: `1.${'A'.repeat(43)}` } as Joined;
    expect(await rawDevice(fake)).toBe(401);
    expect(await rawDevice({ ...fake, deviceCredential: 'garbage' })).toBe(401);
  });
});
