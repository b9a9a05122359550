import { expect, test } from '@playwright/test';
import { openE2eDb, userId } from './data';
import { signIn } from './helpers';

/**
 * The user card's "Invite to join": an Administrator makes a one-time link,
 * the invitee opens it in a browser, chooses a password and signs in; the
 * link then reads as used, and a second use is refused.
 */

const db = openE2eDb();

test('an Administrator invites Omar, who sets his own password from the link and signs in', async ({
  page,
  browser,
}) => {
  await signIn(page, 'morgan');
  await page.goto(`/#/team/${userId(db, 'omar')}`);
  const card = page.getByRole('dialog', { name: 'Omar Haddad' });
  const invite = card.getByRole('region', { name: 'Invite to join' });
  await invite.getByRole('button', { name: 'Create invitation' }).click();
  const link = invite.getByRole('textbox', { name: 'Link for a web browser' });
  await expect(link).toHaveValue(/\/join#token=[A-Za-z0-9_-]{43}$/);
  await expect(invite.getByRole('img', { name: /QR code of the invitation link for Omar Haddad/ })).toBeVisible();
  const rows = invite.getByRole('table', { name: 'Invitations for Omar Haddad' }).getByRole('row');
  await expect(rows.filter({ hasText: 'Pending' })).toHaveCount(1);
  const url = await link.inputValue();

  const omar = await browser.newPage();
  await omar.goto(url);
  await expect(omar.getByRole('heading', { name: 'Join Teamline Demo' })).toBeVisible();
  // The token leaves the address bar as soon as it is read.
  await expect.poll(() => omar.url()).not.toContain('token=');
  await omar.getByLabel('New password').fill('omar-chose-this');
  await omar.getByLabel('Repeat the password').fill('omar-chose-this');
  await omar.getByRole('button', { name: 'Set my password' }).press('Enter');
  await expect(omar.getByRole('status')).toContainText('Your password is set, Omar Haddad');
  await omar.getByRole('link', { name: 'Go to sign-in' }).click();
  await omar.getByLabel('Email or extension').fill('omar@teamline.demo');
  await omar.getByRole('textbox', { name: 'Password' }).fill('omar-chose-this');
  await omar.getByRole('button', { name: 'Sign in' }).click();
  await expect(omar.getByRole('navigation', { name: 'Sections' })).toBeVisible();

  // Used: the card says so, and the link works no more.
  await expect(rows.filter({ hasText: 'Used' })).toHaveCount(1);
  const again = await browser.newPage();
  await again.goto(url);
  await expect(again.getByRole('alert')).toContainText('already used');
  await again.close();
  await omar.close();
});
