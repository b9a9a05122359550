import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { signIn } from './helpers';

/**
 * Call review in the console: Leo (Manager, the two Main line numbers) opens
 * the dashboard, whose figures are links: a bar of a chart lands on the calls
 * list filtered to exactly the calls it counts, and the list's count equals
 * the figure (an hour of the day: that hour's calls of every day of the
 * range, on his clock). Then a tag and a note on one of his calls, and the list
 * filtered by the tag.
 */

/** The number in a cell of the table behind a chart ("1,234" → 1234). */
const num = (s: string | null) => Number((s ?? '').replace(/[^\d]/g, ''));

async function listCount(page: Page): Promise<number> {
  const footer = page.getByText(/^(about )?[\d,]+ calls?$/);
  await expect(footer).toBeVisible();
  return num(await footer.textContent());
}

test('the dashboard counts Leo’s calls, a bar opens exactly its calls, and a tag filters the list', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'leo');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await page
    .locator('label')
    .filter({ hasText: /^7 days$/ })
    .click();
  const numbers = page.getByRole('region', { name: 'By business number' });
  await expect(numbers.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await page.waitForLoadState('networkidle');

  // Nothing serious for axe on the dashboard, in either scheme's colours as the page shows them.
  const serious = async (scheme: string) =>
    (await new AxeBuilder({ page }).analyze()).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${scheme} ${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  const found = await serious('light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.screenshot({ path: test.info().outputPath('dashboard-dark.png'), fullPage: true });
  found.push(...(await serious('dark')));
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'light');
  expect(found, found.join('\n')).toEqual([]);

  // The totals equal the list's count for the same range.
  const totals = page.getByRole('group', { name: 'Totals' });
  const total = num(await totals.getByRole('link', { name: /^Calls:/ }).textContent());
  expect(total).toBeGreaterThan(0);

  // The first row of "By business number" (the busiest), its answered segment: the table behind the chart says how many.
  const firstRow = numbers.locator('table tbody tr').first();
  const answered = num(await firstRow.locator('td').nth(1).textContent());
  expect(answered).toBeGreaterThan(0);
  await numbers.locator('.recharts-bar').first().locator('.recharts-bar-rectangle').first().click();
  await expect(page).toHaveURL(/#\/calls\?.*bnId=\d+.*result=answered/);
  await expect(page.getByRole('heading', { level: 1, name: 'Calls' })).toBeVisible();
  expect(await listCount(page)).toBe(answered);
  await expect(page.getByRole('combobox', { name: 'Result' })).toHaveValue('Answered');

  // The total links to the whole range's calls.
  await page.goBack();
  await page
    .getByRole('group', { name: 'Totals' })
    .getByRole('link', { name: /^Calls:/ })
    .click();
  expect(await listCount(page)).toBe(total);

  // The busiest hour of the day, from the table behind its chart: its calls on Leo's clock, that hour of every day.
  await page.goBack();
  const hours = page.getByRole('region', { name: 'Calls by hour of day' });
  await expect(hours.locator('table tbody tr')).toHaveCount(24);
  const perHour = await hours
    .locator('table tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => Number((r.querySelectorAll('td')[0]?.textContent ?? '').replace(/[^\d]/g, ''))),
    );
  const busiest = perHour.indexOf(Math.max(...perHour));
  expect(perHour[busiest]).toBeGreaterThan(0);
  await hours
    .locator('table tbody tr')
    .nth(busiest)
    .locator('td')
    .first()
    .getByRole('link')
    .evaluate((a) => (a as HTMLAnchorElement).click());
  await expect(page).toHaveURL(new RegExp(`#/calls\\?.*hour=${busiest}&timezone=America%2FLos_Angeles`));
  expect(await listCount(page)).toBe(perHour[busiest]);
  const hourFilter = page.getByRole('button', { name: /^Remove filter Hour: / });
  await expect(hourFilter).toHaveText(
    `Hour: ${String(busiest).padStart(2, '0')}:00–${String((busiest + 1) % 24).padStart(2, '0')}:00 (America/Los_Angeles)`,
  );
  await expect(page.getByRole('button', { name: /^Remove filter Dates: / })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('calls-by-hour.png') });
  // Taking the hour off leaves the range's calls.
  await hourFilter.click();
  await expect(hourFilter).toHaveCount(0);
  expect(await listCount(page)).toBe(total);
});

test('an Administrator creates a tag; Leo tags and notes a call and filters the list by the tag', async ({ page }) => {
  test.setTimeout(120_000);
  const tag = `Quote ${Date.now() % 100000}`;
  await signIn(page, 'morgan');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Calls' }).click();
  await page.locator('[data-call-id]').first().click();
  const details = page.getByRole('region', { name: 'Call details' });
  await details.getByRole('button', { name: 'Manage tags' }).click();
  const dialog = page.getByRole('dialog', { name: 'Call tags' });
  await dialog.getByLabel('New tag').fill(tag);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByRole('listitem').filter({ hasText: tag })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();

  await signIn(page, 'leo');
  await page.locator('[data-call-id]').first().click();
  const callId = await page.locator('[data-call-id]').first().getAttribute('data-call-id');
  const leoDetails = page.getByRole('region', { name: 'Call details' });
  await leoDetails.getByRole('combobox', { name: 'Add a tag' }).click();
  await page.getByRole('option', { name: tag }).click();
  await expect(leoDetails.getByRole('listitem').filter({ hasText: tag })).toBeVisible();
  // Unique per run: the host keeps earlier runs' notes on this call.
  const note = `Wants a quote by Friday (${tag})`;
  await leoDetails.getByRole('textbox', { name: 'New note' }).fill(note);
  await leoDetails.getByRole('button', { name: 'Add note' }).click();
  await expect(leoDetails.getByText(note)).toBeVisible();
  // Notes read oldest first: the last one is his.
  await expect(leoDetails.getByText(/ · [A-Z][a-z]{2} \d{1,2}, \d{4}/).last()).toHaveText(/^Leo Martin · /);

  // The tag's pill opens the list filtered by it: just this call.
  await leoDetails.getByRole('listitem').filter({ hasText: tag }).click();
  await expect(page).toHaveURL(/#\/calls\?tagId=\d+/);
  await expect(page.locator('[data-call-id]')).toHaveCount(1);
  await expect(page.locator('[data-call-id]').first()).toHaveAttribute('data-call-id', callId!);
  expect(await listCount(page)).toBe(1);
});
