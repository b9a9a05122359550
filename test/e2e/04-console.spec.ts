import { expect, test, type Page } from '@playwright/test';
import { openE2eDb } from './data';
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
  const threadId = Number(await rows.nth(1).getAttribute('data-thread-id'));
  await expect(rows.nth(1)).toHaveAttribute('aria-current', 'true');
  const sent = () => db.prepare('SELECT count(*) FROM messages WHERE thread_id = ?').pluck().get(threadId) as number;
  const before = sent();

  const reply = page.getByRole('form', { name: 'Reply' });
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
