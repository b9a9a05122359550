import { randomBytes } from 'node:crypto';
import type { CallDirection } from '../../shared/primitives';
import type { NewCall, ParticipantRole } from '../core/store/repos/calls';
import type { Directory } from './directory';
import type { PlanEvent, RingStep } from './flowPlan';
import type { MediaStep, PromptResult, Recording } from './media/service';

/**
 * Assembles call records from what the proxy reports (a call starts, a
 * branch rings an extension, a branch answers, the dialog ends or fails)
 * and hands each finished call to the core. Nothing here comes from a
 * client's word: the proxy names branches from its own routing, and a
 * client's Contact user is forced to its extension at registration.
 */

export type RingVerdict =
  | { kind: 'ring'; secs: number; targets: string[] }
  /** Hand the call to the media service: `ivr-<call>` speaks a prompt, `vm-<call>` takes a message. */
  | { kind: 'media'; user: string }
  | { kind: 'end'; code: number; reason: string };

type VoicemailStep = Extract<RingStep, { kind: 'voicemail' }>;
type PromptStep = Extract<RingStep, { kind: 'prompt' }>;

/** A call at its voicemail step: offered to the service, answered by it, then its recording (or none). */
interface VoicemailState {
  step: VoicemailStep;
  state: 'offered' | 'answered' | 'done';
  recording: Recording | null;
  /** The proxy saw the call end while the message was still being taken. */
  hungUp: boolean;
}

type CallEvent = NewCall['events'][number];

interface TrackedCall {
  id: string;
  direction: CallDirection;
  bnId: number | null;
  externalNumber: string | null;
  callFlowId: number | null;
  groupId: number | null;
  startedAt: number;
  answeredAt: number | null;
  placedBy: number | null;
  answeredBy: number | null;
  missed: number[];
  events: CallEvent[];
  /** Ring steps still to come; `current` is ringing now. */
  steps: RingStep[];
  current: RingStep | null;
  /** Branch index → what the proxy rang on it (an extension or an outside number). */
  branches: Map<number, string>;
  voicemail: VoicemailState | null;
  /** When the media service was given the current prompt. */
  promptAt: number;
  /** The last transfer one side asked for (a REFER the proxy saw), until the other side follows it. */
  transfer: PendingTransfer | null;
  /** Calls that continue this one after a transfer; it is written once they have all ended. */
  legs: Set<string>;
  /** For such a leg: the call it continues. */
  parent: string | null;
  /** Team members who took the call after a transfer. */
  transferredTo: number[];
  /** Its own dialog ended while a transfer still goes on (legs, or one just asked for). */
  waiting: boolean;
  /** The SIP Call-ID of its dialog (known once answered). */
  sipCallId: string | null;
  /** The proxy restarted while it went on: its dialog is gone there, and its end is told by Call-ID. */
  orphaned: boolean;
  finishedAt: number | null;
  touchedAt: number;
}

interface PendingTransfer {
  toExtension: string;
  at: number;
  /** Who follows it: the side that did not ask (the caller's side when the one who answered asked). */
  transferee: 'caller' | 'callee';
}

/** Who follows a transfer: a team member, or the outside party by their number. */
export interface TransferFollower {
  toExtension: string;
  fromUserId: number | null;
  fromNumber: string | null;
}

export interface StartCall {
  direction: CallDirection;
  bnId: number | null;
  externalNumber: string | null;
  callFlowId: number | null;
  placedBy: number | null;
  events: (PlanEvent | CallEvent)[];
  steps: RingStep[];
}

export interface TrackerOptions {
  accountId: number;
  directory: Directory;
  /** Writes the call into the history; returns its id there. */
  record: (call: NewCall) => number | void;
  /** A call was written (`callId` null: writing it failed), e.g. to save its recording. */
  onWritten?: ((trackerId: string, callId: number | null) => void) | undefined;
  now: () => number;
  log?: (message: string, error?: unknown) => void;
  /** Someone's answered call began or ended (presence). */
  onBusyChange?: (() => void) | undefined;
  /**
   * Whether the media service runs: greetings and menus are spoken and
   * voicemail takes messages. Otherwise greetings are skipped, a menu takes
   * its no-input branch and a voicemail step ends the call unanswered.
   */
  media?: (() => boolean) | undefined;
}

/** How long a teammate's phones ring on an internal call (or a transfer) before their voicemail answers. */
export const INTERNAL_RING_SECONDS = 30;
const MAX_LIVE_CALLS = 1000;
/** A transfer not followed within this long is given up (the call is written without it). */
const TRANSFER_FOLLOW_MS = 30_000;
/** Busy Here, Busy Everywhere, Decline. */
const BUSY_CODES = new Set([486, 600, 603]);
/** An unanswered call the proxy never reported on again is given up after this long. */
const UNANSWERED_LIMIT_MS = 15 * 60_000;
/** Longer than the proxy's dialog timeout (4 h), which ends calls without a BYE. */
const ANSWERED_LIMIT_MS = 4 * 3_600_000 + 10 * 60_000;
/** Finished calls are kept a little, so late reports for them are ignored rather than unknown. */
const FINISHED_KEEP_MS = 5 * 60_000;

export class CallTracker {
  private calls = new Map<string, TrackedCall>();

  constructor(private readonly o: TrackerOptions) {}

  /** Members in an answered call now: the one who placed it and the one who took it. */
  busyUserIds(): Set<number> {
    const busy = new Set<number>();
    for (const c of this.calls.values()) {
      // A call waiting for its transfer legs has nobody on it any more (the legs count on their own).
      if (c.finishedAt !== null || c.waiting) continue;
      // Leaving a teammate a message is being on a call too.
      if (c.voicemail?.state === 'answered' && c.placedBy !== null) busy.add(c.placedBy);
      if (c.answeredAt === null) continue;
      if (c.placedBy !== null) busy.add(c.placedBy);
      if (c.answeredBy !== null) busy.add(c.answeredBy);
    }
    return busy;
  }

  get live(): number {
    let n = 0;
    for (const c of this.calls.values()) if (c.finishedAt === null) n++;
    return n;
  }

  /** Starts tracking a call; null when too many calls are live. */
  start(s: StartCall): string | null {
    this.sweep();
    if (this.live >= MAX_LIVE_CALLS) return null;
    const at = this.o.now();
    const id = randomBytes(12).toString('base64url');
    this.calls.set(id, {
      id,
      direction: s.direction,
      bnId: s.bnId,
      externalNumber: s.externalNumber,
      callFlowId: s.callFlowId,
      groupId: null,
      startedAt: at,
      answeredAt: null,
      placedBy: s.placedBy,
      answeredBy: null,
      missed: [],
      events: s.events.map((e) => ({ at, ...e })),
      steps: [...s.steps],
      current: null,
      branches: new Map(),
      voicemail: null,
      promptAt: at,
      transfer: null,
      legs: new Set(),
      parent: null,
      transferredTo: [],
      waiting: false,
      sipCallId: null,
      orphaned: false,
      finishedAt: null,
      touchedAt: at,
    });
    return id;
  }

  /**
   * The current ring step is over without an answer (or nothing has rung
   * yet): the next step with someone to ring, or the end of the call.
   */
  next(id: string, lastCode = 0): RingVerdict {
    const c = this.open(id);
    if (!c) return { kind: 'end', code: 481, reason: 'Call not found' };
    const at = this.o.now();
    if (c.current?.kind === 'ring_user') c.missed.push(c.current.userId);
    if (c.current?.kind === 'voicemail') {
      // The media service did not answer (it refused the media, or is gone).
      c.current = null;
      return this.voicemailUnavailable(c, 'No message taken: voicemail did not answer');
    }
    // A prompt the media service did not play: the flow goes on as without it.
    if (c.current?.kind === 'prompt') this.applyPrompt(c, c.current, { spoken: false, key: null });
    c.current = null;
    // A teammate who declines, or whose lines are all busy, gives an internal caller "busy", not their voicemail.
    if (c.direction === 'internal' && BUSY_CODES.has(lastCode)) c.steps = [];
    for (let step = c.steps.shift(); step; step = c.steps.shift()) {
      if (step.kind === 'prompt') {
        if (this.o.media?.()) {
          c.current = step;
          c.promptAt = at;
          return { kind: 'media', user: `ivr-${c.id}` };
        }
        this.applyPrompt(c, step, { spoken: false, key: null });
        continue;
      }
      if (step.kind === 'voicemail') {
        if (step.groupId !== null) c.groupId = step.groupId;
        c.voicemail = { step, state: 'offered', recording: null, hungUp: false };
        if (!this.o.media?.())
          return this.voicemailUnavailable(c, 'No message taken: the voicemail service is not running');
        c.current = step;
        c.events.push({
          at,
          kind: 'voicemail',
          userId: step.userId,
          groupId: step.groupId,
          detail: 'Sent to voicemail',
        });
        return { kind: 'media', user: `vm-${c.id}` };
      }
      const targets = this.o.directory.extensionsFor(step);
      if (step.kind === 'ring_group') {
        c.groupId = step.groupId;
        c.events.push({
          at,
          kind: 'ring_group',
          groupId: step.groupId,
          detail: targets.length === 0 ? 'No active members' : '',
        });
      } else {
        c.events.push({
          at,
          kind: 'ring_user',
          userId: step.userId,
          detail: targets.length === 0 ? (this.o.directory.passedBy?.(step.userId) ?? 'Not in service') : '',
        });
      }
      if (targets.length > 0) {
        c.current = step;
        return { kind: 'ring', secs: step.ringSeconds, targets };
      }
      if (step.kind === 'ring_user') c.missed.push(step.userId);
    }
    // Phones that declined (rather than rang out) make the caller hear "busy".
    if (BUSY_CODES.has(lastCode)) return this.finish(c, { kind: 'end', code: 486, reason: 'Busy' });
    return this.finish(c, {
      kind: 'end',
      code: 480,
      reason: c.direction === 'internal' ? 'No answer' : 'No one answered',
    });
  }

  /** The proxy forked a branch to `to` (an extension after location lookup, or an outside number). */
  branch(id: string, index: number, to: string): void {
    const c = this.open(id);
    if (!c || c.branches.size >= 200) return;
    c.branches.set(index, to);
    const userId = c.direction === 'outbound' ? null : this.o.directory.activeUserId(to);
    if (userId !== null) {
      c.events.push({
        at: this.o.now(),
        kind: 'rang',
        userId,
        groupId: c.current?.kind === 'ring_group' ? c.current.groupId : null,
      });
    }
  }

  /** A branch answered; who it was comes from the proxy's own branch record. */
  answered(id: string, index: number, sipCallId = ''): void {
    const c = this.open(id);
    if (c && sipCallId && c.sipCallId === null) c.sipCallId = sipCallId;
    if (!c || c.answeredAt !== null) return;
    const at = this.o.now();
    const to = c.branches.get(index) ?? null;
    if (c.voicemail?.state === 'offered' && to === `vm-${id}`) {
      // Voicemail took the call: nobody answered it, and it is not over until the message is kept.
      c.voicemail.state = 'answered';
      c.current = null;
      if (c.placedBy !== null) this.o.onBusyChange?.();
      return;
    }
    c.answeredAt = at;
    const userId = to !== null && c.direction !== 'outbound' ? this.o.directory.activeUserId(to) : null;
    c.answeredBy = userId;
    if (c.current?.kind === 'ring_user' && c.current.userId !== userId) c.missed.push(c.current.userId);
    c.current = null;
    c.events.push({
      at,
      kind: 'answered',
      userId,
      detail: userId === null ? (to ? `Answered by ${to}` : 'Answered') : '',
    });
    this.o.onBusyChange?.();
  }

  /** Who answered a call going on: a team member (or null: the outside world), or its voicemail. */
  answeredBy(id: string): { userId: number | null; voicemail: boolean } {
    const c = this.calls.get(id);
    return { userId: c?.answeredBy ?? null, voicemail: c?.voicemail?.state === 'answered' };
  }

  /** The dialog ended (BYE or timeout) or failed (no answer, cancelled, refused downstream). */
  ended(id: string): void {
    const c = this.open(id);
    if (!c || c.waiting) return;
    if (c.voicemail?.state === 'answered') {
      // The message is still being kept by the voicemail service; it reports next.
      c.voicemail.hungUp = true;
      return;
    }
    if (c.answeredAt === null && c.current?.kind === 'ring_user') c.missed.push(c.current.userId);
    if (c.current?.kind === 'prompt') {
      const menu = c.current.menu !== null;
      c.events.push({
        at: this.o.now(),
        kind: menu ? 'menu' : 'greeting',
        detail: 'Caller hung up during it',
      });
    }
    if (c.voicemail?.state === 'offered') c.voicemail.state = 'done';
    c.current = null;
    // Only a transfer to a teammate's extension is followed as the same call (one to a number is noted only).
    const transferAsked =
      c.transfer !== null &&
      /^\d{2,6}$/.test(c.transfer.toExtension) &&
      this.o.now() - c.transfer.at < TRANSFER_FOLLOW_MS;
    if (c.legs.size > 0 || transferAsked) {
      // The caller goes on with someone else: the call is written when the transfer is over.
      c.waiting = true;
      this.o.onBusyChange?.();
      if (c.legs.size === 0) setTimeout(() => this.giveUpTransfer(c.id), TRANSFER_FOLLOW_MS).unref();
      return;
    }
    this.finish(c, null);
  }

  /**
   * The proxy restarted: it lost the dialogs of the calls going on (their
   * media goes on between the phones). Each such call is ended when the
   * new proxy relays a BYE with its Call-ID, so that nobody stays "on a
   * call" in presence, or in the history, for hours afterwards.
   */
  proxyLost(): void {
    for (const c of this.calls.values()) if (c.finishedAt === null) c.orphaned = true;
  }

  /** A BYE for a dialog the proxy no longer knows; only a call that outlived a proxy restart is ended by it. */
  endedAfterProxyLoss(sipCallId: string): void {
    for (const c of this.calls.values()) {
      if (c.finishedAt === null && c.orphaned && c.sipCallId === sipCallId) {
        this.ended(c.id);
        return;
      }
    }
  }

  /**
   * One side of a call asked the other to call `toExtension` instead (a
   * REFER the proxy saw in the call's own dialog): noted in the call's path,
   * and remembered so that the other side's next call there continues it.
   */
  referred(id: string, byCaller: boolean, toExtension: string, attended: boolean): void {
    const c = this.open(id);
    if (!c || c.waiting || !/^[0-9A-Za-z+*#._-]{1,32}$/.test(toExtension)) return;
    const at = this.o.now();
    c.transfer = { toExtension, at, transferee: byCaller ? 'callee' : 'caller' };
    const toUserId = this.o.directory.activeUserId(toExtension);
    c.events.push({
      at,
      kind: 'transferred',
      userId: toUserId,
      detail: `${attended ? 'Attended' : 'Blind'}${toUserId === null ? `, to ${toExtension}` : ''}`,
    });
  }

  /**
   * A new call that follows a transfer: when a call waits for `from` to call
   * `toExtension`, a leg of it starts (ring the teammate, then their
   * voicemail) and its id is returned; otherwise null.
   */
  continueTransfer(f: TransferFollower): string | null {
    const now = this.o.now();
    for (const c of this.calls.values()) {
      const t = c.transfer;
      if (c.finishedAt !== null || !t || t.toExtension !== f.toExtension || now - t.at >= TRANSFER_FOLLOW_MS) continue;
      const side =
        t.transferee === 'caller'
          ? { userId: c.placedBy, number: c.direction === 'inbound' ? c.externalNumber : null }
          : { userId: c.answeredBy, number: c.direction === 'outbound' ? c.externalNumber : null };
      const matches =
        f.fromUserId !== null ? side.userId === f.fromUserId : f.fromNumber !== null && side.number === f.fromNumber;
      if (!matches) continue;
      const toUserId = this.o.directory.activeUserId(f.toExtension);
      if (toUserId === null) return null;
      const legId = this.start({
        direction: c.direction,
        bnId: c.bnId,
        externalNumber: c.externalNumber,
        callFlowId: c.callFlowId,
        placedBy: c.placedBy,
        events: [],
        steps: [
          { kind: 'ring_user', userId: toUserId, ringSeconds: INTERNAL_RING_SECONDS },
          { kind: 'voicemail', userId: toUserId, groupId: null, texts: [] },
        ],
      });
      if (!legId) return null;
      this.calls.get(legId)!.parent = c.id;
      c.legs.add(legId);
      c.transfer = null;
      return legId;
    }
    return null;
  }

  private giveUpTransfer(id: string): void {
    const c = this.calls.get(id);
    if (!c || c.finishedAt !== null || !c.waiting || c.legs.size > 0) return;
    this.o.log?.(
      `A transfer of call ${id} was not followed within ${TRANSFER_FOLLOW_MS / 1000} s; it is recorded without it`,
    );
    this.finish(c, null);
  }

  /** A transfer leg is over: what happened on it becomes part of the call it continues. */
  private mergeLeg(leg: TrackedCall, parent: TrackedCall): void {
    parent.events.push(...leg.events.filter((e) => e.kind !== 'ended'));
    if (leg.answeredBy !== null && !parent.transferredTo.includes(leg.answeredBy))
      parent.transferredTo.push(leg.answeredBy);
    parent.missed.push(...leg.missed);
    if (leg.voicemail?.recording) parent.voicemail = leg.voicemail;
    if (parent.answeredAt === null && leg.answeredAt !== null) parent.answeredAt = leg.answeredAt;
    parent.legs.delete(leg.id);
    parent.touchedAt = this.o.now();
    if (parent.waiting && parent.legs.size === 0) this.finish(parent, null);
  }

  /** What the media service may do for this call now: speak its prompt, or take a message; null: nothing. */
  mediaStep(id: string): MediaStep | null {
    const c = this.calls.get(id);
    if (!c || c.finishedAt !== null) return null;
    if (c.current?.kind === 'prompt') {
      const menu = c.current.menu;
      return {
        kind: 'prompt',
        texts: c.current.texts,
        menu: menu ? { text: menu.text, keys: menu.options.map((o) => o.key) } : null,
      };
    }
    if (c.current?.kind === 'voicemail' && c.voicemail?.state === 'offered')
      return { kind: 'voicemail', texts: c.current.texts };
    return null;
  }

  /** The media service spoke the prompt (or could not), and the caller chose a menu key (or none). */
  promptDone(id: string, result: PromptResult): void {
    const c = this.open(id);
    if (!c || c.current?.kind !== 'prompt') return;
    this.applyPrompt(c, c.current, result);
    c.current = null;
  }

  /** Notes a prompt's greetings and follows the menu branch the caller chose. */
  private applyPrompt(c: TrackedCall, step: PromptStep, result: PromptResult): void {
    const at = this.o.now();
    // The greetings were heard from the start of the prompt; the menu's choice is made now.
    const heardAt = result.spoken ? Math.min(c.promptAt, at) : at;
    for (const text of step.texts)
      c.events.push({ at: heardAt, kind: 'greeting', detail: result.spoken ? `Played “${text}”` : 'Not played' });
    const menu = step.menu;
    if (!menu) return;
    const pressed = result.key === null ? null : (menu.options.find((o) => o.key === result.key) ?? null);
    const chosen = pressed ?? menu.noInput;
    c.events.push({
      at,
      kind: 'menu',
      detail: pressed
        ? `Pressed ${pressed.key}`
        : `${result.spoken ? 'No input' : 'Not played'}${chosen && chosen.key !== 'timeout' ? `: took key ${chosen.key}` : ''}`,
    });
    c.steps = chosen ? [...chosen.steps] : [];
    if (chosen) for (const e of chosen.events) c.events.push({ at, ...e });
  }

  /** The voicemail service is done with the call: the message, or null when the caller left none. */
  voicemailRecorded(id: string, recording: Recording | null): void {
    const c = this.open(id);
    if (!c?.voicemail || c.voicemail.state === 'done') return;
    const wasAnswered = c.voicemail.state === 'answered';
    c.voicemail.state = 'done';
    c.voicemail.recording = recording;
    c.events.push({
      at: this.o.now(),
      kind: 'voicemail',
      userId: c.voicemail.step.userId,
      groupId: c.voicemail.step.groupId,
      detail: recording ? `Message left (${recording.durationSeconds} s)` : 'Hung up before leaving a message',
    });
    // The proxy reports the end of the dialog too; whichever comes last finishes the call.
    if (c.voicemail.hungUp || !wasAnswered) this.finish(c, null);
  }

  private voicemailUnavailable(c: TrackedCall, detail: string): RingVerdict {
    const step = c.voicemail!.step;
    c.voicemail!.state = 'done';
    if (step.userId !== null) c.missed.push(step.userId);
    c.events.push({ at: this.o.now(), kind: 'voicemail', userId: step.userId, groupId: step.groupId, detail });
    return this.finish(c, { kind: 'end', code: 480, reason: 'Voicemail is not available' });
  }

  private open(id: string): TrackedCall | null {
    const c = this.calls.get(id);
    if (!c || c.finishedAt !== null) return null;
    c.touchedAt = this.o.now();
    return c;
  }

  private finish<T>(c: TrackedCall, value: T): T {
    const at = this.o.now();
    c.finishedAt = at;
    const parent = c.parent ? this.calls.get(c.parent) : undefined;
    if (parent && parent.finishedAt === null) {
      if (c.answeredAt !== null) this.o.onBusyChange?.();
      this.mergeLeg(c, parent);
      return value;
    }
    if (c.answeredAt !== null || (c.voicemail !== null && c.placedBy !== null)) this.o.onBusyChange?.();
    c.events.push({ at, kind: 'ended', detail: c.answeredAt === null ? 'Not answered' : '' });
    const participants: { userId: number; role: ParticipantRole }[] = [];
    const add = (userId: number | null, role: ParticipantRole) => {
      if (userId !== null && !participants.some((p) => p.userId === userId)) participants.push({ userId, role });
    };
    const recording = c.voicemail?.recording ?? null;
    add(c.placedBy, 'placed');
    add(c.answeredBy, 'answered');
    for (const u of c.transferredTo) add(u, 'transferred');
    // A personal mailbox's owner: the message was left for them, or they missed the call.
    if (c.voicemail && c.voicemail.step.userId !== null)
      add(c.voicemail.step.userId, recording ? 'voicemail' : 'missed');
    for (const u of c.missed) add(u, 'missed');
    let written: number | null = null;
    try {
      const id = this.o.record({
        accountId: this.o.accountId,
        direction: c.direction,
        result: recording ? 'voicemail' : c.answeredAt === null ? 'missed' : 'answered',
        bnId: c.bnId,
        externalNumber: c.externalNumber,
        startedAt: c.startedAt,
        answeredAt: c.answeredAt,
        endedAt: at,
        callFlowId: c.callFlowId,
        groupId: c.groupId,
        participants,
        events: c.events,
        voicemail: recording
          ? {
              durationSeconds: recording.durationSeconds,
              transcript: '',
              audio: { mime: 'audio/wav', data: recording.wav },
            }
          : null,
      });
      if (typeof id === 'number') written = id;
    } catch (error) {
      this.o.log?.('Could not record a call', error);
    }
    this.o.onWritten?.(c.id, written);
    return value;
  }

  /** Gives up on calls the proxy stopped reporting on, and forgets finished ones. */
  sweep(): void {
    const now = this.o.now();
    for (const c of this.calls.values()) {
      if (c.finishedAt !== null) {
        if (now - c.finishedAt > FINISHED_KEEP_MS) this.calls.delete(c.id);
      } else if (now - c.touchedAt > (c.answeredAt === null ? UNANSWERED_LIMIT_MS : ANSWERED_LIMIT_MS)) {
        if (c.voicemail?.state === 'answered') c.voicemail.state = 'done';
        this.ended(c.id);
      }
    }
  }
}
