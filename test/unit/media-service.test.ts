import { describe, expect, it } from 'vitest';
import type { NewCall } from '../../src/main/core/store/repos/calls';
import { CallTracker } from '../../src/main/sip/callTracker';
import type { Directory } from '../../src/main/sip/directory';
import { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear } from '../../src/main/sip/media/g711';
import { answerSdp, chooseAudio } from '../../src/main/sip/media/sdp';
import { buildInDialog, buildResponse, parseRequest, tagOf } from '../../src/main/sip/media/sipMessage';
import { readWav, tone, writeWav } from '../../src/main/sip/media/wav';

/** The media service's parts that need no network: codecs, SIP and SDP text, WAV files, and the call tracker at prompts and voicemail. */

describe('G.711', () => {
  it('round-trips 16-bit audio within the codec’s step size, with the standard silence codes', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToAlaw(0)).toBe(0xd5);
    for (let v = -32000; v <= 32000; v += 97) {
      const tolerance = Math.max(16, Math.abs(v) / 16);
      expect(Math.abs(ulawToLinear(linearToUlaw(v)) - v)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(alawToLinear(linearToAlaw(v)) - v)).toBeLessThanOrEqual(tolerance);
    }
  });
});

describe('WAV', () => {
  it('writes what it reads, and refuses what it cannot play', () => {
    const beep = tone(1000, 100);
    expect(Array.from(readWav(writeWav(beep)))).toEqual(Array.from(beep));
    const stereo = writeWav(beep);
    stereo.writeUInt16LE(2, 22);
    expect(() => readWav(stereo)).toThrow(/mono/);
    expect(() => readWav(Buffer.from('not a wav file at all'))).toThrow(/Not a WAV/);
  });
});

const INVITE = [
  'INVITE sip:vm-abcdefghijklmnop@127.0.0.1:40100 SIP/2.0',
  'v: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy, SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKcaller;rport=5999',
  'Record-Route: <sip:127.0.0.1:5060;lr;ftag=abc>',
  'f: <sip:+13105550123@127.0.0.1:5999>;tag=abc',
  't: <sip:+18885550190@127.0.0.1:5060>',
  'i: call-1@127.0.0.1',
  'CSeq: 1 INVITE',
  'm: <sip:+13105550123@127.0.0.1:5999>',
  'c: application/sdp',
  'l: 0',
  '',
  '',
].join('\r\n');

describe('SIP messages', () => {
  it('parses compact headers and lists, answers with every Via in order and a To tag, and routes a BYE through the proxy', () => {
    const req = parseRequest(INVITE)!;
    expect(req.method).toBe('INVITE');
    expect(req.headers.get('via')).toHaveLength(2);
    const res = buildResponse(req, 200, 'OK', { toTag: 'ours' });
    expect(res).toMatch(
      /^SIP\/2\.0 200 OK\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=z9hG4bKproxy\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5999/,
    );
    expect(tagOf(/\r\nTo: ([^\r]*)/.exec(res)![1]!)).toBe('ours');
    expect(buildResponse(req, 100, 'Trying', { toTag: 'ours' })).not.toMatch(/tag=ours/);

    const bye = buildInDialog(
      {
        callId: 'call-1@127.0.0.1',
        local: '<sip:+18885550190@127.0.0.1:5060>;tag=ours',
        remote: '<sip:+13105550123@127.0.0.1:5999>;tag=abc',
        remoteTarget: 'sip:+13105550123@127.0.0.1:5999',
        routeSet: ['<sip:127.0.0.1:5060;lr;ftag=abc>'],
        localCseq: 0,
      },
      'BYE',
      { host: '127.0.0.1', port: 40100 },
    )!;
    expect({ host: bye.host, port: bye.port }).toEqual({ host: '127.0.0.1', port: 5060 });
    expect(bye.text).toMatch(/^BYE sip:\+13105550123@127\.0\.0\.1:5999 SIP\/2\.0\r\n/);
    expect(bye.text).toMatch(/\r\nRoute: <sip:127\.0\.0\.1:5060;lr;ftag=abc>\r\n/);
    expect(bye.text).toMatch(
      /\r\nFrom: <sip:\+18885550190@127\.0\.0\.1:5060>;tag=ours\r\nTo: <sip:\+13105550123@127\.0\.0\.1:5999>;tag=abc\r\n/,
    );
    expect(bye.text).toMatch(/\r\nCSeq: 1 BYE\r\n/);
  });

  it('drops what is not a request', () => {
    expect(parseRequest('hello')).toBeNull();
    expect(parseRequest(INVITE.replace('i: call-1@127.0.0.1\r\n', ''))).toBeNull();
    expect(parseRequest(INVITE.replace('l: 0', 'l: -3'))).toBeNull();
  });
});

describe('SDP', () => {
  const offer = (m: string, maps: string[]) =>
    ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', m, ...maps, ''].join('\r\n');

  it('takes the first G.711 codec offered and the tone payload type, and answers with them only', () => {
    const a = chooseAudio(
      offer('m=audio 20000 RTP/AVP 96 8 0 101', ['a=rtpmap:96 opus/48000/2', 'a=rtpmap:101 telephone-event/8000']),
    )!;
    expect(a).toEqual({ address: '127.0.0.1', port: 20000, codec: 'PCMA', payloadType: 8, eventType: 101 });
    const sdp = answerSdp({ address: '127.0.0.1', port: 30000, offer: a, sessionId: 1, version: 1 });
    expect(sdp).toMatch(/\r\nm=audio 30000 RTP\/AVP 8 101\r\n/);
    expect(sdp).not.toMatch(/opus/);
  });

  it('refuses an offer without G.711 or on a secure profile', () => {
    expect(chooseAudio(offer('m=audio 20000 RTP/AVP 96', ['a=rtpmap:96 opus/48000/2']))).toBeNull();
    expect(chooseAudio(offer('m=audio 20000 UDP/TLS/RTP/SAVPF 0', []))).toBeNull();
  });
});

describe('the call tracker at a voicemail step', () => {
  const directory: Directory = {
    activeUserId: (ext) => ({ '100': 1, '109': 9 })[ext] ?? null,
    extensionsFor: () => [],
    flowName: () => null,
  };
  const setup = (voicemail: boolean) => {
    const records: NewCall[] = [];
    let now = 1_000;
    const tracker = new CallTracker({
      accountId: 1,
      directory,
      record: (c) => records.push(c),
      now: () => (now += 10),
      media: () => voicemail,
    });
    const id = tracker.start({
      direction: 'inbound',
      bnId: 5,
      externalNumber: '+13105550123',
      callFlowId: 2,
      placedBy: null,
      events: [],
      steps: [
        { kind: 'ring_user', userId: 9, ringSeconds: 20 },
        { kind: 'voicemail', userId: 9, groupId: null, texts: [] },
      ],
    })!;
    return { tracker, id, records };
  };
  const recording = { wav: writeWav(tone(440, 1000)), durationSeconds: 1 };

  for (const order of ['the caller hangs up first', 'voicemail finishes first'] as const) {
    it(`keeps the message with the call when ${order}`, () => {
      const { tracker, id, records } = setup(true);
      expect(tracker.next(id)).toEqual({ kind: 'media', user: `vm-${id}` });
      expect(tracker.mediaStep(id)).toEqual({ kind: 'voicemail', texts: [] });
      tracker.branch(id, 0, `vm-${id}`);
      tracker.answered(id, 0);
      expect(tracker.mediaStep(id)).toBeNull();
      if (order === 'the caller hangs up first') {
        tracker.ended(id);
        expect(records).toHaveLength(0);
        tracker.voicemailRecorded(id, recording);
      } else {
        tracker.voicemailRecorded(id, recording);
        expect(records).toHaveLength(0);
        tracker.ended(id);
      }
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        result: 'voicemail',
        answeredAt: null,
        participants: [{ userId: 9, role: 'voicemail' }],
        voicemail: { durationSeconds: 1, transcript: '', audio: { mime: 'audio/wav', data: recording.wav } },
      });
    });
  }

  it('a call that left no message is a missed call of the mailbox owner', () => {
    const { tracker, id, records } = setup(true);
    tracker.next(id);
    tracker.branch(id, 0, `vm-${id}`);
    tracker.answered(id, 0);
    tracker.voicemailRecorded(id, null);
    tracker.ended(id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      result: 'missed',
      voicemail: null,
      participants: [{ userId: 9, role: 'missed' }],
    });
  });

  it('only the voicemail branch is voicemail: a phone answering is an answered call', () => {
    const { tracker, id, records } = setup(true);
    tracker.next(id);
    tracker.branch(id, 0, '109');
    tracker.answered(id, 0);
    tracker.ended(id);
    expect(records[0]).toMatchObject({ result: 'answered', voicemail: null });
    expect(records[0]!.participants).toEqual([{ userId: 9, role: 'answered' }]);
  });

  it('without the voicemail service, or when it does not answer, the call ends there unanswered', () => {
    const off = setup(false);
    expect(off.tracker.next(off.id)).toEqual({ kind: 'end', code: 480, reason: 'Voicemail is not available' });
    expect(off.records[0]!.events.at(-2)?.detail).toMatch(/not running/);
    const refused = setup(true);
    refused.tracker.next(refused.id);
    expect(refused.tracker.next(refused.id, 488)).toEqual({
      kind: 'end',
      code: 480,
      reason: 'Voicemail is not available',
    });
    expect(refused.records[0]).toMatchObject({ result: 'missed', participants: [{ userId: 9, role: 'missed' }] });
  });
});

describe('the call tracker at a prompt', () => {
  const directory: Directory = {
    activeUserId: () => null,
    extensionsFor: (step) => (step.kind === 'ring_group' ? [`${step.groupId}00`] : []),
    flowName: () => null,
  };
  const menuCall = (media: boolean) => {
    const records: NewCall[] = [];
    const tracker = new CallTracker({
      accountId: 1,
      directory,
      record: (c) => records.push(c),
      now: () => 1000,
      media: () => media,
    });
    const id = tracker.start({
      direction: 'inbound',
      bnId: 5,
      externalNumber: null,
      callFlowId: 2,
      placedBy: null,
      events: [],
      steps: [
        {
          kind: 'prompt',
          texts: ['Hello.'],
          menu: {
            text: 'Press 1 or 2.',
            options: [
              { key: '1', events: [], steps: [{ kind: 'ring_group', groupId: 1, ringSeconds: 10 }] },
              { key: '2', events: [], steps: [{ kind: 'ring_group', groupId: 2, ringSeconds: 10 }] },
            ],
            noInput: { key: 'timeout', events: [], steps: [{ kind: 'ring_group', groupId: 3, ringSeconds: 10 }] },
          },
        },
      ],
    })!;
    return { tracker, id, records };
  };

  it('hands the prompt to the media service and follows the key the caller pressed', () => {
    const { tracker, id } = menuCall(true);
    expect(tracker.next(id)).toEqual({ kind: 'media', user: `ivr-${id}` });
    expect(tracker.mediaStep(id)).toEqual({
      kind: 'prompt',
      texts: ['Hello.'],
      menu: { text: 'Press 1 or 2.', keys: ['1', '2'] },
    });
    tracker.promptDone(id, { spoken: true, key: '2' });
    expect(tracker.mediaStep(id)).toBeNull();
    expect(tracker.next(id, 480)).toEqual({ kind: 'ring', secs: 10, targets: ['200'] });
  });

  it('no key takes the no-input branch; a key that is not an option counts as none', () => {
    for (const key of [null, '9']) {
      const { tracker, id } = menuCall(true);
      tracker.next(id);
      tracker.promptDone(id, { spoken: true, key });
      expect(tracker.next(id, 480)).toEqual({ kind: 'ring', secs: 10, targets: ['300'] });
    }
  });

  it('without the media service, or when it does not take the call, the menu takes its no-input branch', () => {
    const off = menuCall(false);
    expect(off.tracker.next(off.id)).toEqual({ kind: 'ring', secs: 10, targets: ['300'] });
    const refused = menuCall(true);
    refused.tracker.next(refused.id);
    expect(refused.tracker.next(refused.id, 404)).toEqual({ kind: 'ring', secs: 10, targets: ['300'] });
    refused.tracker.ended(refused.id);
    expect(refused.records[0]!.events.map((e) => [e.kind, e.detail])).toEqual([
      ['greeting', 'Not played'],
      ['menu', 'Not played'],
      ['ring_group', ''],
      ['ended', 'Not answered'],
    ]);
  });
});
