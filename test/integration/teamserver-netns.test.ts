import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { createLab, netnsUnavailable, type Lab } from '../support/netns';
import { startNetnsServer, type NetnsServer } from '../support/netns-server';

/**
 * The team server across a real network: the server in its own network
 * namespace on a private subnet, desks in others, joined by a bridge; the
 * test process itself cannot reach that subnet (an unreachable route), so
 * everything below crossed veths and the bridge. The desks' side runs in
 * test/support/netns-desk.ts inside each desk's namespace.
 */

const root = resolve(import.meta.dirname, '../..');
const unavailable = netnsUnavailable();
if (unavailable) console.warn(`skipping the network-namespace tests: ${unavailable}`);

const HTTPS = 8443;
const SIP_PLAIN = 5060;
let lab: Lab;
let dir = '';
let server: NetnsServer | null = null;
let srv = '';
let base = '';

type Outcome = { ok: boolean; name?: string; message?: string; value?: unknown; status?: unknown };

/** One action of test/support/netns-desk.ts in a desk's namespace. */
function desk(role: string, action: Record<string, unknown>): Outcome {
  const [cmd, args] = lab.wrap(role, [
    process.execPath,
    '--import',
    'tsx',
    join(root, 'test/support/netns-desk.ts'),
    JSON.stringify(action),
  ]);
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`the desk said nothing (${r.status}): ${r.stderr}`);
  return JSON.parse(line) as Outcome;
}

function adminCalls(role: string, calls: { method: string; input: unknown }[]) {
  const r = desk(role, {
    action: 'admin',
    base,
    caFile: join(dir, 'data', 'tls', 'ca.pem'),
    login: 'morgan@teamline.demo',
    password: DEMO_PASSWORD,
    calls,
  });
  if (!r.ok) throw new Error(`${r.name}: ${r.message}`);
  return (r.value as { ok: boolean; value?: unknown; error?: { message: string } }[]).map((x) => {
    if (!x.ok) throw new Error(x.error?.message);
    return x.value;
  });
}

/** Starts (or restarts) the server inside its namespace with these settings on top of the base ones. */
async function startServer(extra: { plainHttp?: 'off' | 'anywhere'; plainPort?: number | null } = {}) {
  // The browser console is the e2e spec's; here a page of its own stands in, so the test needs no build.
  mkdirSync(join(dir, 'console'), { recursive: true });
  writeFileSync(join(dir, 'console', 'index.html'), '<!doctype html><title>Teamline</title>');
  writeFileSync(
    join(dir, 'server.json'),
    JSON.stringify({
      dataDir: join(dir, 'data'),
      publicName: srv,
      listen: { host: srv, httpsPort: HTTPS, plainHttp: extra.plainHttp ?? 'off' },
      sip: { wssPort: 7443, tlsPort: 5061, plainPort: extra.plainPort ?? null },
      media: { portMin: 30000, portMax: 30099 },
      consoleDir: join(dir, 'console'),
      demo: true,
      drainSeconds: 0,
    }),
  );
  server = await startNetnsServer(lab, 'srv', join(dir, 'server.json'));
}

async function stopServer() {
  const s = server;
  server = null;
  await s?.stop();
}

describe.skipIf(unavailable !== null)('the team server across a real network (namespaces)', () => {
  beforeAll(async () => {
    lab = createLab(['srv', 'desk1', 'desk2', 'carrier']);
    srv = lab.addr('srv');
    base = `https://${srv}:${HTTPS}`;
    dir = mkdtempSync(join(tmpdir(), 'teamline-netns-'));
    await startServer();
  }, 90_000);
  afterAll(async () => {
    await stopServer();
    lab?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('is out of reach from the test process itself; only the desks reach it', () => {
    const here = spawnSync(
      process.execPath,
      [
        '-e',
        `require('net').connect(${HTTPS}, ${JSON.stringify(srv)}).on('connect', () => process.exit(0)).on('error', (e) => (console.log(e.code), process.exit(3)))`,
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    expect(here.status).toBe(3);
    expect(here.stdout).toMatch(/EHOSTUNREACH|ENETUNREACH/);
    expect(desk('desk1', { action: 'tcp', host: srv, port: HTTPS })).toMatchObject({ ok: true });
  });

  it('a desk joins with an invitation made by the Administrator at another desk; refused on a wrong fingerprint, once used, and when withdrawn', () => {
    const [jessica] = adminCalls('desk2', [{ method: 'users.list', input: {} }]) as unknown[];
    const jessicaId = (jessica as { id: number; email: string }[]).find((u) => u.email === 'jessica@teamline.demo')!.id;
    const [made, withdrawn] = adminCalls('desk2', [
      { method: 'invitations.create', input: { userId: jessicaId } },
      { method: 'invitations.create', input: { userId: jessicaId } },
    ]) as { invitation: { id: number }; links: { app: string; web: string } }[];
    expect(made!.links.app).toContain(`server=${encodeURIComponent(`${srv}:${HTTPS}`)}`);
    adminCalls('desk2', [{ method: 'invitations.revoke', input: { invitationId: withdrawn!.invitation.id } }]);

    // A fingerprint that is not the server's: refused before the token leaves the desk.
    const wrong = made!.links.web.replace(/fp=[0-9a-fA-F%:]+/, `fp=${'ab'.repeat(32)}`);
    expect(wrong).not.toBe(made!.links.web);
    const refused = desk('desk1', { action: 'join', link: wrong, password: 'jessica-desk-pass', deviceName: 'Desk 1' });
    expect(refused).toMatchObject({ ok: false, name: 'PinMismatchError' });

    const joined = desk('desk1', {
      action: 'join',
      link: made!.links.web,
      password: 'jessica-desk-pass',
      deviceName: 'Desk 1',
    });
    expect(joined).toMatchObject({ ok: true, value: { userName: 'Jessica Brown', url: `wss://${srv}:${HTTPS}/api` } });
    const again = desk('desk1', {
      action: 'join',
      link: made!.links.app,
      password: 'another-pass-1',
      deviceName: 'Desk 9',
    });
    expect(again).toMatchObject({ ok: false, message: expect.stringMatching(/already used/) });
    const gone = desk('desk1', {
      action: 'join',
      link: withdrawn!.links.app,
      password: 'another-pass-1',
      deviceName: 'D',
    });
    expect(gone.ok).toBe(false);

    const devices = adminCalls('desk2', [{ method: 'devices.list', input: { userId: jessicaId } }])[0];
    expect(devices).toMatchObject([{ name: 'Desk 1', revokedAt: null }]);
  }, 120_000);

  it('refuses plain http:// and SIP without TLS from a desk while they are off', () => {
    const http = desk('desk1', { action: 'http', url: `http://${srv}:${HTTPS}/` });
    // The HTTPS port does not speak HTTP: no page, no password could cross in clear.
    expect(http.ok && (http.status as number) < 400).toBe(false);
    expect(desk('desk1', { action: 'tcp', host: srv, port: SIP_PLAIN })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(desk('desk1', { action: 'sip-udp', host: srv, port: SIP_PLAIN, domain: srv })).toMatchObject({
      ok: false,
      message: 'no answer',
    });
  }, 60_000);

  it('the server restarts under a joined desktop, which reconnects by itself and is cut off when revoked; with plain SIP turned on by the admin, a desk gets a SIP challenge over UDP', async () => {
    const joined = desk('desk1', {
      action: 'join',
      link: (
        adminCalls('desk2', [
          {
            method: 'invitations.create',
            input: {
              userId: (
                adminCalls('desk2', [{ method: 'users.list', input: {} }])[0] as { id: number; email: string }[]
              ).find((u) => u.email === 'peter@teamline.demo')!.id,
            },
          },
        ])[0] as { links: { app: string } }
      ).links.app,
      password: 'peter-desk-pass',
      deviceName: 'Desk 1',
    });
    expect(joined.ok).toBe(true);
    const [cmd, args] = lab.wrap('desk1', [
      process.execPath,
      '--import',
      'tsx',
      join(root, 'test/support/netns-desk.ts'),
      JSON.stringify({ action: 'device', joined: joined.value }),
    ]);
    const watcher = spawn(cmd, args, { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    const seen: Record<string, unknown>[] = [];
    let buffered = '';
    watcher.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        seen.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
        buffered = buffered.slice(nl + 1);
      }
    });
    const until = async (check: () => boolean, what: string, ms = 20_000) => {
      const end = Date.now() + ms;
      while (!check()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const mes = () => seen.filter((s) => s.me === 'peter@teamline.demo').length;
      await until(() => mes() === 1, 'the joined desktop signed in');

      await stopServer();
      await until(() => seen.some((s) => s.state === 'reconnecting'), 'the desktop to see the server go');
      await startServer({ plainPort: SIP_PLAIN });
      await until(() => mes() === 2, 'the desktop to reconnect to the restarted server', 30_000);

      const { domain } = adminCalls('desk2', [{ method: 'sip.credentials', input: {} }])[0] as { domain: string };
      const sip = desk('desk1', { action: 'sip-udp', host: srv, port: SIP_PLAIN, domain });
      expect(sip).toMatchObject({ ok: true, status: expect.stringMatching(/^SIP\/2\.0 401 /) });

      // Revoked by the Administrator at the other desk: cut off at once, for good.
      adminCalls('desk2', [
        { method: 'devices.revoke', input: { deviceId: (joined.value as { deviceId: number }).deviceId } },
      ]);
      await until(() => seen.some((s) => s.state === 'refused'), 'the revoked desktop to be cut off', 10_000);
    } finally {
      watcher.stdin!.end();
      const timer = setTimeout(() => watcher.kill('SIGKILL'), 5_000);
      await new Promise((r) => (watcher.exitCode !== null ? r(null) : watcher.once('exit', r)));
      clearTimeout(timer);
    }
  }, 120_000);

  it('connects a carrier over UDP in another network: failing while the plain SIP port is closed, then registered with the server’s public address as Contact', async () => {
    const carrierAddr = lab.addr('carrier');
    const messages = join(dir, 'carrier-messages.log');
    const [cmd, args] = lab.wrap('carrier', [
      'sipp',
      '-sf',
      join(root, 'test/fixtures/sip/carrier-registrar.xml'),
      '-i',
      carrierAddr,
      '-p',
      '5060',
      '-m',
      '100',
      '-nostdin',
      '-trace_msg',
      '-message_file',
      messages,
    ]);
    const carrier = spawn(cmd, args, { cwd: dir, stdio: 'ignore' });
    const state = (id: number) =>
      (
        adminCalls('desk2', [{ method: 'carrier.get', input: {} }])[0] as {
          trunks: { id: number; state: { status: string; lastAnswer: string | null } }[];
        }
      ).trunks.find((t) => t.id === id)!.state;
    const until = async (id: number, status: string, ms: number) => {
      const end = Date.now() + ms;
      for (;;) {
        const st = state(id);
        if (st.status === status) return st;
        if (Date.now() > end) throw new Error(`the trunk stayed ${JSON.stringify(st)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    try {
      await stopServer();
      await startServer();
      const [trunk] = adminCalls('desk2', [
        {
          method: 'carrier.saveTrunk',
          input: {
            name: 'Carrier',
            host: carrierAddr,
            port: 5060,
            transport: 'udp',
            registration: { username: 'office100', password: 'Tr:unk\\pw|1', realm: '', expiry: 60 },
            allowCidrs: [],
            callerIdMode: 'pai',
            callerIdPlus: true,
            role: 'preferred',
          },
        },
      ]) as [{ id: number }];
      // Without a SIP port the carrier can reach, it says so (the loopback ones would be no Contact at all).
      const closed = await until(trunk.id, 'failing', 15_000);
      expect(closed.lastAnswer).toMatch(/needs the team server’s plain SIP port/);

      await stopServer();
      await startServer({ plainPort: SIP_PLAIN });
      await until(trunk.id, 'registered', 30_000);
      const log = readFileSync(messages, 'utf8');
      const register = log.slice(log.lastIndexOf('REGISTER sip:'));
      // Sent from the public plain SIP port, naming it as the place to reach us.
      expect(register).toMatch(new RegExp(`^Via: SIP/2\\.0/UDP ${srv.replace(/\./g, '\\.')}:${SIP_PLAIN}`, 'm'));
      expect(register).toMatch(new RegExp(`^Contact: <sip:tl\\w+@${srv.replace(/\./g, '\\.')}:${SIP_PLAIN}>`, 'm'));
    } finally {
      carrier.kill('SIGKILL');
    }
  }, 120_000);

  it('serves the console over plain http:// to a desk once the admin accepts that risk', async () => {
    await stopServer();
    await startServer({ plainHttp: 'anywhere' });
    expect(desk('desk1', { action: 'http', url: `http://${srv}:${HTTPS}/` })).toMatchObject({ ok: true, status: 200 });
  }, 90_000);
});
