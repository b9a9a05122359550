import { describe, expect, it } from 'vitest';
import { Presence } from '../../src/main/sip/presence';
import { dtmfOfInfo } from '../../src/renderer/src/softphone/dtmf';

describe('Presence', () => {
  const make = (busy = new Set<number>()) => {
    let now = 1_000_000;
    const p = new Presence({ now: () => now, busy: () => busy });
    return { p, tick: (ms: number) => (now += ms) };
  };

  it('is available while a registration lasts, and offline once it expires', () => {
    const { p, tick } = make();
    p.registered('101', 'sip:101@a.invalid;transport=ws', 'ws:127.0.0.1:5000', 60);
    expect(p.snapshot()(2, '101')).toBe('available');
    tick(61_000);
    expect(p.snapshot()(2, '101')).toBe('offline');
  });

  it('clamps the lifetime a phone asks for to what the proxy grants', () => {
    const { p, tick } = make();
    p.registered('101', 'c1', 'udp:127.0.0.1:5000', 5); // below min_expires: 30 s
    tick(20_000);
    expect(p.isRegistered('101')).toBe(true);
    p.registered('102', 'c2', 'udp:127.0.0.1:5001', 1_000_000); // above max_expires: one hour
    tick(3_600_001);
    expect(p.isRegistered('102')).toBe(false);
  });

  it('keeps a member available while one of several phones remains', () => {
    const { p } = make();
    p.registered('101', 'c1', 'ws:127.0.0.1:5000', 300);
    p.registered('101', 'c2', 'ws:127.0.0.1:5001', 300);
    p.closed('ws:127.0.0.1:5000');
    expect(p.isRegistered('101')).toBe(true);
    p.registered('101', 'c2', 'ws:127.0.0.1:5001', 0);
    expect(p.isRegistered('101')).toBe(false);
  });

  it('unregisters every phone of an extension on "Contact: *", and forgets everyone on a proxy restart', () => {
    const { p } = make();
    p.registered('101', 'c1', 'udp:127.0.0.1:5000', 300);
    p.registered('101', 'c2', 'udp:127.0.0.1:5002', 300);
    p.registered('101', '*', 'udp:127.0.0.1:5003', 0);
    expect(p.isRegistered('101')).toBe(false);
    p.registered('102', 'c3', 'udp:127.0.0.1:5004', 300);
    p.reset();
    expect(p.isRegistered('102')).toBe(false);
  });

  it('says on a call for members in an answered call, registered or not', () => {
    const { p } = make(new Set([7]));
    expect(p.snapshot()(7, '106')).toBe('on_call');
    expect(p.snapshot()(8, '107')).toBe('offline');
  });

  it('holds at most five phones per extension, as the registrar does', () => {
    const { p } = make();
    for (let i = 0; i < 8; i++) p.registered('101', `c${i}`, `ws:127.0.0.1:${5000 + i}`, 300);
    for (let i = 0; i < 5; i++) p.closed(`ws:127.0.0.1:${5000 + i}`);
    expect(p.isRegistered('101')).toBe(false);
  });
});

describe('dtmfOfInfo', () => {
  it('reads the tone of either INFO body', () => {
    expect(dtmfOfInfo('Signal=5\r\nDuration=160', 'application/dtmf-relay')).toBe('5');
    expect(dtmfOfInfo('Signal= #\r\nDuration=100', 'Application/DTMF-Relay; charset=x')).toBe('#');
    expect(dtmfOfInfo('a\r\n', 'application/dtmf')).toBe('A');
  });

  it('ignores anything else', () => {
    expect(dtmfOfInfo('Signal=5', 'text/plain')).toBeNull();
    expect(dtmfOfInfo('Signal=X', 'application/dtmf-relay')).toBeNull();
    expect(dtmfOfInfo('', undefined)).toBeNull();
  });
});
