import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promises as dns } from 'node:dns';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/main/sip/ports';
import { startDnsServer, type DnsServer } from './dnsServer';
import { DOMAIN, eventually, useStack, type ApiClient } from './harness';
import { killAllSipp, received } from './sipp';

/**
 * A carrier found by DNS: the trunk names a host and no port, and the
 * carrier publishes SRV records (`_sip._udp.<host>`) pointing at a server
 * on a port of its own. Kamailio registers, calls and texts there, and the
 * main process treats that address and port as the trunk (topology hiding,
 * the carrier's calls).
 *
 * The DNS server is ours, on a loopback address of its own (port 53);
 * Kamailio runs in a mount namespace whose /etc/resolv.conf names it, and
 * this process's resolver is pointed at it, so no query leaves the machine.
 */

const NAMESERVER = '127.53.0.1';
const HOST = 'carrier.teamline.test';
const TARGET = 'sip-a.carrier.teamline.test';
const NY = '+13322139228';
const CUSTOMER = '+13105550142';

let admin: ApiClient;
let dnsServer: DnsServer | null = null;
let carrierPort = 0;
let trunkId = 0;
const dir = mkdtempSync(join(tmpdir(), 'tl-srv-'));
const systemServers = dns.getServers();

const s = useStack({
  trunkTiming: { pollMs: 300, backoffMs: 500, maxBackoffMs: 2000 },
  logChars: 8000,
  prepare: async () => {
    carrierPort = await freePort('127.0.0.1', true);
    dnsServer = await startDnsServer(NAMESERVER, [
      { type: 'SRV', name: `_sip._udp.${HOST}`, priority: 10, weight: 0, port: carrierPort, target: TARGET },
      { type: 'A', name: TARGET, address: '127.0.0.1' },
    ]);
    dns.setServers([NAMESERVER]);
    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${NAMESERVER}\noptions timeout:1 attempts:2\n`);
    // Kamailio with this resolv.conf in place of the system's: its own mount namespace, the same process.
    const binary = join(dir, 'kamailio');
    writeFileSync(
      binary,
      `#!/bin/sh\nexec unshare --mount sh -c 'mount --bind "$0" /etc/resolv.conf && exec kamailio "$@"' ${resolvConf} "$@"\n`,
    );
    chmodSync(binary, 0o700);
    return { kamailio: { binary } };
  },
  ready: async (started) => {
    admin = await started.as('morgan');
  },
  stopped: async () => {
    dns.setServers(systemServers);
    await dnsServer?.close();
    rmSync(dir, { recursive: true, force: true });
  },
});

function dial(key: string, to: string, cid = '') {
  const c = s.credentials(key);
  return s.run({
    scenario: 'dial.xml',
    keys: { ext: s.extension(key), domain: DOMAIN, to, cid },
    auth: { username: c.authorizationUsername, password: c.password },
  });
}

async function trunkState() {
  const c = await admin.ok('carrier.get', {});
  return c.trunks.find((t) => t.id === trunkId)!.state;
}

describe('a carrier found by its SRV records', () => {
  it('registers with the server and port its SRV record names', async () => {
    const registrar = await s.sipp({ scenario: 'carrier-registrar.xml', uas: true, localPort: carrierPort });
    trunkId = (
      await admin.ok('carrier.saveTrunk', {
        name: 'SRV carrier',
        host: HOST,
        port: null,
        transport: 'udp',
        registration: { username: 'office100', password: 'Tr:unk\\pw|1', realm: '', expiry: 60 },
        allowCidrs: [],
        callerIdMode: 'pai',
        callerIdPlus: true,
        role: 'preferred',
      })
    ).id;
    await eventually(async () => (await trunkState()).status === 'registered', 15_000);
    const [register] = received(registrar.messages(), 'REGISTER');
    expect(register).toMatch(new RegExp(`^REGISTER sip:${HOST.replace(/\./g, '\\.')} SIP/2\\.0`));
    // Both resolvers asked our server for the SRV records.
    expect(dnsServer!.asked).toContain(`_sip._udp.${HOST} 33`);
    registrar.kill();
    await registrar.done;
  }, 40_000);

  it('sends a call there, hiding the inside as toward any trunk', async () => {
    const carrier = await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: carrierPort });
    const call = await dial('john', CUSTOMER, NY);
    expect(call.code, call.messages).toBe(0);
    const [invite] = received(carrier.messages(), 'INVITE');
    expect(invite).toMatch(new RegExp(`^INVITE sip:\\${CUSTOMER}@${HOST.replace(/\./g, '\\.')} SIP/2\\.0`));
    expect(invite).toMatch(new RegExp(`^P-Asserted-Identity: <sip:\\${NY}@`, 'm'));
    // The proxy knows this address and port as the trunk: topoh masked the inside Call-ID.
    expect(/^Call-ID: (.*)$/m.exec(invite!)![1]!.trim().startsWith('!!:')).toBe(true);
    killAllSipp();
  }, 30_000);

  it('takes a call from that server to the Contact it registered as the carrier’s', async () => {
    const token = s.db.prepare('SELECT contact_token FROM carrier_trunks WHERE id = ?').pluck().get(trunkId) as string;
    const before = s.db.prepare('SELECT max(id) FROM calls').pluck().get() as number;
    const call = await s.run({
      scenario: 'carrier-in-contact.xml',
      localPort: carrierPort,
      keys: { ruser: token, bn: '+18885550190', caller: CUSTOMER },
    });
    expect(call.code, call.messages).toBe(0);
    const row = await eventually(
      () =>
        s.db.prepare('SELECT bn_id, direction FROM calls WHERE id > ?').get(before) as { bn_id: number } | undefined,
      3000,
    );
    expect(row).toMatchObject({ direction: 'inbound', bn_id: s.ids.numbers.tollFree });
  }, 30_000);
});
