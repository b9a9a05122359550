import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium';
import { createLab, netnsUnavailable, type Lab } from '../support/netns';
import { startNetnsServer, startNetnsTurn, type NetnsServer, type NetnsTurn } from '../support/netns-server';
import { DEMO_PASSWORD } from './helpers';
import { answer, dial, lineWith } from './phone';

/**
 * Two desks that reach the team server but not each other — each on a link
 * of its own to the server's namespace, which does not forward (a "star"
 * lab) — as two home workers behind different NATs are. Softphones send
 * their media to each other directly, so the only path for it is the TURN
 * server (Debian's coturn, beside the team server) that the team server
 * names in `turn`, with a shared secret from which it gives each signed-in
 * softphone credentials of its own. The call must connect with audio both
 * ways, over a candidate pair of type "relay" at both ends, and the pages
 * never see the secret.
 */

const coturnMissing = (() => {
  try {
    accessSync('/usr/bin/turnserver', constants.X_OK);
    return null;
  } catch {
    return 'coturn is not installed (apt-get install coturn)';
  }
})();
const unavailable = netnsUnavailable() ?? coturnMissing;
test.skip(unavailable !== null, `TURN across namespaces: ${unavailable}`);
test.describe.configure({ timeout: 150_000 });

const root = resolve(import.meta.dirname, '../..');
const HTTPS = 8443;
const SECRET = randomBytes(24).toString('hex');
let lab: Lab;
let dir = '';
let base = '';
let server: NetnsServer | null = null;
let turn: NetnsTurn | null = null;
let spki = '';
const browsers: Browser[] = [];

test.beforeAll(async () => {
  // A first start seeds the demo account: slow on a busy machine.
  test.setTimeout(240_000);
  lab = createLab(['srv', 'desk1', 'desk2'], { topology: 'star' });
  dir = mkdtempSync(join(tmpdir(), 'teamline-e2e-turn-'));
  const srv = lab.addr('srv');
  base = `https://${srv}:${HTTPS}`;
  turn = await startNetnsTurn(lab, 'srv', dir, SECRET);
  // The secret in a file of its own, as an admin keeps it beside coturn's.
  writeFileSync(join(dir, 'turn-secret'), `${SECRET}\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, 'server.json'),
    JSON.stringify({
      dataDir: join(dir, 'data'),
      publicName: srv,
      listen: { host: srv, httpsPort: HTTPS },
      sip: { wssPort: 7443, tlsPort: 5061 },
      media: { portMin: 30000, portMax: 30099 },
      turn: { urls: [turn.url], sharedSecretFile: 'turn-secret', ttlSeconds: 3600 },
      consoleDir: join(root, 'out', 'renderer'),
      demo: true,
      drainSeconds: 0,
    }),
  );
  server = await startNetnsServer(lab, 'srv', join(dir, 'server.json'));
  const cert = new X509Certificate(readFileSync(join(dir, 'data', 'tls', 'server.pem')));
  spki = createHash('sha256')
    .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
});

test.afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  await server?.stop();
  await turn?.stop();
  lab?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A Chromium whose every socket lives in the desk's namespace. */
async function browserAt(desk: string): Promise<Browser> {
  const script = join(dir, `chromium-${desk}.sh`);
  const [ip, args] = lab.wrap(desk, [CHROMIUM_PATH]);
  writeFileSync(script, `#!/bin/sh\nexec ${ip} ${args.join(' ')} "$@"\n`);
  chmodSync(script, 0o755);
  const browser = await chromium.launch({
    executablePath: script,
    args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spki}`],
  });
  browsers.push(browser);
  return browser;
}

/** A demo user at a desk, signed in, softphone registered; its peer connections and their configurations kept. */
async function deskOf(desk: string, key: string): Promise<Page> {
  const context = await (await browserAt(desk)).newContext({ baseURL: base });
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __configs: RTCConfiguration[] };
    w.__pcs = [];
    w.__configs = [];
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        w.__pcs.push(this);
        w.__configs.push(JSON.parse(JSON.stringify(config ?? {})) as RTCConfiguration);
      }
    };
  });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Email or extension').fill(`${key}@teamline.demo`);
  await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Open phone (Ready)' })).toBeVisible({ timeout: 15_000 });
  return page;
}

/** Audio bytes received so far, and the candidate types of each live connection's selected pair. */
const media = (page: Page) =>
  page.evaluate(async () => {
    let bytes = 0;
    const pairs: { local: string; remote: string }[] = [];
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      for (const s of stats.values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') bytes += (s.bytesReceived as number) ?? 0;
        if (s.type === 'transport' && s.selectedCandidatePairId) {
          const pair = stats.get(s.selectedCandidatePairId as string)!;
          pairs.push({
            local: stats.get(pair.localCandidateId as string)?.candidateType as string,
            remote: stats.get(pair.remoteCandidateId as string)?.candidateType as string,
          });
        }
      }
    }
    return { bytes, pairs };
  });

/** Whether a UDP datagram from one namespace can leave for an address (ENETUNREACH when there is no route). */
function udpFrom(role: string, to: string): string {
  const [cmd, args] = lab.wrap(role, [
    process.execPath,
    '-e',
    `const s = require('dgram').createSocket('udp4'); s.on('error', (e) => { console.log(e.code); process.exit(0); });
     s.send('x', 9, ${JSON.stringify(to)}, (e) => { console.log(e ? e.code : 'sent'); process.exit(0); });`,
  ]);
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 }).stdout.trim();
}

test('two desks that cannot reach each other call with audio both ways through the TURN relay; the pages get per-user credentials, never the secret', async () => {
  // The desks reach the server, not each other.
  expect(udpFrom('desk1', lab.addr('srv'))).toBe('sent');
  expect(udpFrom('desk1', lab.addr('desk2'))).toBe('ENETUNREACH');
  expect(udpFrom('desk2', lab.addr('desk1'))).toBe('ENETUNREACH');

  const john = await deskOf('desk1', 'john');
  const peter = await deskOf('desk2', 'peter');
  const johnPanel = await dial(john, '101');
  const peterPanel = await answer(peter, 'John Smith');
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Connected');
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText('Connected');

  for (const p of [john, peter]) {
    const first = (await media(p)).bytes;
    await expect.poll(async () => (await media(p)).bytes, { timeout: 10_000 }).toBeGreaterThan(first + 1000);
    // The path in use goes through the relay: one end of the selected pair at least is a relay candidate.
    const { pairs } = await media(p);
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) expect([pair.local, pair.remote]).toContain('relay');
  }
  expect(turn!.log()).toMatch(/ALLOCATE processed, success/);

  // What each page was given: the TURN address and a coturn REST credential of its own user, not the secret.
  const given = await Promise.all(
    [john, peter].map((p) =>
      p.evaluate(() => (window as unknown as { __configs: RTCConfiguration[] }).__configs.at(-1)?.iceServers ?? []),
    ),
  );
  const [johnServers, peterServers] = given as { urls: string[]; username: string; credential: string }[][];
  for (const servers of [johnServers!, peterServers!]) {
    expect(servers).toHaveLength(1);
    expect(servers[0]!.urls).toEqual([turn!.url]);
    expect(servers[0]!.username).toMatch(/^\d{10}:\d+-\d+$/);
    const expiry = Number(servers[0]!.username.split(':')[0]) * 1000;
    expect(expiry).toBeGreaterThan(Date.now());
    expect(expiry).toBeLessThanOrEqual(Date.now() + 3600_000 + 5_000);
    expect(JSON.stringify(servers)).not.toContain(SECRET);
  }
  expect(johnServers![0]!.username).not.toBe(peterServers![0]!.username);

  await lineWith(johnPanel, 'Peter Jones').getByRole('button', { name: 'Hang up' }).click();
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Call ended');
  for (const p of [john, peter]) await p.context().close();
});
