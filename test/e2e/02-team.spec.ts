import { expect, test } from '@playwright/test';
import { openE2eDb, userId } from './data';
import { shot, signIn } from './helpers';

const db = openE2eDb();
const bnId = (e164: string) => db.prepare('SELECT id FROM business_numbers WHERE e164 = ?').pluck().get(e164) as number;
const numbersOf = (key: string, kind: 'call' | 'sms') =>
  db
    .prepare('SELECT bn_id FROM user_numbers WHERE user_id = ? AND kind = ? ORDER BY bn_id')
    .pluck()
    .all(userId(db, key), kind) as number[];

test('Leo edits an Agent’s outbound numbers within his scope, and cannot go outside it', async ({ page }) => {
  await signIn(page, 'leo');
  await page.goto(`/#/team/${userId(db, 'john')}`);
  const card = page.getByRole('dialog', { name: 'John Smith' });
  const outbound = card.getByRole('group', { name: 'Outbound call numbers' });
  await expect(outbound.getByRole('checkbox', { name: '+1 (213) 647-2453' })).toBeChecked();
  // The Billing line is outside Leo's numbers: it is not even offered.
  await expect(card.getByRole('checkbox', { name: '+1 (415) 555-0147' })).toHaveCount(0);
  await outbound.getByRole('checkbox', { name: '+1 (332) 213-9228' }).uncheck();
  await outbound.getByRole('checkbox', { name: '+1 (888) 555-0190' }).check();
  await card.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('John Smith’s settings saved.')).toBeVisible();
  expect(numbersOf('john', 'call')).toEqual([bnId('+12136472453'), bnId('+18885550190')].sort((a, b) => a - b));
  await shot(page, 'team-user-card');
  // A Manager's own card and an Administrator's card are read-only for him.
  await page.goto(`/#/team/${userId(db, 'morgan')}`);
  await expect(page.getByRole('dialog').getByRole('button', { name: 'Save settings' })).toHaveCount(0);
});

test('an Administrator moves Jasmine to "Call flow" and her open window follows within a second', async ({
  browser,
}) => {
  const jasmineContext = await browser.newContext();
  const jasmine = await jasmineContext.newPage();
  await signIn(jasmine, 'jasmine');
  await expect(jasmine.getByText('Call access: Personal')).toBeVisible();
  // The newest "Main line" call she did not take: outside her Personal access, inside Call flow.
  const newestMainLine = db
    .prepare(
      `SELECT c.id FROM calls c JOIN call_flows f ON f.id = c.call_flow_id
        WHERE f.name = 'Main line' AND c.id NOT IN (SELECT call_id FROM call_participants WHERE user_id = ?)
        ORDER BY c.started_at DESC, c.id DESC LIMIT 1`,
    )
    .pluck()
    .get(userId(db, 'jasmine')) as number;
  await expect(jasmine.locator('[data-call-id]').first()).toBeVisible();
  await expect(jasmine.locator(`[data-call-id="${newestMainLine}"]`)).toHaveCount(0);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, 'morgan');
  await admin.goto(`/#/team/${userId(db, 'jasmine')}`);
  const card = admin.getByRole('dialog');
  await card.getByRole('radio', { name: 'Call flow' }).check();
  await card.getByRole('button', { name: 'Save settings' }).click();
  await expect(admin.getByText('Jasmine Lee’s settings saved.')).toBeVisible();

  // No reload: the push event makes her window re-read her access and her calls.
  await expect(jasmine.getByText('Call access: Call flow')).toBeVisible({ timeout: 1500 });
  await expect(jasmine.locator(`[data-call-id="${newestMainLine}"]`)).toBeVisible({ timeout: 1500 });
  await jasmineContext.close();
  await adminContext.close();
});

test('a removed SMS number vanishes from the composer of a signed-in user at once', async ({ browser }) => {
  const userContext = await browser.newContext();
  const peter = await userContext.newPage();
  await signIn(peter, 'peter');
  await peter.goto('/#/messages');
  await peter.getByRole('button', { name: 'New message' }).click();
  const from = peter.getByLabel('From', { exact: true }).and(peter.locator('input'));
  await expect(from).toHaveValue(/213\) 647-2453/);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, 'morgan');
  await admin.goto(`/#/team/${userId(db, 'peter')}`);
  const card = admin.getByRole('dialog');
  await card.getByRole('group', { name: 'SMS numbers' }).getByRole('checkbox', { name: '+1 (213) 647-2453' }).uncheck();
  await card.getByRole('button', { name: 'Save settings' }).click();
  await expect(admin.getByText('Peter Jones’s settings saved.')).toBeVisible();

  await expect(peter.getByText('You have no numbers to send messages from.')).toBeVisible({ timeout: 1500 });
  await userContext.close();
  await adminContext.close();
});

test('bad input in forms shows a clear error and saves nothing', async ({ page }) => {
  await signIn(page, 'morgan');
  const users = () => db.prepare('SELECT count(*) FROM users').pluck().get() as number;
  const before = users();
  await page.goto('/#/team');
  await page.getByRole('button', { name: 'Add user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a team member' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Nina New');
  await dialog.getByRole('textbox', { name: 'Email' }).fill('not-an-email');
  await dialog.getByRole('textbox', { name: 'Extension' }).fill('1x');
  await dialog.getByRole('textbox', { name: 'Password' }).fill('short');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog.getByText(/valid email/i).first()).toBeVisible();
  expect(users()).toBe(before);
  await shot(page, 'form-errors');
  await dialog.getByRole('textbox', { name: 'Email' }).fill('nina@teamline.demo');
  await dialog.getByRole('textbox', { name: 'Extension' }).fill('100');
  await dialog.getByRole('textbox', { name: 'Password' }).fill('a-long-password');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog.getByText(/Extension 100 is already in use|Already in use/).first()).toBeVisible();
  expect(users()).toBe(before);

  const contacts = () => db.prepare('SELECT count(*) FROM contacts').pluck().get() as number;
  const contactsBefore = contacts();
  await page.goto('/#/contacts');
  await page.getByRole('button', { name: 'Add contact' }).click();
  const form = page.getByRole('dialog');
  await form.getByRole('textbox', { name: 'Name' }).fill('Bad Number');
  await form.getByRole('textbox', { name: 'Phone' }).fill('12');
  await form.getByRole('button', { name: 'Add contact' }).click();
  await expect(form.getByText(/Enter a phone number/)).toBeVisible();
  expect(contacts()).toBe(contactsBefore);
});

test('an Administrator duplicates an Agent: the copy has their access and numbers, and its own name, email and extension', async ({
  page,
}) => {
  await signIn(page, 'morgan');
  await page.goto('/#/team');
  await page.getByRole('button', { name: 'More for Allie Garcia' }).click();
  await page.getByRole('menuitem', { name: 'Duplicate user…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Duplicate Allie Garcia' });
  await expect(dialog.getByText(/gets Allie Garcia’s role \(Agent\)/)).toBeVisible();
  // The next free extension is offered.
  const extension = await dialog.getByRole('textbox', { name: 'Extension' }).inputValue();
  expect(extension).toMatch(/^\d+$/);
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Avery Copy');
  await dialog.getByRole('textbox', { name: 'Email' }).fill('avery.copy@teamline.demo');
  await dialog.getByRole('textbox', { name: 'Password' }).fill('a-long-password');
  await dialog.getByRole('button', { name: 'Create copy' }).click();
  await expect(page.getByRole('dialog', { name: 'Avery Copy' })).toBeVisible();

  const row = (key: number) =>
    db
      .prepare('SELECT role, call_access, title, timezone, extension, email FROM users WHERE id = ?')
      .get(key) as Record<string, string>;
  const copy = db.prepare("SELECT id FROM users WHERE email = 'avery.copy@teamline.demo'").pluck().get() as number;
  const allie = userId(db, 'allie');
  const [a, c] = [row(allie), row(copy)];
  expect({ ...c, extension: undefined, email: undefined }).toEqual({ ...a, extension: undefined, email: undefined });
  expect(c.extension).toBe(extension);
  const numbers = (id: number) =>
    db.prepare('SELECT kind, bn_id FROM user_numbers WHERE user_id = ? ORDER BY kind, bn_id').all(id);
  expect(numbers(copy)).toEqual(numbers(allie));
  const groups = (id: number) =>
    db.prepare('SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id').pluck().all(id);
  expect(groups(copy)).toEqual(groups(allie));

  // The copy is deactivated again, so the rest of the suite rings the team it expects.
  await page.goto('/#/team');
  await page.getByRole('button', { name: 'More for Avery Copy' }).click();
  await page.getByRole('menuitem', { name: 'Deactivate…' }).click();
  await page
    .getByRole('dialog', { name: 'Deactivate Avery Copy?' })
    .getByRole('button', { name: 'Deactivate' })
    .click();
  await expect.poll(() => db.prepare('SELECT active FROM users WHERE id = ?').pluck().get(copy)).toBe(0);
});
