import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/main/sip/ports';
import { TrunkService } from '../../../src/main/sip/trunks';
import { makeCarrierCerts, tlsFront, type CarrierCerts, type TlsFront } from '../../support/tlsCarrier';
import { DOMAIN, eventually, useStack, type ApiClient } from './harness';
import { received } from './sipp';

/**
 * A trunk over TLS, with the team server's proxy (its TLS module loaded) and
 * a carrier that is sipp over TCP behind a TLS server with a certificate
 * from a test CA the proxy is told to trust: registration with digest (401),
 * a call and a text challenged with 407, all over TLS. The carrier's certificate
 * is checked: one no CA we trust signed, or one for another host name, is
 * refused before anything is sent (the trunk is not handed to the proxy),
 * and the trunk reads "failing" with why.
 */

let admin: ApiClient;
let certs: CarrierCerts;
const dir = mkdtempSync(join(tmpdir(), 'tl-tls-carrier-'));
const fronts: TlsFront[] = [];
const PASSWORD = 'Tr:unk\\pw|1';
const NY = '+13322139228';
const CUSTOMER = '+13105550100';

const s = useStack({
  trunkTiming: { pollMs: 300, backoffMs: 500, maxBackoffMs: 2000 },
  prepare: async () => {
    certs = makeCarrierCerts(dir);
    return {
      kamailio: {
        public: {
          address: '127.0.0.1',
          publicName: 'localhost',
          tls: {
            certFile: certs.good.certFile,
            keyFile: certs.good.keyFile,
            wssPort: await freePort('127.0.0.1'),
            tlsPort: await freePort('127.0.0.1'),
          },
          plainPort: null,
        },
        trunkCaFile: certs.caFile,
        // The TLS module sets up a context per process: slower to start on a busy machine.
        readyTimeoutMs: 40_000,
      },
    };
  },
  ready: async (started) => {
    admin = await started.as('morgan');
  },
  startTimeoutMs: 60_000,
  logChars: 8000,
  stopping: async () => {
    for (const f of fronts) await f.close();
  },
  stopped: () => rmSync(dir, { recursive: true, force: true }),
});

async function stateOf(id: number) {
  const c = await admin.ok('carrier.get', {});
  return c.trunks.find((t) => t.id === id)!.state;
}

const tlsTrunk = (name: string, port: number, role: 'preferred' | 'standby') =>
  admin.ok('carrier.saveTrunk', {
    name,
    host: 'localhost',
    port,
    transport: 'tls',
    registration: { username: 'office100', password: PASSWORD, realm: '', expiry: 60 },
    allowCidrs: [],
    callerIdMode: 'pai',
    callerIdPlus: true,
    role,
  });

function digestValid(request: string, method: string): boolean {
  const header = /^Proxy-Authorization: Digest (.*)$/m.exec(request)?.[1] ?? '';
  const p = Object.fromEntries([...header.matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]));
  if (p.username !== 'office100' || !p.nonce || !p.uri || !p.realm) return false;
  const md5 = (v: string) => createHash('md5').update(v).digest('hex');
  return p.response === md5(`${md5(`office100:${p.realm}:${PASSWORD}`)}:${p.nonce}:${md5(`${method}:${p.uri}`)}`);
}

let sippPort = 0;
let front: TlsFront;

describe('a trunk over TLS', () => {
  it('registers over TLS, answering the carrier’s 401, with a TLS Contact', async () => {
    sippPort = await freePort('127.0.0.1');
    const registrar = await s.sipp({
      scenario: 'carrier-registrar.xml',
      uas: true,
      localPort: sippPort,
      transport: 't1',
    });
    front = await tlsFront({ ...certs.good, target: sippPort });
    fronts.push(front);
    const t = await tlsTrunk('TLS carrier', front.port, 'preferred');
    await eventually(async () => (await stateOf(t.id)).status === 'registered', 20_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${registrar.messages()}`);
    });
    const regs = received(registrar.messages(), 'REGISTER');
    expect(regs.length).toBeGreaterThanOrEqual(2);
    expect(regs[0]).toMatch(/^Via: SIP\/2\.0\/TLS /m);
    expect(regs[0]).toMatch(/^Contact: <sip:tl[0-9a-z]+@localhost:\d+;transport=tls>/m);
    expect(regs.at(-1)).toMatch(/^Authorization: Digest .*username="office100"/m);
    expect(front.accepted()).toBeGreaterThanOrEqual(1);
    registrar.kill();
    await registrar.done;
  }, 40_000);

  it('places a call over TLS, answering the carrier’s 407', async () => {
    const carrier = await s.sipp({
      scenario: 'carrier-tls-auth-answer.xml',
      uas: true,
      localPort: sippPort,
      transport: 't1',
      keys: { contact: `127.0.0.1:${front.port};transport=tls` },
      // The trunk's registration refreshes reach this carrier too: each is a "call" it does not take.
      calls: 3,
    });
    const c = s.credentials('john');
    const call = await s.run({
      scenario: 'dial.xml',
      keys: { ext: s.extension('john'), domain: DOMAIN, to: CUSTOMER, cid: NY },
      auth: { username: c.authorizationUsername, password: c.password },
    });
    await Promise.race([carrier.done, new Promise((r) => setTimeout(r, 2000))]);
    expect(call.code, carrier.messages()).toBe(0);
    const invites = received(carrier.messages(), 'INVITE');
    expect(invites).toHaveLength(2);
    expect(invites[1]).toMatch(new RegExp(`^INVITE sip:\\${CUSTOMER}@localhost:${front.port};transport=tls `));
    expect(invites[1]).toMatch(/^Via: SIP\/2\.0\/TLS /m);
    expect(digestValid(invites[1]!, 'INVITE')).toBe(true);
    expect(received(carrier.messages(), 'BYE')).toHaveLength(1);
    carrier.kill();
    await carrier.done;
  }, 40_000);

  it('sends a text over TLS, answering the carrier’s 407', async () => {
    const carrier = await s.sipp({
      scenario: 'carrier-sms-auth.xml',
      uas: true,
      localPort: sippPort,
      transport: 't1',
      // Registration refreshes reach this carrier too: each is a "call".
      calls: 3,
    });
    const m = await admin.ok('messages.send', { bnId: s.ids.numbers.mainNY, to: CUSTOMER, body: 'Over TLS' });
    await eventually(
      () => s.db.prepare('SELECT status FROM messages WHERE id = ?').pluck().get(m.id) === 'sent',
      15_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${carrier.messages()}`);
    });
    const texts = received(carrier.messages(), 'MESSAGE');
    expect(texts).toHaveLength(2);
    expect(texts[1]).toMatch(new RegExp(`^MESSAGE sip:\\${CUSTOMER}@localhost:${front.port};transport=tls `));
    expect(texts[1]).toMatch(/^Via: SIP\/2\.0\/TLS /m);
    expect(texts[1]).toMatch(new RegExp(`^P-Asserted-Identity: <sip:\\${NY}@`, 'm'));
    expect(texts[1]).toMatch(/\r\n\r\nOver TLS$/);
    expect(digestValid(texts[1]!, 'MESSAGE')).toBe(true);
    carrier.kill();
    await carrier.done;
  }, 40_000);
});

describe('the carrier’s certificate', () => {
  it('refuses a carrier whose certificate no trusted CA signed, and says so', async () => {
    const port = await freePort('127.0.0.1');
    const registrar = await s.sipp({ scenario: 'carrier-registrar.xml', uas: true, localPort: port, transport: 't1' });
    const self = await tlsFront({ ...certs.selfSigned, target: port });
    fronts.push(self);
    const t = await tlsTrunk('Untrusted carrier', self.port, 'standby');
    const st = await eventually(async () => {
      const x = await stateOf(t.id);
      return x.status === 'failing' &&
        /^The carrier's certificate is not signed by an authority we trust/.test(x.lastAnswer ?? '')
        ? x
        : undefined;
    }, 40_000);
    expect(st.lastAnswer).toMatch(/^The carrier's certificate is not signed by an authority we trust/);
    expect(received(registrar.messages(), 'REGISTER')).toHaveLength(0);
    expect(self.accepted()).toBe(0);
    registrar.kill();
  }, 60_000);

  it('refuses a carrier whose certificate is for another host name, and says so', async () => {
    const port = await freePort('127.0.0.1');
    const registrar = await s.sipp({ scenario: 'carrier-registrar.xml', uas: true, localPort: port, transport: 't1' });
    const other = await tlsFront({ ...certs.otherName, target: port });
    fronts.push(other);
    const t = await tlsTrunk('Misnamed carrier', other.port, 'standby');
    const st = await eventually(async () => {
      const x = await stateOf(t.id);
      return x.status === 'failing' && /^The carrier's certificate is not for localhost/.test(x.lastAnswer ?? '')
        ? x
        : undefined;
    }, 40_000);
    expect(st.lastAnswer).toMatch(/^The carrier's certificate is not for localhost/);
    await new Promise((r) => setTimeout(r, 500));
    expect(received(registrar.messages(), 'REGISTER')).toHaveLength(0);
    // Not handed to the proxy: no registration of it there.
    const token = s.db.prepare('SELECT contact_token FROM carrier_trunks WHERE id = ?').pluck().get(t.id) as string;
    expect(readFileSync(join(TrunkService.dbDir(s.runDir), 'uacreg'), 'utf8')).not.toContain(token);
    registrar.kill();
  }, 60_000);

  it('checks against the system’s CAs and the configured ones only', () => {
    const own = readFileSync(join(s.runDir, 'trunk-ca.pem'), 'utf8');
    expect(own).toContain(readFileSync(certs.caFile, 'utf8').trim());
    const tlsCfg = readFileSync(join(s.runDir, 'tls.cfg'), 'utf8');
    expect(tlsCfg).toMatch(/\[client:default\][^[]*verify_certificate = yes/);
    expect(tlsCfg).toMatch(/\[client:default\][^[]*ca_path = \/etc\/ssl\/certs/);
    expect(tlsCfg).toMatch(/\[client:default\][^[]*ca_list = .*trunk-ca\.pem/);
  });
});
