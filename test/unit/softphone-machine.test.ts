import { describe, expect, it } from 'vitest';
import { isLive, lineEvents, lineStates, nextState } from '../../src/renderer/src/softphone/callMachine';
import { softphoneSlice, sp, MAX_LINES } from '../../src/renderer/src/softphone/slice';

describe('the line state machine', () => {
  it('follows the table: a call placed, answered, held, resumed and hung up', () => {
    let s = nextState('idle', 'dial')!;
    s = nextState(s, 'progress')!;
    s = nextState(s, 'answered')!;
    expect(s).toBe('established');
    s = nextState(s, 'held')!;
    s = nextState(s, 'resumed')!;
    expect(nextState(s, 'ended')).toBe('ended');
  });

  it('an incoming call rings, then is answered or ends', () => {
    expect(nextState('idle', 'incoming')).toBe('ringing');
    expect(nextState('ringing', 'answered')).toBe('established');
    expect(nextState('ringing', 'ended')).toBe('ended');
  });

  it('refuses every transition the table does not list', () => {
    const allowed = new Set([
      'idle:dial',
      'idle:incoming',
      'dialing:progress',
      'dialing:answered',
      'dialing:ended',
      'ringing:answered',
      'ringing:ended',
      'established:held',
      'established:ended',
      'held:resumed',
      'held:ended',
      'ended:reset',
    ]);
    for (const s of lineStates)
      for (const e of lineEvents) expect(nextState(s, e) !== null, `${s} + ${e}`).toBe(allowed.has(`${s}:${e}`));
  });

  it('knows which states hold a line', () => {
    expect(lineStates.filter(isLive)).toEqual(['dialing', 'ringing', 'established', 'held']);
  });
});

describe('the softphone slice', () => {
  const reduce = softphoneSlice.reducer;
  const base = reduce(undefined, { type: 'init' });
  const add = (id: string, direction: 'inbound' | 'outbound' = 'outbound') =>
    sp.lineAdded({
      id,
      state: direction === 'outbound' ? 'dialing' : 'ringing',
      direction,
      remote: '+13105550100',
      remoteName: null,
      bnId: 1,
      bnLabel: null,
      createdAt: 0,
    });

  it('ignores events a line’s state does not accept', () => {
    let s = reduce(base, add('a'));
    s = reduce(s, sp.lineEvent({ id: 'a', event: 'resumed' }));
    expect(s.lines[0]!.state).toBe('dialing');
    s = reduce(s, sp.lineEvent({ id: 'a', event: 'answered', at: 42 }));
    expect(s.lines[0]).toMatchObject({ state: 'established', answeredAt: 42 });
  });

  it('keeps a waiting call beside the focused one, and drops ended lines when a new one comes', () => {
    let s = reduce(base, add('a'));
    s = reduce(s, sp.lineEvent({ id: 'a', event: 'answered' }));
    s = reduce(s, add('b', 'inbound'));
    expect(s.lines.map((l) => l.id)).toEqual(['a', 'b']);
    expect(s.lines.length).toBeLessThanOrEqual(MAX_LINES);
    expect(s.focusedLineId).toBe('a');
    s = reduce(s, sp.lineEvent({ id: 'a', event: 'ended', reason: 'Hung up' }));
    s = reduce(s, add('c'));
    expect(s.lines.map((l) => l.id)).toEqual(['b', 'c']);
  });
});
