import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { createDeskSetup } from '../../src/main/remote/deskSetup';
import { createDeskStore, DeskStoreError, type Cipher } from '../../src/main/remote/deskStore';
import { joinWithInvitation } from '../../src/main/remote/join';
import { leaveTeam } from '../../src/main/remote/leave';
import { downloadExport, recordCounter } from '../../src/main/remote/exportDownload';
import { startJoinedDesk, type DeskStatus } from '../../src/main/remote/joinedDesk';
import { pinnedChainTrusted, sipOriginFor } from '../../src/main/remote/pageTrust';
import { linkFromParts, presentedCertificates, serverAddress } from '../../src/main/remote/serverCheck';
import { startServer } from '../../src/main/server/server';
import { loadTlsIdentity, type TlsIdentity } from '../../src/main/teamserver/tls';
import type { Input, Method, Output } from '../../src/shared/api/contract';
import type { PushEvent } from '../../src/shared/api/events';
import { NOW } from '../helpers/core';
import { startHost, type Host } from '../helpers/host';

/**
 * The desktop app joined to a team server, without Electron: the kept
 * choice with its encrypted credential, window.api relayed over the one
 * pinned connection, the "Reconnecting…" status across a server restart,
 * the refusal of another certificate, and the trust given to the window's
 * own secure WebSocket (issue 13, "The desktop app joins").
 */

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'teamline-desk-'));
  dirs.push(d);
  return d;
};
let id: TlsIdentity;
let impostor: TlsIdentity;
let host: Host;
let port = 0;
let address = '';

beforeAll(async () => {
  id = loadTlsIdentity({ dataDir: tempDir(), publicName: 'localhost' });
  impostor = loadTlsIdentity({ dataDir: tempDir(), publicName: 'localhost' });
  host = await startHost({ tls: { key: id.key, cert: id.cert + id.ca }, now: () => NOW });
  port = Number(new URL(host.server.url).port);
  address = `localhost:${port}`;
  host.core.setTeamServer({ address, pin: id.pin });
});
afterAll(async () => {
  await host?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A stand-in for safeStorage: reversible, and visibly not the plain text. */
const testCipher = (available = true): Cipher => ({
  available: () => available,
  encrypt: (s) => Buffer.from([...Buffer.from(s, 'utf8')].map((b) => b ^ 0x5a)),
  decrypt: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString('utf8'),
});

async function admin() {
  const conn = host.core.connect(() => {});
  cleanups.push(() => conn.close());
  const r = await conn.invoke('auth.signIn', { login: 'morgan@teamline.demo', password: DEMO_PASSWORD });
  if (!r.ok) throw new Error(r.error.message);
  return async <M extends Method>(m: M, input: Input<M>): Promise<Output<M>> => {
    const res = await conn.invoke(m, input);
    if (!res.ok) throw new Error(`${m}: ${res.error.message}`);
    return res.value as Output<M>;
  };
}
const userId = (email: string) =>
  host.core.db.prepare('SELECT id FROM users WHERE email = ?').pluck().get(email) as number;

async function invite(email: string) {
  const ask = await admin();
  return (await ask('invitations.create', { userId: userId(email) })).links!.app;
}

async function until(check: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the kept choice', () => {
  it('asks on the first run, keeps the demo choice, and keeps a join with the credential only encrypted', async () => {
    const dir = tempDir();
    const store = createDeskStore(dir, testCipher());
    expect(store.read()).toBeNull();
    store.chooseDemo();
    expect(store.read()).toEqual({ mode: 'demo' });

    const joined = await joinWithInvitation(await invite('jessica@teamline.demo'), {
      password: 'jessica-desk-pass',
      deviceName: 'Desk 2',
    });
    store.saveJoined(joined);
    expect(createDeskStore(dir, testCipher()).read()).toEqual({ mode: 'joined', ...joined });
    const onDisk = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('\n');
    expect(onDisk).not.toContain(joined.deviceCredential.split('.')[1]);
    expect(onDisk).toContain(joined.pin);

    store.forget();
    expect(store.read()).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps nothing when the computer cannot encrypt, and asks again when the credential cannot be read', async () => {
    const dir = tempDir();
    const joined = await joinWithInvitation(await invite('allie@teamline.demo'), {
      password: 'allie-desk-pass',
      deviceName: 'Desk 4',
    });
    expect(() => createDeskStore(dir, testCipher(false)).saveJoined(joined)).toThrow(DeskStoreError);
    expect(existsSync(join(dir, 'desk.json'))).toBe(false);

    const store = createDeskStore(dir, testCipher());
    store.saveJoined(joined);
    const broken: Cipher = {
      ...testCipher(),
      decrypt: () => {
        throw new Error('keychain locked');
      },
    };
    expect(createDeskStore(dir, broken).read()).toBeNull();
    writeFileSync(join(dir, 'desk.json'), '{"mode":"joined","url":"ws://plain"}');
    expect(store.read()).toBeNull();
  });
});

describe('a joined desktop', () => {
  it("relays each window's calls and the server's events over the pinned connection, as the invitee", async () => {
    const joined = await joinWithInvitation(await invite('john@teamline.demo'), {
      password: 'john-desk-pass',
      deviceName: 'Laptop',
    });
    const desk = startJoinedDesk(joined, { maxBackoffMs: 300, requestTimeoutMs: 5_000 });
    cleanups.push(() => desk.close());
    const events: PushEvent[] = [];
    const window1 = desk.connect((e) => events.push(e));
    const me = await window1.invoke('auth.me', {});
    expect(me.ok && (me.value as Output<'auth.me'>).user.id).toBe(userId('john@teamline.demo'));
    expect(desk.status()).toEqual({ state: 'online', server: address });
    // Bad input is the server's to refuse, with its own message.
    const bad = await window1.invoke('calls.list', { limit: 'many' });
    expect(bad.ok).toBe(false);

    // The server's news for this user reaches the window.
    host.core.announce('access.changed', { kind: 'users', userIds: [userId('john@teamline.demo')] });
    await until(() => events.some((e) => e.name === 'access.changed'), 'the pushed event');

    window1.close();
    const closed = await window1.invoke('auth.me', {});
    expect(closed.ok).toBe(false);
  });

  it('shows Reconnecting while the server is away and comes back by itself', async () => {
    const tls = { key: id.key, cert: id.cert + id.ca };
    const own = await startHost({ tls, now: () => NOW });
    const ownPort = Number(new URL(own.server.url).port);
    own.core.setTeamServer({ address: `localhost:${ownPort}`, pin: id.pin });
    const conn = own.core.connect(() => {});
    await conn.invoke('auth.signIn', { login: 'morgan@teamline.demo', password: DEMO_PASSWORD });
    const made = await conn.invoke('invitations.create', {
      userId: own.core.db.prepare('SELECT id FROM users WHERE email = ?').pluck().get('peter@teamline.demo') as number,
    });
    conn.close();
    if (!made.ok) throw new Error(made.error.message);
    const joined = await joinWithInvitation((made.value as Output<'invitations.create'>).links!.app, {
      password: 'peter-desk-pass',
      deviceName: 'Desk 7',
    });
    const statuses: DeskStatus[] = [];
    const desk = startJoinedDesk(joined, { maxBackoffMs: 300, requestTimeoutMs: 8_000 });
    cleanups.push(() => desk.close());
    desk.onStatus((s) => statuses.push(s));
    const win = desk.connect(() => {});
    expect((await win.invoke('auth.me', {})).ok).toBe(true);

    const events: string[] = [];
    desk.connect((e) => events.push(e.name));
    // The server restarts: the same account and certificate answer again on the same port.
    await own.server.close();
    await until(() => desk.status().state === 'reconnecting', 'reconnecting');
    const away = desk.status();
    expect(away).toMatchObject({ state: 'reconnecting', server: `localhost:${ownPort}` });
    expect(away.state === 'reconnecting' && away.retryInSeconds).toBeGreaterThanOrEqual(1);
    const back = await startServer({ core: own.core, staticDir: own.dir, port: ownPort, tls });
    cleanups.push(async () => {
      await back.close();
      own.core.close();
      rmSync(join(own.dir, '..'), { recursive: true, force: true });
    });
    await until(() => desk.status().state === 'online', 'online again');
    expect((await win.invoke('auth.me', {})).ok).toBe(true);
    // Whatever changed while away is read again.
    expect(events).toContain('access.changed');
    expect(statuses.map((s) => s.state)).toEqual(expect.arrayContaining(['online', 'reconnecting']));
  });

  it('refuses a server that shows another certificate and says so', async () => {
    const joined = await joinWithInvitation(await invite('karey@teamline.demo'), {
      password: 'karey-desk-pass',
      deviceName: 'Desk 5',
    });
    const other = await startHost({ tls: { key: impostor.key, cert: impostor.cert + impostor.ca }, now: () => NOW });
    cleanups.push(() => other.close());
    const otherPort = Number(new URL(other.server.url).port);
    const desk = startJoinedDesk(
      { ...joined, url: `wss://localhost:${otherPort}/api`, server: `localhost:${otherPort}` },
      { maxBackoffMs: 300, requestTimeoutMs: 5_000 },
    );
    cleanups.push(() => desk.close());
    await until(() => desk.status().state === 'refused', 'refused');
    const s = desk.status();
    expect(s.state === 'refused' && s.reason).toMatch(/not the one this desktop trusts/);
    const r = await desk.connect(() => {}).invoke('auth.me', {});
    expect(!r.ok && r.error.message).toMatch(/not the one this desktop trusts/);
  });
});

describe('joining by address', () => {
  it("shows the server's certificates to compare, and joins with the confirmed one and the invitation code", async () => {
    expect(serverAddress(' https://LocalHost:8443/join ')).toBe('localhost:8443');
    expect(serverAddress('pbx.example.com')).toBe('pbx.example.com:8443');
    expect(() => serverAddress('not an address!')).toThrow(/not a server address/);

    const shown = await presentedCertificates(address);
    expect(shown.map((c) => c.fingerprint)).toContain(id.pin);
    expect(shown.find((c) => c.fingerprint === id.pin)!.isCa).toBe(true);

    const ask = await admin();
    const made = await ask('invitations.create', { userId: userId('leo@teamline.demo') });
    expect(() => linkFromParts(address, id.pin, 'short')).toThrow(/invitation code/);
    const joined = await joinWithInvitation(linkFromParts(address, id.pin, made.token), {
      password: 'leo-desk-pass-1',
      deviceName: 'Desk 3',
    });
    expect(joined).toMatchObject({ server: address, pin: id.pin, userName: expect.any(String) });
  });
});

describe("the window's own secure WebSocket to the joined server", () => {
  it('trusts the pinned chain for the server name only, and nothing else', () => {
    const leaf = id.cert;
    const ca = id.ca!;
    expect(pinnedChainTrusted('localhost', [leaf, ca], id.pin, address)).toBe(true);
    expect(pinnedChainTrusted('localhost', [leaf], id.pin, address)).toBe(false);
    // Another server's chain, a certificate for another host, a name the certificate does not carry.
    expect(pinnedChainTrusted('localhost', [impostor.cert, impostor.ca!], id.pin, address)).toBe(false);
    expect(pinnedChainTrusted('localhost', [impostor.cert, ca], id.pin, address)).toBe(false);
    expect(pinnedChainTrusted('evil.example', [leaf, ca], id.pin, 'evil.example:8443')).toBe(false);
    expect(pinnedChainTrusted('127.0.0.2', [leaf, ca], id.pin, address)).toBe(false);
    // Expired.
    const until = Date.parse(new X509Certificate(leaf).validTo);
    expect(pinnedChainTrusted('localhost', [leaf, ca], id.pin, address, until + 1000)).toBe(false);
  });

  it("speaks as the server's console to that server's host only", () => {
    expect(sipOriginFor('wss://pbx.example.com:7443/', 'PBX.example.com:8443')).toBe('https://pbx.example.com:8443');
    expect(sipOriginFor('wss://other.example.com:7443/', 'pbx.example.com:8443')).toBeNull();
    expect(sipOriginFor('ws://pbx.example.com:7443/', 'pbx.example.com:8443')).toBeNull();
    expect(sipOriginFor('https://pbx.example.com:8443/', 'pbx.example.com:8443')).toBeNull();
  });
});

describe("the chooser's requests in the main process", () => {
  it('joins from a link, keeps it, and answers bad input and a used link with a reason', async () => {
    const dir = tempDir();
    const store = createDeskStore(dir, testCipher());
    const opened: string[] = [];
    const setup = createDeskSetup(store, (j) => opened.push(j.userName), 5_000);
    const link = await invite('jasmine@teamline.demo');

    const preview = await setup.inspect(link);
    expect(preview).toMatchObject({
      ok: true,
      value: { server: address, status: 'pending', accountName: 'Teamline Demo' },
    });
    expect(await setup.join({ link, password: '', deviceName: 'Desk' })).toEqual({
      ok: false,
      message: 'Choose a password',
    });
    expect((await setup.join({ link, password: 'x', deviceName: 'D', extra: 1 })).ok).toBe(false);
    const r = await setup.join({ link, password: 'jasmine-desk-pass', deviceName: 'Front desk' });
    expect(r.ok).toBe(true);
    expect(opened).toHaveLength(1);
    expect(store.read()).toMatchObject({ mode: 'joined', server: address, pin: id.pin });
    const again = await setup.join({ link, password: 'jasmine-desk-pass', deviceName: 'Front desk' });
    expect(again.ok === false && again.message).toMatch(/already used/);

    expect(await setup.certificates('no such address!')).toMatchObject({ ok: false, message: /not a server address/ });
    const certs = await setup.certificates(`https://${address}`);
    expect(certs.ok && certs.value.certificates.map((c) => c.fingerprint)).toContain(id.pin);
  });

  it('does not use up an invitation on a computer that cannot keep the credential', async () => {
    const store = createDeskStore(tempDir(), testCipher(false));
    const setup = createDeskSetup(store, () => undefined, 5_000);
    const link = await invite('dana@teamline.demo');
    const r = await setup.join({ link, password: 'dana-desk-pass', deviceName: 'Desk' });
    expect(r.ok === false && r.message).toMatch(/keychain/);
    expect(await setup.inspect(link)).toMatchObject({ ok: true, value: { status: 'pending' } });
  });

  it('says a pin mismatch when the typed fingerprint is not the server certificate', async () => {
    const setup = createDeskSetup(createDeskStore(tempDir(), testCipher()), () => undefined, 5_000);
    const ask = await admin();
    const made = await ask('invitations.create', { userId: userId('john@teamline.demo') });
    const r = await setup.join({
      server: address,
      fingerprint: impostor.pin,
      code: made.token,
      password: 'john-desk-pass',
      deviceName: 'Desk',
    });
    expect(r.ok === false && r.message).toMatch(/not the one this desktop trusts/);
  });
});

describe('leaving the team', () => {
  it('removes this desktop on the server, forgets the credential and the server, and asks again at the next start', async () => {
    const dir = tempDir();
    const store = createDeskStore(dir, testCipher());
    const joined = await joinWithInvitation(await invite('dana@teamline.demo'), {
      password: 'dana-desk-pass',
      deviceName: 'Reception',
    });
    store.saveJoined(joined);
    const desk = startJoinedDesk(joined, { maxBackoffMs: 300, requestTimeoutMs: 5_000 });
    const win = desk.connect(() => {});
    expect((await win.invoke('auth.me', {})).ok).toBe(true);

    expect(await leaveTeam({ desk, deviceId: joined.deviceId, store })).toEqual({ removedOnServer: true });
    expect(store.read()).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
    const ask = await admin();
    const devices = await ask('devices.list', { userId: userId('dana@teamline.demo') });
    expect(devices.find((d) => d.id === joined.deviceId)?.revokedAt).not.toBeNull();
    // The credential is worth nothing now, even to someone who copied it.
    const again = startJoinedDesk(joined, { maxBackoffMs: 300, requestTimeoutMs: 3_000 });
    cleanups.push(() => again.close());
    await until(() => again.status().state === 'refused', 'the refusal');
  });

  it('leaves even when the server is out of reach', async () => {
    const dir = tempDir();
    const store = createDeskStore(dir, testCipher());
    const joined = await joinWithInvitation(await invite('omar@teamline.demo'), {
      password: 'omar-desk-pass',
      deviceName: 'Home',
    });
    store.saveJoined(joined);
    // Pointed at a port nothing answers on: never online.
    const away = startJoinedDesk({ ...joined, url: 'wss://localhost:1/api' }, { maxBackoffMs: 300 });
    expect(await leaveTeam({ desk: away, deviceId: joined.deviceId, store }, 500)).toEqual({
      removedOnServer: false,
    });
    expect(store.read()).toBeNull();
    const ask = await admin();
    const devices = await ask('devices.list', { userId: userId('omar@teamline.demo') });
    expect(devices.find((d) => d.id === joined.deviceId)?.revokedAt).toBeNull();
  });
});

describe('a CSV export on a joined desktop', () => {
  it('downloads, pinned and with the device credential, the export it prepared on the server, and no other', async () => {
    const joined = await joinWithInvitation(await invite('leo@teamline.demo'), {
      password: 'leo-desk-pass',
      deviceName: 'Office',
    });
    const desk = startJoinedDesk(joined, { maxBackoffMs: 300, requestTimeoutMs: 5_000 });
    cleanups.push(() => desk.close());
    const win = desk.connect(() => {});
    const prepared = await win.invoke('exports.prepare', { kind: 'calls', filter: {} });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const ticket = prepared.value as Output<'exports.prepare'>;

    // Another desktop of the team cannot take it.
    const other = await joinWithInvitation(await invite('karey@teamline.demo'), {
      password: 'karey-desk-pass',
      deviceName: 'Front',
    });
    const dir = tempDir();
    const second = await win.invoke('exports.prepare', { kind: 'calls', filter: {} });
    if (!second.ok) throw new Error(second.error.message);
    const stolen = await downloadExport({
      joined: other,
      token: (second.value as Output<'exports.prepare'>).token,
      path: join(dir, 'stolen.csv'),
      cancelled: () => false,
    });
    expect(stolen).toMatchObject({ state: 'failed', message: expect.stringMatching(/expired or is not yours/) });
    expect(existsSync(join(dir, 'stolen.csv'))).toBe(false);

    const path = join(dir, 'calls.csv');
    const done = await downloadExport({ joined, token: ticket.token, path, cancelled: () => false });
    expect(done).toMatchObject({ state: 'done', file: path });
    const csv = readFileSync(path, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const visible = await win.invoke('calls.list', { limit: 1 });
    expect(visible.ok).toBe(true);
    // The same rows the console lists for Leo, one per record.
    expect(done.rows).toBeGreaterThan(0);
    expect(csv.split('\n')[0]).toMatch(/^\uFEFF.+,.+/);

    // A ticket is used once.
    const again = await downloadExport({
      joined,
      token: ticket.token,
      path: join(dir, 'again.csv'),
      cancelled: () => false,
    });
    expect(again.state).toBe('failed');
  });

  it('counts records, not line ends inside quoted fields', () => {
    const count = recordCounter();
    count('a,b\n"x\ny",1\n');
    expect(count('"z",2\n')).toBe(3);
  });
});
