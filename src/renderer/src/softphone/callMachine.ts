/**
 * The state machine of one phone line. Every change of a line's state goes
 * through `nextState`; an event a state does not accept is refused (null),
 * never guessed at.
 *
 * | state \ event | dial    | incoming | progress | answered    | held | resumed     | ended | reset |
 * |---------------|---------|----------|----------|-------------|------|-------------|-------|-------|
 * | idle          | dialing | ringing  |          |             |      |             |       |       |
 * | dialing       |         |          | dialing  | established |      |             | ended |       |
 * | ringing       |         |          |          | established |      |             | ended |       |
 * | established   |         |          |          |             | held |             | ended |       |
 * | held          |         |          |          |             |      | established | ended |       |
 * | ended         |         |          |          |             |      |             |       | idle  |
 */
export const lineStates = ['idle', 'dialing', 'ringing', 'established', 'held', 'ended'] as const;
export type LineState = (typeof lineStates)[number];

export const lineEvents = ['dial', 'incoming', 'progress', 'answered', 'held', 'resumed', 'ended', 'reset'] as const;
export type LineEvent = (typeof lineEvents)[number];

const table: Record<LineState, Partial<Record<LineEvent, LineState>>> = {
  idle: { dial: 'dialing', incoming: 'ringing' },
  dialing: { progress: 'dialing', answered: 'established', ended: 'ended' },
  ringing: { answered: 'established', ended: 'ended' },
  established: { held: 'held', ended: 'ended' },
  held: { resumed: 'established', ended: 'ended' },
  ended: { reset: 'idle' },
};

export function nextState(state: LineState, event: LineEvent): LineState | null {
  return table[state][event] ?? null;
}

/** Whether a line still occupies the phone (it counts against the two lines). */
export function isLive(state: LineState): boolean {
  switch (state) {
    case 'dialing':
    case 'ringing':
    case 'established':
    case 'held':
      return true;
    case 'idle':
    case 'ended':
      return false;
  }
}
