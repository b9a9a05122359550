import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import {
  call,
  calleeDialog,
  CONSOLE_ORIGIN,
  dial,
  DOMAIN,
  eventually,
  headers,
  inDialog,
  registered,
  registerFrom,
  respond,
  sdp,
  useStack,
  type Dialog,
} from './harness';
import { digest, header, RawUa, sent, sipRequest, status, token, wire } from './rawSip';
import { received } from './sipp';

/**
 * The proxy facing hostile SIP clients (docs/softphone.md, "Security"):
 * only the identity the policy chose passes, the trunk is a configured
 * source and never a user, captured credentials cannot be replayed, floods
 * and password guessing are cut off, forged in-dialog requests go nowhere,
 * only our own pages may open the WebSocket, and a refused credential is
 * answered with why. Each test looks at what actually reached the peer.
 */

const s = useStack();

const LA = '+12136472453';
const NY = '+13322139228';
const SUPPORT = '+18885550190';
const CUSTOMER = '+13105550100';

/** Every header of a message, by lower-cased name. */
const headerNames = (message: string) =>
  message
    .split(/\r?\n\r?\n/)[0]!
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.slice(0, l.indexOf(':')).trim().toLowerCase());

/** The outside world (or a phone) answers on `port` while `during` runs; what it received. */
async function peerDuring(
  o: { port?: number; scenario?: string; keys?: Record<string, string> },
  during: () => Promise<unknown>,
) {
  const peer = await s.sipp({
    scenario: o.scenario ?? 'phone-answer.xml',
    uas: true,
    localPort: o.port ?? s.peerPort,
    keys: o.keys,
  });
  try {
    await during();
    await Promise.race([peer.done, new Promise((r) => setTimeout(r, 500))]);
  } finally {
    peer.kill();
  }
  return peer.messages();
}

/** The audio port an SDP offers or answers with. */
function mediaPort(message: string): string {
  const m = /^m=audio (\d+) /m.exec(message);
  if (!m) throw new Error(`no audio in:\n${message}`);
  return m[1]!;
}

function dialWithIdentity(key: string, to: string, cid: string) {
  const c = s.credentials(key);
  return s.run({
    scenario: 'dial-identity.xml',
    keys: { ext: s.extension(key), domain: DOMAIN, to, cid, display: `CEO ${SUPPORT}`, forged: SUPPORT },
    auth: { username: c.authorizationUsername, password: c.password },
  });
}

describe('caller identity', () => {
  it('toward the trunk: only the granted number, no display name, no client identity or billing headers, no inside topology', async () => {
    let caller = { code: null as number | null, messages: '' };
    const trace = await peerDuring({}, async () => {
      caller = await dialWithIdentity('peter', CUSTOMER, LA);
    });
    expect(caller.code, caller.messages).toBe(0);
    const invites = received(trace, 'INVITE');
    expect(invites).toHaveLength(1);
    const invite = invites[0]!;
    // The number Peter was not granted appears nowhere; what he was granted is the identity.
    expect(invite).not.toContain(SUPPORT.slice(1));
    expect(invite).not.toMatch(/CEO|Inside|inside\.example/);
    expect(header(invite, 'From')).toMatch(new RegExp(`^<sip:\\${LA}@${DOMAIN}>;tag=`));
    expect(header(invite, 'P-Asserted-Identity')).toBe(`<sip:${LA}@${DOMAIN}>`);
    const names = headerNames(invite);
    expect(names.filter((n) => n === 'p-asserted-identity')).toHaveLength(1);
    for (const n of [
      'remote-party-id',
      'p-preferred-identity',
      'diversion',
      'history-info',
      'p-charge-info',
      'p-called-party-id',
      'privacy',
      'identity',
      'call-info',
      'user-agent',
      'organization',
    ]) {
      expect(names, n).not.toContain(n);
    }
    expect(names.filter((n) => n.startsWith('x-'))).toEqual([]);
    // Topology: the proxy's Via, then an opaque token in place of the phone's
    // Via; the Contact is the proxy's token too.
    const phone = sent(caller.messages, 'INVITE').at(-1)!;
    const phonePort = /^Via: SIP\/2\.0\/UDP 127\.0\.0\.1:(\d+)/m.exec(phone)![1]!;
    const vias = invite.split('\r\n').filter((l) => /^Via:/i.test(l));
    expect(vias[0]).toMatch(new RegExp(`^Via: SIP/2\\.0/UDP ${s.proxy};branch=`));
    for (const via of vias.slice(1)) expect(via).toMatch(/^Via: SIP\/2\.0\/UDP 127\.0\.0\.8;branch=[^;]+$/);
    expect(invite).not.toMatch(new RegExp(`:${phonePort}\\b|rport=${phonePort}`));
    expect(header(invite, 'Contact')).toMatch(/^<sip:127\.0\.0\.8;line=[^@>]+>$/);
    // The inside Call-ID is masked, and the media goes through the relay: the
    // SDP names the relay's port, not the phone's, and no candidates.
    const callId = header(phone, 'Call-ID')!;
    expect(header(invite, 'Call-ID')).not.toContain(callId);
    expect(invite).not.toContain(callId);
    const phoneMedia = mediaPort(phone);
    const trunkMedia = mediaPort(invite);
    expect(trunkMedia).not.toBe(phoneMedia);
    expect(invite).not.toMatch(new RegExp(`\\b${phoneMedia}\\b`));
    expect(invite).not.toMatch(/^a=candidate/m);
  });

  it('toward the trunk, a plain phone’s hold (a re-INVITE) still names the relay, in plain RTP, under the masked Call-ID', async () => {
    const c = s.credentials('peter');
    let caller = { code: null as number | null, messages: '' };
    const trace = await peerDuring({ scenario: 'phone-answer-reinvite.xml' }, async () => {
      caller = await s.run({
        scenario: 'dial-reinvite.xml',
        keys: { ext: s.extension('peter'), domain: DOMAIN, to: CUSTOMER, cid: LA },
        auth: { username: c.authorizationUsername, password: c.password },
      });
    });
    expect(caller.code, caller.messages).toBe(0);
    const [first, hold] = received(trace, 'INVITE');
    expect(hold, trace).toBeDefined();
    expect(hold).toMatch(/^a=sendonly/m);
    expect(header(hold!, 'Call-ID')).toBe(header(first!, 'Call-ID'));
    expect(header(hold!, 'Call-ID')).not.toContain(header(sent(caller.messages, 'INVITE')[0]!, 'Call-ID')!);
    // The relay's port, as offered at first; plain RTP, as the trunk speaks.
    expect(mediaPort(hold!)).toBe(mediaPort(first!));
    expect(mediaPort(hold!)).not.toBe(mediaPort(sent(caller.messages, 'INVITE').at(-1)!));
    expect(hold).toMatch(/^m=audio \d+ RTP\/AVP /m);
    expect(hold).not.toMatch(/^a=(candidate|fingerprint|ice-)/m);
    // The phone hears the trunk through the relay too.
    const answers = received(caller.messages, 'SIP/2.0 200').filter((m) => /CSeq: 3 INVITE/.test(m));
    expect(mediaPort(answers[0]!)).not.toBe(mediaPort(sent(trace, 'SIP/2.0 200').at(-2)!));
  });

  it('toward a teammate: the caller is named by the directory, and the client’s identity headers are gone', async () => {
    const port = await RawUa.open().then((u) => (u.close(), u.port));
    const trace = await peerDuring({ port }, async () => {
      await s.register('jasmine', port);
      const r = await dialWithIdentity('peter', s.extension('jasmine'), 'none');
      expect(r.code, r.messages).toBe(0);
    });
    const invite = received(trace, 'INVITE')[0]!;
    expect(header(invite, 'From')).toMatch(new RegExp(`^"Peter Jones" <sip:101@${DOMAIN}>;tag=`));
    // Only the phone's own software line may name anything it chose.
    expect(invite.replace(/^User-Agent:.*$/m, '')).not.toContain(SUPPORT.slice(1));
    const names = headerNames(invite);
    for (const n of [
      'call-info',
      'organization',
      'remote-party-id',
      'p-asserted-identity',
      'p-preferred-identity',
      'diversion',
      'privacy',
    ]) {
      expect(names, n).not.toContain(n);
    }
    expect(names.filter((n) => n.startsWith('x-'))).toEqual([]);
    await s.register('jasmine', port, 0);
  });

  it('toward the trunk, an answering phone’s identity and software stay inside', async () => {
    const port = await RawUa.open().then((u) => (u.close(), u.port));
    // The toll-free line rings Jessica; her phone answers, naming itself.
    const morgan = await s.as('morgan');
    const flow = await morgan.ok('callFlows.create', {
      name: 'Jessica direct',
      steps: [{ kind: 'ring_user', userId: s.ids.users.jessica!, ringSeconds: 10 }],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
    let trunkOk = '';
    const trace = await peerDuring(
      { port, scenario: 'phone-answer-identity.xml', keys: { self: 'jessica-desk' } },
      async () => {
        await s.register('jessica', port);
        const call = await s.run({ trunk: true, scenario: 'call-in.xml', keys: { bn: SUPPORT, caller: CUSTOMER } });
        expect(call.code, call.messages).toBe(0);
        const ok = received(call.messages, 'SIP/2.0 200').find((m) => /CSeq: 1 INVITE/.test(m))!;
        expect(ok).not.toContain('jessica-desk');
        const names = headerNames(ok);
        for (const n of ['remote-party-id', 'p-asserted-identity', 'user-agent']) expect(names, n).not.toContain(n);
        expect(names.filter((n) => n.startsWith('x-'))).toEqual([]);
        expect(header(ok, 'Contact')).not.toContain(`:${port}`);
        // The trunk's own Call-ID comes back as it sent it; the phone's media address stays inside.
        const invite = sent(call.messages, 'INVITE')[0]!;
        expect(header(ok, 'Call-ID')).toBe(header(invite, 'Call-ID'));
        trunkOk = ok;
      },
    );
    expect(received(trace, 'INVITE')).toHaveLength(1);
    const phoneOk = sent(trace, 'SIP/2.0 200').find((m) => /CSeq: 1 INVITE/.test(m))!;
    expect(mediaPort(trunkOk)).not.toBe(mediaPort(phoneOk));
    await s.register('jessica', port, 0);
  });

  it('from the trunk toward a phone: the outside caller is its number, with no display name or private headers', async () => {
    const port = await RawUa.open().then((u) => (u.close(), u.port));
    const morgan = await s.as('morgan');
    const flow = await morgan.ok('callFlows.create', {
      name: 'Allie direct',
      steps: [{ kind: 'ring_user', userId: s.ids.users.allie!, ringSeconds: 10 }],
    });
    await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
    const trace = await peerDuring({ port }, async () => {
      await s.register('allie', port);
      const call = await s.run({
        trunk: true,
        scenario: 'call-in-display.xml',
        keys: { bn: SUPPORT, caller: CUSTOMER, display: 'Your Bank' },
      });
      expect(call.code, call.messages).toBe(0);
    });
    const invite = received(trace, 'INVITE')[0]!;
    expect(header(invite, 'From')).toMatch(new RegExp(`^<sip:\\${CUSTOMER}@127\\.0\\.0\\.1:\\d+>;tag=`));
    expect(invite).not.toContain('Your Bank');
    const names = headerNames(invite);
    expect(names).not.toContain('remote-party-id');
    expect(names.filter((n) => n.startsWith('x-'))).toEqual([]);
    // The carrier's own assertion of the number is kept.
    expect(header(invite, 'P-Asserted-Identity')).toBe(`<sip:${CUSTOMER}@127.0.0.1>`);
    await s.register('allie', port, 0);
  });
});

describe('the trunk', () => {
  it('is a configured address and port: the same address from another port is a stranger, challenged', async () => {
    const r = await s.run({ scenario: 'call-in-unanswered.xml', keys: { bn: SUPPORT, caller: CUSTOMER } });
    expect(received(r.messages, 'SIP/2.0 407')).toHaveLength(1);
    expect(received(r.messages, 'SIP/2.0 18')).toHaveLength(0);
  });

  it('is never a user and reaches only business numbers: credentials from the trunk do not relay a call out', async () => {
    const trunk = await RawUa.open('127.0.0.1', s.peerPort);
    try {
      const c = s.credentials('john');
      const invite = (auth: string | null) =>
        sipRequest(trunk, `INVITE sip:${CUSTOMER}@${s.proxy} SIP/2.0`, [
          `From: <sip:100@${DOMAIN}>;tag=${token()}`,
          `To: <sip:${CUSTOMER}@${DOMAIN}>`,
          `Call-ID: ${token()}@trunk`,
          'CSeq: 1 INVITE',
          `Contact: <sip:100@127.0.0.1:${s.peerPort}>`,
          ...(auth ? [`Proxy-Authorization: ${auth}`] : []),
        ]);
      // A challenge would come from a stranger's request; the trunk's is refused outright.
      const first = await trunk.request(invite(null), s.proxy);
      expect(status(first)).toBe('SIP/2.0 404 Not a number of this service');
      const forged = `Digest username="${c.authorizationUsername}", realm="${DOMAIN}", nonce="x", uri="sip:${CUSTOMER}@${s.proxy}", response="0"`;
      const second = await trunk.request(invite(forged), s.proxy);
      expect(status(second)).toBe('SIP/2.0 404 Not a number of this service');
      // Nothing came back out to the outside world (this very socket) but the answers.
      expect(trunk.received.filter((m) => m.startsWith('INVITE '))).toEqual([]);
    } finally {
      trunk.close();
    }
  });

  it('cannot register', async () => {
    const trunk = await RawUa.open('127.0.0.1', s.peerPort);
    try {
      const reply = await trunk.request(
        sipRequest(trunk, `REGISTER sip:${DOMAIN} SIP/2.0`, [
          `From: <sip:100@${DOMAIN}>;tag=${token()}`,
          `To: <sip:100@${DOMAIN}>`,
          `Call-ID: ${token()}@trunk`,
          'CSeq: 1 REGISTER',
          `Contact: <sip:100@127.0.0.1:${s.peerPort}>`,
        ]),
        s.proxy,
      );
      expect(status(reply)).toBe('SIP/2.0 403 A trunk does not register here');
    } finally {
      trunk.close();
    }
  });
});

describe('replayed credentials', () => {
  it('a captured REGISTER authorization is refused, from another address and from the same one', async () => {
    const c = s.credentials('allie');
    const port = await RawUa.open().then((u) => (u.close(), u.port));
    const r = await s.run({
      scenario: 'register.xml',
      keys: { ext: '104', domain: DOMAIN, contact_user: '104', contact_port: String(port), expires: '60' },
      auth: { username: c.authorizationUsername, password: c.password },
    });
    expect(r.code, r.messages).toBe(0);
    const captured = wire(sent(r.messages, 'REGISTER').find((m) => /^Authorization:/m.test(m))!);
    expect(captured).toMatch(/qop=auth/);
    for (const ip of ['127.0.0.2', '127.0.0.1']) {
      const attacker = await RawUa.open(ip);
      try {
        const reply = await attacker.request(captured, s.proxy);
        expect(status(reply), ip).toMatch(/^SIP\/2\.0 401 /);
      } finally {
        attacker.close();
      }
    }
  });

  it('a captured INVITE authorization places no second outside call', async () => {
    let first = { code: null as number | null, messages: '' };
    const trace = await peerDuring({}, async () => {
      const c = s.credentials('john');
      first = await s.run({
        scenario: 'dial.xml',
        keys: { ext: '100', domain: DOMAIN, to: CUSTOMER, cid: NY },
        auth: { username: c.authorizationUsername, password: c.password },
      });
    });
    expect(first.code, first.messages).toBe(0);
    expect(received(trace, 'INVITE')).toHaveLength(1);
    const captured = wire(sent(first.messages, 'INVITE').find((m) => /^Proxy-Authorization:/m.test(m))!);

    const listener = await RawUa.open('127.0.0.1', s.peerPort);
    try {
      for (const ip of ['127.0.0.2', '127.0.0.1']) {
        const attacker = await RawUa.open(ip);
        try {
          const reply = await attacker.request(captured.replace(/CSeq: 2 INVITE/, 'CSeq: 5 INVITE'), s.proxy);
          expect(status(reply), ip).toMatch(/^SIP\/2\.0 407 /);
        } finally {
          attacker.close();
        }
      }
      expect(await listener.next((m) => m.startsWith('INVITE '), 300)).toBeNull();
    } finally {
      listener.close();
    }
  });
});

describe('floods and password guessing', () => {
  it('a flood from one source is cut off; another source still registers within 50 ms', async () => {
    // ~2,500 REGISTERs a second from 127.0.0.3 for 3 s, in another process; it
    // reports how many answers it got in each half second.
    const flooder = spawn(
      process.execPath,
      [
        '-e',
        `
        const dgram = require('node:dgram');
        const [host, port] = process.argv[1].split(':');
        const sock = dgram.createSocket('udp4');
        const start = Date.now();
        const answers = new Array(6).fill(0);
        sock.on('message', () => answers[Math.min(5, Math.floor((Date.now() - start) / 500))]++);
        sock.bind(0, '127.0.0.3', () => {
          let n = 0;
          const timer = setInterval(() => {
            if (Date.now() - start >= 3000) {
              clearInterval(timer);
              setTimeout(() => { console.log(JSON.stringify({ sent: n, answers })); sock.close(); }, 300);
              return;
            }
            // ~2,500 a second, however late the timer fires.
            const due = Math.min(7500, Math.floor((Date.now() - start) * 2.5));
            for (; n < due; n++) {
              const m = 'REGISTER sip:${DOMAIN} SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.3:' + sock.address().port +
                ';branch=z9hG4bKflood' + n + ';rport\\r\\nMax-Forwards: 70\\r\\nFrom: <sip:100@${DOMAIN}>;tag=f' + n +
                '\\r\\nTo: <sip:100@${DOMAIN}>\\r\\nCall-ID: flood' + n + '\\r\\nCSeq: 1 REGISTER\\r\\nContact: <sip:100@127.0.0.3:9>\\r\\nContent-Length: 0\\r\\n\\r\\n';
              sock.send(m, Number(port), host);
            }
          }, 10);
        });
        `,
        s.proxy,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    flooder.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const ended = new Promise<void>((resolve) => flooder.once('close', () => resolve()));
    try {
      await new Promise((r) => setTimeout(r, 800));
      const ua = await RawUa.open('127.0.0.1');
      const times: number[] = [];
      try {
        for (let i = 0; i < 7; i++) {
          const r = await registerFrom(s, ua, 'leo');
          expect(status(r.final)).toBe('SIP/2.0 200 OK');
          times.push(r.challengeMs, r.finalMs);
        }
      } finally {
        ua.close();
      }
      // Each answer (the challenge, then the 200): typically under 50 ms, and
      // none late enough for a phone to send its request again.
      const sorted = [...times].sort((a, b) => a - b);
      const shown = times.map((t) => t.toFixed(1)).join(' ');
      expect(sorted[Math.floor(sorted.length / 2)], shown).toBeLessThan(50);
      expect(sorted.at(-1), shown).toBeLessThan(250);
      await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
    } finally {
      flooder.kill('SIGKILL');
    }
    const report = JSON.parse(out) as { sent: number; answers: number[] };
    expect(report.sent).toBeGreaterThan(6000);
    // Answered at first (a phone may send bursts), ignored once it is a flood.
    expect(report.answers[0]).toBeGreaterThan(0);
    expect(report.answers.slice(2).reduce((a, b) => a + b, 0)).toBe(0);
    expect(s.log()).toMatch(/flood from 127\.0\.0\.3: ignored for 5 minutes/);
  });

  it('ten failed passwords ban the source for a while; other sources are unaffected', async () => {
    const guesser = await RawUa.open('127.0.0.4');
    const ua = await RawUa.open('127.0.0.1');
    try {
      for (let i = 0; i < 10; i++) {
        const r = await registerFrom(s, guesser, 'karey', { password: `guess-${i}` });
        expect(status(r.final), `guess ${i}`).toMatch(/^SIP\/2\.0 401 /);
      }
      // Now even the right password from that source gets no answer at all.
      const banned = await registerFrom(s, guesser, 'karey');
      expect(banned.challenge).toBeNull();
      expect(status((await registerFrom(s, ua, 'karey')).final)).toBe('SIP/2.0 200 OK');
      expect(s.log()).toMatch(/repeated failed credentials from 127\.0\.0\.4/);
    } finally {
      guesser.close();
      ua.close();
    }
  });
});

describe('forged in-dialog requests', () => {
  it('a BYE for no call of this proxy is not relayed to the host its Request-URI names', async () => {
    const target = await RawUa.open('127.0.0.1');
    const attacker = await RawUa.open('127.0.0.2');
    try {
      for (const user of ['victim', s.extension('morgan')]) {
        const reply = await attacker.request(
          sipRequest(attacker, `BYE sip:${user}@127.0.0.1:${target.port} SIP/2.0`, [
            `Route: <sip:${s.proxy};lr>`,
            `From: <sip:${CUSTOMER}@${DOMAIN}>;tag=${token()}`,
            `To: <sip:${user}@${DOMAIN}>;tag=${token()}`,
            `Call-ID: ${token()}@forged`,
            'CSeq: 7 BYE',
          ]),
          s.proxy,
        );
        expect(status(reply), user).toBe('SIP/2.0 481 Call Does Not Exist');
      }
      expect(await target.next(() => true, 300)).toBeNull();
    } finally {
      target.close();
      attacker.close();
    }
  });

  it('a BYE for a call the proxy no longer knows (a restart) reaches only the registered phones of the extension it names', async () => {
    const target = await RawUa.open('127.0.0.1');
    const phone = await RawUa.open('127.0.0.1');
    const caller = await RawUa.open('127.0.0.1');
    try {
      expect(status((await registerFrom(s, phone, 'jessica')).final)).toBe('SIP/2.0 200 OK');
      caller.send(
        sipRequest(caller, `BYE sip:102@127.0.0.1:${target.port} SIP/2.0`, [
          `Route: <sip:${s.proxy};lr>`,
          `From: <sip:100@${DOMAIN}>;tag=${token()}`,
          `To: <sip:102@${DOMAIN}>;tag=${token()}`,
          `Call-ID: ${token()}@restarted`,
          'CSeq: 9 BYE',
        ]),
        s.proxy,
      );
      expect(await phone.next((m) => m.startsWith('BYE '), 2000)).toMatch(/^BYE sip:102@127\.0\.0\.1:\d+ SIP\/2\.0/);
      expect(await target.next(() => true, 300)).toBeNull();
    } finally {
      target.close();
      phone.close();
      caller.close();
    }
  });
});

describe('requests inside a call', () => {
  it('a participant of a call between teammates cannot aim a re-INVITE at the trunk', async () => {
    const phone = await s.sipp({ scenario: 'phone-answer.xml', uas: true });
    await s.register('jasmine', phone.localPort);
    const ua = await RawUa.open('127.0.0.1');
    const outside = await RawUa.open('127.0.0.1', s.peerPort);
    try {
      const d = await call(s, ua, 'john', '103', async () => ({ tag: '' }));
      const inDialog = (startLine: string, cseq: string) =>
        sipRequest(ua, startLine, [
          ...d.route.map((r) => `Route: ${r}`),
          `From: ${d.from}`,
          `To: ${d.to}`,
          `Call-ID: ${d.callId}`,
          `CSeq: ${cseq}`,
          `Contact: <sip:100@127.0.0.1:${ua.port}>`,
        ]);

      const forged = await ua.request(
        inDialog(`INVITE sip:${CUSTOMER}@127.0.0.1:${s.peerPort} SIP/2.0`, '3 INVITE'),
        s.proxy,
      );
      expect(status(forged)).toBe('SIP/2.0 403 Not an address of this call');
      expect(await outside.next(() => true, 300)).toBeNull();

      const bye = await ua.request(inDialog(`BYE ${d.target} SIP/2.0`, '4 BYE'), s.proxy);
      expect(status(bye)).toBe('SIP/2.0 200 OK');
      expect(await phone.done, phone.messages()).toBe(0);
    } finally {
      ua.close();
      outside.close();
      phone.kill();
    }
    await s.register('jasmine', phone.localPort, 0);
  });
});

describe('requests inside a call from someone who is not a party to it', () => {
  it('a stranger who knows the Call-ID, tags and route cannot end, hold, transfer or take over the call; the caller may, also from a new address', async () => {
    const phone = await s.sipp({ scenario: 'phone-answer.xml', uas: true });
    await s.register('jasmine', phone.localPort);
    const ua = await RawUa.open('127.0.0.1');
    const stranger = await RawUa.open('127.0.0.5');
    const moved = await RawUa.open('127.0.0.6');
    try {
      const john = s.credentials('john');
      const d = await call(s, ua, 'john', '103', async () => ({ tag: '' }));
      // What the caller sends inside the call, from whichever socket (a stranger copies it all).
      const asCaller = (from: RawUa, method: string, cseq: number, extra: string[] = []) =>
        sipRequest(from, `${method} ${d.target} SIP/2.0`, [
          ...d.route.map((r) => `Route: ${r}`),
          `From: ${d.from}`,
          `To: ${d.to}`,
          `Call-ID: ${d.callId}`,
          `CSeq: ${cseq} ${method}`,
          `Contact: <sip:100@${from.ip}:${from.port}>`,
          ...extra,
        ]);

      // As the caller: a BYE, a re-INVITE, a REFER. Each is challenged, and nothing reaches the phone.
      for (const [method, extra] of [
        ['BYE', []],
        ['INVITE', []],
        ['REFER', [`Refer-To: <sip:${CUSTOMER}@${DOMAIN}>`]],
      ] as const) {
        const r = await stranger.request(asCaller(stranger, method, 10, [...extra]), s.proxy);
        expect(status(r), method).toMatch(/^SIP\/2\.0 407 /);
      }
      // As the one who answered (the From and To tags swapped): challenged as well.
      const asCallee = sipRequest(stranger, `BYE sip:100@127.0.0.1:${ua.port} SIP/2.0`, [
        ...d.route.map((r) => `Route: ${r}`),
        `From: ${d.to}`,
        `To: ${d.from}`,
        `Call-ID: ${d.callId}`,
        'CSeq: 50 BYE',
      ]);
      expect(status(await stranger.request(asCallee, s.proxy))).toMatch(/^SIP\/2\.0 407 /);
      // A team member's valid credentials are not the caller's: refused with why.
      const karey = s.credentials('karey');
      const byeChallenge = await stranger.request(asCaller(stranger, 'BYE', 11), s.proxy);
      const kareyAuth = digest(byeChallenge!, {
        method: 'BYE',
        uri: d.target,
        username: karey.authorizationUsername,
        password: karey.password,
      });
      const refused = await stranger.request(
        asCaller(stranger, 'BYE', 12, [`Proxy-Authorization: ${kareyAuth}`]),
        s.proxy,
      );
      expect(status(refused)).toBe('SIP/2.0 403 Credentials are for another extension');
      // The phone saw none of it, nor did the caller.
      expect(await ua.next((m) => !m.startsWith('SIP/2.0'), 300)).toBeNull();
      expect(received(phone.messages(), 'BYE')).toEqual([]);
      expect(received(phone.messages(), 'INVITE')).toHaveLength(1);

      // The caller, reconnected elsewhere, proves who it is and ends the call.
      const moveChallenge = await moved.request(asCaller(moved, 'BYE', 20), s.proxy);
      expect(status(moveChallenge)).toMatch(/^SIP\/2\.0 407 /);
      const johnAuth = digest(moveChallenge!, {
        method: 'BYE',
        uri: d.target,
        username: john.authorizationUsername,
        password: john.password,
      });
      const bye = await moved.request(asCaller(moved, 'BYE', 21, [`Proxy-Authorization: ${johnAuth}`]), s.proxy);
      expect(status(bye)).toBe('SIP/2.0 200 OK');
      expect(await phone.done, phone.messages()).toBe(0);
    } finally {
      ua.close();
      stranger.close();
      moved.close();
      phone.kill();
    }
    await s.register('jasmine', phone.localPort, 0);
  });
});

describe('requests in a call that is still ringing', () => {
  /**
   * John calls Jasmine's phone (a raw socket), which rings with a tag (180,
   * its Contact): the early dialog as John knows it and as her phone does.
   */
  async function ringing(caller: RawUa, phone: RawUa) {
    await registered(s, phone, 'jasmine');
    const placed = await dial(s, caller, 'john', s.extension('jasmine'));
    const invite = await phone.next((m) => m.startsWith('INVITE '), 5000);
    expect(invite).not.toBeNull();
    const tag = token();
    respond(s, phone, invite!, '180 Ringing', {
      toTag: tag,
      extra: [`Contact: <sip:103@${phone.ip}:${phone.port}>`],
    });
    const rang = await caller.next((m) => m.startsWith('SIP/2.0 180 '), 3000);
    expect(rang).not.toBeNull();
    const early: Dialog = {
      callId: placed.callId,
      route: headers(rang!, 'Record-Route').reverse(),
      target: /<([^>]+)>/.exec(header(rang!, 'Contact')!)![1]!,
      from: placed.from,
      to: header(rang!, 'To')!,
    };
    return { placed, invite: invite!, tag, early, back: calleeDialog(invite!, tag) };
  }

  /** A CANCEL of `placed`: the INVITE's own Via (branch), Call-ID, From and CSeq number, as it must match. */
  const cancelOf = (placed: { invite: string; from: string; callId: string }) =>
    [
      `CANCEL sip:103@${DOMAIN} SIP/2.0`,
      `Via: ${header(placed.invite, 'Via')}`,
      'Max-Forwards: 70',
      `From: ${placed.from}`,
      `To: <sip:103@${DOMAIN}>`,
      `Call-ID: ${placed.callId}`,
      'CSeq: 2 CANCEL',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');

  /** The proxy's record of the calls' sides (its `party` table), as its control socket dumps it. */
  const party = () =>
    spawnSync('kamcmd', ['-s', `unix:${join(s.runDir, 'kamailio_ctl')}`, 'htable.dump', 'party'], {
      encoding: 'utf8',
    }).stdout;

  /** The requests (not responses) `ua` received. */
  const requestsAt = (ua: RawUa) => ua.received.filter((m) => !m.startsWith('SIP/2.0'));

  it('a CANCEL from anywhere but where the INVITE came from cancels nothing; the caller’s does', async () => {
    const john = await RawUa.open('127.0.0.1');
    const phone = await RawUa.open('127.0.0.1');
    const stranger = await RawUa.open('127.0.0.5');
    try {
      const { placed, invite, tag } = await ringing(john, phone);
      const cancel = cancelOf(placed);
      stranger.send(cancel, s.proxy);
      expect(status(await stranger.next(() => true, 2000))).toBe('SIP/2.0 403 Not a party to this call');
      expect(await phone.next((m) => m.startsWith('CANCEL '), 300)).toBeNull();
      expect(john.received.filter((m) => m.startsWith('SIP/2.0 487'))).toEqual([]);

      // John's own CANCEL (the same message, from his socket) ends the ringing.
      const cancelled = john.next((m) => m.startsWith('SIP/2.0 200 ') && /CANCEL/.test(header(m, 'CSeq')!), 2000);
      john.send(cancel, s.proxy);
      expect(status(await cancelled)).toMatch(/^SIP\/2\.0 200 /);
      const atPhone = await phone.next((m) => m.startsWith('CANCEL '), 2000);
      expect(atPhone).not.toBeNull();
      respond(s, phone, atPhone!, '200 OK');
      respond(s, phone, invite, '487 Request Terminated', { toTag: tag });
      expect(await john.next((m) => m.startsWith('SIP/2.0 487 '), 3000)).not.toBeNull();
    } finally {
      await registered(s, phone, 'jasmine', 0);
      john.close();
      phone.close();
      stranger.close();
    }
  });

  it('a stranger who knows the early dialog can neither end nor change it, as either side; then PRACK, UPDATE, the answer and BYE go through', async () => {
    const john = await RawUa.open('127.0.0.1');
    const phone = await RawUa.open('127.0.0.1');
    const stranger = await RawUa.open('127.0.0.5');
    try {
      const r = await ringing(john, phone);
      // The ringing phone is a side of the call, under its tag.
      expect(party()).toContain(`${r.placed.callId}:e:${r.tag}:callee_ext`);
      // As John (his tag, the phone's to-tag), and as the ringing phone (the tags swapped): challenged.
      let cseq = 10;
      for (const [side, d] of [
        ['caller', r.early],
        ['callee', r.back],
      ] as const) {
        for (const method of ['BYE', 'UPDATE', 'INFO']) {
          const reply = await stranger.request(inDialog(stranger, d, method, cseq++), s.proxy);
          expect(status(reply), `${method} as the ${side}`).toMatch(/^SIP\/2\.0 407 /);
        }
      }
      // A tag no phone rang with, toward John or toward the phone: refused before the dialog could learn it.
      const otherTag = { ...r.back, from: `<sip:103@${DOMAIN}>;tag=${token()}` };
      const otherTo = { ...r.early, to: `<sip:103@${DOMAIN}>;tag=${token()}` };
      for (const [what, d] of [
        ['from a tag that did not ring', otherTag],
        ['to a tag that did not ring', otherTo],
      ] as const) {
        const reply = await stranger.request(inDialog(stranger, d, 'BYE', cseq++), s.proxy);
        expect(status(reply), what).toBe('SIP/2.0 481 Call Leg/Transaction Does Not Exist');
      }
      // Neither side received any of it.
      expect(await john.next((m) => !m.startsWith('SIP/2.0'), 300)).toBeNull();
      expect(requestsAt(john)).toEqual([]);
      expect(requestsAt(phone).map((m) => m.split(' ')[0])).toEqual(['INVITE']);

      // The phone's reliable 183 with early media reaches John, with its SDP.
      respond(s, phone, r.invite, '183 Session Progress', {
        toTag: r.tag,
        extra: [`Contact: <sip:103@${phone.ip}:${phone.port}>`, 'Require: 100rel', 'RSeq: 1'],
        body: sdp(phone),
      });
      const progress = await john.next((m) => m.startsWith('SIP/2.0 183 '), 3000);
      expect(progress).toMatch(/^m=audio \d+ RTP\/AVP /m);
      // John's PRACK reaches the phone, and its 200 comes back.
      const prack = john.request(inDialog(john, r.early, 'PRACK', 3, ['RAck: 1 2 INVITE']), s.proxy);
      const prackAtPhone = await phone.next((m) => m.startsWith('PRACK '), 3000);
      expect(prackAtPhone).not.toBeNull();
      respond(s, phone, prackAtPhone!, '200 OK');
      expect(status(await prack)).toBe('SIP/2.0 200 OK');
      // The phone's UPDATE (new media before the answer) reaches John.
      const update = phone.request(inDialog(phone, r.back, 'UPDATE', 1, [], r.back.target, sdp(phone)), s.proxy);
      const updateAtJohn = await john.next((m) => m.startsWith('UPDATE '), 3000);
      expect(updateAtJohn).not.toBeNull();
      respond(s, john, updateAtJohn!, '200 OK', { body: sdp(john) });
      expect(status(await update)).toBe('SIP/2.0 200 OK');

      // The phone answers; John's BYE ends the call.
      respond(s, phone, r.invite, '200 OK', {
        toTag: r.tag,
        extra: [`Contact: <sip:103@${phone.ip}:${phone.port}>`],
        body: sdp(phone),
      });
      expect(status(await r.placed.final)).toBe('SIP/2.0 200 OK');
      john.send(inDialog(john, r.early, 'ACK', 2), s.proxy);
      const bye = john.request(inDialog(john, r.early, 'BYE', 4), s.proxy);
      const byeAtPhone = await phone.next((m) => m.startsWith('BYE '), 3000);
      expect(byeAtPhone).not.toBeNull();
      respond(s, phone, byeAtPhone!, '200 OK');
      expect(status(await bye)).toBe('SIP/2.0 200 OK');
      // The call's sides, the ringing phone's included, are forgotten with the call.
      await eventually(() => !party().includes(r.placed.callId));
    } finally {
      await registered(s, phone, 'jasmine', 0);
      john.close();
      phone.close();
      stranger.close();
    }
  });

  it('a request in a ringing call goes only to the other side: aimed elsewhere by the caller or the ringing phone, it is refused and goes nowhere', async () => {
    const john = await RawUa.open('127.0.0.1');
    const phone = await RawUa.open('127.0.0.1');
    const victim = await RawUa.open('127.0.0.1');
    try {
      const r = await ringing(john, phone);
      const elsewhere = `sip:victim@127.0.0.1:${victim.port}`;
      for (const [who, ua, d, method] of [
        ['John', john, r.early, 'UPDATE'],
        ['John', john, r.early, 'BYE'],
        ['the phone', phone, r.back, 'INFO'],
        ['the phone', phone, r.back, 'UPDATE'],
      ] as const) {
        const reply = await ua.request(inDialog(ua, d, method, 20, [], elsewhere), s.proxy);
        expect(status(reply), `${method} from ${who}`).toBe('SIP/2.0 403 Not an address of this call');
      }
      expect(await victim.next(() => true, 300)).toBeNull();
      // Still ringing: John's CANCEL ends it as usual.
      const cancelled = john.next((m) => m.startsWith('SIP/2.0 200 ') && /CANCEL/.test(header(m, 'CSeq')!), 2000);
      john.send(cancelOf(r.placed), s.proxy);
      expect(status(await cancelled)).toMatch(/^SIP\/2\.0 200 /);
      const atPhone = await phone.next((m) => m.startsWith('CANCEL '), 2000);
      expect(atPhone).not.toBeNull();
      respond(s, phone, atPhone!, '200 OK');
      respond(s, phone, r.invite, '487 Request Terminated', { toTag: r.tag });
      expect(await john.next((m) => m.startsWith('SIP/2.0 487 '), 3000)).not.toBeNull();
    } finally {
      await registered(s, phone, 'jasmine', 0);
      john.close();
      phone.close();
      victim.close();
    }
  });
});

describe('the WebSocket handshake', () => {
  const open = (origin: string | undefined) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(s.phone.kamailio.wsUrl, 'sip', origin ? { origin } : {});
      ws.once('open', () => (ws.close(), resolve(101)));
      ws.once('unexpected-response', (_req, res) => (ws.terminate(), resolve(res.statusCode ?? 0)));
      ws.once('error', () => resolve(-1));
    });

  it('accepts our own pages and programs that are not browsers, and refuses any other page', async () => {
    expect(await open(CONSOLE_ORIGIN)).toBe(101);
    expect(await open(undefined)).toBe(101);
    expect(await open('http://evil.example')).toBe(403);
    expect(await open('http://127.0.0.1:5179')).toBe(403);
    expect(await open('null')).toBe(403);
  });
});

describe('refused credentials say why', () => {
  it('answers 403 with the reason for a digest username the decision service rejects, never 503', async () => {
    const ua = await RawUa.open('127.0.0.1');
    try {
      for (const username of ['x'.repeat(100), 'nobody', '1700000000.100', `${'9'.repeat(10)}.199`]) {
        const reply = await ua.request(
          sipRequest(ua, `REGISTER sip:${DOMAIN} SIP/2.0`, [
            `From: <sip:100@${DOMAIN}>;tag=${token()}`,
            `To: <sip:100@${DOMAIN}>`,
            `Call-ID: ${token()}@why`,
            'CSeq: 1 REGISTER',
            `Contact: <sip:100@127.0.0.1:${ua.port}>`,
            `Authorization: Digest username="${username}", realm="${DOMAIN}", nonce="abc", uri="sip:${DOMAIN}", response="00000000000000000000000000000000"`,
          ]),
          s.proxy,
        );
        expect(status(reply), username).toMatch(
          /^SIP\/2\.0 403 (Unknown credentials|Credentials expired|Credentials are for another extension)$/,
        );
      }
    } finally {
      ua.close();
    }
  });
});

it('the stack is still healthy after all of it', async () => {
  await eventually(
    async () => (await registerFrom(s, await RawUa.open('127.0.0.1'), 'john')).final?.startsWith('SIP/2.0 200'),
    2000,
  );
});
