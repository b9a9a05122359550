import { describe, expect, it } from 'vitest';
import { remoteHolds } from '../../src/renderer/src/softphone/sdpHold';

const sdp = (session: string[], audio: string[]) =>
  [
    'v=0',
    'o=- 1 2 IN IP4 192.0.2.1',
    's=-',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    ...session,
    'm=audio 4000 RTP/AVP 0 101',
    ...audio,
    '',
  ].join('\r\n');

describe('remoteHolds: a re-INVITE from the other side', () => {
  it('holds with sendonly or inactive on the audio (or the whole session)', () => {
    expect(remoteHolds(sdp([], ['a=sendonly']))).toBe(true);
    expect(remoteHolds(sdp([], ['a=inactive']))).toBe(true);
    expect(remoteHolds(sdp(['a=sendonly'], []))).toBe(true);
  });

  it('holds with the old connection address 0.0.0.0', () => {
    expect(remoteHolds(sdp([], ['c=IN IP4 0.0.0.0', 'a=sendrecv']))).toBe(true);
  });

  it('resumes with sendrecv or no direction; the audio line overrides the session', () => {
    expect(remoteHolds(sdp([], ['a=sendrecv']))).toBe(false);
    expect(remoteHolds(sdp([], []))).toBe(false);
    expect(remoteHolds(sdp(['a=inactive'], ['a=sendrecv']))).toBe(false);
    // recvonly: they listen and send nothing, which is not a hold of us.
    expect(remoteHolds(sdp([], ['a=recvonly']))).toBe(false);
  });

  it('says nothing of a body without audio, or a rejected audio stream', () => {
    expect(remoteHolds('')).toBeNull();
    expect(remoteHolds(sdp([], []).replace('m=audio 4000', 'm=audio 0'))).toBeNull();
  });
});
