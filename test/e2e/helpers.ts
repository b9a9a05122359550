import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'teamline-demo';

/** Signs in through the sign-in screen as a demo user (email like john@teamline.demo). */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email or extension').fill(`${key}@teamline.demo`);
  await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
}

/** Screenshots kept for the README live in docs/screenshots. */
export const shot = (page: Page, name: string) => page.screenshot({ path: `docs/screenshots/${name}.png` });
