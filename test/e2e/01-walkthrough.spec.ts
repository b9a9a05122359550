import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { openE2eDb, userId } from './data';
import { shot, signIn } from './helpers';

/**
 * POLICY.md §5 through the UI: each demo user signs in and sees exactly the
 * calls they should — checked on the screen (newest rows) and in the CSV the
 * Calls page exports, which holds the whole filtered list.
 */
const db = openE2eDb();
const ids = (sql: string, ...params: unknown[]) =>
  new Set(
    db
      .prepare(sql)
      .pluck()
      .all(...params) as number[],
  );
const own = (key: string) => ids('SELECT call_id FROM call_participants WHERE user_id = ?', userId(db, key));
const group = (name: string) =>
  ids('SELECT c.id FROM calls c JOIN user_groups g ON g.id = c.group_id WHERE g.name = ?', name);
const union = (...sets: Set<number>[]) => new Set(sets.flatMap((s) => [...s]));
const newestFirst = (s: Set<number>) =>
  db
    .prepare('SELECT id FROM calls WHERE id IN (SELECT value FROM json_each(?)) ORDER BY started_at DESC, id DESC')
    .pluck()
    .all(JSON.stringify([...s])) as number[];

const expected: Record<string, () => Set<number>> = {
  john: () => union(group('Sales'), own('john')),
  peter: () => union(group('Sales'), own('peter')),
  jessica: () => union(group('Support'), own('jessica')),
  allie: () => union(group('Support'), own('allie')),
  jasmine: () => own('jasmine'),
  karey: () =>
    union(
      ids(`SELECT c.id FROM calls c JOIN call_flows f ON f.id = c.call_flow_id WHERE f.name = 'Main line'`),
      own('karey'),
    ),
  leo: () =>
    union(
      ids(
        `SELECT c.id FROM calls c JOIN business_numbers b ON b.id = c.bn_id WHERE b.e164 IN ('+12136472453', '+13322139228')`,
      ),
      own('leo'),
    ),
  morgan: () => ids('SELECT id FROM calls'),
};

async function exportedIds(page: Page): Promise<number[]> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const lines = readFileSync(file, 'utf8').trim().split('\r\n').slice(1);
  // Every cell is quoted; the call's id is the last one.
  return lines.map((l) => Number(/"(\d+)"$/.exec(l)?.[1]));
}

for (const key of Object.keys(expected)) {
  test(`${key} sees exactly the calls POLICY.md §5 gives them`, async ({ page }) => {
    await signIn(page, key);
    const want = newestFirst(expected[key]!());
    const rows = page.locator('[data-call-id]');
    await expect(rows.first()).toBeVisible();
    const onScreen = (await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-call-id'))))).slice(
      0,
      8,
    );
    expect(onScreen).toEqual(want.slice(0, onScreen.length));
    const exported = await exportedIds(page);
    expect(exported).toEqual(want);
  });
}

test('Karey opens a "Main line" call and sees the path it took', async ({ page }) => {
  await signIn(page, 'karey');
  const salesCall = [...group('Sales')].filter((id) => !own('karey').has(id));
  const callId = newestFirst(new Set(salesCall))[0]!;
  await page.locator(`[data-call-id="${callId}"]`).click();
  const details = page.getByRole('region', { name: 'Call details' });
  await expect(details.getByText('Main line').first()).toBeVisible();
  const path = details.getByLabel('Call path');
  await expect(path.getByText('Greeting played')).toBeVisible();
  await expect(path.getByText(/Menu: Pressed 1/)).toBeVisible();
  await expect(path.getByText('Rang the group Sales')).toBeVisible();
  await expect(details.getByText(/went through the call flow Main line/)).toBeVisible();
  await shot(page, 'call-path');
});

test('Leo exports his filtered calls, and the file holds exactly the calls he may see', async ({ page }) => {
  await signIn(page, 'leo');
  // The README's first picture: Leo reviewing the newest answered call of the Main line.
  const reviewed = newestFirst(
    new Set(
      [...expected.leo!()].filter(
        (id) =>
          db
            .prepare(`SELECT result = 'answered' AND call_flow_id IS NOT NULL FROM calls WHERE id = ?`)
            .pluck()
            .get(id) === 1,
      ),
    ),
  )[0]!;
  await page.locator(`[data-call-id="${reviewed}"]`).click();
  await expect(page.getByRole('region', { name: 'Call details' }).getByLabel('Call path')).toBeVisible();
  await shot(page, 'calls');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('region', { name: 'Call details' })).toHaveCount(0);
  await page.getByRole('search', { name: 'Filter calls' }).getByLabel('Result').click();
  await page.getByRole('option', { name: 'Missed' }).click();
  await expect(page.getByRole('search', { name: 'Filter calls' }).getByLabel('Result')).toHaveValue('Missed');
  await expect(page.locator('[data-call-id]').first()).toBeVisible();
  const want = newestFirst(
    new Set(
      [...expected.leo!()].filter(
        (id) => db.prepare('SELECT result FROM calls WHERE id = ?').pluck().get(id) === 'missed',
      ),
    ),
  );
  expect(await exportedIds(page)).toEqual(want);
});

test('an Agent has no Team, Billing or Numbers admin', async ({ page }) => {
  await signIn(page, 'john');
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await expect(nav.getByRole('link', { name: 'Calls' })).toBeVisible();
  for (const name of ['Team', 'Billing', 'Numbers', 'Call flows', 'Audit log', 'Account']) {
    await expect(nav.getByRole('link', { name })).toHaveCount(0);
  }
  await page.goto('/#/team');
  await expect(page.getByText('This section is not part of your access.')).toBeVisible();
});
