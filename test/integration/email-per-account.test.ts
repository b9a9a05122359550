import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_PASSWORD } from '../../src/main/core/demo/people';
import { EMAIL_SIGN_IN_CHECKS } from '../../src/main/core/api/handlers/auth';
import { makeCore, type TestCore } from '../helpers/core';
import { addOtherAccount } from '../helpers/otherAccount';
import { choicesOf } from '../../src/renderer/src/features/session/accountChoice';
import type * as Password from '../../src/main/core/domain/password';

// Counts the password checks a sign-in makes, to show their number does not
// depend on how many accounts have the email.
const checks = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/main/core/domain/password', async (original) => {
  const real = await original<typeof Password>();
  return {
    ...real,
    verifyPasswordAmong: (password: string, stored: readonly (string | null)[]) => {
      checks.count += stored.length;
      return real.verifyPasswordAmong(password, stored);
    },
  };
});

let t: TestCore;
afterEach(() => t?.close());

const NEW_PASSWORD = 'a-different-password';

/** Account A is the demo account; account B is Other Co, whose owner Olga signs in. */
async function twoAccounts() {
  t = makeCore();
  const other = addOtherAccount(t.db);
  const olga = t.anonymous();
  await olga.ok('auth.signIn', { login: 'olga@other.example', password: 'other-password' });
  return { other, olga };
}

const signIn = (login: string, password: string, accountId?: number) =>
  t.anonymous().call('auth.signIn', { login, password, ...(accountId ? { accountId } : {}) });

describe('an email is unique within an account only', () => {
  it('adds a user whose email a user of another account has, and no answer names that account', async () => {
    const { other, olga } = await twoAccounts();
    const added = await olga.call('users.add', {
      name: 'John Elsewhere',
      email: 'john@teamline.demo',
      extension: '201',
      password: NEW_PASSWORD,
    });
    expect(added).toMatchObject({ ok: true, value: { email: 'john@teamline.demo' } });
    expect(JSON.stringify(added)).not.toMatch(/Teamline Demo|John Smith/i);

    // Within account B the email is now taken: refused clearly, naming this account only.
    const again = await olga.call('users.add', {
      name: 'John Twice',
      email: 'JOHN@teamline.demo',
      extension: '202',
      password: NEW_PASSWORD,
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict', fields: { email: expect.any(String) } } });
    if (again.ok) return;
    expect(again.error.message).toMatch(/this account/);
    expect(again.error.message).not.toMatch(/Teamline Demo/);

    // Changing an email to one another account uses is allowed too; within the account it is not.
    const olgaId = other.userId;
    expect((await olga.call('users.updateSettings', { userId: olgaId, email: 'morgan@teamline.demo' })).ok).toBe(true);
    const clash = await olga.call('users.updateSettings', { userId: olgaId, email: 'john@teamline.demo' });
    expect(clash).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // Account A still refuses its own duplicate.
    const morgan = await t.as('morgan');
    const inA = await morgan.call('users.add', {
      name: 'Second John',
      email: 'john@teamline.demo',
      extension: '299',
      password: NEW_PASSWORD,
    });
    expect(inA).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('signs each person in to their own account by the password that verifies', async () => {
    const { other, olga } = await twoAccounts();
    const added = await olga.ok('users.add', {
      name: 'John Elsewhere',
      email: 'john@teamline.demo',
      extension: '201',
      password: NEW_PASSWORD,
    });
    const inA = await signIn('john@teamline.demo', DEMO_PASSWORD);
    expect(inA).toMatchObject({
      ok: true,
      value: { user: { id: t.ids.users.john }, account: { id: t.ids.accountId } },
    });
    const inB = await signIn('John@Teamline.demo', NEW_PASSWORD);
    expect(inB).toMatchObject({ ok: true, value: { user: { id: added.id }, account: { id: other.accountId } } });
    const wrong = await signIn('john@teamline.demo', 'neither-password');
    expect(wrong).toEqual({
      ok: false,
      error: { code: 'unauthenticated', message: 'Wrong email, extension or password.' },
    });
    // A choice of account does not get around the password.
    expect(await signIn('john@teamline.demo', NEW_PASSWORD, t.ids.accountId)).toMatchObject({
      ok: true,
      value: { account: { id: other.accountId } },
    });
  });

  it('asks which account when one password opens several, naming only those', async () => {
    const { other, olga } = await twoAccounts();
    const added = await olga.ok('users.add', {
      name: 'John Elsewhere',
      email: 'john@teamline.demo',
      extension: '201',
      password: DEMO_PASSWORD,
    });
    const both = await signIn('john@teamline.demo', DEMO_PASSWORD);
    expect(both).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        fields: {
          accountId: `${t.ids.accountId},${other.accountId}`,
          [`account:${t.ids.accountId}`]: 'Teamline Demo',
          [`account:${other.accountId}`]: 'Other Co',
        },
      },
    });
    if (both.ok) return;
    expect(both.error.message).toMatch(/Teamline Demo/);
    expect(both.error.message).toMatch(/Other Co/);
    // The sign-in form offers exactly these accounts, by name.
    expect(choicesOf(both.error.fields)).toEqual([
      { id: String(t.ids.accountId), name: 'Teamline Demo' },
      { id: String(other.accountId), name: 'Other Co' },
    ]);
    expect(await signIn('john@teamline.demo', DEMO_PASSWORD, other.accountId)).toMatchObject({
      ok: true,
      value: { user: { id: added.id } },
    });
    expect(await signIn('john@teamline.demo', DEMO_PASSWORD, t.ids.accountId)).toMatchObject({
      ok: true,
      value: { user: { id: t.ids.users.john } },
    });
  });

  it('checks as many hashes whether an email names no user, one, or users of two accounts', async () => {
    const { olga } = await twoAccounts();
    const counted = async (login: string, password: string) => {
      checks.count = 0;
      await signIn(login, password);
      return checks.count;
    };
    const nobody = await counted('nobody@teamline.demo', 'some-guess');
    const one = await counted('john@teamline.demo', 'some-guess');
    await olga.ok('users.add', {
      name: 'John Elsewhere',
      email: 'john@teamline.demo',
      extension: '201',
      password: NEW_PASSWORD,
    });
    const two = await counted('john@teamline.demo', 'another-guess');
    const rightOne = await counted('john@teamline.demo', DEMO_PASSWORD);
    expect([nobody, one, two, rightOne]).toEqual(Array(4).fill(EMAIL_SIGN_IN_CHECKS));
  });

  it('the sign-in throttle still applies to an email in two accounts', async () => {
    const { olga } = await twoAccounts();
    await olga.ok('users.add', {
      name: 'John Elsewhere',
      email: 'john@teamline.demo',
      extension: '201',
      password: NEW_PASSWORD,
    });
    const anon = () => t.anonymous().call('auth.signIn', { login: 'john@teamline.demo', password: 'bad-guess' });
    for (let i = 0; i < 4; i++) expect(await anon()).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await anon()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Either right password now waits too: the guesses were against both.
    expect(await signIn('john@teamline.demo', NEW_PASSWORD)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await signIn('john@teamline.demo', DEMO_PASSWORD)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // The failures are audited in each account that has the email, as a failed sign-in of its own user.
    const audited = t.db
      .prepare(`SELECT DISTINCT account_id FROM audit_events WHERE action = 'auth.signInFailed' ORDER BY account_id`)
      .pluck()
      .all();
    expect(audited).toHaveLength(2);
  });
});
