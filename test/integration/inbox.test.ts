import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCore, type TestCore } from '../helpers/core';

let tc: TestCore;
beforeAll(() => {
  tc = makeCore({ days: 10, callsPerDay: 30 });
});
afterAll(() => tc.close());

describe('unread badges', () => {
  it('counts unread voicemails and threads within the user’s access, capped', async () => {
    const jasmine = await tc.as('jasmine');
    const counts = await jasmine.ok('inbox.counts', {});
    const own = await jasmine.ok('voicemails.list', { unreadOnly: true, limit: 200 });
    expect(counts.unreadVoicemails).toBe(Math.min(own.items.length, counts.capped));
    const morgan = await tc.as('morgan');
    expect((await morgan.ok('inbox.counts', {})).unreadVoicemails).toBeGreaterThanOrEqual(counts.unreadVoicemails);
  });

  it('marking a voicemail read lowers the count for that user only', async () => {
    const john = await tc.as('john');
    const peter = await tc.as('peter');
    const [vm] = (await john.ok('voicemails.list', { unreadOnly: true, limit: 1 })).items;
    expect(vm).toBeDefined();
    const johnBefore = (await john.ok('voicemails.list', { unreadOnly: true, limit: 200 })).items.length;
    const peterBefore = (await peter.ok('voicemails.list', { unreadOnly: true, limit: 200 })).items.length;
    await john.ok('voicemails.markRead', { voicemailId: vm!.id });
    expect((await john.ok('voicemails.list', { unreadOnly: true, limit: 200 })).items.length).toBe(johnBefore - 1);
    expect((await peter.ok('voicemails.list', { unreadOnly: true, limit: 200 })).items.length).toBe(peterBefore);
  });

  it('a thread is unread until read, and unread again when a new message comes in', async () => {
    const john = await tc.as('john');
    const unread = (await john.ok('messages.threads', { limit: 200 })).items.filter((t) => t.unread);
    expect(unread.length).toBeGreaterThan(0);
    const t = unread[0]!;
    const before = (await john.ok('inbox.counts', {})).unreadThreads;
    await john.ok('messages.markRead', { threadId: t.id });
    expect((await john.ok('inbox.counts', {})).unreadThreads).toBe(before - 1);
    const after = (await john.ok('messages.threads', { limit: 200 })).items.find((x) => x.id === t.id);
    expect(after?.unread).toBe(false);
  });

  it('cannot mark a thread outside one’s access', async () => {
    const jasmine = await tc.as('jasmine');
    const morgan = await tc.as('morgan');
    const all = (await morgan.ok('messages.threads', { limit: 200 })).items;
    const mine = new Set((await jasmine.ok('messages.threads', { limit: 200 })).items.map((t) => t.id));
    const other = all.find((t) => !mine.has(t.id))!;
    expect(await jasmine.call('messages.markRead', { threadId: other.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});

describe('voicemail recordings', () => {
  it('plays a recording the user may hear, and only that', async () => {
    const john = await tc.as('john');
    const [vm] = (await john.ok('voicemails.list', { limit: 1 })).items;
    expect(vm?.hasAudio).toBe(true);
    const audio = await john.ok('voicemails.audio', { voicemailId: vm!.id });
    expect(audio.mime).toBe('audio/wav');
    expect(Buffer.from(audio.base64, 'base64').subarray(0, 4).toString()).toBe('RIFF');
    const jasmine = await tc.as('jasmine');
    const hers = new Set((await jasmine.ok('voicemails.list', { limit: 200 })).items.map((v) => v.id));
    const notHers = (await john.ok('voicemails.list', { limit: 200 })).items.find((v) => !hers.has(v.id));
    expect(notHers).toBeDefined();
    expect(await jasmine.call('voicemails.audio', { voicemailId: notHers!.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});

describe('why a conversation is visible', () => {
  it('names the rule of the access policy, and answers only within access', async () => {
    const john = await tc.as('john');
    const thread = (await john.ok('messages.threads', { limit: 200 })).items.find(
      (t) => t.assignedGroupId === tc.ids.groups.sales,
    )!;
    const why = await john.ok('messages.why', { threadId: thread.id });
    expect(why.rule).toBe('group');
    expect(why.explanation).toContain('Sales');
    const karey = await tc.as('karey');
    expect((await karey.ok('messages.why', { threadId: thread.id })).rule).toMatch(/callflow|participant/);
    const dana = await tc.as('dana');
    expect(await dana.call('messages.why', { threadId: thread.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
