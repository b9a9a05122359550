import { z } from 'zod';
import { Id, Timestamp } from '../primitives';

/** Call recordings: what call details show and the settings that decide which calls are recorded. */

export const recordModes = ['always', 'never', 'on_demand'] as const;
export const RecordMode = z.enum(recordModes);
export type RecordMode = z.infer<typeof RecordMode>;

export const recordingStates = ['none', 'recording', 'recorded', 'failed', 'deleted'] as const;
export const RecordingState = z.enum(recordingStates);
export type RecordingState = z.infer<typeof RecordingState>;

export const Recording = z.object({
  id: Id,
  callId: Id,
  format: z.literal('wav'),
  durationMs: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  startedAt: Timestamp,
  /** Who pressed Record (on-demand recordings). */
  startedByName: z.string().nullable(),
  /** Loudness of equal stretches of the audio, 0..1; null when the file cannot be read. */
  waveform: z.array(z.number().min(0).max(1)).nullable(),
});
export type Recording = z.infer<typeof Recording>;

export const CallRecordings = z.object({
  callId: Id,
  state: RecordingState,
  recordings: z.array(Recording),
  /** What the reader may do, as the policy decides (the main process checks again on each request). */
  canDownload: z.boolean(),
  canDelete: z.boolean(),
});
export type CallRecordings = z.infer<typeof CallRecordings>;

/** An opaque handle to an opened recording, for its next parts. */
export const AudioHandle = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'Not an audio handle');

export const RecordingAudioInput = z.strictObject({
  recordingId: Id,
  /** Listening in the app, or taking a copy; each opening is an audit event. */
  purpose: z.enum(['play', 'download']),
  /** Given for the next parts of an opened recording; without it the recording is opened (and audited) again. */
  handle: AudioHandle.optional(),
  offset: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 40),
});

export const RecordingAudio = z.object({
  handle: AudioHandle,
  mime: z.literal('audio/wav'),
  offset: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative(),
  base64: z.string(),
  done: z.boolean(),
});
export type RecordingAudio = z.infer<typeof RecordingAudio>;

export const RecordingNotice = z
  .string()
  .trim()
  .min(1, 'Write the notice, or use the default one')
  .max(500, 'A notice has at most 500 characters')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s), 'A notice is plain text');

export const RetentionDays = z
  .number()
  .int('Whole days')
  .min(1, 'Keep recordings at least 1 day')
  .max(3650, 'Keep recordings at most 3,650 days (10 years)');

export const RecordingSettings = z.object({
  /** Days recordings are kept; null keeps them until someone deletes them. */
  retentionDays: z.number().int().nullable(),
  /** Calls between team members (no business number). */
  internalMode: RecordMode,
  defaultNotice: z.string(),
  /** The business numbers the reader may see, with their mode. */
  numbers: z.array(z.object({ bnId: Id, mode: RecordMode })),
  flows: z.array(z.object({ callFlowId: Id, mode: RecordMode, notice: z.string().nullable() })),
  /** Whether the reader may change the account's part (retention, internal calls). */
  canChangeAccount: z.boolean(),
});
export type RecordingSettings = z.infer<typeof RecordingSettings>;

/** A SIP Call-ID as the softphone sees it: visible ASCII, no spaces (RFC 3261 word). */
export const SipCallId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'Must be a SIP Call-ID');

/** Whether the user may press Record on a call they are on now, and whether it is being recorded. */
export const LiveRecording = z.object({
  sipCallId: SipCallId,
  /** The call's record mode; null when the phone service does not record it (never, not answered, not theirs). */
  mode: RecordMode.nullable(),
  recording: z.boolean(),
  /** Recorded, then stopped by a party: Record continues the same recording. */
  paused: z.boolean(),
  canStart: z.boolean(),
  /** Whether the user may stop it now (a party, a line that records on demand, being recorded). */
  canStop: z.boolean(),
  /** Why Record is not available, in words for the button's tooltip; null when it is. */
  reason: z.string().nullable(),
  /** Why Stop is not available while the call is recorded (a line that records always); null otherwise. */
  stopReason: z.string().nullable(),
});
export type LiveRecording = z.infer<typeof LiveRecording>;
