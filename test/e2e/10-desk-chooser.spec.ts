import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { signIn } from './helpers';

/**
 * The desktop app's first run as its window shows it: the renderer with a
 * stand-in for the preload's `window.desk` (the main process's side is
 * tested in test/integration/desk-joined.test.ts). Joining with a link,
 * comparing a server's fingerprint, the demo choice, and the Reconnecting
 * banner of a joined desktop, by keyboard and for screen readers.
 */

const FP = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
const LINK = `teamline://join?server=pbx.example.com%3A8443&fp=${FP.replaceAll(':', '').toLowerCase()}&token=${'T'.repeat(43)}`;

/** The stand-in desk: records what the page asks, answers as the main process would. */
async function openDesk(page: Page, mode: 'choose' | 'joined', pendingLink: string | null = null) {
  await page.addInitScript(
    ({ mode, pendingLink, FP }) => {
      const calls: unknown[] = [];
      const statusListeners = new Set<(s: unknown) => void>();
      (window as unknown as { deskCalls: unknown[] }).deskCalls = calls;
      (window as unknown as { deskStatus: (s: unknown) => void }).deskStatus = (s) => {
        for (const l of statusListeners) l(s);
      };
      (window as unknown as { desk: unknown }).desk = {
        info: async () => ({
          mode,
          status: mode === 'joined' ? { state: 'online', server: 'pbx.example.com:8443' } : null,
          pendingLink,
          deviceName: 'front-desk-pc',
        }),
        inspect: async (link: string) => {
          calls.push(['inspect', link]);
          return {
            ok: true,
            value: {
              server: 'pbx.example.com:8443',
              status: 'pending',
              userName: 'Jessica Brown',
              accountName: 'Acme Support',
            },
          };
        },
        certificates: async (address: string) => {
          calls.push(['certificates', address]);
          return {
            ok: true,
            value: {
              server: 'pbx.example.com:8443',
              certificates: [
                { fingerprint: FP.replace('00', 'FF'), subject: 'pbx.example.com', isCa: false },
                { fingerprint: FP, subject: 'Teamline server CA', isCa: true },
              ],
            },
          };
        },
        join: async (request: unknown) => {
          calls.push(['join', request]);
          return { ok: false, message: 'The invitation was already used.' };
        },
        chooseDemo: async () => {
          calls.push(['chooseDemo']);
        },
        onStatus: (l: (s: unknown) => void) => {
          statusListeners.add(l);
          return () => statusListeners.delete(l);
        },
        onLink: () => () => undefined,
      };
    },
    { mode, pendingLink, FP },
  );
  await page.goto('/');
}
const deskCalls = (page: Page) => page.evaluate(() => (window as unknown as { deskCalls: unknown[] }).deskCalls);

test('an invitation the app was opened with is checked, and joining says the server’s reason', async ({ page }) => {
  await openDesk(page, 'choose', LINK);
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Teamline' })).toBeVisible();
  await expect(page.getByText('Jessica Brown')).toBeVisible();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  await page.getByLabel('Choose your password').fill('short');
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByText('A password has at least 8 characters.')).toBeVisible();
  await page.getByLabel('Choose your password').fill('jessica-desk-pass');
  await page.getByLabel('Password again').fill('jessica-desk-pass');
  await expect(page.getByLabel('Name of this computer')).toHaveValue('front-desk-pc');
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'already used' })).toBeVisible();
  expect(await deskCalls(page)).toContainEqual([
    'join',
    { link: LINK, password: 'jessica-desk-pass', deviceName: 'front-desk-pc' },
  ]);
});

test('a pasted link that is not one is refused before asking anyone', async ({ page }) => {
  await openDesk(page, 'choose');
  await page.getByRole('textbox', { name: 'Invitation link' }).fill('https://example.com/other');
  await page.getByRole('button', { name: 'Check invitation' }).click();
  await expect(page.getByText(/starts with teamline:\/\/join/)).toBeVisible();
  expect(await deskCalls(page)).toEqual([]);
});

test('joining by address shows the fingerprints to compare and pins the one picked', async ({ page }) => {
  await openDesk(page, 'choose');
  await page.getByRole('tab', { name: 'Server address' }).click();
  await page.getByRole('textbox', { name: 'Server address' }).fill('pbx.example.com');
  await page.getByRole('button', { name: "Show the server's fingerprint" }).click();
  const ca = page.getByRole('radio', { name: /server's own authority/ });
  await expect(ca).toBeVisible();
  await page.getByRole('radio', { name: 'None of these matches' }).check();
  await expect(page.getByRole('alert').filter({ hasText: 'will not connect' })).toBeVisible();
  await expect(page.getByLabel('Invitation code')).toHaveCount(0);

  await ca.check();
  await page.getByLabel('Invitation code').fill('C'.repeat(43));
  await page.getByLabel('Choose your password').fill('allie-desk-pass');
  await page.getByLabel('Password again').fill('allie-desk-pass');
  await page.getByRole('button', { name: 'Join' }).click();
  expect(await deskCalls(page)).toContainEqual([
    'join',
    {
      server: 'pbx.example.com:8443',
      fingerprint: FP,
      code: 'C'.repeat(43),
      password: 'allie-desk-pass',
      deviceName: 'front-desk-pc',
    },
  ]);
});

test('the demo is one click away', async ({ page }) => {
  await openDesk(page, 'choose');
  await page.getByRole('button', { name: 'Try the demo' }).click();
  await expect.poll(() => deskCalls(page)).toContainEqual(['chooseDemo']);
});

test('a joined desktop shows Reconnecting while the server is away, and the reason when refused', async ({ page }) => {
  await openDesk(page, 'joined');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Reconnecting…')).toHaveCount(0);
  const push = (s: unknown) =>
    page.evaluate((s) => (window as unknown as { deskStatus: (s: unknown) => void }).deskStatus(s), s);
  await push({ state: 'reconnecting', server: 'pbx.example.com:8443', attempt: 1, retryInSeconds: 2 });
  await expect(page.getByRole('status').filter({ hasText: 'Reconnecting…' })).toBeVisible();
  await push({ state: 'online', server: 'pbx.example.com:8443' });
  await expect(page.getByText('Reconnecting…')).toHaveCount(0);
  await push({ state: 'refused', server: 'pbx.example.com:8443', reason: 'This desktop is no longer signed in.' });
  await expect(page.getByRole('alert', { name: 'Not connected to your team' })).toBeVisible();
});

/** Serious and critical axe findings on the page (or the part of it `include` selects). */
async function axeFindings(page: Page, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  const r = await builder.analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('a joined desktop’s console is clean under axe with the Reconnecting banner, its refusal, and “Leave this team” in My settings', async ({
  page,
}) => {
  await openDesk(page, 'joined');
  await signIn(page, 'john');
  // Lists load after the page shows: let them arrive before checking it (as 05-accessibility does).
  await page.waitForLoadState('networkidle');
  const push = (s: unknown) =>
    page.evaluate((s) => (window as unknown as { deskStatus: (s: unknown) => void }).deskStatus(s), s);
  await push({ state: 'reconnecting', server: 'pbx.example.com:8443', attempt: 2, retryInSeconds: 4 });
  await expect(page.getByRole('status').filter({ hasText: 'Reconnecting…' })).toBeVisible();
  expect(await axeFindings(page)).toEqual([]);
  await push({ state: 'refused', server: 'pbx.example.com:8443', reason: 'This desktop is no longer signed in.' });
  await expect(page.getByRole('alert', { name: 'Not connected to your team' })).toBeVisible();
  expect(await axeFindings(page)).toEqual([]);
  await push({ state: 'online', server: 'pbx.example.com:8443' });

  await page.goto('/#/settings');
  await page.waitForLoadState('networkidle');
  const section = page.getByRole('region', { name: 'This computer' });
  await expect(section.getByText('pbx.example.com:8443')).toBeVisible();
  expect(await axeFindings(page)).toEqual([]);
  await section.getByRole('button', { name: 'Leave this team' }).click();
  await expect(section.getByRole('button', { name: 'Yes, leave this team' })).toBeVisible();
  expect(await axeFindings(page, 'section[aria-labelledby="leave-team-title"]')).toEqual([]);
});
