import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatE164 } from '../../src/shared/phone';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium';
import { createLab, netnsUnavailable, type Lab } from '../support/netns';
import { startNetnsServer, type NetnsServer } from '../support/netns-server';
import { DEMO_PASSWORD } from './helpers';
import { answer, dial, lineWith, openPhone } from './phone';

/**
 * The team server across a real network: the server in a network namespace
 * of its own on a private subnet, each desk's Chromium in another (its
 * executable is `ip netns exec <desk> chromium`), so pages, secure
 * WebSocket and the calls' media all cross veths and a bridge. The test's
 * own namespace cannot reach that subnet at all. The browsers trust the
 * server's own certificate by its public-key pin, as an admin would hand it
 * to a managed browser; no certificate errors are ignored wholesale.
 */

const unavailable = netnsUnavailable();
test.skip(unavailable !== null, `network namespaces: ${unavailable}`);
test.describe.configure({ timeout: 150_000 });

const root = resolve(import.meta.dirname, '../..');
const HTTPS = 8443;
let lab: Lab;
let dir = '';
let base = '';
let server: NetnsServer | null = null;
let spki = '';
const browsers = new Map<string, Browser>();

async function startServer() {
  server = await startNetnsServer(lab, 'srv', join(dir, 'server.json'));
}

async function stopServer() {
  const s = server;
  server = null;
  await s?.stop();
}

test.beforeAll(async () => {
  lab = createLab(['srv', 'desk1', 'desk2', 'desk3']);
  dir = mkdtempSync(join(tmpdir(), 'teamline-e2e-netns-'));
  const srv = lab.addr('srv');
  base = `https://${srv}:${HTTPS}`;
  writeFileSync(
    join(dir, 'server.json'),
    JSON.stringify({
      dataDir: join(dir, 'data'),
      publicName: srv,
      listen: { host: srv, httpsPort: HTTPS },
      sip: { wssPort: 7443, tlsPort: 5061 },
      media: { portMin: 30000, portMax: 30099 },
      consoleDir: join(root, 'out', 'renderer'),
      demo: true,
      drainSeconds: 0,
    }),
  );
  await startServer();
  const cert = new X509Certificate(readFileSync(join(dir, 'data', 'tls', 'server.pem')));
  spki = createHash('sha256')
    .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
});

test.afterAll(async () => {
  for (const b of browsers.values()) await b.close().catch(() => {});
  await stopServer();
  lab?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A Chromium whose every socket lives in the desk's namespace. */
async function browserAt(deskName: string): Promise<Browser> {
  const known = browsers.get(deskName);
  if (known) return known;
  const script = join(dir, `chromium-${deskName}.sh`);
  const [ip, args] = lab.wrap(deskName, [CHROMIUM_PATH]);
  writeFileSync(script, `#!/bin/sh\nexec ${ip} ${args.join(' ')} "$@"\n`);
  chmodSync(script, 0o755);
  const browser = await chromium.launch({
    executablePath: script,
    args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spki}`],
  });
  browsers.set(deskName, browser);
  return browser;
}

/** A demo user at a desk, signed in to the server's console, softphone registered; its peer connections kept for getStats. */
async function deskOf(deskName: string, key: string): Promise<Page> {
  const context = await (await browserAt(deskName)).newContext({ baseURL: base });
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const all: RTCPeerConnection[] = [];
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        all.push(this);
      }
    };
  });
  const page = await context.newPage();
  await page.goto('/');
  expect(page.url()).toBe(`${base}/`);
  await page.getByLabel('Email or extension').fill(`${key}@teamline.demo`);
  await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open phone (Ready)' })).toBeVisible({ timeout: 15_000 });
  return page;
}

/** Audio bytes received so far over all of the page's peer connections. */
const audioIn = (page: Page) =>
  page.evaluate(async () => {
    let bytes = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: { type: string; kind?: string; bytesReceived?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') bytes += s.bytesReceived ?? 0;
      });
    }
    return bytes;
  });

const db = () => new Database(join(dir, 'data', 'teamline.db'), { readonly: true, fileMustExist: true });

test('two desks in two namespaces call each other over the server with audio both ways; the call lands in both histories', async () => {
  const john = await deskOf('desk1', 'john');
  const peter = await deskOf('desk2', 'peter');
  const johnPanel = await dial(john, '101');
  const peterPanel = await answer(peter, 'John Smith');
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Connected');
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText('Connected');

  // Media crossed the namespaces both ways: each side keeps receiving audio.
  for (const p of [john, peter]) {
    const first = await audioIn(p);
    await expect.poll(() => audioIn(p), { timeout: 5_000 }).toBeGreaterThan(first + 1000);
  }

  await lineWith(johnPanel, 'Peter Jones').getByRole('button', { name: 'Hang up' }).click();
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Call ended');
  for (const p of [john, peter]) {
    await p.goto('/#/calls');
    await expect(p.getByRole('button', { name: /John Smith → Peter Jones/ }).first()).toBeVisible();
  }
  for (const p of [john, peter]) await p.context().close();
});

test('an Administrator at a third desk removes an Agent’s outbound number; the Agent’s open dialer follows within a second', async () => {
  const d = db();
  const omarId = d.prepare("SELECT id FROM users WHERE email = 'omar@teamline.demo'").pluck().get() as number;
  const granted = d
    .prepare(
      `SELECT b.label, b.e164 FROM user_numbers n JOIN business_numbers b ON b.id = n.bn_id
        WHERE n.user_id = ? AND n.kind = 'call' ORDER BY b.id`,
    )
    .all(omarId) as { label: string; e164: string }[];
  d.close();
  expect(granted.length).toBe(2);
  const optionName = (n: { label: string; e164: string }) => `${n.label} · ${formatE164(n.e164)}`;

  const omar = await deskOf('desk1', 'omar');
  const panel = await openPhone(omar);
  await panel.getByRole('combobox', { name: 'Call from' }).click();
  await expect(omar.getByRole('option')).toHaveText(granted.map(optionName));
  await omar.keyboard.press('Escape');

  const admin = await deskOf('desk3', 'morgan');
  await admin.goto(`/#/team/${omarId}`);
  const outbound = admin.getByRole('dialog').getByRole('group', { name: 'Outbound call numbers' });
  await outbound.getByRole('checkbox', { name: formatE164(granted[1]!.e164) }).uncheck();
  await admin.getByRole('dialog').getByRole('button', { name: 'Save settings' }).click();
  await expect(admin.getByText('Omar Haddad’s settings saved.')).toBeVisible();

  await panel.getByRole('combobox', { name: 'Call from' }).click();
  await expect(omar.getByRole('option')).toHaveText([optionName(granted[0]!)], { timeout: 1_000 });
  await omar.keyboard.press('Escape');
  for (const p of [omar, admin]) await p.context().close();
});

test('the server restarts mid-session: each open window shows Reconnecting, comes back signed in without a reload, its lists work and its phone registers again', async () => {
  // Browser sessions are kept in the data directory across a restart (docs/deployment.md, "Health, logs, stopping").
  const john = await deskOf('desk1', 'john');
  const peter = await deskOf('desk2', 'peter');
  for (const p of [john, peter]) await p.evaluate(() => ((window as unknown as { __same: boolean }).__same = true));

  await stopServer();
  for (const p of [john, peter]) {
    await expect(p.getByRole('status').filter({ hasText: 'Reconnecting…' })).toBeVisible({ timeout: 15_000 });
    await expect(p.getByRole('button', { name: 'Open phone (Ready)' })).toHaveCount(0);
  }
  await startServer();
  for (const p of [john, peter]) {
    await expect(p.getByText('Reconnecting…')).toHaveCount(0, { timeout: 30_000 });
    await expect(p.getByRole('button', { name: 'Open phone (Ready)' })).toBeVisible({ timeout: 30_000 });
    // Still signed in, and the same document: no sign-in form, no reload.
    await expect(p.getByRole('navigation', { name: 'Sections' })).toBeVisible();
    await expect(p.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
    expect(await p.evaluate(() => (window as unknown as { __same?: boolean }).__same)).toBe(true);
  }
  // Lists are read from the restarted server, in the same page (the router, not a navigation).
  await john.evaluate(() => (location.hash = '#/calls'));
  await expect(john.getByRole('button', { name: / → / }).first()).toBeVisible({ timeout: 10_000 });
  expect(await john.evaluate(() => (window as unknown as { __same?: boolean }).__same)).toBe(true);
  const johnPanel = await dial(john, '101');
  const peterPanel = await answer(peter, 'John Smith');
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText('Connected');
  await lineWith(johnPanel, 'Peter Jones').getByRole('button', { name: 'Hang up' }).click();
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Call ended');
  for (const p of [john, peter]) await p.context().close();
});
