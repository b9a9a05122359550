import { describe, expect, it } from 'vitest';
import { candidatesNeeded, enoughCandidates } from '../../src/renderer/src/softphone/iceReady';

describe('when a call has the ICE candidates it needs', () => {
  const host = { type: 'host', protocol: 'udp' };
  it('without ICE servers, a UDP host candidate is enough (TCP ones are not waited for)', () => {
    const needed = candidatesNeeded([]);
    expect(enoughCandidates(needed, [])).toBe(false);
    expect(enoughCandidates(needed, [{ type: 'host', protocol: 'tcp' }])).toBe(false);
    expect(enoughCandidates(needed, [host])).toBe(true);
  });
  it('with a TURN server, its relay candidate is waited for', () => {
    const needed = candidatesNeeded([
      { urls: ['turn:turn.example:3478?transport=udp'], username: 'u', credential: 'p' },
    ]);
    expect(needed).toEqual({ srflx: false, relay: true });
    expect(enoughCandidates(needed, [host])).toBe(false);
    expect(enoughCandidates(needed, [host, { type: 'relay', protocol: 'udp' }])).toBe(true);
  });
  it('with a STUN server, a server-reflexive candidate is waited for', () => {
    const needed = candidatesNeeded([{ urls: 'stun:stun.example:3478' }]);
    expect(needed).toEqual({ srflx: true, relay: false });
    expect(enoughCandidates(needed, [host])).toBe(false);
    expect(enoughCandidates(needed, [host, { type: 'srflx', protocol: 'udp' }])).toBe(true);
  });
});
