import { describe, expect, it } from 'vitest';
import { DOMAIN, eventually, useStack } from './harness';
import { readWav } from '../../../src/main/sip/media/wav';
import { received, type SippRun } from './sipp';

/**
 * Inbound calls to a business number follow its call flow as far as
 * signalling allows (docs/softphone.md): a group step rings every
 * registered member's phone at once, the menu takes its no-input branch, a
 * voicemail step takes a message. The call record comes from what
 * the proxy saw, and each POLICY.md access level sees exactly its calls.
 */

const s = useStack();

const CUSTOMER = '+13105550123';

/** A phone (sipp UAS) registered for a demo user. */
async function phone(key: string, answers: boolean): Promise<SippRun> {
  const run = await s.sipp({ scenario: answers ? 'phone-answer.xml' : 'phone-ring.xml', uas: true });
  await s.register(key, run.localPort);
  return run;
}

async function unregister(key: string, run: SippRun) {
  run.kill();
  await s.register(key, run.localPort, 0);
}

const lastCallId = () => s.db.prepare('SELECT max(id) FROM calls').pluck().get() as number | null;

/** Which of these demo users see the call, through the role-filtered API list and get. */
async function seenBy(callId: number, keys: string[]): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const key of keys) {
    const c = await s.as(key);
    const listed = (await c.ok('calls.list', { limit: 50 })).items.some((r) => r.id === callId);
    const got = (await c.call('calls.get', { callId })).ok;
    expect(got, `${key}: calls.get and calls.list disagree`).toBe(listed);
    out[key] = listed;
  }
  return out;
}

describe('inbound calls to a business number', () => {
  it('ring exactly the registered members of the flow group, in parallel; the record names who answered', async () => {
    const morgan = await s.as('morgan');
    const flow = await morgan.ok('callFlows.create', {
      name: 'Sales direct',
      steps: [
        { kind: 'ring_group', groupId: s.ids.groups.sales, ringSeconds: 10 },
        { kind: 'voicemail', text: '', groupId: s.ids.groups.sales },
      ],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });

    const phones = {
      john: await phone('john', false),
      peter: await phone('peter', true),
      jasmine: await phone('jasmine', false),
      jessica: await phone('jessica', false), // Support, not Sales: must not ring
    };
    const before = lastCallId();
    const call = await s.run({ trunk: true, scenario: 'call-in.xml', keys: { bn: '+18885550190', caller: CUSTOMER } });
    expect(call.code, call.messages).toBe(0);

    await Promise.race([
      Promise.all([phones.john.done, phones.peter.done, phones.jasmine.done]),
      new Promise((r) => setTimeout(r, 3000)),
    ]);
    const invited = Object.fromEntries(
      Object.entries(phones).map(([k, p]) => [k, received(p.messages(), 'INVITE').length]),
    );
    expect(invited).toEqual({ john: 1, peter: 1, jasmine: 1, jessica: 0 });
    // The phones that lost the race were cancelled.
    expect(received(phones.john.messages(), 'CANCEL')).toHaveLength(1);
    expect(received(phones.jasmine.messages(), 'CANCEL')).toHaveLength(1);

    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 1000);
    const row = (await morgan.ok('calls.get', { callId }))!;
    expect(row).toMatchObject({
      direction: 'inbound',
      result: 'answered',
      bnId: s.ids.numbers.tollFree,
      externalNumber: CUSTOMER,
      callFlowId: flow.id,
      groupId: s.ids.groups.sales,
    });
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([['101', 'answered']]);
    const rang = row.events.filter((e) => e.kind === 'rang').map((e) => e.userName);
    expect(rang.sort()).toEqual(['Jasmine Lee', 'John Smith', 'Peter Jones']);

    // POLICY.md §3: group access sees the group's calls; personal access only one's own;
    // call-flow access only the flows one is part of; numbers access only those numbers.
    expect(await seenBy(callId, ['john', 'peter', 'jasmine', 'karey', 'leo', 'jessica', 'morgan'])).toEqual({
      john: true,
      peter: true,
      jasmine: false,
      karey: false,
      leo: false,
      jessica: false,
      morgan: true,
    });
    for (const [k, p] of Object.entries(phones)) await unregister(k, p);
  });

  it('Main line: the greeting and menu are spoken as early media, 0 rings Karey; visible to the flow and the numbers, not to Sales', async () => {
    const karey = await phone('karey', true);
    const sales = await phone('john', false);
    const before = lastCallId();
    const call = await s.run({
      trunk: true,
      scenario: 'call-in-menu-0.xml',
      keys: { bn: '+12136472453', caller: CUSTOMER },
      timeoutSeconds: 25,
    });
    expect(call.code, call.messages).toBe(0);
    const early = received(call.messages, 'SIP/2.0 183')[0]!;
    expect(early).toMatch(/Server: Teamline media/);
    expect(early).toMatch(/m=audio \d+ RTP\/AVP 0 101/);
    await Promise.race([karey.done, new Promise((r) => setTimeout(r, 2000))]);
    expect(received(karey.messages(), 'INVITE')).toHaveLength(1);
    expect(received(sales.messages(), 'INVITE')).toHaveLength(0);

    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 1000);
    const morgan = await s.as('morgan');
    const row = await morgan.ok('calls.get', { callId });
    expect(row).toMatchObject({
      callFlowId: s.ids.flows.main,
      groupId: null,
      result: 'answered',
      bnId: s.ids.numbers.mainLA,
    });
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([['106', 'answered']]);
    expect(row.events.map((e) => e.kind)).toEqual([
      'entered',
      'greeting',
      'menu',
      'ring_user',
      'rang',
      'answered',
      'ended',
    ]);
    expect(row.events.find((e) => e.kind === 'greeting')?.detail).toBe('Played “Thank you for calling Teamline Demo.”');
    expect(row.events.find((e) => e.kind === 'menu')?.detail).toBe('Pressed 0');

    expect(await seenBy(callId, ['john', 'jasmine', 'karey', 'leo', 'morgan'])).toEqual({
      john: false,
      jasmine: false,
      karey: true,
      leo: true,
      morgan: true,
    });
    await unregister('karey', karey);
    await unregister('john', sales);
  });

  it('Main line: pressing 2 during the prompt rings exactly the Support group, and the call is Support’s', async () => {
    const phones = {
      jessica: await phone('jessica', true),
      allie: await phone('allie', false),
      john: await phone('john', false),
    };
    const before = lastCallId();
    const call = await s.run({
      trunk: true,
      scenario: 'call-in-menu-2.xml',
      keys: { bn: '+12136472453', caller: CUSTOMER },
      timeoutSeconds: 25,
    });
    expect(call.code, call.messages).toBe(0);
    expect(received(phones.allie.messages(), 'INVITE')).toHaveLength(1);
    expect(received(phones.john.messages(), 'INVITE')).toHaveLength(0);
    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 1000);
    const row = await (await s.as('morgan')).ok('calls.get', { callId });
    expect(row).toMatchObject({ result: 'answered', groupId: s.ids.groups.support, callFlowId: s.ids.flows.main });
    expect(row.events.find((e) => e.kind === 'menu')?.detail).toBe('Pressed 2');
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([[s.extension('jessica'), 'answered']]);
    for (const [k, p] of Object.entries(phones)) await unregister(k, p);
  });

  it('a menu with no key pressed takes its no-input branch; a greeting on its own is spoken before the ringing', async () => {
    const morgan = await s.as('morgan');
    const karey = await phone('karey', true);
    const flow = await morgan.ok('callFlows.create', {
      name: 'Short menu',
      steps: [
        {
          kind: 'menu',
          text: 'Press 1.',
          branches: [
            { key: '1', steps: [{ kind: 'ring_group', groupId: s.ids.groups.sales, ringSeconds: 10 }] },
            {
              key: 'timeout',
              steps: [
                { kind: 'greeting', text: 'One moment.' },
                { kind: 'ring_user', userId: s.ids.users.karey!, ringSeconds: 10 },
              ],
            },
          ],
        },
      ],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
    const before = lastCallId();
    const call = await s.run({
      trunk: true,
      scenario: 'call-in-menu.xml',
      keys: { bn: '+18885550190', caller: CUSTOMER },
      timeoutSeconds: 25,
    });
    expect(call.code, call.messages).toBe(0);
    // Two prompts, two early dialogs: the menu, then the greeting of the branch it took.
    expect(received(call.messages, 'SIP/2.0 183')).toHaveLength(2);
    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 1000);
    const row = await morgan.ok('calls.get', { callId });
    expect(row.events.map((e) => [e.kind, e.detail])).toEqual([
      ['entered', 'Short menu'],
      ['menu', 'No input'],
      ['greeting', 'Played “One moment.”'],
      ['ring_user', ''],
      ['rang', ''],
      ['answered', ''],
      ['ended', ''],
    ]);
    expect(row).toMatchObject({
      result: 'answered',
      participants: [{ extension: s.extension('karey'), role: 'answered' }],
    });
    await unregister('karey', karey);
  });

  it('with no one to answer, voicemail takes the message: the recording is kept with the call, for exactly who may see it', async () => {
    const morgan = await s.as('morgan');
    // Omar's phone is not registered: his ring step is skipped at once, then his voicemail answers.
    const flow = await morgan.ok('callFlows.create', {
      name: 'Omar direct',
      steps: [
        { kind: 'ring_user', userId: s.ids.users.omar!, ringSeconds: 5 },
        { kind: 'voicemail', text: '', userId: s.ids.users.omar! },
      ],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
    const omar = await s.as('omar');
    const unreadBefore = (await omar.ok('inbox.counts', {})).unreadVoicemails;
    const before = lastCallId();
    const call = await s.run({
      trunk: true,
      scenario: 'call-in-voicemail.xml',
      keys: { bn: '+18885550190', caller: CUSTOMER },
    });
    expect(call.code, call.messages).toBe(0);
    const ok = received(call.messages, 'SIP/2.0 200')[0]!;
    expect(ok).toMatch(/Server: Teamline media/);
    expect(ok).toMatch(/m=audio \d+ RTP\/AVP 8 101/);

    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 2000);
    const row = await morgan.ok('calls.get', { callId });
    expect(row).toMatchObject({ result: 'voicemail', hasVoicemail: true, answeredAt: null, callFlowId: flow.id });
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([['109', 'voicemail']]);
    expect(row.events.map((e) => e.detail)).toEqual(
      expect.arrayContaining(['Sent to voicemail', expect.stringMatching(/^Message left \(\d+ s\)$/)]),
    );
    // Six seconds in all, of which the greeting and tone take 3.2: about three seconds of message.
    expect(row.voicemail).toMatchObject({ hasAudio: true, read: false });
    expect(row.voicemail!.durationSeconds).toBeGreaterThanOrEqual(2);
    expect(row.voicemail!.durationSeconds).toBeLessThanOrEqual(4);

    // Omar hears it: his list has it, unread, and the recording is the caller's audio, not silence.
    expect((await omar.ok('inbox.counts', {})).unreadVoicemails).toBe(unreadBefore + 1);
    const listed = (await omar.ok('voicemails.list', { limit: 50 })).items.find((v) => v.callId === callId);
    expect(listed).toBeDefined();
    const audio = await omar.ok('voicemails.audio', { voicemailId: listed!.id });
    expect(audio.mime).toBe('audio/wav');
    const samples = readWav(Buffer.from(audio.base64, 'base64'));
    expect(samples.length / 8000).toBeCloseTo(row.voicemail!.durationSeconds, 0);
    const rms = Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / samples.length);
    expect(rms).toBeGreaterThan(300);

    expect(await seenBy(callId, ['omar', 'dana', 'leo', 'morgan'])).toEqual({
      omar: true,
      dana: false,
      leo: false,
      morgan: true,
    });
    expect(await (await s.as('dana')).call('voicemails.audio', { voicemailId: listed!.id })).toMatchObject({
      ok: false,
    });
  });

  it('a caller who presses # ends the message, and voicemail hangs up; a group mailbox is its group’s', async () => {
    const morgan = await s.as('morgan');
    const flow = await morgan.ok('callFlows.create', {
      name: 'Billing messages',
      steps: [{ kind: 'voicemail', text: '', groupId: s.ids.groups.billing }],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
    const before = lastCallId();
    const call = await s.run({
      trunk: true,
      scenario: 'call-in-voicemail-pound.xml',
      keys: { bn: '+18885550190', caller: CUSTOMER },
    });
    expect(call.code, call.messages).toBe(0);
    expect(received(call.messages, 'BYE')).toHaveLength(1);

    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 2000);
    const row = await morgan.ok('calls.get', { callId });
    expect(row).toMatchObject({
      result: 'voicemail',
      hasVoicemail: true,
      groupId: s.ids.groups.billing,
      participants: [],
    });
    expect(row.voicemail!.durationSeconds).toBeGreaterThanOrEqual(1);
    expect(row.voicemail!.durationSeconds).toBeLessThanOrEqual(3);
    expect(await seenBy(callId, ['dana', 'omar', 'john', 'morgan'])).toEqual({
      dana: true,
      omar: true,
      john: false,
      morgan: true,
    });
  });

  it('a caller who hangs up during the greeting leaves no message: a missed call for the mailbox owner', async () => {
    const morgan = await s.as('morgan');
    const flow = await morgan.ok('callFlows.create', {
      name: 'Omar direct, hung up',
      steps: [{ kind: 'voicemail', text: '', userId: s.ids.users.omar! }],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
    const before = lastCallId();
    const call = await s.run({
      trunk: true,
      scenario: 'call-in-voicemail-hangup.xml',
      keys: { bn: '+18885550190', caller: CUSTOMER },
    });
    expect(call.code, call.messages).toBe(0);
    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 2000);
    const row = await morgan.ok('calls.get', { callId });
    expect(row).toMatchObject({ result: 'missed', hasVoicemail: false, voicemail: null });
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([['109', 'missed']]);
    expect(row.events.find((e) => e.detail === 'Hung up before leaving a message')).toBeDefined();
    expect(s.phone.mediaService?.live).toBe(0);
  });

  it('moves to the next step when a phone declines; the person rung directly has a missed call', async () => {
    const morgan = await s.as('morgan');
    const flow = await morgan.ok('callFlows.create', {
      name: 'Front desk then Support',
      steps: [
        { kind: 'ring_user', userId: s.ids.users.karey!, ringSeconds: 20 },
        { kind: 'ring_group', groupId: s.ids.groups.support, ringSeconds: 20 },
      ],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
    const karey = await s.sipp({ scenario: 'phone-busy.xml', uas: true });
    await s.register('karey', karey.localPort);
    const jessica = await phone('jessica', true);
    const before = lastCallId();
    const call = await s.run({ trunk: true, scenario: 'call-in.xml', keys: { bn: '+18885550190', caller: CUSTOMER } });
    expect(call.code, call.messages).toBe(0);
    expect(received(karey.messages(), 'INVITE')).toHaveLength(1);

    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 1000);
    const row = await morgan.ok('calls.get', { callId });
    expect(row).toMatchObject({ result: 'answered', groupId: s.ids.groups.support });
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([
      ['102', 'answered'],
      ['106', 'missed'],
    ]);
    expect(await seenBy(callId, ['karey', 'jessica', 'allie', 'john'])).toEqual({
      karey: true,
      jessica: true,
      allie: true,
      john: false,
    });
    await unregister('karey', karey);
    await unregister('jessica', jessica);
  });

  it('records a caller who hangs up while the group rings as a missed call of the group, with no user', async () => {
    const morgan = await s.as('morgan');
    const flow = await morgan.ok('callFlows.create', {
      name: 'Support only',
      steps: [{ kind: 'ring_group', groupId: s.ids.groups.support, ringSeconds: 20 }],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
    const allie = await phone('allie', false);
    const before = lastCallId();
    const call = await s.run({
      trunk: true,
      scenario: 'call-in-cancel.xml',
      keys: { bn: '+18885550190', caller: CUSTOMER },
    });
    expect(call.code, call.messages).toBe(0);
    await Promise.race([allie.done, new Promise((r) => setTimeout(r, 2000))]);
    expect(received(allie.messages(), 'CANCEL')).toHaveLength(1);

    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 1000);
    const row = await morgan.ok('calls.get', { callId });
    expect(row).toMatchObject({ result: 'missed', groupId: s.ids.groups.support, answeredAt: null });
    expect(row.participants).toEqual([]);
    expect(await seenBy(callId, ['allie', 'jessica', 'john', 'karey'])).toEqual({
      allie: true,
      jessica: true,
      john: false,
      karey: false,
    });
    await unregister('allie', allie);
  });

  it('a caller who hangs up during the menu is a missed call of the flow; the media service lets go of it', async () => {
    const before = lastCallId();
    const call = await s.run({
      trunk: true,
      scenario: 'call-in-cancel-prompt.xml',
      keys: { bn: '+12136472453', caller: CUSTOMER },
    });
    expect(call.code, call.messages).toBe(0);
    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 1000);
    const row = await (await s.as('morgan')).ok('calls.get', { callId });
    expect(row).toMatchObject({ result: 'missed', callFlowId: s.ids.flows.main, answeredAt: null, participants: [] });
    expect(row.events.map((e) => [e.kind, e.detail])).toEqual([
      ['entered', 'Main line'],
      ['menu', 'Caller hung up during it'],
      ['ended', 'Not answered'],
    ]);
    expect(s.phone.mediaService?.live).toBe(0);
  });

  it('an agent transfers an outside caller to a teammate: one call, with the teammate transferred into it', async () => {
    const morgan = await s.as('morgan');
    const flow = await morgan.ok('callFlows.create', {
      name: 'Peter first',
      steps: [{ kind: 'ring_user', userId: s.ids.users.peter!, ringSeconds: 10 }],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
    const peter = await s.sipp({
      scenario: 'phone-answer-refer.xml',
      uas: true,
      keys: { self: s.extension('peter'), target: s.extension('jasmine'), domain: DOMAIN },
    });
    await s.register('peter', peter.localPort);
    const jasmine = await phone('jasmine', true);
    const before = lastCallId();

    const first = await s.run({
      trunk: true,
      scenario: 'call-in-refer.xml',
      keys: { bn: '+18885550190', caller: CUSTOMER },
    });
    expect(first.code, first.messages).toBe(0);
    expect(await peter.done, peter.messages()).toBe(0);
    expect(received(first.messages, 'REFER')[0]).toMatch(/Refer-To: <sip:103@/);
    // Someone else calling Jasmine "referred by Peter" is not the transfer: it is refused like any stranger.
    const stranger = await s.run({
      trunk: true,
      scenario: 'call-in-referred.xml',
      keys: { bn: s.extension('jasmine'), caller: '+12125550000', referrer: s.extension('peter'), domain: DOMAIN },
    });
    expect(received(stranger.messages, 'SIP/2.0 404')).toHaveLength(1);
    // The customer follows the REFER: the same call goes on and Jasmine answers.
    const follow = await s.run({
      trunk: true,
      scenario: 'call-in-referred.xml',
      keys: { bn: s.extension('jasmine'), caller: CUSTOMER, referrer: s.extension('peter'), domain: DOMAIN },
    });
    expect(follow.code, follow.messages).toBe(0);

    const callId = await eventually(() => (lastCallId() !== before ? lastCallId()! : undefined), 2000);
    expect(
      s.db
        .prepare('SELECT count(*) FROM calls WHERE id > ?')
        .pluck()
        .get(before ?? 0),
    ).toBe(1);
    const row = await morgan.ok('calls.get', { callId });
    expect(row).toMatchObject({
      direction: 'inbound',
      result: 'answered',
      callFlowId: flow.id,
      externalNumber: CUSTOMER,
    });
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([
      [s.extension('peter'), 'answered'],
      [s.extension('jasmine'), 'transferred'],
    ]);
    expect(row.events.map((e) => [e.kind, e.userName ?? e.groupName ?? e.detail])).toEqual([
      ['entered', 'Peter first'],
      ['ring_user', 'Peter Jones'],
      ['rang', 'Peter Jones'],
      ['answered', 'Peter Jones'],
      ['transferred', 'Jasmine Lee'],
      ['ring_user', 'Jasmine Lee'],
      ['rang', 'Jasmine Lee'],
      ['answered', 'Jasmine Lee'],
      ['ended', ''],
    ]);
    // Jasmine (personal access) sees the call because she was transferred into it.
    expect(await seenBy(callId, ['jasmine', 'john'])).toEqual({ jasmine: true, john: false });
    await unregister('peter', peter);
    await unregister('jasmine', jasmine);
  });

  it('from the trunk to a number that is not a business number is refused, never challenged or relayed', async () => {
    const r = await s.run({
      trunk: true,
      scenario: 'call-in-unanswered.xml',
      keys: { bn: '+15550009999', caller: CUSTOMER },
    });
    expect(r.code).not.toBe(0);
    expect(received(r.messages, 'SIP/2.0 404')[0]).toMatch(/^SIP\/2\.0 404 Not a number of this service/);
    expect(received(r.messages, 'SIP/2.0 407')).toHaveLength(0);
  });
});
