import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NewCall } from '../../src/main/core/store/repos/calls';
import { CallTracker } from '../../src/main/sip/callTracker';
import type { Directory } from '../../src/main/sip/directory';

/**
 * Transfers in the call history: a call one side transfers goes on as the
 * same call (POLICY.md: participants are who placed it, answered it, or were
 * transferred into it), linked only to a transfer the proxy saw asked for.
 */

const users: Record<string, number> = { '100': 1, '101': 2, '103': 3 };
const directory: Directory = {
  activeUserId: (ext) => users[ext] ?? null,
  extensionsFor: (step) =>
    step.kind === 'ring_user' ? Object.keys(users).filter((e) => users[e] === step.userId) : [],
  flowName: () => null,
};

function setup() {
  const records: NewCall[] = [];
  let now = 1_000_000;
  let busyChanges = 0;
  const tracker = new CallTracker({
    accountId: 1,
    directory,
    record: (c) => records.push(c),
    now: () => (now += 5),
    media: () => true,
    onBusyChange: () => busyChanges++,
  });
  return { tracker, records, busyChanges: () => busyChanges };
}

/** John (100) calls Peter (101), who answers. */
function johnCallsPeter(tracker: CallTracker): string {
  const id = tracker.start({
    direction: 'internal',
    bnId: null,
    externalNumber: null,
    callFlowId: null,
    placedBy: 1,
    events: [],
    steps: [{ kind: 'ring_user', userId: 2, ringSeconds: 30 }],
  })!;
  tracker.next(id);
  tracker.branch(id, 0, '101');
  tracker.answered(id, 0);
  return id;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a transferred call', () => {
  it('is one call: the transfer, who rang and who took it, with the teammate as a transferred participant', () => {
    const { tracker, records } = setup();
    const x = johnCallsPeter(tracker);
    // Peter (the one who answered) transfers John to Jasmine after consulting her.
    tracker.referred(x, false, '103', true);
    tracker.ended(x); // Peter hangs up once the transfer is under way
    expect(records).toHaveLength(0);
    expect(tracker.busyUserIds().has(2)).toBe(false);

    const leg = tracker.continueTransfer({ toExtension: '103', fromUserId: 1, fromNumber: null })!;
    expect(tracker.next(leg)).toEqual({ kind: 'ring', secs: 30, targets: ['103'] });
    tracker.branch(leg, 0, '103');
    tracker.answered(leg, 0);
    expect([...tracker.busyUserIds()].sort()).toEqual([1, 3]);
    tracker.ended(leg);

    expect(records).toHaveLength(1);
    const call = records[0]!;
    expect(call).toMatchObject({ direction: 'internal', result: 'answered' });
    expect(call.participants).toEqual([
      { userId: 1, role: 'placed' },
      { userId: 2, role: 'answered' },
      { userId: 3, role: 'transferred' },
    ]);
    expect(call.events.map((e) => [e.kind, e.userId ?? null, e.detail ?? ''])).toEqual([
      ['ring_user', 2, ''],
      ['rang', 2, ''],
      ['answered', 2, ''],
      ['transferred', 3, 'Attended'],
      ['ring_user', 3, ''],
      ['rang', 3, ''],
      ['answered', 3, ''],
      ['ended', null, ''],
    ]);
    expect(call.endedAt).toBeGreaterThan(call.answeredAt!);
  });

  it('follows an outside caller by their number; unanswered, it goes to the teammate’s voicemail', () => {
    const { tracker, records } = setup();
    const x = tracker.start({
      direction: 'inbound',
      bnId: 7,
      externalNumber: '+13105550123',
      callFlowId: 4,
      placedBy: null,
      events: [],
      steps: [{ kind: 'ring_user', userId: 2, ringSeconds: 30 }],
    })!;
    tracker.next(x);
    tracker.branch(x, 0, '101');
    tracker.answered(x, 0);
    tracker.referred(x, false, '103', false);
    // Someone else calling Jasmine is not the transfer; the customer is.
    expect(tracker.continueTransfer({ toExtension: '103', fromUserId: null, fromNumber: '+12125550000' })).toBeNull();
    expect(tracker.continueTransfer({ toExtension: '103', fromUserId: 1, fromNumber: null })).toBeNull();
    const leg = tracker.continueTransfer({ toExtension: '103', fromUserId: null, fromNumber: '+13105550123' })!;
    tracker.ended(x);
    tracker.next(leg);
    expect(tracker.next(leg, 408)).toEqual({ kind: 'media', user: `vm-${leg}` });
    tracker.ended(leg);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      direction: 'inbound',
      bnId: 7,
      callFlowId: 4,
      externalNumber: '+13105550123',
      result: 'answered',
    });
    expect(records[0]!.participants).toEqual([
      { userId: 2, role: 'answered' },
      { userId: 3, role: 'missed' },
    ]);
    expect(records[0]!.events.find((e) => e.kind === 'transferred')).toMatchObject({ userId: 3, detail: 'Blind' });
  });

  it('a transfer nobody follows is given up: the call is written as it was', () => {
    vi.useFakeTimers();
    const { tracker, records } = setup();
    const x = johnCallsPeter(tracker);
    tracker.referred(x, false, '103', false);
    tracker.ended(x);
    expect(records).toHaveLength(0);
    vi.advanceTimersByTime(30_000);
    expect(records).toHaveLength(1);
    expect(records[0]!.participants.map((p) => p.role)).toEqual(['placed', 'answered']);
  });

  it('a call with no transfer asked for is never continued', () => {
    const { tracker, records } = setup();
    const x = johnCallsPeter(tracker);
    expect(tracker.continueTransfer({ toExtension: '103', fromUserId: 1, fromNumber: null })).toBeNull();
    tracker.ended(x);
    expect(records).toHaveLength(1);
  });
});

it('a transfer to an outside number is noted in the path, and the call is written when it ends', () => {
  const { tracker, records } = setup();
  const x = johnCallsPeter(tracker);
  tracker.referred(x, false, '+13105550123', false);
  tracker.ended(x);
  expect(records).toHaveLength(1);
  expect(records[0]!.events.find((e) => e.kind === 'transferred')).toMatchObject({
    userId: null,
    detail: 'Blind, to +13105550123',
  });
});
