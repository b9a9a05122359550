import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConnectionState } from '../../src/shared/api/socketBridge';
import { DEVICE_REVOKED_CLOSE, connectToServer } from '../../src/main/remote/connection';
import { PinMismatchError, fetchPinnedCertificate, normalizePin } from '../../src/main/remote/pin';
import { loadTlsIdentity, type TlsIdentity } from '../../src/main/teamserver/tls';

const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'teamline-remote-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in team server speaking the API's wire format over WSS, with a device check on the upgrade. */
interface FakeServer {
  port: number;
  sockets: Set<WebSocket>;
  received: string[];
  /** Hold replies (to see a request in flight when the connection drops). */
  hold: boolean;
  close(): Promise<void>;
}

function identity(name = 'localhost'): TlsIdentity {
  return loadTlsIdentity({ dataDir: tempDir(), publicName: name });
}

async function startFake(id: TlsIdentity, port = 0, allowed = 'dev1.secret'): Promise<FakeServer> {
  const https: Server = createServer({ cert: id.cert + id.ca, key: id.key });
  const wss = new WebSocketServer({ noServer: true });
  const fake: FakeServer = { port: 0, sockets: new Set(), received: [], hold: false, close: async () => undefined };
  https.on('upgrade', (req, socket, head) => {
    if (req.headers.authorization !== `Device ${allowed}`) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      fake.sockets.add(ws);
      ws.on('close', () => fake.sockets.delete(ws));
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { id: number; method: string };
        fake.received.push(m.method);
        if (!fake.hold) ws.send(JSON.stringify({ id: m.id, result: { ok: true, value: m.method } }));
      });
    });
  });
  await new Promise<void>((r) => https.listen(port, '127.0.0.1', r));
  fake.port = (https.address() as { port: number }).port;
  fake.close = () =>
    new Promise<void>((r) => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      https.close(() => r());
    });
  return fake;
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function joined(id: TlsIdentity, fake: FakeServer, credential = 'dev1.secret') {
  const pinnedPem = await fetchPinnedCertificate({
    host: '127.0.0.1',
    servername: 'localhost',
    port: fake.port,
    pin: id.pin,
  });
  const states: ConnectionState[] = [];
  const client = connectToServer({
    url: `wss://localhost:${fake.port}/api`,
    pin: id.pin,
    pinnedPem,
    deviceCredential: credential,
    onState: (s) => states.push(s),
    maxBackoffMs: 400,
    requestTimeoutMs: 5_000,
  });
  cleanups.push(() => client.close());
  return { client, states };
}

describe("the desktop's connection to a team server", () => {
  it('reads fingerprints as people paste them', () => {
    const pin = 'AB:'.repeat(31) + 'AB';
    expect(normalizePin(pin.toLowerCase())).toBe(pin);
    expect(normalizePin(`SHA256:${pin.replaceAll(':', ' ')}`)).toBe(pin);
    expect(normalizePin('AB:CD')).toBeNull();
    expect(normalizePin(pin.replace('AB', 'ZZ'))).toBeNull();
  });

  it('joins the pinned server, relays requests, and comes back after a server restart with a re-read', async () => {
    const id = identity();
    let fake = await startFake(id);
    cleanups.push(() => fake.close());
    const { client, states } = await joined(id, fake);
    const events: string[] = [];
    client.on((e) => events.push(e.name));
    expect(await client.invoke('auth.me', {})).toEqual({ ok: true, value: 'auth.me' });
    expect(client.state()).toEqual({ state: 'online' });

    const port = fake.port;
    await fake.close();
    await until(() => client.state().state === 'reconnecting', 'reconnecting');
    fake = await startFake(id, port);
    await until(() => client.state().state === 'online', 'online again');
    expect(states.some((s) => s.state === 'reconnecting')).toBe(true);
    expect(events).toContain('access.changed');
    expect(await client.invoke('calls.list', { limit: 10 } as never)).toEqual({ ok: true, value: 'calls.list' });
  });

  it('sends a request made while away once the server is back, and never sends one twice', async () => {
    const id = identity();
    let fake = await startFake(id);
    cleanups.push(() => fake.close());
    const { client } = await joined(id, fake);
    expect((await client.invoke('auth.me', {})).ok).toBe(true);

    fake.hold = true;
    const inFlight = client.invoke('users.setRole', { userId: 1, role: 'agent' } as never);
    await until(() => fake.received.includes('users.setRole'), 'the request on the wire');
    const port = fake.port;
    await fake.close();
    const lost = await inFlight;
    expect(lost.ok).toBe(false);
    expect(!lost.ok && lost.error.message).toMatch(/lost before the server answered/);

    const whileAway = client.invoke('contacts.list', {} as never);
    fake = await startFake(id, port);
    expect(await whileAway).toEqual({ ok: true, value: 'contacts.list' });
    expect(fake.received).toEqual(['contacts.list']);
  });

  it('refuses a server whose certificate is not the pinned one, at join and after', async () => {
    const id = identity();
    const impostorId = identity();
    const impostor = await startFake(impostorId);
    cleanups.push(() => impostor.close());
    await expect(
      fetchPinnedCertificate({ host: '127.0.0.1', servername: 'localhost', port: impostor.port, pin: id.pin }),
    ).rejects.toBeInstanceOf(PinMismatchError);

    // Joined to the real server, then the impostor answers on its address.
    const real = await startFake(id);
    const { client } = await joined(id, real);
    const port = real.port;
    await real.close();
    const swapped = await startFake(impostorId, port);
    cleanups.push(() => swapped.close());
    await until(() => client.state().state === 'refused', 'refused');
    const state = client.state();
    expect(state.state === 'refused' && state.reason).toMatch(/not the one this desktop trusts/);
    expect(swapped.received).toEqual([]);
    const r = await client.invoke('auth.me', {});
    expect(!r.ok && r.error.message).toMatch(/not the one this desktop trusts/);
  });

  it('stops when the device is refused at the door or cut off while connected', async () => {
    const id = identity();
    const fake = await startFake(id);
    cleanups.push(() => fake.close());
    const refused = await joined(id, fake, 'dev9.wrong');
    await until(() => refused.client.state().state === 'refused', 'refused at the door');
    expect(refused.states.filter((s) => s.state === 'reconnecting')).toEqual([]);

    const { client } = await joined(id, fake);
    await until(() => fake.sockets.size === 1, 'connected');
    for (const ws of fake.sockets) ws.close(DEVICE_REVOKED_CLOSE, 'device revoked');
    await until(() => client.state().state === 'refused', 'cut off');
    const state = client.state();
    expect(state.state === 'refused' && state.reason).toMatch(/no longer signed in/);
  });

  it('never speaks to a team server without TLS', () => {
    expect(() =>
      connectToServer({ url: 'ws://localhost:1/api', pin: 'x', pinnedPem: identity().cert, deviceCredential: 'd' }),
    ).toThrow(/wss:\/\/ only/);
  });
});
