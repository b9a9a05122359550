import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCore, NOW, snapshot, type Client, type TestCore } from '../helpers/core';
import { addOtherAccount } from '../helpers/otherAccount';
import { exportCsv } from '../helpers/exportCsv';

/**
 * Notes and tags on calls (docs/policy-decisions.md, "Notes and tags on
 * calls"): whoever sees a call may note and tag it; a call outside one's
 * access answers exactly as a call that does not exist; Administrators keep
 * the tag list; authors edit and delete their notes, Administrators delete
 * any; the tag filter goes through the list's visibility; changes to the tag
 * list and to notes are audited.
 */

let tc: TestCore;
let other: ReturnType<typeof addOtherAccount>;
/** A Main line call that landed in Sales: John (Sales, group) sees it, Jessica (Support) and Jasmine (personal) do not. */
let salesCall: number;
/** A Billing line call: Leo (numbers: the two Main line BNs) does not see it. */
let billingCall: number;
const clients: Record<string, Client> = {};
const as = async (key: string) => (clients[key] ??= await tc.as(key));

beforeAll(async () => {
  tc = makeCore({ days: 0 });
  other = addOtherAccount(tc.db);
  const base = {
    accountId: tc.ids.accountId,
    direction: 'inbound' as const,
    result: 'answered' as const,
    externalNumber: '+13105550123',
    answeredAt: NOW - 50_000,
    endedAt: NOW - 20_000,
    participants: [],
    events: [],
    voicemail: null,
  };
  salesCall = tc.recordCall({
    ...base,
    bnId: tc.ids.numbers.mainLA,
    startedAt: NOW - 60_000,
    callFlowId: tc.ids.flows.main,
    groupId: tc.ids.groups.sales,
    participants: [{ userId: tc.ids.users.peter!, role: 'answered' }],
  });
  billingCall = tc.recordCall({
    ...base,
    bnId: tc.ids.numbers.billing,
    startedAt: NOW - 40_000,
    callFlowId: tc.ids.flows.billing,
    groupId: tc.ids.groups.billing,
    participants: [{ userId: tc.ids.users.dana!, role: 'answered' }],
  });
});

afterAll(() => {
  for (const c of Object.values(clients)) c.close();
  tc.close();
});

describe('the tag list', () => {
  it('is kept by Administrators; Managers and Agents read it but cannot change it', async () => {
    const morgan = await as('morgan');
    const vip = await morgan.ok('callTags.create', { name: 'VIP' });
    expect((await morgan.ok('callTags.list', {})).map((t) => t.name)).toContain('VIP');
    for (const key of ['leo', 'john']) {
      const c = await as(key);
      expect((await c.ok('callTags.list', {})).map((t) => t.id)).toContain(vip.id);
      const before = snapshot(tc.db);
      const r = await c.call('callTags.create', { name: `By ${key}` });
      expect(r.ok || r.error.code).toBe('forbidden');
      const rename = await c.call('callTags.rename', { tagId: vip.id, name: 'Very' });
      expect(rename.ok || rename.error.code).toBe('forbidden');
      const del = await c.call('callTags.delete', { tagId: vip.id });
      expect(del.ok || del.error.code).toBe('forbidden');
      expect(snapshot(tc.db)).toBe(before);
    }
  });

  it('refuses a second tag of the same name in any case, and another account’s tag is not found', async () => {
    const morgan = await as('morgan');
    const r = await morgan.call('callTags.create', { name: 'vip' });
    expect(r.ok || r.error.code).toBe('conflict');
    const foreign = await morgan.call('callTags.rename', { tagId: other.tagId, name: 'Mine now' });
    expect(foreign.ok || foreign.error.code).toBe('not_found');
    expect((await morgan.ok('callTags.list', {})).map((t) => t.id)).not.toContain(other.tagId);
  });

  it('audits creating, renaming and deleting a tag, in the same transaction', async () => {
    const morgan = await as('morgan');
    const tag = await morgan.ok('callTags.create', { name: 'Temp' });
    await morgan.ok('callTags.rename', { tagId: tag.id, name: 'Temporary' });
    await morgan.ok('callAnnotations.addTag', { callId: salesCall, tagId: tag.id });
    await morgan.ok('callTags.delete', { tagId: tag.id });
    const events = tc.db
      .prepare("SELECT action, summary FROM audit_events WHERE target_type = 'callTag' AND target_id = ? ORDER BY id")
      .all(tag.id) as { action: string; summary: string }[];
    expect(events.map((e) => e.action)).toEqual(['callTag.create', 'callTag.rename', 'callTag.delete']);
    expect(events[2]!.summary).toContain('on 1 call');
    const left = tc.db.prepare('SELECT count(*) FROM call_tag_links WHERE tag_id = ?').pluck().get(tag.id);
    expect(left).toBe(0);
  });
});

describe('notes and tags on a call', () => {
  it('whoever sees the call may tag it and filter the list by the tag', async () => {
    const morgan = await as('morgan');
    const tag = await morgan.ok('callTags.create', { name: 'Callback' });
    const john = await as('john');
    const a = await john.ok('callAnnotations.addTag', { callId: salesCall, tagId: tag.id });
    expect(a.tags.map((t) => t.name)).toEqual(['Callback']);
    expect(a.tags[0]!.addedBy).toBe('John Smith');
    for (const key of ['john', 'leo', 'karey', 'morgan']) {
      const c = await as(key);
      const page = await c.ok('calls.list', { limit: 50, tagId: tag.id });
      expect(
        page.items.map((i) => i.id),
        key,
      ).toEqual([salesCall]);
      expect((await c.ok('calls.count', { tagId: tag.id })).count, key).toBe(1);
    }
    // The tag on a call someone cannot see does not show that call to them.
    await morgan.ok('callAnnotations.addTag', { callId: billingCall, tagId: tag.id });
    const leo = await as('leo');
    expect((await leo.ok('calls.list', { limit: 50, tagId: tag.id })).items.map((i) => i.id)).toEqual([salesCall]);
    expect((await morgan.ok('calls.list', { limit: 50, tagId: tag.id })).items.map((i) => i.id)).toEqual([
      billingCall,
      salesCall,
    ]);
    const jessica = await as('jessica');
    expect((await jessica.ok('calls.list', { limit: 50, tagId: tag.id })).items).toEqual([]);
    const removed = await john.ok('callAnnotations.removeTag', { callId: salesCall, tagId: tag.id });
    expect(removed.tags).toEqual([]);
    expect((await john.ok('calls.list', { limit: 50, tagId: tag.id })).items).toEqual([]);
  });

  it('a call outside one’s access answers exactly as a call that does not exist, and nothing changes', async () => {
    const morgan = await as('morgan');
    const tag = await morgan.ok('callTags.create', { name: 'Hidden test' });
    const missing = 9_999_999;
    for (const key of ['jessica', 'jasmine', 'leo']) {
      const c = await as(key);
      const hidden = key === 'leo' ? billingCall : salesCall;
      const before = snapshot(tc.db);
      const attempts = (callId: number) => [
        c.call('callAnnotations.get', { callId }),
        c.call('callAnnotations.list', { callIds: [callId] }),
        c.call('callAnnotations.addTag', { callId, tagId: tag.id }),
        c.call('callAnnotations.removeTag', { callId, tagId: tag.id }),
        c.call('callNotes.add', { callId, body: 'Peeking' }),
      ];
      const seen = await Promise.all(attempts(hidden));
      const none = await Promise.all(attempts(missing));
      const foreign = await Promise.all(attempts(other.callId));
      for (let i = 0; i < seen.length; i++) {
        expect(seen[i], `${key} #${i}`).toEqual(none[i]);
        expect(foreign[i], `${key} #${i} other account`).toEqual(none[i]);
        const r = seen[i]!;
        expect(r.ok ? 'ok' : r.error.code).toBe('not_found');
      }
      expect(snapshot(tc.db)).toBe(before);
    }
  });

  it('notes: the author edits and deletes their own; others who see the call may not; an Administrator deletes any', async () => {
    const john = await as('john');
    const peter = await as('peter');
    const morgan = await as('morgan');
    const added = await john.ok('callNotes.add', { callId: salesCall, body: '  Wants a quote by Friday  ' });
    const note = added.notes.find((n) => n.body === 'Wants a quote by Friday')!;
    expect(note).toMatchObject({ authorName: 'John Smith', createdAt: NOW, editedAt: null, canEdit: true });
    // Peter sees the call and the note, but it speaks for John.
    const seen = await peter.ok('callAnnotations.get', { callId: salesCall });
    expect(seen.notes.find((n) => n.id === note.id)).toMatchObject({ canEdit: false, canDelete: false });
    const before = snapshot(tc.db);
    const edit = await peter.call('callNotes.edit', { noteId: note.id, body: 'Changed' });
    expect(edit.ok || edit.error.code).toBe('forbidden');
    const del = await peter.call('callNotes.delete', { noteId: note.id });
    expect(del.ok || del.error.code).toBe('forbidden');
    // Not even an Administrator puts words in someone's mouth.
    const adminEdit = await morgan.call('callNotes.edit', { noteId: note.id, body: 'Changed' });
    expect(adminEdit.ok || adminEdit.error.code).toBe('forbidden');
    expect(snapshot(tc.db)).toBe(before);
    // Someone who cannot see the call cannot reach its note: as a note that does not exist.
    const jessica = await as('jessica');
    const hidden = await jessica.call('callNotes.delete', { noteId: note.id });
    const missing = await jessica.call('callNotes.delete', { noteId: 9_999_999 });
    expect(hidden).toEqual(missing);
    expect(hidden.ok || hidden.error.code).toBe('not_found');

    const edited = await john.ok('callNotes.edit', { noteId: note.id, body: 'Wants a quote by Monday' });
    expect(edited.notes.find((n) => n.id === note.id)).toMatchObject({
      body: 'Wants a quote by Monday',
      editedAt: NOW,
    });
    expect((await morgan.ok('callAnnotations.get', { callId: salesCall })).notes[0]!.canDelete).toBe(true);
    const afterDelete = await morgan.ok('callNotes.delete', { noteId: note.id });
    expect(afterDelete.notes.some((n) => n.id === note.id)).toBe(false);

    const events = tc.db
      .prepare(
        "SELECT action, actor_user_id AS actor FROM audit_events WHERE target_type = 'call' AND target_id = ? ORDER BY id",
      )
      .all(salesCall) as { action: string; actor: number }[];
    expect(events).toEqual([
      { action: 'callNote.add', actor: tc.ids.users.john },
      { action: 'callNote.edit', actor: tc.ids.users.john },
      { action: 'callNote.delete', actor: tc.ids.users.morgan },
    ]);
  });

  it('a read-only View as cannot add notes or tags', async () => {
    const morgan = await tc.as('morgan');
    await morgan.ok('auth.viewAs', { userId: tc.ids.users.john! });
    const before = snapshot(tc.db);
    const r = await morgan.call('callNotes.add', { callId: salesCall, body: 'As John' });
    expect(r.ok || r.error.code).toBe('forbidden');
    expect(snapshot(tc.db)).toBe(before);
    // Reading stays open, as John sees it.
    expect((await morgan.ok('callAnnotations.get', { callId: salesCall })).notes).toBeDefined();
    morgan.close();
  });

  it('an unknown tag on a visible call is not found, and the filter refuses another account’s tag', async () => {
    const john = await as('john');
    const r = await john.call('callAnnotations.addTag', { callId: salesCall, tagId: other.tagId });
    expect(r.ok || r.error.code).toBe('not_found');
    const list = await john.call('calls.list', { limit: 10, tagId: other.tagId });
    expect(list.ok || list.error.code).toBe('not_found');
  });

  it('the calls export carries each call’s tags and notes, for the calls the exporter sees', async () => {
    const morgan = await as('morgan');
    const tag = await morgan.ok('callTags.create', { name: 'Exported' });
    const john = await as('john');
    await john.ok('callAnnotations.addTag', { callId: salesCall, tagId: tag.id });
    await john.ok('callNotes.add', { callId: salesCall, body: 'Quote sent' });
    await morgan.ok('callAnnotations.addTag', { callId: billingCall, tagId: tag.id });
    const { csv } = await exportCsv(john, 'calls', { tagId: tag.id });
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header).toContain('"Tags","Notes","Call id"');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(`"Exported","John Smith (${new Date(NOW).toISOString()}): Quote sent","${salesCall}"`);
    const all = await exportCsv(morgan, 'calls', { tagId: tag.id });
    expect(all.rows).toBe(2);
  });
});
