import { expect, test, type Browser } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatE164 } from '../../src/shared/phone';
import { received, startSipp } from '../integration/sip/sipp';
import { openE2eDb, userId } from './data';
import { shot, signIn } from './helpers';
import { E2E_DIR, E2E_PEER_PORT, E2E_SIP_RUN_DIR } from './paths';
import { answer, callPath, dial, lineWith, openPhone, outsideCaller, phoneOf } from './phone';

test.describe.configure({ timeout: 90_000 });

// Every signed-in phone goes away with its test, also a failed one: a page left
// registered would be rung (and could answer) in the next test's calls.
test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

/** The Billing line is closed out of hours: an Administrator opens it by removing its hours step (once). */
async function openBillingAllHours(browser: Browser) {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'morgan');
  await admin.goto('/#/flows');
  await admin.getByRole('button', { name: 'Call flow Billing line' }).click();
  // The editor is open once its ring step shows; then the hours step is there or already gone.
  await expect(admin.getByRole('button', { name: /^Remove “Ring/ }).first()).toBeVisible();
  const hours = admin.getByRole('button', { name: /^Remove “Business hours/ });
  if ((await hours.count()) > 0) {
    await hours.click();
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await expect(admin.getByText('Billing line saved.')).toBeVisible();
  }
  await admin.context().close();
}

test('two softphones call each other through Kamailio: answer, hold, resume, tones, attended transfer to a third, hang up', async ({
  browser,
}) => {
  const john = await phoneOf(browser, 'john');
  const peter = await phoneOf(browser, 'peter');
  const jasmine = await phoneOf(browser, 'jasmine');

  // John calls Peter's extension; Peter's phone rings with John's name, from the team directory.
  const johnPanel = await dial(john, '101');
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText(/Calling/);
  const peterPanel = await answer(peter, 'John Smith');
  const peterLine = lineWith(peterPanel, 'John Smith');
  await expect(peterLine).toContainText('Connected');
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText('Connected');

  // Hold and resume (a re-INVITE through the proxy each time).
  await peterLine.getByRole('button', { name: 'Hold' }).click();
  await expect(peterLine).toContainText('On hold');
  // John's card says Peter holds him (the re-INVITE's sendonly), not "Connected".
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText('On hold (by the other side)');
  await peterLine.getByRole('button', { name: 'Resume' }).click();
  await expect(peterLine).toContainText('Connected');
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText('Connected');
  await expect(lineWith(johnPanel, 'Peter Jones')).not.toContainText('On hold');

  // Tones: in the audio and as SIP INFO, which Peter's phone shows as received.
  const johnLine = lineWith(johnPanel, 'Peter Jones');
  await johnLine.getByRole('button', { name: 'Keypad' }).click();
  const tones = john.getByRole('group', { name: 'Send tones' });
  for (const k of ['4', '2', '#']) await tones.getByRole('button', { name: `Key ${k}` }).click();
  await expect(johnLine).toContainText('Sent 42#');
  await expect(peterLine).toContainText('Received 42#');
  await john.keyboard.press('Escape');

  // The demo does not record internal calls: Record is there, unavailable, and says why.
  const record = johnLine.getByRole('button', { name: 'Record' });
  await expect(record).toHaveAttribute('aria-disabled', 'true');
  await expect(record).toHaveAttribute('aria-pressed', 'false');
  await expect(record).toHaveAccessibleDescription(/not recorded/);

  // Attended transfer: Peter consults Jasmine on his second line (John waits on hold), then connects them.
  await peterLine.getByRole('button', { name: 'Transfer' }).click();
  await expect(peter.getByRole('listitem', { name: 'Jasmine Lee, Available' })).toBeVisible();
  await expect(peter.getByRole('listitem', { name: 'John Smith, On a call' })).toBeVisible();
  await shot(peter, 'softphone-transfer');
  await peter.getByRole('button', { name: 'Consult Jasmine Lee' }).click();
  await expect(peterLine).toContainText('On hold');
  const jasminePanel = await answer(jasmine, 'Peter Jones');
  await expect(lineWith(jasminePanel, 'Peter Jones')).toContainText('Connected');
  await expect(lineWith(peterPanel, 'Jasmine Lee')).toContainText('Connected');
  await peterLine.getByRole('button', { name: 'Transfer' }).click();
  await peter.getByRole('button', { name: 'Connect with Jasmine Lee' }).click();

  // John and Jasmine now talk to each other; Peter is out of both calls.
  await expect(lineWith(jasminePanel, 'John Smith')).toContainText('Connected', { timeout: 10_000 });
  await expect(lineWith(johnPanel, 'Jasmine Lee')).toContainText('Connected');
  await expect(
    peterPanel.getByRole('group', { name: /Call with/ }).filter({ hasText: /Connected|On hold/ }),
  ).toHaveCount(0);

  // Jasmine hangs up; John's line ends too.
  await lineWith(jasminePanel, 'John Smith').getByRole('button', { name: 'Hang up' }).click();
  await expect(lineWith(johnPanel, 'Jasmine Lee')).toContainText(/Call ended|Ended/);
  await openPhone(john);

  // The history has one call, John → Peter → Jasmine, with the transfer in its path; Jasmine sees it
  // because she was transferred into it (Peter's consultation with her is a call of its own).
  await jasminePanel.getByRole('button', { name: 'Close phone' }).click();
  const path = await callPath(jasmine, /^Internal call, John Smith → Peter Jones → Jasmine Lee/);
  await expect(path.getByText('Peter Jones answered')).toBeVisible();
  await expect(path.getByText('Transferred to Jasmine Lee (attended)')).toBeVisible();
  await expect(path.getByText('Jasmine Lee answered')).toBeVisible();
  await shot(jasmine, 'call-transferred');
  for (const p of [john, peter, jasmine]) await p.context().close();
});

test('a blind transfer: Peter hands John to Jasmine at once, and the history keeps it as one call', async ({
  browser,
}) => {
  const john = await phoneOf(browser, 'john');
  const peter = await phoneOf(browser, 'peter');
  const jasmine = await phoneOf(browser, 'jasmine');
  const johnPanel = await dial(john, '101');
  const peterPanel = await answer(peter, 'John Smith');
  const peterLine = lineWith(peterPanel, 'John Smith');
  await expect(peterLine).toContainText('Connected');
  await peterLine.getByRole('button', { name: 'Transfer' }).click();
  await peter.getByRole('button', { name: 'Transfer to Jasmine Lee' }).click();
  // Peter's card names the teammate, as the transfer list does: once John's phone
  // reports that it calls her, or at the latest 15 s after John accepted the
  // REFER (a slow machine can take longer than the usual 10 s to place the call).
  await expect(peterLine).toContainText('Transferred to Jasmine Lee', { timeout: 20_000 });
  // John's phone calls Jasmine by itself; Jasmine takes it.
  const jasminePanel = await answer(jasmine, 'John Smith');
  await expect(lineWith(jasminePanel, 'John Smith')).toContainText('Connected');
  await expect(lineWith(johnPanel, 'Jasmine Lee')).toContainText('Connected');
  await lineWith(johnPanel, 'Jasmine Lee').getByRole('button', { name: 'Hang up' }).click();
  await expect(lineWith(jasminePanel, 'John Smith')).toContainText(/Call ended|Ended/);

  await johnPanel.getByRole('button', { name: 'Close phone' }).click();
  const path = await callPath(john, /^Internal call, John Smith → Peter Jones → Jasmine Lee/);
  await expect(path.getByText('Transferred to Jasmine Lee (blind)')).toBeVisible();
  await expect(path.getByText('Jasmine Lee answered')).toBeVisible();
  // Calling back an internal call dials the teammate on it.
  await john.getByRole('region', { name: 'Call details' }).getByRole('button', { name: 'Call back' }).click();
  await expect(john.getByRole('dialog', { name: 'Phone' }).getByLabel('Number or extension')).toHaveValue('101');
  for (const p of [john, peter, jasmine]) await p.context().close();
});

test('the caller-ID picker offers exactly an Agent’s outbound numbers, and a removed one vanishes from the open dialer at once', async ({
  browser,
}) => {
  const db = openE2eDb();
  const granted = (key: string) =>
    db
      .prepare(
        `SELECT b.label, b.e164 FROM user_numbers n JOIN business_numbers b ON b.id = n.bn_id
          WHERE n.user_id = ? AND n.kind = 'call' ORDER BY b.id`,
      )
      .all(userId(db, key)) as { label: string; e164: string }[];
  const optionName = (n: { label: string; e164: string }) => `${n.label} · ${formatE164(n.e164)}`;
  const omarNumbers = granted('omar');
  expect(omarNumbers.length).toBe(2);

  const omar = await phoneOf(browser, 'omar');
  const panel = await openPhone(omar);
  await panel.getByRole('combobox', { name: 'Call from' }).click();
  await expect(omar.getByRole('option')).toHaveText(omarNumbers.map(optionName));
  await omar.keyboard.press('Escape');

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'morgan');
  await admin.goto(`/#/team/${userId(db, 'omar')}`);
  const outbound = admin.getByRole('dialog').getByRole('group', { name: 'Outbound call numbers' });
  const removed = omarNumbers[1]!;
  await outbound.getByRole('checkbox', { name: formatE164(removed.e164) }).uncheck();
  await admin.getByRole('dialog').getByRole('button', { name: 'Save settings' }).click();
  await expect(admin.getByText('Omar Haddad’s settings saved.')).toBeVisible();

  // No reload: the push event re-reads his numbers, and the open picker no longer has it.
  await panel.getByRole('combobox', { name: 'Call from' }).click();
  await expect(omar.getByRole('option')).toHaveText([optionName(omarNumbers[0]!)], { timeout: 1500 });
  await omar.keyboard.press('Escape');
  db.close();
  for (const p of [omar, admin]) await p.context().close();
});

test('Kamailio restarted mid-call: both softphones register again within 5 s, and the call goes on', async ({
  browser,
}) => {
  const john = await phoneOf(browser, 'john');
  const peter = await phoneOf(browser, 'peter');
  const johnPanel = await dial(john, '101');
  const peterPanel = await answer(peter, 'John Smith');
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText('Connected');

  const pidFile = join(E2E_SIP_RUN_DIR, 'kamailio.pid');
  const before = Number(readFileSync(pidFile, 'utf8'));
  process.kill(before, 'SIGTERM');
  const killedAt = Date.now();
  // The phones notice and say so…
  await expect(johnPanel.getByLabel(/^Phone status: /)).not.toHaveAccessibleName('Phone status: Ready', {
    timeout: 3000,
  });
  // …and are back within 5 s of the restart, through a new Kamailio process.
  for (const panel of [johnPanel, peterPanel]) {
    await expect(panel.getByLabel('Phone status: Ready')).toBeVisible({ timeout: 5000 - (Date.now() - killedAt) });
  }
  expect(Number(readFileSync(pidFile, 'utf8'))).not.toBe(before);
  // The call's media never went through the proxy: it is still up.
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText('Connected');
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Connected');

  // Hanging up still reaches the other side, and a new call works.
  await lineWith(johnPanel, 'Peter Jones').getByRole('button', { name: 'Hang up' }).click();
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Call ended');
  await dial(john, '101');
  await expect(lineWith(peterPanel, 'John Smith')).toContainText('Incoming call');
  await lineWith(peterPanel, 'John Smith').getByRole('button', { name: 'Decline' }).click();
  await expect(lineWith(johnPanel, 'Peter Jones')).toContainText(/Busy|Ended|refused/i);
  for (const p of [john, peter]) await p.context().close();
});

test('an outside caller dials the Billing line and exactly the Billing group’s phones ring', async ({ browser }) => {
  const db = openE2eDb();
  const billingBn = db.prepare(`SELECT e164 FROM business_numbers WHERE label LIKE 'Billing%'`).pluck().get() as string;
  db.close();

  await openBillingAllHours(browser);

  const dana = await phoneOf(browser, 'dana');
  const omar = await phoneOf(browser, 'omar');
  const john = await phoneOf(browser, 'john');
  const caller = await outsideCaller({
    scenario: 'call-in-ring-then-cancel.xml',
    keys: { bn: billingBn, caller: '+13105550111' },
    timeoutSeconds: 30,
  });
  try {
    for (const p of [dana, omar])
      await expect(p.getByRole('alertdialog', { name: /^Incoming call from/ })).toBeVisible({ timeout: 10_000 });
    await expect(john.getByRole('alertdialog', { name: /^Incoming call from/ })).toHaveCount(0);
    // The caller gives up; the cards go away.
    expect(await caller.done).toBe(0);
    for (const p of [dana, omar])
      await expect(p.getByRole('alertdialog', { name: /^Incoming call from/ })).toHaveCount(0);
  } finally {
    caller.kill();
  }
  for (const p of [dana, omar, john]) await p.context().close();
});

test('click to call from the contacts, a call in the history and a voicemail fills the dialer', async ({ browser }) => {
  const db = openE2eDb();
  const contact = db.prepare(`SELECT name, phone FROM contacts ORDER BY name COLLATE NOCASE, id LIMIT 1`).get() as {
    name: string;
    phone: string;
  };
  const johnId = userId(db, 'john');
  const lastCall = db
    .prepare(
      `SELECT c.id, c.external_number FROM calls c JOIN call_participants p ON p.call_id = c.id
        WHERE p.user_id = ? AND c.external_number IS NOT NULL ORDER BY c.started_at DESC, c.id DESC LIMIT 1`,
    )
    .get(johnId) as { id: number; external_number: string };
  const salesVoicemail = db
    .prepare(
      `SELECT v.id, c.external_number FROM voicemails v JOIN calls c ON c.id = v.call_id JOIN user_groups g ON g.id = c.group_id
        WHERE g.name = 'Sales' AND c.external_number IS NOT NULL ORDER BY c.started_at DESC, c.id DESC LIMIT 1`,
    )
    .get() as { id: number; external_number: string };
  db.close();

  const john = await phoneOf(browser, 'john');
  await john.goto('/#/contacts');
  await john.getByRole('button', { name: `Call ${contact.name}` }).click();
  const panel = john.getByRole('dialog', { name: 'Phone' });
  await expect(panel.getByLabel('Number or extension')).toHaveValue(contact.phone);
  await panel.getByRole('button', { name: 'Close phone' }).click();

  await john.goto(`/#/calls/${lastCall.id}`);
  await john.getByRole('region', { name: 'Call details' }).getByRole('button', { name: 'Call back' }).click();
  await expect(panel.getByLabel('Number or extension')).toHaveValue(lastCall.external_number);
  await panel.getByRole('button', { name: 'Close phone' }).click();

  await john.goto(`/#/voicemail/${salesVoicemail.id}`);
  await john.getByRole('region', { name: 'Voicemail' }).getByRole('button', { name: 'Call back' }).click();
  await expect(panel.getByLabel('Number or extension')).toHaveValue(salesVoicemail.external_number);
  await john.context().close();
});

test('a call to the outside world has audio both ways through the media relay, from a granted caller ID', async ({
  browser,
}) => {
  const db = openE2eDb();
  const johnDefault = db
    .prepare(`SELECT b.e164 FROM users u JOIN business_numbers b ON b.id = u.default_bn_id WHERE u.id = ?`)
    .pluck()
    .get(userId(db, 'john')) as string;
  db.close();
  const outside = await startSipp(E2E_DIR, {
    scenario: 'phone-answer.xml',
    localPort: E2E_PEER_PORT,
    rtpEcho: true,
    timeoutSeconds: 40,
  });
  try {
    const john = await phoneOf(browser, 'john');
    const panel = await dial(john, '(310) 555-0123');
    const line = lineWith(panel, '+1 (310) 555-0123');
    await expect(line).toContainText('Connected', { timeout: 10_000 });
    // The far end echoes what it hears: John's own audio comes back through the relay.
    await expect(line.getByRole('img', { name: 'Hearing the other side' })).toBeVisible({ timeout: 8000 });
    await line.getByRole('button', { name: 'Hang up' }).click();
    expect(await outside.done).toBe(0);
    const invite = received(outside.messages(), 'INVITE')[0]!;
    // Plain RTP toward the outside world, and the caller ID the proxy asserted from John's grants.
    expect(invite).toMatch(/^m=audio \d+ RTP\/AVP /m);
    expect(invite).not.toMatch(/a=fingerprint|a=ice-ufrag/);
    expect(invite).toContain(`P-Asserted-Identity: <sip:${johnDefault}@`);
    await john.context().close();
  } finally {
    outside.kill();
  }
});

test('an outside caller is answered by a Billing agent, with audio both ways, and the history says who took it', async ({
  browser,
}) => {
  const db = openE2eDb();
  const billingBn = db.prepare(`SELECT e164 FROM business_numbers WHERE label LIKE 'Billing%'`).pluck().get() as string;
  db.close();
  await openBillingAllHours(browser);
  const dana = await phoneOf(browser, 'dana');
  const caller = await outsideCaller({
    scenario: 'call-in-talk.xml',
    keys: { bn: billingBn, caller: '+13105550142' },
    rtpEcho: true,
    timeoutSeconds: 40,
  });
  try {
    const panel = await answer(dana, '+1 (310) 555-0142');
    const line = lineWith(panel, '+1 (310) 555-0142');
    await expect(line).toContainText('Connected');
    await expect(line.getByRole('img', { name: 'Hearing the other side' })).toBeVisible({ timeout: 6000 });
    expect(await caller.done).toBe(0);
    await expect(line).toContainText('Call ended');
    // The history, from what the proxy saw: Dana answered a Billing line call.
    await dana.goto('/#/calls');
    await expect(dana.getByRole('button', { name: /^Inbound call, \+1 \(310\) 555-0142/ }).first()).toBeVisible({
      timeout: 3000,
    });
  } finally {
    caller.kill();
  }
  await dana.context().close();
});

test('call waiting: a second call rings during a call, answering it holds the first, and a third caller hears busy', async ({
  browser,
}) => {
  const john = await phoneOf(browser, 'john');
  const peter = await phoneOf(browser, 'peter');
  const jasmine = await phoneOf(browser, 'jasmine');
  const karey = await phoneOf(browser, 'karey');
  await dial(john, '101');
  const peterPanel = await answer(peter, 'John Smith');
  const first = lineWith(peterPanel, 'John Smith');
  await expect(first).toContainText('Connected');

  const jasminePanel = await dial(jasmine, '101');
  const second = lineWith(peterPanel, 'Jasmine Lee');
  await expect(second).toContainText('Incoming call');
  // Both lines are taken: a third call is refused as busy, and Peter's phone does not ring for it.
  const kareyPanel = await dial(karey, '101');
  await expect(lineWith(kareyPanel, 'Peter Jones')).toContainText(/Busy/i);

  await second.getByRole('button', { name: 'Answer' }).click();
  await expect(second).toContainText('Connected');
  await expect(first).toContainText('On hold');
  await expect(lineWith(jasminePanel, 'Peter Jones')).toContainText('Connected');
  await second.getByRole('button', { name: 'Hang up' }).click();
  await first.getByRole('button', { name: 'Resume' }).click();
  await expect(first).toContainText('Connected');
  await first.getByRole('button', { name: 'Hang up' }).click();
  await expect(first).toContainText('Call ended');
  for (const p of [john, peter, jasmine, karey]) await p.context().close();
});

test('a teammate away from their phone: the caller hears the greeting and leaves a message, which waits in their Voicemail', async ({
  browser,
}) => {
  // Omar's phone is not registered: his extension goes straight to his voicemail, through the media relay.
  const john = await phoneOf(browser, 'john');
  const panel = await dial(john, '109');
  const line = lineWith(panel, 'Omar Haddad');
  await expect(line).toContainText('Connected', { timeout: 10_000 });
  await expect(line.getByRole('img', { name: 'Hearing the other side' })).toBeVisible({ timeout: 6000 });
  // The greeting and its tone take 3.2 s; then John speaks (the fake microphone's tone) for a few seconds.
  await john.waitForTimeout(6500);
  await line.getByRole('button', { name: 'Hang up' }).click();
  await expect(line).toContainText('Call ended');
  await john.context().close();

  const omar = await (await browser.newContext()).newPage();
  await signIn(omar, 'omar');
  await omar.goto('/#/voicemail');
  const row = omar.getByRole('button', { name: /^Unread voicemail from John Smith → Omar Haddad/ }).first();
  await expect(row).toBeVisible({ timeout: 5000 });
  await row.click();
  const detail = omar.getByRole('region', { name: 'Voicemail' });
  // About three seconds of message; more when the machine is slow to hang up.
  await expect(detail).toContainText(/Voicemail · 0:0[2-9]/);
  await detail.getByRole('button', { name: 'Play' }).click();
  const recording = detail.getByLabel('Voicemail recording');
  await expect(recording).toBeVisible();
  await expect
    .poll(() => recording.evaluate((a: HTMLAudioElement) => a.duration), { timeout: 5000 })
    .toBeGreaterThan(2);
  await shot(omar, 'voicemail-left');
  await detail.getByRole('button', { name: 'Call back' }).click();
  await expect(omar.getByRole('dialog', { name: 'Phone' }).getByLabel('Number or extension')).toHaveValue('100');
  await omar.context().close();
});

test('an outside caller hears the Main line menu, presses 2, and Support takes the call; the path shows the choice', async ({
  browser,
}) => {
  const db = openE2eDb();
  const mainLine = db
    .prepare(
      `SELECT b.e164 FROM business_numbers b JOIN call_flows f ON f.id = b.call_flow_id WHERE f.name = 'Main line' ORDER BY b.id LIMIT 1`,
    )
    .pluck()
    .get() as string;
  db.close();
  const jessica = await phoneOf(browser, 'jessica');
  const caller = await outsideCaller({
    scenario: 'call-in-menu-2.xml',
    keys: { bn: mainLine, caller: '+13105550177' },
    timeoutSeconds: 40,
  });
  try {
    const panel = await answer(jessica, '+1 (310) 555-0177');
    await expect(lineWith(panel, '+1 (310) 555-0177')).toContainText('Connected');
    expect(await caller.done).toBe(0);
    // The greeting and menu came as early media from the media service, before any phone rang.
    expect(received(caller.messages(), 'SIP/2.0 183')[0]).toMatch(/Server: Teamline media/);
    await panel.getByRole('button', { name: 'Close phone' }).click();
  } finally {
    caller.kill();
  }
  const path = await callPath(jessica, /^Inbound call, \+1 \(310\) 555-0177/);
  await expect(path.getByText('Greeting: Played “Thank you for calling Teamline Demo.”')).toBeVisible();
  await expect(path.getByText('Menu: Pressed 2')).toBeVisible();
  await expect(path.getByText('Rang the group Support')).toBeVisible();
  await expect(path.getByText('Jessica Brown answered')).toBeVisible();
  await shot(jessica, 'call-path-live');
  await jessica.context().close();
});

test('Do not disturb: Peter sets it in his phone, his phone does not ring, teammates and the Team list see it', async ({
  browser,
}) => {
  const peter = await phoneOf(browser, 'peter');
  const john = await phoneOf(browser, 'john');
  const peterPanel = await openPhone(peter);
  const availability = peterPanel.getByRole('radiogroup', { name: 'Availability' });
  await availability.getByText('Do not disturb', { exact: true }).click();
  await expect(availability.getByRole('radio', { name: 'Do not disturb' })).toBeChecked();
  await expect(peter.getByRole('button', { name: 'Open phone (Ready, Do not disturb)' })).toBeVisible();

  // The Team list says so (an Administrator sees everyone's).
  const admin = await phoneOf(browser, 'morgan');
  await admin.goto('/#/team');
  const row = admin.getByRole('row').filter({ has: admin.getByRole('button', { name: 'Peter Jones', exact: true }) });
  await expect(row).toContainText('Do not disturb');

  // A direct call to Peter does not ring his phone: it goes on to his voicemail (or ends, without the media service).
  const johnPanel = await dial(john, '101');
  const johnLine = lineWith(johnPanel, 'Peter Jones');
  await expect(johnLine).toContainText(/Connected|Ended|Call ended|No answer|unavailable/i, { timeout: 10_000 });
  await expect(peter.getByRole('alertdialog', { name: /^Incoming call/ })).toHaveCount(0);
  await expect(peterPanel.getByRole('group', { name: /^Call with/ })).toHaveCount(0);
  if (await johnLine.getByRole('button', { name: 'Hang up' }).isVisible())
    await johnLine.getByRole('button', { name: 'Hang up' }).click();

  // Available again: the next call rings him.
  await availability.getByText('Available', { exact: true }).click();
  await expect(peter.getByRole('button', { name: 'Open phone (Ready)' })).toBeVisible();
  await dial(john, '101');
  await expect(lineWith(peterPanel, 'John Smith')).toBeVisible({ timeout: 10_000 });
  await lineWith(peterPanel, 'John Smith').getByRole('button', { name: 'Decline' }).click();
  for (const p of [john, peter, admin]) await p.context().close();
});
