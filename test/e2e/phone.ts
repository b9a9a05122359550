import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startSipp, type SippOptions } from '../integration/sip/sipp';
import { signIn } from './helpers';
import { E2E_DIR, E2E_PEER_PORT, E2E_PHONE } from './paths';

/** A demo user signed in in a browser context of their own, with the softphone registered. */
export async function phoneOf(browser: Browser, key: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, key);
  await expect(page.getByRole('button', { name: 'Open phone (Ready)' })).toBeVisible({ timeout: 10_000 });
  return page;
}

/** The phone panel, opened. */
export async function openPhone(page: Page): Promise<Locator> {
  const panel = page.getByRole('dialog', { name: 'Phone' });
  if (!(await panel.isVisible())) await page.getByRole('button', { name: /^Open phone/ }).click();
  await expect(panel).toBeVisible();
  return panel;
}

export async function dial(page: Page, to: string): Promise<Locator> {
  const panel = await openPhone(page);
  await panel.getByLabel('Number or extension').fill(to);
  await panel.getByRole('button', { name: 'Call', exact: true }).click();
  return panel;
}

/** The card of the call with someone, in the open phone panel. */
export const lineWith = (panel: Locator, who: string | RegExp) =>
  panel.getByRole('group', { name: typeof who === 'string' ? `Call with ${who}` : who });

/** Answers the ringing call from the incoming-call card (the panel closed) or the panel's line. */
export async function answer(page: Page, from: string): Promise<Locator> {
  const card = page.getByRole('alertdialog', { name: `Incoming call from ${from}` });
  await expect(card).toBeVisible({ timeout: 10_000 });
  await card.getByRole('button', { name: 'Answer' }).click();
  return openPhone(page);
}

/** Opens the newest call of the history whose list entry matches `name`, and returns its path. */
export async function callPath(page: Page, name: RegExp): Promise<Locator> {
  await page.goto('/#/calls');
  await page.getByRole('button', { name }).first().click();
  return page.getByRole('region', { name: 'Call details' }).getByLabel('Call path');
}

/** The outside world calling in: sipp on the trunk (the peer's address and port) of the e2e host's proxy. */
export function outsideCaller(o: Omit<SippOptions, 'remote' | 'localPort'>) {
  const phone = JSON.parse(readFileSync(E2E_PHONE, 'utf8')) as { sipPort: number };
  return startSipp(E2E_DIR, { ...o, localPort: E2E_PEER_PORT, remote: `127.0.0.1:${phone.sipPort}` });
}
