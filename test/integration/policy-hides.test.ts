import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { makeCore, NOW, type TestCore } from '../helpers/core';

let tc: TestCore;
beforeEach(() => {
  tc = makeCore();
});
afterEach(() => tc.close());

const call = (
  bnId: number,
  externalNumber: string,
  at: number,
  participants: { userId: number; role: 'answered' | 'placed' }[],
) => ({
  accountId: tc.ids.accountId,
  direction: 'inbound' as const,
  result: 'answered' as const,
  bnId,
  externalNumber,
  startedAt: at,
  answeredAt: at + 5_000,
  endedAt: at + 60_000,
  callFlowId: null,
  groupId: null,
  participants,
  events: [],
  voicemail: null,
});

describe('calls.suggestCallerId', () => {
  it('learns only from calls the asker may see', async () => {
    const { users, numbers } = tc.ids;
    const morgan = await tc.as('morgan');
    await morgan.ok('users.setOutboundNumbers', {
      userId: users.jasmine!,
      outboundCallBnIds: [numbers.mainLA, numbers.tollFree],
      smsBnIds: [numbers.mainLA],
      defaultBnId: numbers.mainLA,
    });
    const jasmine = await tc.as('jasmine');
    const party = '+14155550177';
    // Peter took the newest call with this party, on the toll-free number: not Jasmine's (personal access).
    tc.recordCall(call(numbers.tollFree, party, NOW - 60_000, [{ userId: users.peter!, role: 'answered' }]));
    expect(await jasmine.ok('calls.suggestCallerId', { to: party })).toEqual({ bnId: numbers.mainLA });
    // The owner sees that call, so to them it is a hint.
    expect(await morgan.ok('calls.suggestCallerId', { to: party })).toEqual({ bnId: numbers.tollFree });
    // A call Jasmine took herself counts for her.
    tc.recordCall(call(numbers.tollFree, party, NOW - 3_600_000, [{ userId: users.jasmine!, role: 'answered' }]));
    expect(await jasmine.ok('calls.suggestCallerId', { to: party })).toEqual({ bnId: numbers.tollFree });
  });
});

describe('voicemails outside the asker’s access', () => {
  it('answer exactly as a voicemail that does not exist', async () => {
    const { users, numbers } = tc.ids;
    const id = tc.recordCall({
      ...call(numbers.tollFree, '+14155550178', NOW - 60_000, [{ userId: users.peter!, role: 'answered' }]),
      result: 'voicemail',
      voicemail: {
        durationSeconds: 3,
        transcript: 'call me back',
        audio: { mime: 'audio/wav', data: Buffer.from('RIFF') },
      },
    });
    const vm = tc.db.prepare('SELECT id FROM voicemails WHERE call_id = ?').pluck().get(id) as number;
    const jasmine = await tc.as('jasmine');
    for (const method of ['voicemails.audio', 'voicemails.markRead'] as const) {
      const hidden = await jasmine.raw(method, { voicemailId: vm });
      const missing = await jasmine.raw(method, { voicemailId: 987_654 });
      expect(hidden).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(hidden).toEqual(missing);
    }
  });
});

describe('messages.send into a conversation the sender may not see', () => {
  it('delivers the message but shows the sender only what came from then on, never the history', async () => {
    const { users, numbers } = tc.ids;
    const morgan = await tc.as('morgan');
    const party = '+14155550179';
    const first = await morgan.ok('messages.send', {
      bnId: numbers.mainLA,
      to: party,
      body: 'Your account number is 12345',
    });
    const jasmine = await tc.as('jasmine');
    const hidden = await jasmine.raw('messages.list', { threadId: first.threadId, limit: 50 });
    const missing = await jasmine.raw('messages.list', { threadId: 987_654, limit: 50 });
    expect(hidden).toEqual(missing);
    const mine = await jasmine.ok('messages.send', { bnId: numbers.mainLA, to: party, body: 'Hello from Jasmine' });
    expect(mine.threadId).toBe(first.threadId);
    const seen = await jasmine.ok('messages.list', { threadId: first.threadId, limit: 50 });
    expect(seen.items.map((m) => m.body)).toEqual(['Hello from Jasmine']);
    // Those who see it by their access, or by being its assignee, keep the whole thread.
    const all = await morgan.ok('messages.list', { threadId: first.threadId, limit: 50 });
    expect(all.items.map((m) => m.body)).toEqual(['Hello from Jasmine', 'Your account number is 12345']);
    expect(users.jasmine).toBeDefined();
  });
});
