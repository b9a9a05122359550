import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { freePort } from '../../src/main/sip/ports';
import { received, startSipp, type SippRun } from '../integration/sip/sipp';
import { shot, signIn } from './helpers';
import { E2E_DIR } from './paths';
import { dial, phoneOf } from './phone';

/**
 * Numbers → Carrier, end to end: an Administrator adds a trunk pointing at a
 * carrier (sipp: a registrar that challenges with 401, and takes calls with
 * a 407 challenge), sees it turn "Registered" without reloading, tests it,
 * and a softphone's call to an outside number reaches the carrier. A call to
 * 911 reaches it too, and the Administrator's console shows the notice until
 * acknowledged. The trunk is removed at the end, so later tests call the
 * configured peer as before.
 */

test.use({ colorScheme: 'light' });

const PASSWORD = 'Tr:unk\\pw|1';
const CUSTOMER = '+13105550100';

/** axe-core's serious and critical findings, for the page or a part of it. */
async function axe(page: Page, where: string, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  const r = await builder.analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

let carrier: SippRun | null = null;
test.afterAll(() => carrier?.kill());

const invitesTo = (to: string) =>
  received(carrier?.messages() ?? '', 'INVITE').filter((m) => m.startsWith(`INVITE sip:${to}@`));

test('an Administrator connects a carrier: the trunk registers, a softphone’s call and a 911 call reach it, the 911 notice is acknowledged', async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  const port = await freePort('127.0.0.1', true);
  carrier = await startSipp(E2E_DIR, { scenario: 'carrier-e2e.xml', localPort: port, calls: 50, timeoutSeconds: 140 });

  await signIn(page, 'morgan');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Carrier' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Carrier' })).toBeVisible();
  await page.getByRole('button', { name: 'Add a trunk' }).click();
  const form = page.getByRole('dialog', { name: 'Add a trunk' });
  const found = await axe(page, 'trunk form', '[role="dialog"]');
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Carrier A');
  await form.getByRole('textbox', { name: 'SIP server' }).fill('sip carrier');
  await form.getByRole('textbox', { name: 'Port' }).fill(String(port));
  await form.getByRole('textbox', { name: 'User name', exact: true }).fill('office100');
  await form.locator('input[type="password"]').fill(PASSWORD);
  await form.getByRole('textbox', { name: /Registration expiry/ }).fill('60');
  await form.getByRole('button', { name: 'Add trunk' }).click();
  // The main process's check, under its field.
  await expect(form.getByText('Enter a host name such as sip.carrier.example or an IPv4 address')).toBeVisible();
  found.push(...(await axe(page, 'trunk form with an error', '[role="dialog"]')));
  await form.getByRole('textbox', { name: 'SIP server' }).fill('127.0.0.1');
  await form.getByRole('button', { name: 'Add trunk' }).click();
  await expect(form).toBeHidden();

  // Registered, without a reload: the page follows carrier.changed.
  const row = page.getByTestId('trunk-Carrier A');
  await expect(row.getByText('Registered', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(row).toContainText('Preferred');
  expect(received(carrier.messages(), 'REGISTER').length).toBeGreaterThanOrEqual(2);

  // The Test button registers again and says how it went.
  await row.getByRole('button', { name: 'Test Carrier A' }).click();
  await expect(page.getByText('Test of Carrier A: Registered')).toBeVisible({ timeout: 20_000 });

  // The password never comes back to the page.
  await row.getByRole('button', { name: 'More for Carrier A' }).click();
  await page.getByRole('menuitem', { name: 'Edit…' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit the trunk Carrier A' });
  await expect(edit.locator('input[type="password"]')).toHaveValue('');
  await expect(edit.locator('input[type="password"]')).toHaveAttribute('placeholder', 'saved — type to replace');
  await edit.getByRole('button', { name: 'Cancel' }).click();
  await page.mouse.move(0, 0);
  await shot(page, 'carrier');
  found.push(...(await axe(page, 'carrier page (light)')));
  await page.emulateMedia({ colorScheme: 'dark' });
  found.push(...(await axe(page, 'carrier page (dark)')));
  await page.emulateMedia({ colorScheme: 'light' });

  // A softphone's call to an outside number goes out through the carrier, answering its 407.
  const john = await phoneOf(browser, 'john');
  try {
    const panel = await dial(john, CUSTOMER);
    await expect.poll(() => invitesTo(CUSTOMER).length, { timeout: 20_000 }).toBe(2);
    expect(invitesTo(CUSTOMER)[1]).toMatch(/^Proxy-Authorization: Digest username="office100"/m);
    await expect(panel.getByText('Connected').first()).toBeVisible({ timeout: 15_000 });
    await panel.getByRole('button', { name: 'Hang up' }).click();

    // 911 from the same phone reaches the carrier, and the Administrator is told at once.
    await dial(john, '911');
    await expect.poll(() => invitesTo('911').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    const notice = page.getByRole('alert', { name: 'Emergency call to 911' });
    await expect(notice).toBeVisible({ timeout: 15_000 });
    await expect(notice).toContainText('John Smith (extension 100) dialled 911');
    found.push(...(await axe(page, 'emergency notice', '[data-testid="emergency-notice"]')));
    await notice.getByRole('button', { name: /^Acknowledge/ }).click();
    await expect(notice).toBeHidden();
    const hang = panel.getByRole('button', { name: 'Hang up' });
    if (await hang.isVisible()) await hang.click();
  } finally {
    await john.context().close();
  }

  // Removing the trunk: outside calls go back to the configured peer.
  await row.getByRole('button', { name: 'More for Carrier A' }).click();
  await page.getByRole('menuitem', { name: 'Remove…' }).click();
  await page
    .getByRole('dialog', { name: 'Remove the trunk Carrier A?' })
    .getByRole('button', { name: 'Remove trunk' })
    .click();
  await expect(row).toBeHidden();

  // Numbers → Add numbers: pasted numbers read before anything is saved.
  await page.goto('/#/numbers');
  await page.getByRole('button', { name: 'Add numbers' }).click();
  const add = page.getByRole('dialog', { name: 'Add numbers from your carrier' });
  await add.getByRole('textbox', { name: 'Numbers' }).fill('+1 206 555 0101\n(206) 555-0101\n+1 213 647 2453\nhello');
  await expect(add.getByRole('table', { name: 'Numbers read from the list' })).toContainText('Repeated: added once');
  await expect(add).toContainText('Already yours');
  await expect(add).toContainText('One line is not a phone number');
  found.push(...(await axe(page, 'add numbers', '[role="dialog"]')));
  await add.getByRole('button', { name: 'Cancel' }).click();
  expect(found).toEqual([]);
});
