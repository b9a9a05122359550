import { describe, expect, it } from 'vitest';
import { addOtherAccount } from '../helpers/otherAccount';
import { makeCore } from '../helpers/core';

/**
 * The phone's team directory and caller names: every member of the account
 * sees its active members (to transfer a call), and nothing of another
 * account. See docs/policy-decisions.md, "The phone".
 */
describe('sip.directory and contacts.lookup', () => {
  it('lists the active members of the actor’s own account only, for every role', async () => {
    const t = makeCore();
    addOtherAccount(t.db);
    const active = t.db
      .prepare('SELECT extension FROM users WHERE account_id = ? AND active = 1 ORDER BY extension')
      .pluck()
      .all(t.ids.accountId);
    for (const key of ['jasmine', 'leo', 'morgan']) {
      const members = (await (await t.as(key)).ok('sip.directory', {})).members;
      expect(members.map((m) => m.extension)).toEqual(active);
      expect(members.some((m) => m.name === 'Olga Other')).toBe(false);
      // No phone service in this core: nobody is reachable, and it says so rather than guessing.
      expect(members.every((m) => m.presence === 'offline')).toBe(true);
    }
    t.close();
  });

  it('leaves out a deactivated member', async () => {
    const t = makeCore();
    const admin = await t.as('morgan');
    await admin.ok('users.deactivate', { userId: t.ids.users.allie! });
    const members = (await (await t.as('john')).ok('sip.directory', {})).members;
    expect(members.some((m) => m.userId === t.ids.users.allie)).toBe(false);
    t.close();
  });

  it('names a caller from the account’s own contacts, never another account’s', async () => {
    const t = makeCore();
    addOtherAccount(t.db);
    const john = await t.as('john');
    const contact = await john.ok('contacts.create', { name: 'Rita Caller', phone: '+13105550177' });
    expect(await john.ok('contacts.lookup', { phone: '+13105550177' })).toEqual({
      contact: { id: contact.id, name: 'Rita Caller' },
    });
    const otherPhone = t.db
      .prepare(`SELECT phone FROM contacts WHERE account_id != ? LIMIT 1`)
      .pluck()
      .get(t.ids.accountId) as string;
    expect(await john.ok('contacts.lookup', { phone: otherPhone })).toEqual({ contact: null });
    expect((await john.call('contacts.lookup', { phone: 'not a number' })).ok).toBe(false);
    t.close();
  });
});
