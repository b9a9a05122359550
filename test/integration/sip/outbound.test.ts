import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { DOMAIN, eventually, useStack } from './harness';
import { received } from './sipp';

/**
 * Caller ID is enforced twice: the main process authorizes a call before it
 * is placed (calls.authorizeOutbound), and the proxy itself refuses an
 * INVITE that asserts a business number the caller was not granted, asking
 * the main process's policy each time. Toward the outside world the call
 * carries the granted number; the call record comes from what the proxy saw.
 */

const s = useStack();

const LA = '+12136472453';
const NY = '+13322139228';
const CUSTOMER = '+13105550100';

/** A team member's phone dials `to` asking for caller ID `cid`; `refused` expects a 403. */
function dial(key: string, to: string, cid: string, refused = false) {
  const c = s.credentials(key);
  return s.run({
    scenario: refused ? 'dial-refused.xml' : 'dial.xml',
    keys: { ext: s.extension(key), domain: DOMAIN, to, cid },
    auth: { username: c.authorizationUsername, password: c.password },
  });
}

/** The outside world answers on the peer port while `during` runs. */
async function withOutsidePeer(during: () => Promise<unknown>) {
  const peer = await s.sipp({ scenario: 'phone-answer.xml', uas: true, localPort: s.peerPort });
  try {
    await during();
    // A call that went out has ended by now (the caller hung up); one that was refused never reached the peer.
    await Promise.race([peer.done, new Promise((r) => setTimeout(r, 300))]);
  } finally {
    peer.kill();
  }
  return received(peer.messages(), 'INVITE');
}

const callCount = () => s.db.prepare('SELECT count(*) FROM calls').pluck().get() as number;

describe('outbound caller ID at the proxy', () => {
  it('passes a granted caller ID to the outside world as P-Asserted-Identity and From', async () => {
    let code: number | null = null;
    const invites = await withOutsidePeer(async () => {
      ({ code } = await dial('john', CUSTOMER, NY));
    });
    expect(code).toBe(0);
    expect(invites).toHaveLength(1);
    const invite = invites[0]!;
    expect(invite).toMatch(new RegExp(`^INVITE sip:\\${CUSTOMER}@127\\.0\\.0\\.1:${s.peerPort} `));
    expect(invite).toMatch(new RegExp(`^P-Asserted-Identity: <sip:\\${NY}@${DOMAIN}>`, 'm'));
    expect(invite).toMatch(new RegExp(`^From: <sip:\\${NY}@${DOMAIN}>`, 'm'));
    expect(invite).not.toMatch(/X-Teamline-Caller-Id/i);

    // The record: from the proxy's events, visible to John within a second of hang-up.
    const john = await s.as('john');
    const row = await eventually(
      async () => (await john.ok('calls.list', { limit: 5 })).items.find((c) => c.externalNumber === CUSTOMER),
      1000,
    );
    expect(row).toMatchObject({ direction: 'outbound', result: 'answered', bnId: s.ids.numbers.mainNY, bnE164: NY });
    expect(row.participants).toEqual([expect.objectContaining({ userId: s.ids.users.john, role: 'placed' })]);
    expect(row.answeredAt).not.toBeNull();
    expect(row.endedAt! - row.answeredAt!).toBeGreaterThanOrEqual(200);
  });

  it('refuses a caller ID the caller was not granted (403 with the reason), and nothing goes out', async () => {
    const before = callCount();
    let result = { code: null as number | null, messages: '' };
    const invites = await withOutsidePeer(async () => {
      result = await dial('jasmine', CUSTOMER, NY, true);
    });
    expect(result.code, result.messages).toBe(0);
    expect(received(result.messages, 'SIP/2.0 403')[0]).toMatch(
      /^SIP\/2\.0 403 You may not call from this business number\./,
    );
    expect(invites).toHaveLength(0);
    expect(callCount()).toBe(before);
    // The main process's own check agrees.
    const jasmine = await s.as('jasmine');
    expect((await jasmine.call('calls.authorizeOutbound', { bnId: s.ids.numbers.mainNY, to: CUSTOMER })).ok).toBe(
      false,
    );
  });

  it('refuses a caller ID that is no business number of the account', async () => {
    const r = await dial('john', CUSTOMER, '+15550001111', true);
    expect(r.code, r.messages).toBe(0);
    expect(received(r.messages, 'SIP/2.0 403')[0]).toMatch(/is not a business number of this account/);
  });

  it('refuses at the proxy on the very next call once a grant is revoked', async () => {
    const morgan = await s.as('morgan');
    const ok = await withOutsidePeer(() => dial('peter', CUSTOMER, NY));
    expect(ok).toHaveLength(1);
    await morgan.ok('users.setOutboundNumbers', {
      userId: s.ids.users.peter!,
      outboundCallBnIds: [s.ids.numbers.mainLA],
      smsBnIds: [s.ids.numbers.mainLA],
    });
    let refused = { code: null as number | null, messages: '' };
    const none = await withOutsidePeer(async () => {
      refused = await dial('peter', CUSTOMER, NY, true);
    });
    expect(refused.code, refused.messages).toBe(0);
    expect(none).toHaveLength(0);
    // The number still granted keeps working.
    expect(await withOutsidePeer(() => dial('peter', CUSTOMER, LA))).toHaveLength(1);
  });

  it('refuses a From that is not the authenticated extension', async () => {
    const c = s.credentials('jasmine');
    const r = await s.run({
      scenario: 'dial-refused.xml',
      keys: { ext: '100', domain: DOMAIN, to: CUSTOMER, cid: NY },
      auth: { username: c.authorizationUsername, password: c.password },
    });
    expect(r.code, r.messages).toBe(0);
    expect(received(r.messages, 'SIP/2.0 403')[0]).toMatch(/another extension/);
  });
});

/** Sends one raw SIP request over UDP and resolves with the first final response's status line. */
function sendRaw(lines: (port: number) => string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => (socket.close(), reject(new Error('no response'))), 2000);
    socket.on('message', (m) => {
      const status = m.toString().split('\r\n')[0]!;
      if (/^SIP\/2\.0 [2-6]\d\d /.test(status)) {
        clearTimeout(timer);
        socket.close();
        resolve(status);
      }
    });
    socket.bind(0, '127.0.0.1', () => {
      const msg = [...lines(socket.address().port), 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n');
      socket.send(msg, Number(s.proxy.split(':')[1]), '127.0.0.1');
    });
  });
}

describe('in-dialog requests', () => {
  it('refuses a forged in-dialog INVITE that tries to reach the outside world through the Record-Route', async () => {
    let status = '';
    const invites = await withOutsidePeer(async () => {
      status = await sendRaw((port) => [
        `INVITE sip:${CUSTOMER}@127.0.0.1:${s.peerPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKforged${Date.now()};rport`,
        `Route: <sip:${s.proxy};lr>`,
        `From: <sip:${NY}@${DOMAIN}>;tag=forged`,
        `To: <sip:${CUSTOMER}@${DOMAIN}>;tag=forged2`,
        'Call-ID: forged-in-dialog@127.0.0.1',
        'CSeq: 2 INVITE',
      ]);
    });
    expect(status).toBe('SIP/2.0 403 Not a call of this proxy');
    expect(invites).toHaveLength(0);
  });
});

describe('internal calls', () => {
  it('ring an extension with no business number; the record names who placed and who answered', async () => {
    const phone = await s.sipp({ scenario: 'phone-answer.xml', uas: true });
    await s.register('jasmine', phone.localPort);
    const r = await dial('john', '103', 'none');
    expect(r.code, r.messages).toBe(0);
    await phone.done;
    expect(received(phone.messages(), 'INVITE')).toHaveLength(1);
    const jasmine = await s.as('jasmine');
    const row = await eventually(
      async () => (await jasmine.ok('calls.list', { limit: 5, direction: 'internal' })).items[0],
      1000,
    );
    expect(row).toMatchObject({ direction: 'internal', result: 'answered', bnId: null, externalNumber: null });
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([
      ['100', 'placed'],
      ['103', 'answered'],
    ]);
  });

  it('tell the caller "busy" when the phone declines, and record a missed call for the callee', async () => {
    const phone = await s.sipp({ scenario: 'phone-busy.xml', uas: true });
    await s.register('allie', phone.localPort);
    const c = s.credentials('peter');
    const r = await s.run({
      scenario: 'dial-busy.xml',
      keys: { ext: '101', domain: DOMAIN, to: '104', cid: 'none' },
      auth: { username: c.authorizationUsername, password: c.password },
    });
    expect(r.code, r.messages).toBe(0);
    const allie = await s.as('allie');
    const row = await eventually(
      async () => (await allie.ok('calls.list', { limit: 5, direction: 'internal' })).items[0],
      1000,
    );
    expect(row.result).toBe('missed');
    expect(row.participants.map((p) => [p.extension, p.role])).toEqual([
      ['101', 'placed'],
      ['104', 'missed'],
    ]);
  });

  it('answer 404 for an extension no one has', async () => {
    const r = await dial('john', '199', 'none', true).catch(() => null);
    expect(r?.code).not.toBe(0);
    expect(received(r!.messages, 'SIP/2.0 404')[0]).toMatch(/No one has extension 199/);
  });
});
