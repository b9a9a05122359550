import { isAbsolute, join, normalize, sep } from 'node:path';
import type { Db } from '../store/db';
import { stmt } from '../store/stmt';

export const recordModes = ['always', 'never', 'on_demand'] as const;
export type RecordMode = (typeof recordModes)[number];

export const recordingStates = ['none', 'recording', 'recorded', 'failed', 'deleted'] as const;
export type RecordingState = (typeof recordingStates)[number];

/** What the caller hears before a recorded call when the call flow has no notice of its own. */
export const DEFAULT_RECORDING_NOTICE = 'This call may be recorded for quality and training purposes.';

/** Recordings live under this folder of the data directory (the folder of the account database). */
export const RECORDINGS_FOLDER = 'recordings';

export class RecordingError extends Error {}

/**
 * A recording's path as stored: relative to the data directory, inside the
 * recordings folder, with forward slashes. Anything else (absolute, `..`,
 * another folder) is refused, so a row can never name a file outside it.
 */
export function storedRecordingPath(path: string): string {
  if (path.length === 0 || path.length > 400 || isAbsolute(path) || path.includes('\0'))
    throw new RecordingError(`Not a recording path: ${JSON.stringify(path)}`);
  const normal = normalize(path).split(sep).join('/');
  if (normal.split('/').includes('..') || !normal.startsWith(`${RECORDINGS_FOLDER}/`) || !normal.endsWith('.wav'))
    throw new RecordingError(`A recording must be a .wav file under ${RECORDINGS_FOLDER}/: ${JSON.stringify(path)}`);
  return normal;
}

/** The file of a stored recording path. */
export function recordingFile(dataDir: string, storedPath: string): string {
  return join(dataDir, storedRecordingPath(storedPath));
}

export interface NewRecording {
  accountId: number;
  callId: number;
  /** Relative to the data directory, e.g. `recordings/2026/12/call-42-1.wav`. */
  path: string;
  format: 'wav';
  durationMs: number;
  sizeBytes: number;
  startedAt: number;
  /** The member who pressed Record (on-demand recordings). */
  startedBy?: number | null;
  /** Defaults to now. */
  createdAt?: number;
}

/**
 * Registers a finished recording of a call of the account (the phone service
 * calls it once the file is complete) and marks the call recorded. Returns the
 * recording's id. A call of another account, or a path outside the recordings
 * folder, is refused: nothing is written.
 */
export function registerRecording(db: Db, r: NewRecording): number {
  const path = storedRecordingPath(r.path);
  if (r.format !== 'wav') throw new RecordingError(`Unsupported recording format: ${String(r.format)}`);
  for (const [name, v] of [
    ['durationMs', r.durationMs],
    ['sizeBytes', r.sizeBytes],
    ['startedAt', r.startedAt],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 0) throw new RecordingError(`${name} must be a whole number ≥ 0`);
  return db.transaction(() => {
    const call = stmt(db, 'SELECT 1 FROM calls WHERE id = ? AND account_id = ?').get(r.callId, r.accountId);
    if (!call) throw new RecordingError(`No call ${r.callId} in account ${r.accountId}`);
    if (r.startedBy !== undefined && r.startedBy !== null) {
      const user = stmt(db, 'SELECT 1 FROM users WHERE id = ? AND account_id = ?').get(r.startedBy, r.accountId);
      if (!user) throw new RecordingError(`No user ${r.startedBy} in account ${r.accountId}`);
    }
    const id = Number(
      stmt(
        db,
        `INSERT INTO recordings (account_id, call_id, path, format, duration_ms, size_bytes, started_at, started_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        r.accountId,
        r.callId,
        path,
        r.format,
        r.durationMs,
        r.sizeBytes,
        r.startedAt,
        r.startedBy ?? null,
        r.createdAt ?? Date.now(),
      ).lastInsertRowid,
    );
    stmt(db, `UPDATE calls SET recording_state = 'recorded' WHERE id = ?`).run(r.callId);
    return id;
  })();
}

/**
 * Sets what a call's details say about its recording: `recording` while under
 * way, `failed` when the call should have been recorded and was not (the UI
 * says "the call was not recorded"). `recorded` is set by registerRecording.
 */
export function setCallRecordingState(
  db: Db,
  accountId: number,
  callId: number,
  state: Exclude<RecordingState, 'recorded' | 'deleted'>,
): void {
  const changed = stmt(db, 'UPDATE calls SET recording_state = ? WHERE id = ? AND account_id = ?').run(
    state,
    callId,
    accountId,
  ).changes;
  if (changed === 0) throw new RecordingError(`No call ${callId} in account ${accountId}`);
}

const strength: Record<RecordMode, number> = { never: 0, on_demand: 1, always: 2 };

export interface RecordingPlan {
  /** always: record from the start; on_demand: the agent may press Record; never: no recording. */
  mode: RecordMode;
  /** Which setting decided it. */
  source: 'number' | 'callFlow' | 'account' | 'none';
  /** What the caller hears first when the call is recorded (the flow's own, else the default). */
  notice: string;
}

/**
 * Whether a call is recorded, as its settings say now (docs/policy-decisions.md,
 * "Call recordings"): for a call on a business number, the stronger of the
 * number's mode and its call flow's (always > on demand > never); for an
 * internal call (no business number), the account's internal mode. The notice
 * is the call flow's, else the default.
 */
export function recordingPlan(
  db: Db,
  call: { accountId: number; bnId: number | null; callFlowId?: number | null | undefined },
): RecordingPlan {
  let mode: RecordMode = 'never';
  let source: RecordingPlan['source'] = 'none';
  let notice: string | null = null;
  if (call.bnId !== null) {
    const bn = stmt(db, 'SELECT record_mode, call_flow_id FROM business_numbers WHERE id = ? AND account_id = ?').get(
      call.bnId,
      call.accountId,
    ) as { record_mode: RecordMode; call_flow_id: number | null } | undefined;
    if (bn) {
      mode = bn.record_mode;
      source = 'number';
      const flowId = call.callFlowId === undefined ? bn.call_flow_id : call.callFlowId;
      if (flowId !== null) {
        const flow = stmt(
          db,
          'SELECT record_mode, recording_notice FROM call_flows WHERE id = ? AND account_id = ?',
        ).get(flowId, call.accountId) as { record_mode: RecordMode; recording_notice: string | null } | undefined;
        if (flow) {
          notice = flow.recording_notice;
          if (strength[flow.record_mode] > strength[mode]) {
            mode = flow.record_mode;
            source = 'callFlow';
          }
        }
      }
    }
  } else {
    const a = stmt(db, 'SELECT internal_record_mode FROM accounts WHERE id = ?').pluck().get(call.accountId) as
      RecordMode | undefined;
    if (a) {
      mode = a;
      source = 'account';
    }
  }
  if (mode === 'never') source = 'none';
  return { mode, source, notice: notice ?? DEFAULT_RECORDING_NOTICE };
}

/** The record mode of a business number of the account, or null when it has none. */
export function recordModeForNumber(db: Db, accountId: number, bnId: number): RecordMode | null {
  return (
    (stmt(db, 'SELECT record_mode FROM business_numbers WHERE id = ? AND account_id = ?')
      .pluck()
      .get(bnId, accountId) as RecordMode | undefined) ?? null
  );
}

/** A call flow's notice, or the default one. */
export function recordingNoticeForFlow(db: Db, accountId: number, flowId: number | null): string {
  if (flowId === null) return DEFAULT_RECORDING_NOTICE;
  const notice = stmt(db, 'SELECT recording_notice FROM call_flows WHERE id = ? AND account_id = ?')
    .pluck()
    .get(flowId, accountId) as string | null | undefined;
  return notice ?? DEFAULT_RECORDING_NOTICE;
}
