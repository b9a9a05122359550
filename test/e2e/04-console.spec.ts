import { expect, test, type Page } from '@playwright/test';
import { openE2eDb, userId } from './data';
import { shot, signIn } from './helpers';

/** The console as people use it day to day: messaging, lists, filters, forms and the audit log. */
const db = openE2eDb();

/** Collects uncaught errors of the page: any one of them means the console went blank. */
function pageErrors(page: Page): Error[] {
  const errors: Error[] = [];
  page.on('pageerror', (e) => errors.push(e));
  return errors;
}

test('Jessica switches conversations, replies with a click on Send and with Enter, and leaves Messages', async ({
  page,
}) => {
  const errors = pageErrors(page);
  await signIn(page, 'jessica');
  await page.goto('/#/messages');
  const list = page.getByRole('list', { name: 'Conversations' });
  const rows = list.locator('[data-thread-id]');
  await expect(rows.nth(1)).toBeVisible();
  await rows.nth(0).click();
  await expect(page.getByRole('region', { name: 'Conversation' })).toBeVisible();
  await rows.nth(1).click();
  await expect(rows.nth(1)).toHaveAttribute('aria-current', 'true');
  // The first conversation on a number she may text from: she can reply to it.
  const reply = page.getByRole('form', { name: 'Reply' });
  let threadId = 0;
  for (let i = 0; i < 12 && threadId === 0; i++) {
    await rows.nth(i).click();
    await expect(rows.nth(i)).toHaveAttribute('aria-current', 'true');
    await expect(reply.or(page.getByText('You can read this conversation'))).toBeVisible();
    if (await reply.isVisible()) threadId = Number(await rows.nth(i).getAttribute('data-thread-id'));
  }
  expect(threadId).toBeGreaterThan(0);
  const sent = () => db.prepare('SELECT count(*) FROM messages WHERE thread_id = ?').pluck().get(threadId) as number;
  const before = sent();

  const box = reply.getByRole('textbox', { name: 'Message' });
  await box.fill('Thanks, I am on it.');
  await reply.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('region', { name: 'Conversation' }).getByText('Thanks, I am on it.')).toBeVisible();
  await expect(box).toHaveValue('');
  expect(sent()).toBe(before + 1);

  // Shift+Enter adds a line; Enter sends the two lines as one message.
  await box.fill('First line');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  await expect(box).toHaveValue('First line\nsecond line');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect.poll(sent).toBe(before + 2);
  const body = db
    .prepare('SELECT body FROM messages WHERE thread_id = ? ORDER BY id DESC LIMIT 1')
    .pluck()
    .get(threadId);
  expect(body).toBe('First line\nsecond line');

  // Ctrl+Enter sends too.
  await box.fill('And one more.');
  await box.press('Control+Enter');
  await expect.poll(sent).toBe(before + 3);

  await rows.nth(0).click();
  await expect(rows.nth(0)).toHaveAttribute('aria-current', 'true');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Calls/ }).click();
  await expect(page.getByRole('list', { name: 'Calls' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('list', { name: 'Conversations' })).toBeVisible();
  expect(errors.map((e) => e.message)).toEqual([]);
  await shot(page, 'messages');
});

test('the user card saves everything with one "Save settings", and asks before dropping unsaved changes', async ({
  page,
}) => {
  const errors = pageErrors(page);
  await signIn(page, 'morgan');
  await page.goto(`/#/team/${userId(db, 'allie')}`);
  const card = page.getByRole('dialog', { name: 'Allie Garcia' });
  await expect(card.getByRole('button', { name: /^Save/ })).toHaveText(['Save settings']);
  await card.getByRole('textbox', { name: 'Title' }).fill('Support lead');
  await card.getByRole('radio', { name: 'Call flow' }).check();
  await card.getByRole('group', { name: 'SMS numbers' }).getByRole('checkbox', { name: '+1 (213) 647-2453' }).check();
  await shot(page, 'user-card-unsaved');

  // Esc with unsaved changes asks; "Keep editing" keeps them.
  await page.keyboard.press('Escape');
  const ask = page.getByRole('dialog', { name: 'Close without saving?' });
  await expect(ask).toBeVisible();
  await ask.getByRole('button', { name: 'Keep editing' }).click();
  await expect(card.getByRole('textbox', { name: 'Title' })).toHaveValue('Support lead');

  const auditBefore = db.prepare('SELECT max(id) FROM audit_events').pluck().get() as number;
  await card.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Allie Garcia’s settings saved.')).toBeVisible();
  const allie = db.prepare('SELECT title, call_access FROM users WHERE id = ?').get(userId(db, 'allie'));
  expect(allie).toEqual({ title: 'Support lead', call_access: 'callflow' });
  expect(db.prepare('SELECT action FROM audit_events WHERE id > ? ORDER BY id').pluck().all(auditBefore)).toEqual([
    'user.settings',
    'user.callAccess',
    'user.outboundNumbers',
  ]);

  // Saved: closing asks nothing.
  await page.keyboard.press('Escape');
  await expect(card).toHaveCount(0);

  // A change that is then discarded is not saved.
  await page.goto(`/#/team/${userId(db, 'allie')}`);
  await card.getByRole('textbox', { name: 'Title' }).fill('Something else');
  await card.getByRole('button', { name: 'Close user card' }).click();
  await page
    .getByRole('dialog', { name: 'Close without saving?' })
    .getByRole('button', { name: 'Discard changes' })
    .click();
  await expect(card).toHaveCount(0);
  expect(db.prepare('SELECT title FROM users WHERE id = ?').pluck().get(userId(db, 'allie'))).toBe('Support lead');

  // The role picker opens the role comparison, built from the policy's own rules.
  await page.goto(`/#/team/${userId(db, 'allie')}`);
  await card.getByRole('button', { name: 'Compare roles' }).click();
  const compare = page.getByRole('dialog', { name: 'Compare roles' });
  const table = compare.getByRole('table', { name: 'What each role can do' });
  await expect(table.getByRole('columnheader')).toContainText(['Capability', 'Agent', 'Manager', 'Administrator']);
  const roles = table.getByRole('row', { name: /Change user roles/ });
  await expect(roles.getByRole('cell')).toHaveText([/No/, /No/, /Yes/]);
  await expect(
    table
      .getByRole('row', { name: /Create & manage call flows/ })
      .getByRole('cell')
      .nth(1),
  ).toContainText('With “Create & manage call flows”');
  await shot(page, 'compare-roles');
  expect(errors.map((e) => e.message)).toEqual([]);
});

test('a refused card names its reason and saves nothing, in people’s words', async ({ page }) => {
  await signIn(page, 'morgan');
  await page.goto(`/#/team/${userId(db, 'john')}`);
  const card = page.getByRole('dialog', { name: 'John Smith' });
  const before = db.prepare('SELECT name, title FROM users WHERE id = ?').get(userId(db, 'john'));
  await card.getByRole('textbox', { name: 'Title' }).fill('x'.repeat(81));
  await card.getByRole('radio', { name: 'Personal' }).check();
  await card.getByRole('button', { name: 'Save settings' }).click();
  await expect(card.getByText('Title can be at most 80 characters').first()).toBeVisible();
  await expect(page.getByText(/Too big|expected string/)).toHaveCount(0);
  expect(db.prepare('SELECT name, title FROM users WHERE id = ?').get(userId(db, 'john'))).toEqual(before);
  expect(db.prepare('SELECT call_access FROM users WHERE id = ?').pluck().get(userId(db, 'john'))).toBe('group');
  await card.getByRole('textbox', { name: 'Name' }).fill('');
  await card.getByRole('textbox', { name: 'Title' }).fill('Sales');
  await card.getByRole('button', { name: 'Save settings' }).click();
  await expect(card.getByText('A name is required').first()).toBeVisible();
});

test('the audit log names numbers, people and levels as the screens do', async ({ page }) => {
  await signIn(page, 'morgan');
  await page.goto('/#/audit');
  const list = page.getByRole('list', { name: 'Audit events' });
  const row = list.getByRole('listitem').filter({ hasText: "Changed Allie Garcia's outbound numbers" }).first();
  await row.getByRole('button', { name: /Show changes/ }).click();
  const changes = row.getByRole('table', { name: 'Changes' });
  await expect(changes).toContainText('SMS numbers');
  await expect(changes).toContainText('+1 (213) 647-2453');
  await expect(changes).not.toContainText(/bn ids|Bn Id/i);
  const access = list
    .getByRole('listitem')
    .filter({ hasText: "Changed Allie Garcia's call access to Call flow" })
    .first();
  await access.getByRole('button', { name: /Show changes/ }).click();
  await expect(access.getByRole('table', { name: 'Changes' })).toContainText('Calling group');
  await expect(access.getByRole('table', { name: 'Changes' })).toContainText('Call flow');
  await expect(list).not.toContainText('callflow');
  await shot(page, 'audit');
});

test('the calls list says how many calls match, and its filters offer only what can match', async ({
  page,
  browser,
}) => {
  await signIn(page, 'leo');
  await page.goto('/#/calls');
  await expect(page.getByText(/^(about )?[\d,]+ calls?$/)).toBeVisible();
  await page.getByRole('combobox', { name: 'Business number' }).click();
  const options = page.getByRole('option');
  await expect(options.first()).toBeVisible();
  await expect(options.filter({ hasText: '(415) 555-0147' })).toHaveCount(0);
  await expect(options.filter({ hasText: '(213) 647-2453' })).toHaveCount(1);
  await page.keyboard.press('Escape');

  await page.getByRole('combobox', { name: 'Direction' }).click();
  await page.getByRole('option', { name: 'Inbound' }).click();
  await page.getByRole('combobox', { name: 'Date range' }).click();
  await page.getByRole('option', { name: 'Today' }).click();
  // A narrow filter is counted exactly: the same number as the rows the list loads.
  const footer = page.getByText(/^[\d,]+ calls?$|^No calls/);
  await expect(footer.or(page.getByText('No calls match these filters'))).toBeVisible();
  await shot(page, 'calls-count');

  const context = await browser.newContext();
  const jasmine = await context.newPage();
  await signIn(jasmine, 'jasmine');
  await jasmine.goto('/#/calls');
  await jasmine.getByRole('combobox', { name: 'Group' }).click();
  await expect(jasmine.getByRole('option', { name: 'Sales' })).toHaveCount(1);
  // Personal access, or "Call flow" over Main line once 02-team has moved her: either way never Billing.
  await expect(jasmine.getByRole('option', { name: 'Billing' })).toHaveCount(0);
  await context.close();
});

test('a contact with another contact’s number asks first; a long number label stays inside the table', async ({
  page,
}) => {
  await signIn(page, 'morgan');
  await page.goto('/#/contacts');
  const contacts = () =>
    db.prepare('SELECT count(*) FROM contacts WHERE phone = ?').pluck().get('+13105550999') as number;
  for (const name of ['Ada Front', 'Bea Back']) {
    await page.getByRole('button', { name: 'Add contact' }).click();
    const form = page.getByRole('dialog', { name: 'Add contact' });
    await form.getByRole('textbox', { name: 'Name' }).fill(name);
    await form.getByRole('textbox', { name: 'Phone' }).fill('(310) 555-0999');
    await form.getByRole('button', { name: 'Add contact' }).click();
    if (name === 'Bea Back') {
      const ask = page.getByRole('dialog', { name: 'Same number as another contact' });
      await expect(ask).toContainText('+1 (310) 555-0999 is already the number of Ada Front.');
      expect(contacts()).toBe(1);
      await ask.getByRole('button', { name: 'Save anyway' }).click();
    }
    await expect(form).toHaveCount(0);
  }
  expect(contacts()).toBe(2);

  await page.goto('/#/numbers');
  const table = page.getByRole('table', { name: 'Business numbers' });
  await page.getByRole('button', { name: 'More for +1 (888) 555-0190' }).click();
  await page.getByRole('menuitem', { name: 'Change label' }).click();
  const label = 'Toll-free-line-for-the-west-coast-sales-and-support-campaigns-2026';
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox').first().fill(label);
  await dialog.getByRole('button', { name: /Save/ }).click();
  await expect(table.getByTitle(label)).toBeVisible();
  const fits = await table.evaluate((t) => t.scrollWidth <= (t.parentElement?.clientWidth ?? 0) + 1);
  expect(fits).toBe(true);
  await shot(page, 'numbers');
});

test('a ring step to a group with no members is flagged in the call flows', async ({ page }) => {
  await signIn(page, 'morgan');
  await page.goto('/#/team?tab=groups');
  await page.getByRole('button', { name: 'Edit members of Billing' }).click();
  const members = page.getByRole('dialog', { name: 'Members of Billing' });
  const input = members.getByRole('combobox', { name: 'Members' });
  await input.click();
  await input.press('Backspace');
  await input.press('Backspace');
  await page.keyboard.press('Escape');
  await members.getByRole('button', { name: 'Save members' }).click();
  await expect(members).toHaveCount(0);

  await page.goto('/#/flows');
  const row = page.getByRole('navigation', { name: 'Call flows' }).getByRole('button', { name: /Billing line/ });
  await expect(row).toContainText('Rings a group with no members: Billing');
  await row.click();
  await page.getByText('Ring Billing (30 s)').first().click();
  await expect(page.getByText(/Billing has no members: nobody's phone rings at this step/).first()).toBeVisible();
  await shot(page, 'flow-empty-group');
});
