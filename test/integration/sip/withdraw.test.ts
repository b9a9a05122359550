import { describe, expect, it } from 'vitest';
import { createDevice } from '../../../src/main/core/store/repos/devices';
import { issueCredentials } from '../../../src/main/sip/credentials';
import { freePort } from '../../../src/main/sip/ports';
import { DOMAIN, eventually, useStack } from './harness';
import { received } from './sipp';

/**
 * Revoking a joined desktop, or deactivating its user, withdraws its phone
 * at once, in the real proxy: its contacts leave Kamailio's location table,
 * its credentials are refused from then on, calls to the user no longer
 * ring it, and a call it is on ends. The user's other phones are untouched
 * by a revoked desktop.
 */

const s = useStack();

function deviceFor(key: string, name: string): number {
  return createDevice(s.db, {
    accountId: s.ids.accountId,
    userId: s.ids.users[key]!,
    name,
    invitationId: null,
    now: Date.now(),
  }).id;
}

/** Credentials as `sip.credentials` issues them to a joined desktop (deviceId) or a browser (null). */
function credentialsFor(key: string, deviceId: number | null) {
  return issueCredentials(
    s.phone.sip,
    { accountId: s.ids.accountId, userId: s.ids.users[key]!, extension: s.extension(key), deviceId },
    Date.now(),
  );
}

function register(key: string, c: { authorizationUsername: string; password: string }, port: number, refused = false) {
  const ext = s.extension(key);
  return s.run({
    scenario: refused ? 'register-refused.xml' : 'register.xml',
    keys: { ext, domain: DOMAIN, contact_user: ext, contact_port: String(port), expires: '120' },
    auth: { username: c.authorizationUsername, password: c.password },
  });
}

/** The contacts Kamailio holds for an extension, from its location table. */
async function located(ext: string): Promise<string[]> {
  const out = (await s.phone.trunks.rpc('ul.dump')) ?? '';
  const contacts: string[] = [];
  let aor = '';
  for (const line of out.split('\n')) {
    const a = /^\s*AoR: (\S+)/.exec(line);
    if (a) aor = a[1]!;
    const c = /^\s*Address: (\S+)/.exec(line);
    if (c && aor === ext) contacts.push(c[1]!);
  }
  return contacts;
}

function dial(from: string, to: string, scenario = 'dial.xml') {
  const c = s.credentials(from);
  return s.run({
    scenario,
    keys: { ext: s.extension(from), domain: DOMAIN, to: s.extension(to), cid: '' },
    auth: { username: c.authorizationUsername, password: c.password },
    timeoutSeconds: 20,
  });
}

describe('a revoked desktop', () => {
  it('loses its registration at once, is refused from then on, and is no longer rung', async () => {
    const deviceId = deviceFor('john', 'Front desk');
    const desk = credentialsFor('john', deviceId);
    expect(desk.authorizationUsername).toMatch(new RegExp(`^\\d{10}\\.${s.extension('john')}\\.${deviceId}$`));
    const [deskPort, otherPort] = [await freePort('127.0.0.1', true), await freePort('127.0.0.1', true)];
    expect((await register('john', desk, deskPort)).code).toBe(0);
    expect((await register('john', credentialsFor('john', null), otherPort)).code).toBe(0);
    const ext = s.extension('john');
    expect((await located(ext)).sort()).toEqual(
      [`sip:${ext}@127.0.0.1:${deskPort}`, `sip:${ext}@127.0.0.1:${otherPort}`].sort(),
    );

    const morgan = await s.as('morgan');
    await morgan.ok('devices.revoke', { deviceId });
    // Gone from the proxy (not only the console's connection), the user's other phone kept.
    await eventually(async () => {
      const now = await located(ext);
      return now.length === 1 && now[0] === `sip:${ext}@127.0.0.1:${otherPort}`;
    }, 3000);

    // The same, still unexpired credentials: 403.
    const again = await register('john', desk, deskPort, true);
    expect(again.code, again.messages).toBe(0);
    expect(received(again.messages, 'SIP/2.0 403')[0]).toMatch(/removed from the team/);
    expect(await located(ext)).toHaveLength(1);

    // A call to John rings his other phone only.
    const revoked = await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: deskPort, timeoutSeconds: 20 });
    const other = await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: otherPort, timeoutSeconds: 20 });
    const call = await dial('peter', 'john');
    expect(call.code, call.messages).toBe(0);
    await other.done;
    expect(received(other.messages(), 'INVITE')).toHaveLength(1);
    revoked.kill();
    expect(received(revoked.messages(), 'INVITE')).toHaveLength(0);
    await s.run({
      scenario: 'register.xml',
      keys: { ext, domain: DOMAIN, contact_user: ext, contact_port: String(otherPort), expires: '0' },
      auth: (({ authorizationUsername: username, password }) => ({ username, password }))(credentialsFor('john', null)),
    });
  });

  it('ends the call it is on', async () => {
    const deviceId = deviceFor('jessica', 'Laptop');
    const port = await freePort('127.0.0.1', true);
    expect((await register('jessica', credentialsFor('jessica', deviceId), port)).code).toBe(0);
    const phone = await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: port, timeoutSeconds: 30 });
    const caller = dial('peter', 'jessica', 'dial-until-bye.xml');
    // Answered: the dialog is confirmed in the proxy.
    await eventually(async () => /state: 4/.test((await s.phone.trunks.rpc('dlg.list')) ?? ''), 5000);
    const morgan = await s.as('morgan');
    const before = Date.now();
    await morgan.ok('devices.revoke', { deviceId });
    // Both sides are sent a BYE by the proxy, and each scenario ends well.
    const r = await caller;
    expect(await phone.done).toBe(0);
    expect(r.code, r.messages).toBe(0);
    expect(Date.now() - before).toBeLessThan(5000);
    expect(received(phone.messages(), 'BYE')).toHaveLength(1);
    expect(await located(s.extension('jessica'))).toEqual([]);
  });
});

describe('a deactivated user', () => {
  it('loses every registration at once and is refused from then on', async () => {
    const ext = s.extension('peter');
    const browser = credentialsFor('peter', null);
    const port = await freePort('127.0.0.1', true);
    expect((await register('peter', browser, port)).code).toBe(0);
    expect(await located(ext)).toHaveLength(1);
    const morgan = await s.as('morgan');
    await morgan.ok('users.deactivate', { userId: s.ids.users.peter! });
    await eventually(async () => (await located(ext)).length === 0, 3000);
    const again = await register('peter', browser, port, true);
    expect(again.code, again.messages).toBe(0);
  });
});
