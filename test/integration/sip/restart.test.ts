import { expect, it } from 'vitest';
import { DOMAIN, eventually, useStack } from './harness';
import { digest, header, RawUa, sipRequest, status, token } from './rawSip';
import { received } from './sipp';

/**
 * A proxy restart in the middle of a call: the call goes on between the
 * phones, and when it ends the call history and presence learn it from the
 * new proxy (which no longer knows the dialog), rather than showing both
 * people "on a call" for hours.
 */

const s = useStack({ supervise: true });

it('a call that outlives a proxy restart ends in the history and in presence when it is hung up', async () => {
  const phone = await s.sipp({ scenario: 'phone-answer.xml', uas: true, timeoutSeconds: 30 });
  await s.register('jasmine', phone.localPort);
  const ua = await RawUa.open('127.0.0.1');
  const john = s.credentials('john');
  const tracker = s.phone.decisions.tracker;
  const ids = [s.ids.users.john!, s.ids.users.jasmine!];
  try {
    const callId = `${token()}@restart`;
    const fromTag = token();
    const invite = (cseq: number, auth: string | null) =>
      sipRequest(ua, `INVITE sip:103@${DOMAIN} SIP/2.0`, [
        `From: <sip:100@${DOMAIN}>;tag=${fromTag}`,
        `To: <sip:103@${DOMAIN}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} INVITE`,
        `Contact: <sip:100@127.0.0.1:${ua.port}>`,
        ...(auth ? [`Proxy-Authorization: ${auth}`] : []),
      ]);
    const challenge = await ua.request(invite(1, null), s.proxy);
    const auth = digest(challenge!, {
      method: 'INVITE',
      uri: `sip:103@${DOMAIN}`,
      username: john.authorizationUsername,
      password: john.password,
    });
    const ok = await ua.request(invite(2, auth), s.proxy, 5000);
    expect(status(ok)).toBe('SIP/2.0 200 OK');
    // The phone's contact as it registered it (the new proxy finds the extension's phones by its user).
    const target = `sip:103@127.0.0.1:${phone.localPort}`;
    const inDialog = (method: string, cseq: number) =>
      sipRequest(ua, `${method} ${target} SIP/2.0`, [
        `Route: ${header(ok!, 'Record-Route')}`,
        `From: <sip:100@${DOMAIN}>;tag=${fromTag}`,
        `To: ${header(ok!, 'To')}`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} ${method}`,
      ]);
    ua.send(inDialog('ACK', 2), s.proxy);
    await eventually(() => received(phone.messages(), 'ACK').length === 1, 2000);
    await eventually(() => ids.every((id) => tracker.busyUserIds().has(id)), 2000);

    // The proxy is killed and started again by the service; the phone registers again.
    const before = s.phone.kamailio;
    process.kill(before.pid, 'SIGKILL');
    await eventually(() => s.phone.kamailio !== before, 5000);
    await eventually(async () => {
      try {
        await s.register('jasmine', phone.localPort);
        return true;
      } catch {
        return false;
      }
    }, 5000);
    // Still on the call: nothing has ended it.
    expect(ids.every((id) => tracker.busyUserIds().has(id))).toBe(true);

    // John hangs up: the new proxy relays the BYE to Jasmine's phone, and the call ends everywhere.
    const bye = await ua.request(inDialog('BYE', 3), s.proxy);
    expect(status(bye)).toBe('SIP/2.0 200 OK');
    expect(await phone.done, phone.messages()).toBe(0);
    await eventually(() => ids.every((id) => !tracker.busyUserIds().has(id)), 2000);
    const jasmine = await s.as('jasmine');
    const row = (await jasmine.ok('calls.list', { limit: 5, direction: 'internal' })).items[0]!;
    expect(row).toMatchObject({ result: 'answered' });
    expect(row.participants.map((p) => p.role).sort()).toEqual(['answered', 'placed']);
  } finally {
    ua.close();
    phone.kill();
  }
});
