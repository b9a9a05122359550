/**
 * `npm run bench:recording [-- --calls 30 --out bench]`
 *
 * What call recording adds to call setup, on loopback through the real
 * stack (Kamailio, rtpengine recording in pcap, the decision service, the
 * recorder): a plain SIP phone (a UDP socket here) calls another's extension
 * and the callee answers at once. Setup is the caller's authenticated INVITE
 * → its 200 OK, timed by the caller. Calls alternate
 * between the account's internal record mode `never` (the media goes
 * straight between the phones) and `always` (the proxy relays the media
 * through rtpengine with G.711 only; the recorder starts recording and the
 * notice after the answer). Target: p95 with recording ≤ p95 without + 5 ms.
 * Writes <out>/recording.json and <out>/RECORDING.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSocket } from 'node:dgram';
import { DOMAIN, startStack, type Stack } from '../integration/sip/harness';
import { digest, header, RawUa, sipRequest, status, token } from '../integration/sip/rawSip';
import { round, summarize, type Summary } from './stats';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const CALLS = Number(arg('calls', '30'));
const OUT = resolve(arg('out', 'bench'));
const TARGET_MS = 5;

const sdp = (port: number) =>
  [
    'v=0',
    `o=- 1 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');

/** A reply to a request that reached the phone at `port` through the proxy. */
function reply(port: number, request: string, line: string, toTag: string, body = ''): string {
  const head = request.split('\r\n\r\n')[0]!.split('\r\n');
  const copy = head.filter((l) => /^(Via|Record-Route|From|Call-ID|CSeq):/i.test(l));
  const to = header(request, 'To')!;
  return [
    `SIP/2.0 ${line}`,
    ...copy,
    `To: ${/;tag=/.test(to) ? to : `${to};tag=${toTag}`}`,
    `Contact: <sip:callee@127.0.0.1:${port}>`,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** Karey's phone: answers every INVITE at once with an SDP, and every BYE. */
async function answeringPhone(): Promise<{ port: number; close(): void }> {
  const sip = createSocket('udp4');
  const media = createSocket('udp4');
  await new Promise<void>((r) => sip.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => media.bind(0, '127.0.0.1', () => r()));
  const port = sip.address().port;
  sip.on('message', (data, from) => {
    const m = data.toString('utf8');
    const answer = m.startsWith('INVITE ')
      ? reply(port, m, '200 OK', token(), sdp(media.address().port))
      : m.startsWith('BYE ')
        ? reply(port, m, '200 OK', token())
        : null;
    if (answer) sip.send(answer, from.port, from.address);
  });
  return { port, close: () => (sip.close(), media.close()) };
}

/** One call from John: the authenticated INVITE → its 200 OK, in ms; then ACK, a moment of call, BYE. */
async function call(s: Stack, ua: RawUa, mediaPort: number, to: string, callId: string): Promise<number> {
  const john = s.credentials('john');
  const fromTag = token();
  const body = sdp(mediaPort);
  const invite = (cseq: number, auth: string | null) =>
    sipRequest(
      ua,
      `INVITE sip:${to}@${DOMAIN} SIP/2.0`,
      [
        `From: <sip:${s.extension('john')}@${DOMAIN}>;tag=${fromTag}`,
        `To: <sip:${to}@${DOMAIN}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} INVITE`,
        `Contact: <sip:${s.extension('john')}@127.0.0.1:${ua.port}>`,
        ...(auth ? [`Proxy-Authorization: ${auth}`] : []),
        'Content-Type: application/sdp',
      ],
      body,
    );
  const challenge = await ua.request(invite(1, null), s.proxy);
  if (!challenge?.startsWith('SIP/2.0 407')) throw new Error(`no challenge: ${status(challenge)}`);
  const cseq1 = (method: string, cseq: number, target: string, route: string | null, toHeader: string) =>
    sipRequest(ua, `${method} ${target} SIP/2.0`, [
      ...(route ? [`Route: ${route}`] : []),
      `From: <sip:${s.extension('john')}@${DOMAIN}>;tag=${fromTag}`,
      `To: ${toHeader}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
    ]);
  ua.send(cseq1('ACK', 1, `sip:${to}@${DOMAIN}`, null, header(challenge, 'To')!), s.proxy);
  const auth = digest(challenge, {
    method: 'INVITE',
    uri: `sip:${to}@${DOMAIN}`,
    username: john.authorizationUsername,
    password: john.password,
  });
  const sentAt = process.hrtime.bigint();
  const ok = await ua.request(invite(2, auth), s.proxy, 5000);
  const setup = Number(process.hrtime.bigint() - sentAt) / 1e6;
  if (!ok?.startsWith('SIP/2.0 200'))
    throw new Error(`the call was not answered: ${status(ok)}\n${s.log().slice(-2000)}`);
  const target = /<([^>]+)>/.exec(header(ok, 'Contact')!)![1]!;
  const route = header(ok, 'Record-Route');
  ua.send(cseq1('ACK', 2, target, route, header(ok, 'To')!), s.proxy);
  await new Promise((r) => setTimeout(r, 300));
  const bye = await ua.request(cseq1('BYE', 3, target, route, header(ok, 'To')!), s.proxy);
  if (!bye?.startsWith('SIP/2.0 200')) throw new Error(`BYE: ${status(bye)}`);
  return setup;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tl-rec-bench-'));
  const s = await startStack({ recording: { dataDir } });
  const callee = await answeringPhone();
  const caller = await RawUa.open('127.0.0.1');
  const media = createSocket('udp4');
  await new Promise<void>((r) => media.bind(0, '127.0.0.1', () => r()));
  try {
    // Karey's phone registers once; John calls her extension.
    await s.register('karey', callee.port, 3600);
    const to = s.extension('karey');
    const setMode = (mode: string) =>
      s.db.prepare('UPDATE accounts SET internal_record_mode = ? WHERE id = ?').run(mode, s.ids.accountId);
    const recordedIds: string[] = [];
    const once = (id = `${token()}@bench`) => call(s, caller, media.address().port, to, id);
    // A warm-up call of each kind (first offer to the relay, first recording, the notice read).
    for (const mode of ['never', 'always']) {
      setMode(mode);
      await once();
    }
    const samples: Record<'never' | 'always', number[]> = { never: [], always: [] };
    for (let i = 0; i < CALLS * 2; i++) {
      const mode = i % 2 === 0 ? 'never' : 'always';
      setMode(mode);
      const id = `${token()}@bench`;
      if (mode === 'always') recordedIds.push(id);
      samples[mode].push(await once(id));
      await s.phone.recorder?.drain();
    }
    await s.phone.recorder?.drain();
    const recorded = s.db.prepare('SELECT COUNT(*) FROM recordings').pluck().get() as number;
    if (recorded < CALLS) throw new Error(`only ${recorded} of the ${CALLS + 1} recorded calls were saved`);

    // The relay's own time on the setup path of each recorded call: its offer and answer, from its log.
    const relayLog = s.phone.media?.readLog() ?? '';
    const relayMs = recordedIds.map((id) => {
      let sum = 0;
      for (const m of relayLog.matchAll(
        /\[([^\]]+)\]: \[control\] Replying to '(offer|answer)'.*elapsed time ([\d.]+) sec/g,
      ))
        if (m[1] === id) sum += Number(m[3]) * 1000;
      return sum;
    });
    const relay = summarize(relayMs);
    // Summaries in ms (stats.ts works in any unit).
    const off: Summary = summarize(samples.never);
    const on: Summary = summarize(samples.always);
    const added = on.p95 - off.p95;
    const result = {
      at: new Date().toISOString(),
      cpus: cpus().length,
      loadAverage: round(loadavg()[0]!, 1),
      calls: CALLS,
      setupMs: { withoutRecording: off, withRecording: on },
      addedP95Ms: round(added, 2),
      relayOfferAnswerMs: relay,
      targetMs: TARGET_MS,
      pass: added <= TARGET_MS,
      recordingsSaved: recorded,
    };
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'recording.json'), `${JSON.stringify(result, null, 2)}\n`);
    const row = (name: string, x: Summary) =>
      `| ${name} | ${x.n} | ${round(x.p50, 2)} ms | ${round(x.p95, 2)} ms | ${round(x.p99, 2)} ms | ${round(x.max, 2)} ms |`;
    const md = [
      '# Call recording: what it adds to call setup',
      '',
      `\`npm run bench:recording\` (\`test/bench/recording.ts\`), ${result.at}, ${result.cpus} CPUs, load average ${result.loadAverage} at the end.`,
      '',
      "John's phone calls Karey's extension through Kamailio; her phone answers at once (both are plain SIP",
      "phones written for the bench, on loopback). Setup: the caller's authenticated INVITE → its 200 OK. Calls alternate between",
      "the account's internal record mode `never` (media straight between the phones) and `always` (media",
      'relayed by rtpengine with G.711 only; recording, with the notice, starts after the answer).',
      '',
      '| record mode | calls | p50 | p95 | p99 | max |',
      '| --- | --- | --- | --- | --- | --- |',
      row('never', off),
      row('always', on),
      '',
      `Recording adds **${round(added, 2)} ms** to setup at p95 (target ≤ ${TARGET_MS} ms): **${result.pass ? 'met' : 'NOT met'}**.`,
      `What it adds on the setup path is the relay's offer and answer (rtpengine's own time, from its log): ` +
        `p50 ${round(relay.p50, 3)} ms, p95 ${round(relay.p95, 3)} ms per call, plus two loopback round trips;`,
      'the decision adds one indexed read of the record modes, and recording itself starts after the answer.',
      'The end-to-end figures move by more than that from call to call on a shared 2-core machine',
      '(the decision service answers Kamailio over HTTP three times per call).',
      `${recorded} recordings were saved.`,
      '',
    ].join('\n');
    writeFileSync(join(OUT, 'RECORDING.md'), md);
    console.log(md);
    if (!result.pass) process.exitCode = 1;
  } finally {
    caller.close();
    callee.close();
    media.close();
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
