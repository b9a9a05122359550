import { expect, test, type Page } from '@playwright/test';
import { signIn } from './helpers';
import { E2E_PORT } from './paths';

const url = `http://127.0.0.1:${E2E_PORT}`;
const sessionCookie = async (page: Page) =>
  (await page.context().cookies(url)).filter((c) => c.name === 'teamline_session');

test('a browser whose cookie the host does not know (it restarted) shows sign-in, and signing in gives it a new id', async ({
  page,
}) => {
  // As after a restart of the host: the browser still holds a cookie nobody knows.
  const stale = 'A'.repeat(43);
  await page.context().addCookies([{ name: 'teamline_session', value: stale, url }]);
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await signIn(page, 'john');
  const after = await sessionCookie(page);
  expect(after).toHaveLength(1);
  expect(after[0]!.value).not.toBe(stale);
  expect(after[0]!.httpOnly).toBe(true);
  // The app keeps working over the socket bound to the new id, and after a reload.
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
});

test('signing out withdraws the cookie; signing in again gets a different one', async ({ page }) => {
  await signIn(page, 'leo');
  const first = (await sessionCookie(page))[0]!.value;
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(await sessionCookie(page)).toEqual([]);
  await signIn(page, 'leo');
  const second = (await sessionCookie(page))[0]!.value;
  expect(second).not.toBe(first);
});
