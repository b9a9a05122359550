import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src/main/sip/config';
import { freePort, portIsFree } from '../../../src/main/sip/ports';
import { DOMAIN, eventually, useStack } from './harness';
import { received } from './sipp';
import { WsPhone } from './wsPhone';

/**
 * Phones that are not ours: desk phones name their Contact after their MAC
 * address, baresip after a random token. They register with the credentials
 * Teamline issues, and the history still says who answered: the proxy takes
 * it from the extension that registered the contact, never from the
 * Contact user a phone chose.
 */

const s = useStack();

/** Registers a demo user's phone (a sipp UAS on `port`) under a Contact user of its own. */
async function registerAs(key: string, port: number, contactUser: string, expires = 120) {
  const c = s.credentials(key);
  const r = await s.run({
    scenario: 'register.xml',
    keys: {
      ext: s.extension(key),
      domain: DOMAIN,
      contact_user: contactUser,
      contact_port: String(port),
      expires: String(expires),
    },
    auth: { username: c.authorizationUsername, password: c.password },
  });
  expect(r.code, r.messages).toBe(0);
}

/** John's phone dials `to`, talks briefly and hangs up. */
async function johnDials(to: string) {
  const c = s.credentials('john');
  const r = await s.run({
    scenario: 'dial.xml',
    keys: { ext: '100', domain: DOMAIN, to, cid: 'none' },
    auth: { username: c.authorizationUsername, password: c.password },
    timeoutSeconds: 20,
  });
  expect(r.code, r.messages).toBe(0);
}

/** The newest internal call, as Morgan (the Administrator) sees it: who placed and who answered. */
async function lastInternalCall(after: number) {
  const morgan = await s.as('morgan');
  return eventually(async () => {
    const row = (await morgan.ok('calls.list', { limit: 5, direction: 'internal' })).items[0];
    return row && row.id > after && row.endedAt !== null ? row : undefined;
  }, 3000);
}

const lastCallId = () => (s.db.prepare('SELECT max(id) FROM calls').pluck().get() as number | null) ?? 0;

/** The softphone (SIP over WebSocket, as sip.js does it) of a demo user, registered. */
async function softphone(key: string) {
  const creds = await (await s.as(key)).ok('sip.credentials', {});
  const phone = await WsPhone.connect(s.phone.kamailio.wsUrl, creds.username, DOMAIN);
  phones.push(phone);
  expect(await phone.register(creds)).toEqual({ code: 200, reason: 'OK' });
  return phone;
}
const phones: WsPhone[] = [];
afterAll(() => {
  for (const p of phones) p.close();
});

describe('stock SIP phones', () => {
  it('a desk phone whose Contact is its MAC address registers, is called, and is named as who answered', async () => {
    const phone = await s.sipp({ scenario: 'phone-answer.xml', uas: true });
    await registerAs('jessica', phone.localPort, '0004f2a1b2c3');
    const before = lastCallId();
    await johnDials(s.extension('jessica'));
    expect(await phone.done, phone.messages()).toBe(0);
    expect(received(phone.messages(), 'INVITE')[0]).toMatch(/^INVITE sip:0004f2a1b2c3@127\.0\.0\.1:\d+ /);
    const row = await lastInternalCall(before);
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([
      ['100', 'placed'],
      ['102', 'answered'],
    ]);
    await registerAs('jessica', phone.localPort, '0004f2a1b2c3', 0);
  });

  it('a phone whose Contact user is another extension is still its own registrant: the history is not fooled', async () => {
    // Peter's phone calls itself "103" (Jasmine's extension) in its Contact.
    const phone = await s.sipp({ scenario: 'phone-answer.xml', uas: true });
    await registerAs('peter', phone.localPort, s.extension('jasmine'));
    const before = lastCallId();
    await johnDials(s.extension('peter'));
    expect(await phone.done, phone.messages()).toBe(0);
    const row = await lastInternalCall(before);
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([
      ['100', 'placed'],
      ['101', 'answered'],
    ]);
    await registerAs('peter', phone.localPort, s.extension('jasmine'), 0);
  });
  it('a phone with a random Contact user registers with issued credentials and calls a softphone', async () => {
    const jasmine = await softphone('jasmine');
    const port = await freePort('127.0.0.1', true);
    await registerAs('john', port, '100-0x7f3a9c');
    const c = s.credentials('john');
    const before = lastCallId();
    const r = await s.run({
      scenario: 'dial-as.xml',
      localPort: port,
      keys: { ext: '100', domain: DOMAIN, to: '103', cid: 'none', contact_user: '100-0x7f3a9c' },
      auth: { username: c.authorizationUsername, password: c.password },
    });
    expect(r.code, r.messages).toBe(0);
    expect(jasmine.invites).toHaveLength(1);
    const row = await lastInternalCall(before);
    expect(row.result).toBe('answered');
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([
      ['100', 'placed'],
      ['103', 'answered'],
    ]);
    jasmine.close();
  });
});

const haveBaresip = !spawnSync('baresip', ['-h']).error;

describe.runIf(haveBaresip)('baresip (Debian)', () => {
  const running: { proc: ChildProcess; dir: string }[] = [];
  afterAll(() => {
    for (const r of running) {
      r.proc.kill('SIGKILL');
      rmSync(r.dir, { recursive: true, force: true });
    }
  });

  /**
   * baresip for a demo user, headless (a recording as its microphone, no
   * speaker), registered through the proxy with issued credentials,
   * answering calls by itself; `args` run commands at start. Its output,
   * with SIP traces (-s), so far.
   */
  async function baresip(key: string, args: string[] = []) {
    const dir = mkdtempSync(join(tmpdir(), 'tl-baresip-'));
    // baresip listens on UDP and TCP at its port, and TLS at the next one.
    let port = 0;
    for (let i = 0; i < 20 && !port; i++) {
      const p = await freePort('127.0.0.1', true);
      if ((await portIsFree(p, false)) && (await portIsFree(p + 1, false))) port = p;
    }
    expect(port).toBeGreaterThan(0);
    const c = s.credentials(key);
    writeFileSync(
      join(dir, 'config'),
      [
        `sip_listen 127.0.0.1:${port}`,
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module_app account.so',
        'module_app menu.so',
        `audio_source aufile,${join(projectRoot, 'resources', 'prompts', 'voicemail-greeting.wav')}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:${c.username}@${DOMAIN}>;auth_user=${c.authorizationUsername};auth_pass=${c.password};outbound="sip:${s.proxy};transport=udp";regint=120;answermode=auto\n`,
    );
    const proc = spawn('baresip', ['-f', dir, '-s', '-t', '30', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.push({ proc, dir });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    return { proc, output: () => out };
  }

  /** Waits until baresip reports its registration accepted, and the directory shows the user available. */
  async function registered(key: string, output: () => string) {
    const ok = new RegExp(`${s.extension(key)}@${DOMAIN.replace('.', '\\.')}: \\{0/UDP/v4\\} 200 OK`);
    await eventually(() => ok.test(output()), 8000).catch((error: unknown) => {
      throw new Error(`baresip did not register: ${String(error)}\n${output().slice(-4000)}`);
    });
    const me = await s.as(key);
    await eventually(async () => {
      const dir = await me.ok('sip.directory', {});
      return dir.members.find((m) => m.extension === s.extension(key))?.presence === 'available';
    }, 2000);
    // Its Contact user is a token of its own, not the extension.
    const contact = /^Contact: <sip:([^@>]+)@/m.exec(output().slice(output().indexOf('REGISTER sip:')));
    expect(contact?.[1], output().slice(-3000)).toMatch(new RegExp(`^${s.extension(key)}-0x[0-9a-f]+$`));
  }

  it('registers with issued credentials, answers a call, and the history says Jasmine answered', async () => {
    const phone = await baresip('jasmine');
    await registered('jasmine', phone.output);
    const before = lastCallId();
    await johnDials('103').catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- baresip ---\n${phone.output().slice(-6000)}`);
    });
    const row = await lastInternalCall(before);
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([
      ['100', 'placed'],
      ['103', 'answered'],
    ]);
    phone.proc.kill('SIGTERM');
  });

  it('calls a softphone, and the history says who placed the call and who answered it', async () => {
    const jessica = await softphone('jessica');
    const before = lastCallId();
    // Allie's baresip dials 102 at start; ending it (SIGTERM) hangs up.
    const phone = await baresip('allie', ['-e', `/dial sip:102@${DOMAIN}`]);
    await eventually(() => jessica.invites.length === 1, 8000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- baresip ---\n${phone.output().slice(-6000)}`);
    });
    phone.proc.kill('SIGTERM');
    const row = await lastInternalCall(before);
    expect(row.result).toBe('answered');
    expect(row.participants.map((p) => [p.extension, p.role]).sort()).toEqual([
      ['102', 'answered'],
      ['104', 'placed'],
    ]);
    jessica.close();
  });
});
