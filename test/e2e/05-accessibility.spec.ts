import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { signIn } from './helpers';

/**
 * The console for keyboard, screen-reader and laptop users: axe-core on
 * every page and dialog (no serious or critical violation, a level-one
 * heading and a main landmark everywhere), the phone, a user card and call
 * details driven by keyboard alone, the phone button covering no control,
 * and the admin pages on a 1024×700 screen.
 */

/** Besides every serious and critical finding, these (axe calls them moderate) are part of the bar. */
const alsoRequired = new Set(['page-has-heading-one', 'landmark-one-main']);

async function axe(page: Page, where: string, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  const r = await builder.analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || (!include && alsoRequired.has(v.id)))
    .map(
      (v) =>
        `${where}: ${v.id} (${v.impact}) ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ').slice(0, 220)}`)
          .join('\n')}`,
    );
}

/** The sections in the navigation of the signed-in user (and My settings). */
async function sectionLinks(page: Page): Promise<string[]> {
  const nav = page.getByRole('navigation', { name: 'Sections' });
  const links = await nav.getByRole('link').evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
  return [...links, '#/settings'];
}

async function openSection(page: Page, hash: string) {
  await page.goto(`/${hash}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  // Lists load after the heading: let them arrive before checking the page.
  await page.waitForLoadState('networkidle');
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

test('axe-core finds nothing serious on sign-in, on every page of the owner and of an Agent, and in their dialogs', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const found: string[] = [];
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('main')).toBeVisible();
  found.push(...(await axe(page, 'sign-in')));

  for (const who of ['morgan', 'john']) {
    await signIn(page, who);
    for (const hash of await sectionLinks(page)) {
      await openSection(page, hash);
      found.push(...(await axe(page, `${who} ${hash}`)));
    }
    // The phone panel, docked beside the page.
    await page.getByRole('button', { name: /^Open phone/ }).click();
    await expect(page.getByRole('dialog', { name: 'Phone' })).toBeVisible();
    found.push(...(await axe(page, `${who} phone panel`)));
    await page.keyboard.press('Escape');
    // Call details.
    await openSection(page, '#/calls');
    await page.locator('[data-call-id]').first().click();
    await expect(page.getByRole('region', { name: 'Call details' }).getByLabel('Call path')).toBeVisible();
    found.push(...(await axe(page, `${who} call details`)));
    // A new message.
    await openSection(page, '#/messages');
    await page.getByRole('button', { name: 'New message' }).first().click();
    await page.waitForTimeout(300);
    found.push(...(await axe(page, `${who} new message`)));
    // The contact form.
    await openSection(page, '#/contacts');
    await page.getByRole('button', { name: 'Add contact' }).click();
    await expect(page.getByRole('dialog', { name: 'Add contact' })).toBeVisible();
    found.push(...(await axe(page, `${who} contact form`, '[role="dialog"]')));
    await page.keyboard.press('Escape');
    await signOut(page);
  }

  // The owner's dialogs: a user card, Add user, the call-flow editor; and the dark scheme.
  await signIn(page, 'morgan');
  await openSection(page, '#/team');
  await page
    .getByRole('table', { name: 'Team members' })
    .getByRole('button', { name: 'John Smith', exact: true })
    .click();
  await expect(page.getByRole('dialog', { name: 'John Smith' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  found.push(...(await axe(page, 'user card', '[role="dialog"]')));
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('dialog', { name: 'Add a team member' })).toBeVisible();
  found.push(...(await axe(page, 'add user', '[role="dialog"]')));
  await page.keyboard.press('Escape');
  await openSection(page, '#/flows');
  await page.getByRole('button', { name: /^Call flow Main line/ }).click();
  await expect(page.getByRole('list', { name: 'Call flow steps' })).toBeVisible();
  found.push(...(await axe(page, 'flow editor')));
  await page
    .getByRole('list', { name: 'Call flow steps' })
    .getByRole('button', { name: /^Edit step/ })
    .first()
    .click();
  found.push(...(await axe(page, 'flow editor with a step open')));

  await page.emulateMedia({ colorScheme: 'dark' });
  for (const hash of ['#/calls', '#/team', '#/flows']) {
    await openSection(page, hash);
    found.push(...(await axe(page, `dark ${hash}`)));
  }
  expect(found, found.join('\n')).toEqual([]);
});

/** Presses Tab until `target` has focus (at most `limit` times): the way a keyboard user gets there. */
async function tabTo(page: Page, target: Locator, limit = 60) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab did not reach ${target} in ${limit} presses`);
}

const focused = (l: Locator) => expect(l).toBeFocused();

test('keyboard only: skip link, the phone, a user card and call details', async ({ page }) => {
  await signIn(page, 'morgan');
  await openSection(page, '#/calls');

  // The first Tab offers "Skip to content", which moves focus to the page.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await focused(skip);
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await focused(page.getByRole('main'));

  // The phone: Enter opens it with focus in the number field, so digits typed at once land there; Esc closes it.
  // From the top of a freshly loaded page, the phone is a few Tabs away (it is in the header, before the page).
  const phoneButton = page.getByRole('button', { name: /^Open phone \(Ready\)/ });
  await page.reload();
  await expect(phoneButton).toBeVisible();
  await tabTo(page, phoneButton, 6);
  await page.keyboard.press('Enter');
  const panel = page.getByRole('dialog', { name: 'Phone' });
  await focused(panel.getByLabel('Number or extension'));
  await page.keyboard.type('105');
  await expect(panel.getByLabel('Number or extension')).toHaveValue('105');
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await focused(phoneButton);

  // Call details: Enter on a row opens them with focus inside; Tab goes on inside them; Esc closes them and
  // focus is back on the row.
  const row = page.locator('[data-call-id]').first();
  await tabTo(page, row);
  await page.keyboard.press('Enter');
  const details = page.getByRole('region', { name: 'Call details' });
  await focused(details.getByRole('heading', { name: 'Call details' }));
  await page.keyboard.press('Tab');
  expect(await details.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(details).toHaveCount(0);
  await focused(row);

  // A user card: Enter on a member's name opens it, Esc closes it and focus is back on the name.
  await openSection(page, '#/team');
  const name = page
    .getByRole('table', { name: 'Team members' })
    .getByRole('button', { name: 'Peter Jones', exact: true });
  await page.reload();
  await tabTo(page, name);
  await page.keyboard.press('Enter');
  const card = page.getByRole('dialog', { name: 'Peter Jones' });
  await expect(card).toBeVisible();
  expect(await card.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(card).toHaveCount(0);
  await focused(name);
});

/** Enabled controls on screen whose centre is not the control itself (something covers them), by name. */
async function coveredControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    // While a modal dialog is open the page behind it is inert: only the dialog's controls count.
    const modal = document.querySelector('[role="dialog"][aria-modal="true"]');
    const controls = (modal ?? document).querySelectorAll<HTMLElement>(
      modal
        ? 'button:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea:not([disabled])'
        : 'main button:not([disabled]), main input:not([disabled]):not([type="hidden"]), main textarea:not([disabled]), main a[href], [role="dialog"] button:not([disabled]), [role="dialog"] textarea:not([disabled])',
    );
    for (const el of Array.from(controls)) {
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2) continue;
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      // Scrolled out of its own scroll area: not on screen, so nothing covers it.
      let clipped = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (/(auto|scroll|hidden)/.test(s.overflowY + s.overflowX)) {
          const pr = p.getBoundingClientRect();
          if (y < pr.top || y > pr.bottom || x < pr.left || x > pr.right) clipped = true;
        }
      }
      if (clipped || getComputedStyle(el).visibility === 'hidden' || getComputedStyle(el).opacity === '0') continue;
      const hit = document.elementFromPoint(x, y);
      // Only what lies over the page counts (the phone, the header, a floating card): the page's own sticky bars
      // scroll over its content by design.
      const page = el.closest('[role="dialog"][aria-modal="true"]') ?? el.closest('main');
      if (hit && page?.contains(hit)) continue;
      if (
        hit &&
        (hit === el || el.contains(hit) || hit.contains(el) || (el as HTMLInputElement).labels?.[0]?.contains(hit))
      )
        continue;
      // Mantine's checkboxes and radios (and radio cards) draw over their input: the drawing is the control.
      if (/^(checkbox|radio)$/.test((el as HTMLInputElement).type) && hit) {
        let p: HTMLElement | null = el;
        for (let i = 0; i < 4 && p && !p.contains(hit); i++) p = p.parentElement;
        if (p?.contains(hit)) continue;
      }
      const name = el.getAttribute('aria-label') || el.textContent?.trim() || el.getAttribute('name') || el.tagName;
      out.push(`${name.slice(0, 60)} (under ${hit?.tagName}.${String(hit?.className).slice(0, 40)})`);
    }
    return out;
  });
}

const boxesOverlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

for (const size of [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
]) {
  test(`at ${size.width}×${size.height} the phone covers no enabled control, and the open phone pushes the calls list`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(size);
    await signIn(page, 'morgan');
    const phoneButton = page.getByRole('button', { name: /^Open phone/ });
    const covered: string[] = [];
    const check = async (where: string) => {
      covered.push(...(await coveredControls(page)).map((c) => `${where}: ${c}`));
      const phoneBox = (await phoneButton.boundingBox())!;
      const main = page.getByRole('main');
      const controls = main.locator('button:visible, input:visible, textarea:visible');
      for (const box of await controls.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) {
        if (box.width > 0 && boxesOverlap(phoneBox, box))
          covered.push(`${where}: a control at ${box.x},${box.y} under the phone button`);
      }
    };
    for (const hash of await sectionLinks(page)) {
      await openSection(page, hash);
      await check(hash);
    }
    // A conversation with its reply box and Send.
    await openSection(page, '#/messages');
    await page.locator('[data-thread-id]').first().click();
    await expect(page.getByRole('button', { name: 'Send', exact: true })).toBeVisible();
    await check('conversation');
    // A user card with its Save buttons, scrolled to the bottom.
    await openSection(page, '#/team');
    await page
      .getByRole('table', { name: 'Team members' })
      .getByRole('button', { name: 'John Smith', exact: true })
      .click();
    const card = page.getByRole('dialog', { name: 'John Smith' });
    await expect(card.getByRole('button', { name: /^Save/ }).last()).toBeVisible();
    await card.getByRole('button', { name: /^Save/ }).last().scrollIntoViewIfNeeded();
    await check('user card');
    await page.keyboard.press('Escape');
    expect(covered, covered.join('\n')).toEqual([]);

    // The open phone sits beside the calls list: every row's time stays in view and uncovered.
    await openSection(page, '#/calls');
    await phoneButton.click();
    const panel = page.getByRole('dialog', { name: 'Phone' });
    await expect(panel).toBeVisible();
    const panelBox = (await panel.boundingBox())!;
    const rows = page.locator('[data-call-id]');
    await expect(rows.first()).toBeVisible();
    for (const time of await rows
      .locator('.tabular')
      .evaluateAll((els) => els.slice(0, 8).map((e) => e.getBoundingClientRect().toJSON()))) {
      expect(time.x + time.width).toBeLessThanOrEqual(panelBox.x);
    }
    expect(await coveredControls(page)).toEqual([]);
    if (size.width === 1024) await page.screenshot({ path: 'docs/screenshots/laptop-calls-phone-open.png' });
  });
}

test('at 1024×700 the admin pages fit: the flow steps are readable, the Team table shows Status and its menu, call names are whole', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await signIn(page, 'morgan');

  await openSection(page, '#/flows');
  await page.getByRole('button', { name: /^Call flow Main line/ }).click();
  const steps = page.getByRole('list', { name: 'Call flow steps' });
  await expect(steps).toBeVisible();
  const stepButton = steps.getByRole('button', { name: /^Edit step/ }).first();
  expect((await stepButton.boundingBox())!.width).toBeGreaterThanOrEqual(200);
  await page.screenshot({ path: 'docs/screenshots/laptop-call-flow.png' });

  await openSection(page, '#/team');
  const table = page.getByRole('table', { name: 'Team members' });
  for (const l of [
    table.getByRole('columnheader', { name: 'Status' }),
    table.getByRole('button', { name: 'More for John Smith' }),
  ]) {
    await expect(l).toBeInViewport({ ratio: 1 });
  }
  await page.screenshot({ path: 'docs/screenshots/laptop-team.png' });

  await openSection(page, '#/calls');
  await page.locator('[data-call-id]').first().click();
  await expect(page.getByRole('region', { name: 'Call details' })).toBeVisible();
  const cut = await page.locator('[data-call-id] p[data-truncate]').evaluateAll((els) =>
    els
      .slice(0, 10)
      .filter((e) => e.scrollWidth > e.clientWidth + 1 && e.closest('[data-call-id]')?.querySelector('p') === e)
      .map((e) => e.textContent),
  );
  expect(cut).toEqual([]);
  await page.screenshot({ path: 'docs/screenshots/laptop-call-details.png' });
});
