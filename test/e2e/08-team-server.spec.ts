import { expect, test, type Browser } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/main/sip/ports';
import { DEMO_PASSWORD } from './helpers';
import { answer, dial, lineWith } from './phone';

/**
 * The team server as a browser on the LAN sees it: the console over HTTPS
 * from the server itself (its own certificate), the softphone registering
 * to its Kamailio over secure WebSocket, and a call between two browsers.
 */

test.describe.configure({ timeout: 120_000 });

const root = resolve(import.meta.dirname, '../..');
let server: ChildProcess | null = null;
let dir = '';
let base = '';

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'teamline-e2e-server-'));
  const [httpsPort, wssPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
  const mediaMin = 23000 + Math.floor(Math.random() * 60) * 100;
  writeFileSync(
    join(dir, 'server.json'),
    JSON.stringify({
      dataDir: 'data',
      publicName: 'localhost',
      listen: { host: '127.0.0.1', httpsPort },
      sip: { wssPort, tlsPort },
      media: { portMin: mediaMin, portMax: mediaMin + 99 },
      // The console as the suite's web server built it.
      consoleDir: join(root, 'out', 'renderer'),
      demo: true,
      drainSeconds: 0,
    }),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/main/teamserver/cli.ts'), '--config', join(dir, 'server.json')],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TEAMLINE_SIP_PEER: '' } },
  );
  server = child;
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('"event":"phone.listen"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the team server exited (${code}): ${out}`)));
  });
  base = `https://localhost:${httpsPort}`;
});

test.afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A demo user signed in to the team server's console, softphone ready. The browser is told to accept the server's own CA. */
async function deskOf(browser: Browser, key: string) {
  const context = await browser.newContext({ baseURL: base, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto('/');
  expect(page.url()).toMatch(/^https:\/\/localhost:\d+\//);
  await page.getByLabel('Email or extension').fill(`${key}@teamline.demo`);
  await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open phone (Ready)' })).toBeVisible({ timeout: 15_000 });
  return page;
}

test('the console over HTTPS from the team server; two browsers register over secure WebSocket and call each other', async ({
  browser,
}) => {
  const john = await deskOf(browser, 'john');
  const peter = await deskOf(browser, 'peter');
  const johnPanel = await dial(john, '101');
  const peterPanel = await answer(peter, 'John Smith');
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Connected');
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText('Connected');
  await lineWith(johnPanel, 'Peter Jones').getByRole('button', { name: 'Hang up' }).click();
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Call ended');
  // The server wrote the call into the history both consoles show.
  for (const p of [john, peter]) {
    await p.goto('/#/calls');
    await expect(p.getByRole('button', { name: /John Smith → Peter Jones/ }).first()).toBeVisible();
  }
  for (const p of [john, peter]) await p.context().close();
});
