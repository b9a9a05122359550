import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCoreWithDb } from '../../../src/main/core/api/core';
import { openDatabase } from '../../../src/main/core/store/db';
import { DOMAIN, useStack } from './harness';
import { received } from './sipp';

/**
 * SIP identities come from the account: an active user with an extension
 * registers with credentials the main process issued; expired credentials,
 * a deactivated user and someone else's extension are refused by the proxy.
 */

const s = useStack();

const registerWith = (
  scenario: string,
  c: { authorizationUsername: string; password: string },
  ext: string,
  contactUser = ext,
  contactPort = '5999',
) =>
  s.run({
    scenario,
    keys: { ext, domain: DOMAIN, contact_user: contactUser, contact_port: contactPort, expires: '60' },
    auth: { username: c.authorizationUsername, password: c.password },
  });

describe('sip.credentials', () => {
  it('issues short-lived credentials for the signed-in user only, which register', async () => {
    const john = await s.as('john');
    const c = await john.ok('sip.credentials', {});
    expect(c.username).toBe('100');
    expect(c.authorizationUsername).toMatch(/^\d{10}\.100$/);
    expect(c.domain).toBe(DOMAIN);
    expect(c.wsUrl).toBe(s.phone.kamailio.wsUrl);
    expect(c.expiresAt - Date.now()).toBeGreaterThan(30 * 60_000);
    expect(c.expiresAt - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(c.password).not.toContain(c.authorizationUsername);
    const r = await registerWith('register.xml', c, '100');
    expect(r.code, r.messages).toBe(0);
  });

  it('is refused while an Administrator views as someone', async () => {
    const morgan = await s.as('morgan');
    await morgan.ok('auth.viewAs', { userId: s.ids.users.john! });
    const r = await morgan.call('sip.credentials', {});
    expect(r.ok).toBe(false);
  });

  it('answers clearly when the phone service is not running', async () => {
    const db = openDatabase(':memory:');
    const core = createCoreWithDb(db, {});
    const { seedDemo } = await import('../../../src/main/core/demo/seed');
    seedDemo(db, Date.now(), { days: 0 });
    const conn = core.connect(() => {});
    await conn.invoke('auth.signIn', { login: 'john@teamline.demo', password: 'teamline-demo' });
    const r = await conn.invoke('sip.credentials', {});
    expect(r).toEqual({ ok: false, error: { code: 'conflict', message: 'The phone service is not running.' } });
    core.close();
  });
});

describe('registration at the proxy', () => {
  it('refuses expired credentials', async () => {
    const stale = s.credentials('peter', Date.now() - 2 * 3600_000);
    const r = await registerWith('register-refused.xml', stale, '101');
    expect(r.code, r.messages).toBe(0);
    expect(received(r.messages, 'SIP/2.0 403')[0]).toMatch(/^SIP\/2\.0 403 Credentials expired/);
  });

  it("refuses credentials used for another extension's address", async () => {
    const johns = s.credentials('john');
    const r = await registerWith('register-refused.xml', johns, '101');
    expect(r.code, r.messages).toBe(0);
    expect(received(r.messages, 'SIP/2.0 403')[0]).toMatch(/another extension/);
  });

  it('refuses a wrong password (a forged credential)', async () => {
    const c = s.credentials('john');
    const r = await registerWith('register-refused.xml', { ...c, password: c.password.slice(1) + 'x' }, '100');
    // A wrong digest is challenged again, not accepted: sipp sees 401 where it expects 403.
    expect(r.code).not.toBe(0);
    expect(received(r.messages, 'SIP/2.0 200')).toHaveLength(0);
  });

  it("accepts any contact user (a desk phone's MAC, a token)", async () => {
    const r = await registerWith('register.xml', s.credentials('john'), '100', '100-0x5f2a9c1e');
    expect(r.code, r.messages).toBe(0);
    const mac = await registerWith('register.xml', s.credentials('john'), '100', '001565a1b2c3', '5998');
    expect(mac.code, mac.messages).toBe(0);
  });

  it('refuses a contact at the proxy itself or at the trunk: a phone cannot make the proxy call out', async () => {
    const self = await registerWith('register-refused.xml', s.credentials('john'), '100', '100', s.proxy.split(':')[1]);
    expect(self.code, self.messages).toBe(0);
    expect(received(self.messages, 'SIP/2.0 403')[0]).toMatch(/That contact address is not a phone/);
    const trunk = await registerWith(
      'register-refused.xml',
      s.credentials('john'),
      '100',
      '+13105550100',
      String(s.peerPort),
    );
    expect(trunk.code, trunk.messages).toBe(0);
    expect(received(trunk.messages, 'SIP/2.0 403')[0]).toMatch(/That contact address is not a phone/);
  });

  it('refuses a contact another extension has registered (who answers would be ambiguous)', async () => {
    const first = await registerWith('register.xml', s.credentials('jessica'), '102', 'desk', '5997');
    expect(first.code, first.messages).toBe(0);
    const r = await registerWith('register-refused.xml', s.credentials('peter'), '101', 'desk', '5997');
    expect(r.code, r.messages).toBe(0);
    expect(received(r.messages, 'SIP/2.0 403')[0]).toMatch(/registered by another extension/);
  });

  it('refuses a deactivated user, even with credentials issued before', async () => {
    const before = s.credentials('allie');
    expect((await registerWith('register.xml', before, '104')).code).toBe(0);
    const morgan = await s.as('morgan');
    await morgan.ok('users.deactivate', { userId: s.ids.users.allie! });
    for (const c of [before, s.credentials('allie')]) {
      const r = await registerWith('register-refused.xml', c, '104');
      expect(r.code, r.messages).toBe(0);
      expect(received(r.messages, 'SIP/2.0 403')[0]).toMatch(/may not use the phone/);
    }
    await morgan.ok('users.reactivate', { userId: s.ids.users.allie! });
    expect((await registerWith('register.xml', s.credentials('allie'), '104')).code).toBe(0);
  });

  it('refuses credentials of another phone service (another secret)', async () => {
    const { issueCredentials } = await import('../../../src/main/sip/credentials');
    const foreign = issueCredentials(
      { ...s.phone.sip, secret: Buffer.alloc(32, 7) },
      { accountId: s.ids.accountId, userId: s.ids.users.john!, extension: '100' },
      Date.now(),
    );
    const r = await registerWith('register-refused.xml', foreign, '100');
    expect(r.code).not.toBe(0);
    expect(received(r.messages, 'SIP/2.0 200')).toHaveLength(0);
  });

  it('leaves no password or secret in the proxy log or its rendered config', async () => {
    const text = s.log() + readFileSync(s.phone.kamailio.configFile, 'utf8');
    expect(s.issued.length).toBeGreaterThan(5);
    for (const password of s.issued) expect(text).not.toContain(password);
    expect(text).not.toContain(s.phone.sip.secret.toString('hex'));
    expect(text).not.toContain(s.phone.sip.secret.toString('base64'));
  });
});
