import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topohMask } from '../../../src/main/sip/topoh';
import {
  answerNext,
  call,
  calleeDialog,
  DOMAIN,
  headers,
  inDialog,
  registered,
  respond,
  sdp as SDP,
  useStack,
  type Dialog,
} from './harness';
import { digest, header, RawUa, sipRequest, status, token } from './rawSip';

/**
 * Requests inside calls, seen from the outside (docs/softphone.md,
 * "Security"): an attended transfer across the trunk names its calls as
 * each side knows them (topoh's tokens outside, the real Call-ID inside, no
 * inside Call-ID or phone address leaking out), and a request inside a call
 * goes only to an address of that call. Phones and the trunk are raw UDP
 * sockets, so the test sees exactly what reaches each of them.
 */

let maskKey = '';
const s = useStack({
  ready: async (started) => {
    const cfg = readFileSync(join(started.runDir, 'kamailio.cfg'), 'utf8');
    maskKey = /modparam\("topoh", "mask_key", "([0-9a-f]+)"\)/.exec(cfg)![1]!;
  },
});

const CUSTOMER = '+13105550100';
const NY = '+13322139228';
const TOLL_FREE = '+18885550190';

async function ringsUser(key: string) {
  const morgan = await s.as('morgan');
  const flow = await morgan.ok('callFlows.create', {
    name: `${key} direct ${token()}`,
    steps: [{ kind: 'ring_user', userId: s.ids.users[key]!, ringSeconds: 10 }],
  });
  await morgan.ok('numbers.route', { bnId: s.ids.numbers.tollFree, callFlowId: flow.id });
}

/** The outside world calls the toll-free line from the trunk's socket; `answer` takes it; the dialog as the trunk knows it. */
async function callIn(trunk: RawUa, answer: () => Promise<{ tag: string }>) {
  const callId = `${token()}@carrier`;
  const fromTag = token();
  const from = `<sip:${CUSTOMER}@${trunk.ip}:${trunk.port}>;tag=${fromTag}`;
  const ok = trunk.request(
    sipRequest(
      trunk,
      `INVITE sip:${TOLL_FREE}@${s.proxy} SIP/2.0`,
      [
        `From: ${from}`,
        `To: <sip:${TOLL_FREE}@${s.proxy}>`,
        `Call-ID: ${callId}`,
        'CSeq: 1 INVITE',
        `Contact: <sip:${CUSTOMER}@${trunk.ip}:${trunk.port}>`,
        'Content-Type: application/sdp',
      ],
      SDP(trunk),
    ),
    s.proxy,
    8000,
  );
  const answered = await answer();
  const reply = await ok;
  expect(status(reply)).toBe('SIP/2.0 200 OK');
  const d: Dialog = {
    callId,
    route: headers(reply!, 'Record-Route').reverse(),
    target: /<([^>]+)>/.exec(header(reply!, 'Contact')!)![1]!,
    from,
    to: header(reply!, 'To')!,
  };
  trunk.send(inDialog(trunk, d, 'ACK', 1), s.proxy);
  return { ...d, fromTag, tag: answered.tag };
}

describe('attended transfers across the trunk', () => {
  it('an outside caller connected with a teammate: the trunk sees a token and the extension, the teammate the real call', async () => {
    await ringsUser('peter');
    const trunk = await RawUa.open('127.0.0.1', s.peerPort);
    const peter = await RawUa.open('127.0.0.1');
    const jasmine = await RawUa.open('127.0.0.1');
    try {
      await registered(s, peter, 'peter');
      await registered(s, jasmine, 'jasmine');
      // The customer calls; Peter answers.
      let first = { invite: '', tag: '' };
      await callIn(trunk, async () => (first = await answerNext(s, peter, '101')));
      expect(await peter.next((m) => m.startsWith('ACK '), 2000)).not.toBeNull();
      // Peter consults Jasmine.
      const consult = await call(s, peter, 'peter', s.extension('jasmine'), () => answerNext(s, jasmine, '103'));
      const replaces = `${consult.callId};to-tag=${consult.toTag};from-tag=${consult.fromTag}`;
      // Peter connects them: a REFER to the customer, written as a softphone writes it.
      const toCustomer = calleeDialog(first.invite, first.tag);
      const refer = peter.request(
        inDialog(peter, toCustomer, 'REFER', 5, [
          `Refer-To: "Jasmine Lee" <sip:103@127.0.0.1:${jasmine.port};transport=udp?Replaces=${encodeURIComponent(replaces)}>`,
          `Referred-By: <sip:101@${DOMAIN}>`,
        ]),
        s.proxy,
      );
      const atTrunk = await trunk.next((m) => m.startsWith('REFER '), 3000);
      expect(atTrunk).not.toBeNull();
      // Nothing of the inside: not the consultation's Call-ID, nor Jasmine's phone.
      expect(atTrunk).not.toContain(consult.callId.split('@')[0]);
      expect(atTrunk).not.toContain(String(jasmine.port));
      const referTo = header(atTrunk!, 'Refer-To')!;
      const m = /^<sip:103@teamline\.local\?Replaces=([^>]+)>$/.exec(referTo);
      expect(m, referTo).not.toBeNull();
      const masked = topohMask(consult.callId, maskKey);
      expect(decodeURIComponent(m![1]!)).toBe(`${masked};to-tag=${consult.toTag};from-tag=${consult.fromTag}`);
      respond(s, trunk, atTrunk!, '202 Accepted');
      expect(status(await refer)).toBe('SIP/2.0 202 Accepted');

      // The customer follows it: its call replaces the consultation call at Jasmine's phone.
      trunk.send(
        sipRequest(
          trunk,
          `INVITE sip:103@${s.proxy} SIP/2.0`,
          [
            `From: <sip:${CUSTOMER}@${trunk.ip}:${trunk.port}>;tag=${token()}`,
            `To: <sip:103@${s.proxy}>`,
            `Call-ID: ${token()}@carrier`,
            'CSeq: 1 INVITE',
            `Contact: <sip:${CUSTOMER}@${trunk.ip}:${trunk.port}>`,
            `Replaces: ${decodeURIComponent(m![1]!)}`,
            `Referred-By: <sip:101@${DOMAIN}>`,
            'Content-Type: application/sdp',
          ],
          SDP(trunk),
        ),
        s.proxy,
      );
      const atJasmine = await jasmine.next((m) => m.startsWith('INVITE ') && /^Replaces:/m.test(m), 3000);
      expect(atJasmine, s.log().slice(-3000)).not.toBeNull();
      expect(header(atJasmine!, 'Replaces')).toBe(replaces);
    } finally {
      trunk.close();
      peter.close();
      jasmine.close();
    }
  });

  it('a teammate connected with an outside party: the trunk gets back the Call-ID it knows, whoever placed that call', async () => {
    await ringsUser('peter');
    const trunk = await RawUa.open('127.0.0.1', s.peerPort);
    const peter = await RawUa.open('127.0.0.1');
    const john = await RawUa.open('127.0.0.1');
    try {
      await registered(s, peter, 'peter');
      await registered(s, john, 'john');
      // John calls Peter; Peter then calls the customer (a call of ours, masked toward the trunk).
      await call(s, john, 'john', s.extension('peter'), () => answerNext(s, peter, '101'));
      let atTrunk = { invite: '', tag: '' };
      const out = await call(
        s,
        peter,
        'peter',
        CUSTOMER,
        async () => (atTrunk = await answerNext(s, trunk, CUSTOMER)),
        [`X-Teamline-Caller-Id: ${NY}`],
      );
      // The trunk knows it by topoh's token, which the proxy's own masking reproduces.
      expect(header(atTrunk.invite, 'Call-ID')).toBe(topohMask(out.callId, maskKey));
      // A call the customer placed to Peter keeps the customer's Call-ID.
      await ringsUser('peter');
      let second = { invite: '', tag: '' };
      const theirs = await callIn(trunk, async () => (second = await answerNext(s, peter, '101')));
      const ours = calleeDialog(second.invite, second.tag);
      expect(ours.callId).toBe(theirs.callId);

      // Peter's REFER names each call as his phone knows it (the other side's tag, then his).
      for (const [callId, toTag, fromTag, expected] of [
        [out.callId, out.toTag, out.fromTag, topohMask(out.callId, maskKey)],
        [theirs.callId, theirs.fromTag, second.tag, theirs.callId],
      ] as const) {
        const replaces = `${callId};to-tag=${toTag};from-tag=${fromTag}`;
        // John follows Peter's REFER with Replaces (inside: the real Call-ID)…
        const c = s.credentials('john');
        const cid = `${token()}@john`;
        const tag = token();
        const invite = (cseq: number, auth: string | null) =>
          sipRequest(
            john,
            `INVITE sip:${CUSTOMER}@${DOMAIN} SIP/2.0`,
            [
              `From: <sip:100@${DOMAIN}>;tag=${tag}`,
              `To: <sip:${CUSTOMER}@${DOMAIN}>`,
              `Call-ID: ${cid}`,
              `CSeq: ${cseq} INVITE`,
              `Contact: <sip:100@${john.ip}:${john.port}>`,
              `X-Teamline-Caller-Id: ${NY}`,
              `Replaces: ${replaces}`,
              `Referred-By: <sip:101@${DOMAIN}>`,
              ...(auth ? [`Proxy-Authorization: ${auth}`] : []),
              'Content-Type: application/sdp',
            ],
            SDP(john),
          );
        const challenge = await john.request(invite(1, null), s.proxy);
        john.send(
          invite(
            2,
            digest(challenge!, {
              method: 'INVITE',
              uri: `sip:${CUSTOMER}@${DOMAIN}`,
              username: c.authorizationUsername,
              password: c.password,
            }),
          ),
          s.proxy,
        );
        // …and the trunk reads in it the Call-ID it knows that call by.
        const replacing = await trunk.next((m) => m.startsWith('INVITE ') && /^Replaces:/m.test(m), 3000);
        expect(replacing, s.log().slice(-3000)).not.toBeNull();
        expect(header(replacing!, 'Replaces')).toBe(`${expected};to-tag=${toTag};from-tag=${fromTag}`);
        respond(s, trunk, replacing!, '486 Busy Here', { toTag: 'busy' });
      }
    } finally {
      trunk.close();
      peter.close();
      john.close();
    }
  });
});

describe('the target of a request inside a call', () => {
  it('is an address of the call: a forged Request-URI or Route is refused and goes nowhere; BYE, re-INVITE and REFER to the other side go through', async () => {
    const john = await RawUa.open('127.0.0.1');
    const jasmine = await RawUa.open('127.0.0.1');
    const victim = await RawUa.open('127.0.0.1');
    try {
      await registered(s, jasmine, 'jasmine');
      let answered = { invite: '', tag: '' };
      const d = await call(
        s,
        john,
        'john',
        s.extension('jasmine'),
        async () => (answered = await answerNext(s, jasmine, '103')),
      );
      expect(await jasmine.next((m) => m.startsWith('ACK '), 2000)).not.toBeNull();
      const elsewhere = `sip:victim@127.0.0.1:${victim.port}`;

      // The caller, from its own address, aims requests somewhere else: by Request-URI, or by a Route past the proxy.
      for (const [method, uri, extra] of [
        ['BYE', elsewhere, []],
        ['INVITE', elsewhere, []],
        ['REFER', elsewhere, [`Refer-To: <sip:${CUSTOMER}@${DOMAIN}>`]],
        ['BYE', d.target, [`Route: <sip:127.0.0.1:${victim.port};lr>`]],
      ] as const) {
        const r = await john.request(inDialog(john, d, method, 10, [...extra], uri), s.proxy);
        expect(status(r), `${method} ${uri}`).toBe('SIP/2.0 403 Not an address of this call');
      }
      // The one who answered cannot either.
      const back = calleeDialog(answered.invite, answered.tag);
      const r = await jasmine.request(inDialog(jasmine, back, 'BYE', 20, [], elsewhere), s.proxy);
      expect(status(r)).toBe('SIP/2.0 403 Not an address of this call');
      expect(await victim.next(() => true, 300)).toBeNull();
      expect(jasmine.received.filter((m) => /^(BYE|INVITE|REFER) /.test(m))).toHaveLength(1);
      expect(john.received.filter((m) => /^(BYE|INVITE|REFER) /.test(m))).toHaveLength(0);
      // The call is still up: a hold (re-INVITE) and a transfer (REFER) reach Jasmine, then the BYE ends it.
      const hold = john.request(
        inDialog(john, d, 'INVITE', 30, [], d.target, SDP(john).replace('a=rtpmap', 'a=sendonly\r\na=rtpmap')),
        s.proxy,
      );
      const reinvite = await jasmine.next((m) => m.startsWith('INVITE ') && /CSeq: 30 INVITE/.test(m), 3000);
      expect(reinvite).not.toBeNull();
      respond(s, jasmine, reinvite!, '200 OK', {
        extra: [`Contact: <sip:103@${jasmine.ip}:${jasmine.port}>`],
        body: SDP(jasmine),
      });
      expect(status(await hold)).toBe('SIP/2.0 200 OK');
      john.send(inDialog(john, d, 'ACK', 30), s.proxy);
      const transfer = john.request(inDialog(john, d, 'REFER', 31, [`Refer-To: <sip:102@${DOMAIN}>`]), s.proxy);
      const refer = await jasmine.next((m) => m.startsWith('REFER '), 3000);
      expect(refer).not.toBeNull();
      respond(s, jasmine, refer!, '202 Accepted');
      expect(status(await transfer)).toBe('SIP/2.0 202 Accepted');
      const bye = john.request(inDialog(john, d, 'BYE', 32), s.proxy);
      const atJasmine = await jasmine.next((m) => m.startsWith('BYE '), 3000);
      expect(atJasmine).not.toBeNull();
      respond(s, jasmine, atJasmine!, '200 OK');
      expect(status(await bye)).toBe('SIP/2.0 200 OK');
      expect(await victim.next(() => true, 200)).toBeNull();
    } finally {
      john.close();
      jasmine.close();
      victim.close();
    }
  });
});

describe('identity inside a call', () => {
  it('a phone’s re-INVITE and INFO toward the trunk carry no identity or billing header of its choosing, and the same From', async () => {
    const trunk = await RawUa.open('127.0.0.1', s.peerPort);
    const peter = await RawUa.open('127.0.0.1');
    try {
      let atTrunk = { invite: '', tag: '' };
      const d = await call(s, peter, 'peter', CUSTOMER, async () => (atTrunk = await answerNext(s, trunk, CUSTOMER)), [
        `X-Teamline-Caller-Id: ${NY}`,
      ]);
      const forged = [
        `Remote-Party-ID: "CEO" <sip:${TOLL_FREE}@${DOMAIN}>;party=calling;screen=yes`,
        `P-Asserted-Identity: <sip:${TOLL_FREE}@${DOMAIN}>`,
        `P-Preferred-Identity: <sip:${TOLL_FREE}@${DOMAIN}>`,
        `Diversion: <sip:${TOLL_FREE}@${DOMAIN}>;reason=unconditional`,
        `History-Info: <sip:${TOLL_FREE}@${DOMAIN}>;index=1`,
        `P-Charge-Info: <sip:${TOLL_FREE}@${DOMAIN}>`,
        'Privacy: id',
        'X-Billing-Account: 42',
        'Call-Info: <http://inside.example/p.png>;purpose=icon',
        'Organization: Inside',
      ];
      const hold = peter.request(
        inDialog(peter, d, 'INVITE', 3, forged, d.target, SDP(peter).replace('a=rtpmap', 'a=sendonly\r\na=rtpmap')),
        s.proxy,
        5000,
      );
      const reinvite = await trunk.next((m) => m.startsWith('INVITE ') && /CSeq: 3 INVITE/.test(m), 3000);
      expect(reinvite).not.toBeNull();
      respond(s, trunk, reinvite!, '200 OK', {
        extra: [`Contact: <sip:${CUSTOMER}@${trunk.ip}:${trunk.port}>`],
        body: SDP(trunk),
      });
      expect(status(await hold)).toBe('SIP/2.0 200 OK');
      peter.send(inDialog(peter, d, 'ACK', 3), s.proxy);
      const info = peter.request(inDialog(peter, d, 'INFO', 4, forged), s.proxy);
      const infoAtTrunk = await trunk.next((m) => m.startsWith('INFO '), 3000);
      expect(infoAtTrunk).not.toBeNull();
      respond(s, trunk, infoAtTrunk!, '200 OK');
      expect(status(await info)).toBe('SIP/2.0 200 OK');
      for (const m of [reinvite!, infoAtTrunk!]) {
        const names = m
          .split('\r\n\r\n')[0]!
          .split('\r\n')
          .slice(1)
          .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
        for (const n of [
          'remote-party-id',
          'p-asserted-identity',
          'p-preferred-identity',
          'diversion',
          'history-info',
          'p-charge-info',
          'privacy',
          'x-billing-account',
          'call-info',
          'organization',
        ])
          expect(names, `${n} in ${m.split(' ')[0]}`).not.toContain(n);
        expect(m).not.toContain(TOLL_FREE.slice(1));
        // The caller is still the granted number the call began with.
        expect(header(m, 'From')).toBe(header(atTrunk.invite, 'From'));
      }
    } finally {
      trunk.close();
      peter.close();
    }
  });
});
