import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { openE2eDb, userId } from './data';
import { signIn } from './helpers';
import { answer, dial, lineWith, phoneOf } from './phone';

/**
 * Call review with recordings: Leo (Manager over the two Main line numbers)
 * opens a recorded call on his numbers, plays it (the time advances, and the
 * audit log has it), adds a note and a tag, filters the calls list by the
 * tag, and the dashboard filtered by the same tag counts the same calls.
 */

const num = (s: string | null) => Number((s ?? '').replace(/[^\d]/g, ''));

async function listCount(page: Page): Promise<number> {
  const footer = page.getByText(/^(about )?[\d,]+ calls?$/);
  await expect(footer).toBeVisible();
  return num(await footer.textContent());
}

async function seriousAxe(page: Page, include: string): Promise<string[]> {
  const r = await new AxeBuilder({ page }).include(include).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('Leo plays a recording of a call on his numbers, notes and tags it, and the tag’s list and dashboard agree', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const db = openE2eDb();
  const leo = userId(db, 'leo');
  // A recording the demo seeded (several seconds long): the suite's earlier
  // calls on the Main line are recorded too, some for well under a second.
  const { callId, recordingId } = db
    .prepare(
      `SELECT r.call_id AS callId, r.id AS recordingId FROM recordings r JOIN calls c ON c.id = r.call_id
        JOIN business_numbers b ON b.id = c.bn_id
       WHERE b.e164 IN ('+12136472453', '+13322139228') AND r.path LIKE 'recordings/demo/%'
       ORDER BY c.started_at DESC LIMIT 1`,
    )
    .get() as { callId: number; recordingId: number };
  expect(callId).toBeGreaterThan(0);
  const tag = `Recorded ${Date.now() % 100000}`;

  // An Administrator keeps the tag list.
  await signIn(page, 'morgan');
  await page.evaluate((id) => (location.hash = `#/calls/${id}`), callId);
  const adminDetails = page.getByRole('region', { name: 'Call details' });
  await adminDetails.getByRole('button', { name: 'Manage tags' }).click();
  const dialog = page.getByRole('dialog', { name: 'Call tags' });
  await dialog.getByLabel('New tag').fill(tag);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByRole('listitem').filter({ hasText: tag })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();

  await signIn(page, 'leo');
  await page.evaluate((id) => (location.hash = `#/calls/${id}`), callId);
  const details = page.getByRole('region', { name: 'Call details' });
  const player = details.getByRole('group', { name: 'Recording 1' });
  await expect(player).toBeVisible();
  const time = player.getByTestId('recording-time');
  await expect(time).toHaveText(/^0:00 \/ 0:\d\d$/);
  const mark = db.prepare('SELECT coalesce(max(id), 0) FROM audit_events').pluck().get() as number;

  // Play: the time advances; the speed can change while it plays; pause holds it.
  await player.getByRole('button', { name: 'Play recording 1' }).click();
  await expect(time).toHaveText(/^0:0[1-9] \//, { timeout: 15_000 });
  await player.getByRole('combobox', { name: 'Speed of recording 1' }).selectOption('1.5');
  await player.getByRole('button', { name: 'Pause recording 1' }).click();
  const paused = await time.textContent();
  await page.waitForTimeout(1200);
  await expect(time).toHaveText(paused!);
  // Seek with the keyboard on the waveform.
  const seek = player.getByRole('slider', { name: 'Position in recording 1' });
  await seek.focus();
  await page.keyboard.press('Home');
  await expect(seek).toHaveAttribute('aria-valuenow', '0');
  await page.keyboard.press('ArrowRight');
  await expect(seek).toHaveAttribute('aria-valuenow', '5');

  // Playing is in the audit log, once, as Leo's.
  const plays = db
    .prepare(`SELECT actor_user_id, target_id, after_json FROM audit_events WHERE id > ? AND action = 'recording.play'`)
    .all(mark);
  expect(plays).toEqual([{ actor_user_id: leo, target_id: callId, after_json: JSON.stringify({ recordingId }) }]);

  // Leo may download (a Manager) but not delete (no "Delete call recordings" permission).
  await expect(player.getByRole('button', { name: 'Download' })).toBeVisible();
  await expect(player.getByRole('button', { name: 'Delete' })).toHaveCount(0);

  // Readable and labelled in both colour schemes.
  expect(await seriousAxe(page, '[aria-label="Call details"]')).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousAxe(page, '[aria-label="Call details"]')).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });

  // A note and a tag.
  await details.getByRole('combobox', { name: 'Add a tag' }).click();
  await page.getByRole('option', { name: tag }).click();
  await expect(details.getByRole('listitem').filter({ hasText: tag })).toBeVisible();
  await details.getByRole('textbox', { name: 'New note' }).fill('Asked for the recording to be kept');
  await details.getByRole('button', { name: 'Add note' }).click();
  await expect(details.getByText('Asked for the recording to be kept')).toBeVisible();

  // The tag opens the list filtered by it: this call alone.
  await details.getByRole('listitem').filter({ hasText: tag }).click();
  await expect(page).toHaveURL(/#\/calls\?tagId=\d+/);
  await expect(page.locator('[data-call-id]')).toHaveCount(1);
  await expect(page.locator('[data-call-id]').first()).toHaveAttribute('data-call-id', String(callId));
  const listed = await listCount(page);
  expect(listed).toBe(1);

  // The dashboard filtered by the same tag, over a range that holds the call, counts the same calls.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Dashboard' }).click();
  await page
    .locator('label')
    .filter({ hasText: /^90 days$/ })
    .click();
  await page.getByRole('combobox', { name: 'Tag' }).click();
  await page.getByRole('option', { name: tag }).click();
  const totals = page.getByRole('group', { name: 'Totals' });
  await expect(totals.getByRole('link', { name: /^Calls:/ })).toHaveAttribute('aria-label', `Calls: ${listed}`);
  await totals.getByRole('link', { name: /^Calls:/ }).click();
  await expect(page.locator('[data-call-id]')).toHaveCount(1);
  expect(await listCount(page)).toBe(listed);
  db.close();
});

test('an Administrator sets retention, a number’s and a flow’s recording, in forms axe finds nothing serious in', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const db = openE2eDb();
  await signIn(page, 'morgan');

  // Account: retention and internal calls.
  await page.goto('/#/account');
  const section = page.getByRole('region', { name: 'Call recordings' });
  await expect(section.getByRole('textbox', { name: 'Keep recordings for (days)' })).toHaveValue('90');
  expect(await seriousAxe(page, 'main')).toEqual([]);
  await section.getByRole('textbox', { name: 'Keep recordings for (days)' }).fill('120');
  await section.getByRole('button', { name: 'Save recording settings' }).click();
  await expect(section.getByRole('button', { name: 'Save recording settings' })).toBeDisabled();
  expect(db.prepare('SELECT recording_retention_days FROM accounts LIMIT 1').pluck().get()).toBe(120);

  // A number's menu: its record mode.
  const e164 = db
    .prepare(`SELECT e164 FROM business_numbers WHERE record_mode = 'never' AND e164 LIKE '+1%' ORDER BY id LIMIT 1`)
    .pluck()
    .get() as string;
  const formatted = `+1 (${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
  await page.goto('/#/numbers');
  await page.getByRole('button', { name: `More for ${formatted}` }).click();
  await page.getByRole('menuitem', { name: 'Call recording…' }).click();
  const dialog = page.getByRole('dialog', { name: /^Call recording for / });
  await expect(dialog.getByRole('combobox', { name: 'Record calls on this number' })).toBeVisible();
  expect(await seriousAxe(page, '[role="dialog"]')).toEqual([]);
  await dialog.getByRole('combobox', { name: 'Record calls on this number' }).selectOption('on_demand');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  expect(db.prepare('SELECT record_mode FROM business_numbers WHERE e164 = ?').pluck().get(e164)).toBe('on_demand');

  // The Main line flow: recorded always (the demo), with a notice of its own.
  const mainFlow = db.prepare(`SELECT id FROM call_flows WHERE name = 'Main line'`).pluck().get() as number;
  await page.goto(`/#/flows/${mainFlow}`);
  const mode = page.getByRole('combobox', { name: 'Record calls through this flow' });
  await expect(mode).toHaveValue('always');
  await page.getByRole('textbox', { name: 'Notice callers hear before a recorded call' }).fill('We record calls.');
  await page.getByRole('button', { name: 'Save recording settings' }).click();
  await expect(page.getByRole('button', { name: 'Recording settings saved' })).toBeVisible();
  expect(db.prepare('SELECT recording_notice FROM call_flows WHERE id = ?').pluck().get(mainFlow)).toBe(
    'We record calls.',
  );
  expect(await seriousAxe(page, 'main')).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousAxe(page, 'main')).toEqual([]);
  db.close();
});

test('an Agent records an internal call on demand, stops and continues it: one recording, seen by both parties', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const db = openE2eDb();
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'morgan');
  const setInternal = async (mode: 'on_demand' | 'never') => {
    await admin.goto('/#/account');
    const section = admin.getByRole('region', { name: 'Call recordings' });
    await section.getByRole('combobox', { name: 'Record internal calls (between team members)' }).selectOption(mode);
    await section.getByRole('button', { name: 'Save recording settings' }).click();
    await expect(section.getByRole('button', { name: 'Save recording settings' })).toBeDisabled();
  };
  await setInternal('on_demand');
  const before = db.prepare('SELECT coalesce(max(id), 0) FROM recordings').pluck().get() as number;
  try {
    const john = await phoneOf(browser, 'john');
    const peter = await phoneOf(browser, 'peter');
    const johnPanel = await dial(john, '101');
    const peterPanel = await answer(peter, 'John Smith');
    const johnLine = lineWith(johnPanel, 'Peter Jones');
    const peterLine = lineWith(peterPanel, 'John Smith');
    await expect(johnLine).toContainText('Connected');

    // Record: the relay records from now on, and both parties see the badge.
    const record = johnLine.getByRole('button', { name: 'Record', exact: true });
    await expect(record).not.toHaveAttribute('aria-disabled', 'true', { timeout: 10_000 });
    await record.click();
    await expect(record).toHaveAttribute('aria-pressed', 'true');
    await expect(johnLine.getByRole('status')).toHaveText('Recording');
    await expect(peterLine.getByRole('status')).toHaveText('Recording', { timeout: 10_000 });
    expect(await seriousAxe(john, '[role="dialog"][aria-label="Phone"]')).toEqual([]);

    // Stop leaves out what follows; Record again continues the same recording.
    await johnLine.getByRole('button', { name: 'Stop recording' }).click();
    await expect(johnLine.getByRole('status')).toHaveText('Recording stopped');
    await expect(record).toHaveAttribute('aria-pressed', 'false');
    await expect(johnLine.getByRole('button', { name: 'Stop recording' })).toHaveCount(0);
    expect(await seriousAxe(john, '[role="dialog"][aria-label="Phone"]')).toEqual([]);
    await record.click();
    await expect(johnLine.getByRole('status')).toHaveText('Recording');
    await john.waitForTimeout(1500);
    await johnLine.getByRole('button', { name: 'Hang up' }).click();
    await expect(peterLine).toContainText(/Call ended|Ended/);

    // The call has one recording (Stop and Record again continue it), started by John.
    const johnId = userId(db, 'john');
    const made = () =>
      db
        .prepare(
          `SELECT r.started_by AS startedBy FROM recordings r JOIN calls c ON c.id = r.call_id
           WHERE c.direction = 'internal' AND r.id > ?`,
        )
        .all(before) as { startedBy: number }[];
    await expect.poll(made, { timeout: 20_000 }).toHaveLength(1);
    expect(made()[0]!.startedBy).toBe(johnId);
    for (const p of [john, peter]) await p.context().close();
  } finally {
    await setInternal('never');
    await admin.context().close();
    db.close();
  }
});
