import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/main/sip/ports';
import { eventually, useStack, type ApiClient } from './harness';

/**
 * The trunk states the Carrier page shows when the carrier does not answer
 * at all: a port where nothing listens, and a host name that does not
 * resolve, both read "unreachable" (not "failing", which is for a carrier
 * that answered with a refusal).
 */

let admin: ApiClient;
const s = useStack({
  trunkTiming: { pollMs: 300, backoffMs: 500, maxBackoffMs: 2000 },
  logChars: 8000,
  ready: async (started) => {
    admin = await started.as('morgan');
  },
});

async function stateOf(id: number) {
  const c = await admin.ok('carrier.get', {});
  return c.trunks.find((t) => t.id === id)!.state;
}

const registration = { username: 'office100', password: 'a-password', realm: '', expiry: 60 };

describe('a carrier that does not answer', () => {
  it('reads "unreachable" when nothing answers at the carrier’s address', async () => {
    const silent = await freePort('127.0.0.1', true);
    const t = await admin.ok('carrier.saveTrunk', {
      name: 'Silent carrier',
      host: '127.0.0.1',
      port: silent,
      transport: 'udp',
      registration,
      role: 'preferred',
    });
    const st = await eventually(async () => {
      const x = await stateOf(t.id);
      return x.status === 'unreachable' ? x : undefined;
    }, 40_000);
    expect(st.lastAnswer).toBe('No answer from the carrier');
    expect(st.since).not.toBeNull();
  }, 60_000);

  it('reads "unreachable" when the carrier’s host name does not resolve', async () => {
    const t = await admin.ok('carrier.saveTrunk', {
      name: 'Unknown carrier',
      host: 'sip.carrier.invalid',
      port: null,
      transport: 'udp',
      registration,
      role: 'fallback',
    });
    const st = await eventually(async () => {
      const x = await stateOf(t.id);
      return x.status === 'unreachable' ? x : undefined;
    }, 40_000);
    expect(st.lastAnswer).toBe('sip.carrier.invalid does not resolve (DNS)');
  }, 60_000);
});

describe('a released number', () => {
  it('stops routing: the carrier’s call to it is refused as not ours', async () => {
    await admin.ok('carrier.saveTrunk', {
      name: 'Allow-listed carrier',
      host: '127.0.0.1',
      port: 5060,
      transport: 'udp',
      registration: null,
      allowCidrs: ['127.0.0.1/32'],
      role: 'standby',
    });
    await new Promise((r) => setTimeout(r, 500));
    const bn = s.ids.numbers.tollFree;
    const e164 = s.db.prepare('SELECT e164 FROM business_numbers WHERE id = ?').pluck().get(bn) as string;
    const before = s.db.prepare('SELECT count(*) FROM calls').pluck().get() as number;
    // Still ours: the call comes in.
    const taken = await s.run({ scenario: 'carrier-in-no-flow.xml', keys: { bn: e164, caller: '+13105550100' } });
    expect(taken.code, taken.messages).toBe(0);
    await eventually(() => (s.db.prepare('SELECT count(*) FROM calls').pluck().get() as number) > before, 5000);

    await admin.ok('numbers.release', { bnId: bn });
    const refused = await s.run({
      scenario: 'carrier-in-refused-404.xml',
      keys: { bn: e164, caller: '+13105550100' },
      timeoutSeconds: 15,
    });
    expect(refused.code, refused.messages).toBe(0);
    expect(s.log()).toMatch(new RegExp(`to \\${e164} / \\${e164}: not a number of this service, refused`));
  }, 40_000);
});
