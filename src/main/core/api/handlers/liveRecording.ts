import type { LiveRecording } from '../../../../shared/api/recordings';
import { can, type Resources } from '../../policy';
import { audit } from '../audit';
import type { AuthedCtx, PhoneRecorder } from '../context';
import { conflict, enforce } from '../failure';
import type { Handlers, Preparer } from '../handler';

/**
 * The softphone's Record button (docs/softphone.md, "Recording"). A call going
 * on is known only to the phone service (the history has it once it ends), so
 * the facts the policy decides on come from its recorder, by SIP Call-ID.
 */

const NOT_RECORDING_HERE = 'Calls are not recorded here: the media relay or the data folder is not available.';

function recorderOf(ctx: AuthedCtx): PhoneRecorder | null {
  return ctx.phone.sip ? (ctx.phone.recorder ?? null) : null;
}

function facts(ctx: AuthedCtx, sipCallId: string): Resources['call.recordStop'] & { paused: boolean } {
  const recorder = recorderOf(ctx);
  if (!recorder)
    return {
      unavailable: ctx.phone.problem ?? NOT_RECORDING_HERE,
      onCall: null,
      mode: null,
      recording: false,
      paused: false,
    };
  const live = recorder.liveCallOf(sipCallId, ctx.actor.userId);
  if (live)
    return { unavailable: null, onCall: true, mode: live.mode, recording: live.recording, paused: !!live.paused };
  // Known to the recorder but without this user: someone else's call.
  return {
    unavailable: null,
    onCall: recorder.hasCall(sipCallId) ? false : null,
    mode: null,
    recording: false,
    paused: false,
  };
}

function view(ctx: AuthedCtx, sipCallId: string): LiveRecording {
  const f = facts(ctx, sipCallId);
  const d = can(ctx.actor, 'call.record', f);
  const stop = can(ctx.actor, 'call.recordStop', f);
  return {
    sipCallId,
    mode: f.mode,
    recording: f.recording,
    paused: f.paused,
    canStart: d.allowed && !f.recording,
    canStop: stop.allowed,
    reason: d.allowed ? null : d.reason,
    stopReason: f.recording && !stop.allowed ? stop.reason : null,
  };
}

export const liveRecordingPreparers: {
  'liveRecording.start': Preparer<'liveRecording.start'>;
  'liveRecording.stop': Preparer<'liveRecording.stop'>;
} = {
  // Starting waits for the media relay, so it runs before the request's transaction; the handler audits it.
  'liveRecording.start': async (ctx, { sipCallId }) => {
    const f = facts(ctx, sipCallId);
    enforce(can(ctx.actor, 'call.record', f));
    // Pressed twice, or the other party (a teammate) pressed it first: one recording, audited once.
    if (f.recording) return { started: false };
    const r = await recorderOf(ctx)!.startOnDemand(sipCallId, ctx.actor.userId);
    if (!r.ok) throw conflict(r.reason);
    return { started: true };
  },
  // Stopping waits for the media relay too.
  'liveRecording.stop': async (ctx, { sipCallId }) => {
    const f = facts(ctx, sipCallId);
    enforce(can(ctx.actor, 'call.recordStop', f));
    const r = await recorderOf(ctx)!.stopOnDemand(sipCallId, ctx.actor.userId);
    if (!r.ok) throw conflict(r.reason);
    return { stopped: true };
  },
};

export const liveRecordingHandlers: Handlers<'liveRecording'> = {
  'liveRecording.get': (ctx, { sipCallId }) => view(ctx, sipCallId),
  'liveRecording.start': (ctx, { sipCallId }) => {
    const { started } = ctx.prepared as { started: boolean };
    if (started)
      audit(
        ctx,
        'recording.start',
        // The call is written to the history when it ends; until then its SIP Call-ID names it.
        { type: 'call', id: null },
        `${ctx.actor.name} started recording their call (SIP Call-ID ${sipCallId})`,
        null,
        { sipCallId },
      );
    return view(ctx, sipCallId);
  },
  'liveRecording.stop': (ctx, { sipCallId }) => {
    const { stopped } = ctx.prepared as { stopped: boolean };
    if (stopped)
      audit(
        ctx,
        'recording.stop',
        { type: 'call', id: null },
        `${ctx.actor.name} stopped recording their call (SIP Call-ID ${sipCallId})`,
        null,
        { sipCallId },
      );
    return view(ctx, sipCallId);
  },
};
