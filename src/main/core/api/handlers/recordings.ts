import { randomBytes } from 'node:crypto';
import type { CallRecordings, RecordingSettings } from '../../../../shared/api/recordings';
import { can, type CallFacts } from '../../policy';
import { DEFAULT_RECORDING_NOTICE, recordingFile, type RecordingState } from '../../recordings';
import { dataDirOf, readPart, removeFilesOfDeleted, waveform } from '../../recordings/files';
import { markIfNone } from '../../recordings/retention';
import { callFacts } from '../../store/repos/calls';
import { flowBnIds, getFlow } from '../../store/repos/flows';
import { getNumber } from '../../store/repos/numbers';
import { stmt } from '../../store/stmt';
import { audit, writeAudit } from '../audit';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce, notFound } from '../failure';
import type { Handlers } from '../handler';
import { mustSeeCall } from './calls';

const recordingNotFound = () =>
  new ApiFailure('not_found', 'That recording was not found, or its call is outside your call access.');

interface RecordingRow {
  id: number;
  call_id: number;
  path: string;
  duration_ms: number;
  size_bytes: number;
  started_at: number;
  started_by_name: string | null;
}

/** A recording of the actor's account with its call's visibility facts; a hidden one answers as a missing one. */
function mustSeeRecording(ctx: AuthedCtx, recordingId: number): { row: RecordingRow; call: CallFacts } {
  const row = stmt(
    ctx.db,
    `SELECT r.id, r.call_id, r.path, r.duration_ms, r.size_bytes, r.started_at, NULL AS started_by_name
       FROM recordings r JOIN calls c ON c.id = r.call_id
      WHERE r.id = ? AND r.account_id = ? AND c.account_id = r.account_id`,
  ).get(recordingId, ctx.actor.accountId) as RecordingRow | undefined;
  const call = row ? callFacts(ctx.db, ctx.actor.accountId, row.call_id) : null;
  if (!row || !call || !can(ctx.actor, 'recording.play', call).allowed) throw recordingNotFound();
  return { row, call };
}

function callRecordings(ctx: AuthedCtx, callId: number, call: CallFacts): CallRecordings {
  const state = stmt(ctx.db, 'SELECT recording_state FROM calls WHERE id = ?').pluck().get(callId) as RecordingState;
  const rows = stmt(
    ctx.db,
    `SELECT r.id, r.call_id, r.path, r.duration_ms, r.size_bytes, r.started_at, u.name AS started_by_name
       FROM recordings r LEFT JOIN users u ON u.id = r.started_by
      WHERE r.call_id = ? ORDER BY r.started_at, r.id`,
  ).all(callId) as RecordingRow[];
  const dir = dataDirOf(ctx.db);
  return {
    callId,
    state,
    recordings: rows.map((r) => ({
      id: r.id,
      callId: r.call_id,
      format: 'wav' as const,
      durationMs: r.duration_ms,
      sizeBytes: r.size_bytes,
      startedAt: r.started_at,
      startedByName: r.started_by_name,
      waveform: dir === null ? null : waveform(recordingFile(dir, r.path)),
    })),
    canDownload: can(ctx.actor, 'recording.download', call).allowed,
    canDelete: can(ctx.actor, 'recording.delete', call).allowed,
  };
}

/** Bytes of audio per answer: a few hundred kilobytes keep each message small and a long call quick to load. */
const PART_BYTES = 512 * 1024;
/** An opened recording's handle lasts this long after its last use. */
const HANDLE_IDLE_MS = 15 * 60_000;
const MAX_HANDLES = 2000;

interface OpenRecording {
  userId: number;
  accountId: number;
  recordingId: number;
  purpose: 'play' | 'download';
  usedAt: number;
}
const handles = new Map<string, OpenRecording>();

function keepHandle(now: number, h: OpenRecording): string {
  for (const [k, v] of handles) if (now - v.usedAt > HANDLE_IDLE_MS) handles.delete(k);
  if (handles.size >= MAX_HANDLES) handles.delete(handles.keys().next().value!);
  const key = randomBytes(24).toString('base64url');
  handles.set(key, h);
  return key;
}

function settingsFor(ctx: AuthedCtx): RecordingSettings {
  const account = stmt(
    ctx.db,
    'SELECT recording_retention_days AS days, internal_record_mode AS mode FROM accounts WHERE id = ?',
  ).get(ctx.actor.accountId) as { days: number | null; mode: RecordingSettings['internalMode'] };
  const visible = new Set(ctx.actor.visibleBnIds);
  const numbers = (
    stmt(
      ctx.db,
      'SELECT id AS bnId, record_mode AS mode FROM business_numbers WHERE account_id = ? AND released_at IS NULL ORDER BY id',
    ).all(ctx.actor.accountId) as RecordingSettings['numbers']
  ).filter((n) => visible.has(n.bnId));
  const flows = stmt(
    ctx.db,
    `SELECT id AS callFlowId, record_mode AS mode, recording_notice AS notice FROM call_flows
      WHERE account_id = ? AND deleted_at IS NULL ORDER BY id`,
  ).all(ctx.actor.accountId) as RecordingSettings['flows'];
  return {
    retentionDays: account.days,
    internalMode: account.mode,
    defaultNotice: DEFAULT_RECORDING_NOTICE,
    numbers,
    flows,
    canChangeAccount: can(ctx.actor, 'recordingSettings.change', {}).allowed,
  };
}

const modeWords = { always: 'always', never: 'never', on_demand: 'on demand' } as const;

export const recordingsHandlers: Handlers<'recordings'> = {
  'recordings.list': (ctx, { callId }) => callRecordings(ctx, callId, mustSeeCall(ctx, callId)),

  'recordings.audio': (ctx, { recordingId, purpose, handle, offset }) => {
    const { row, call } = mustSeeRecording(ctx, recordingId);
    const now = ctx.now();
    let key = handle;
    if (key !== undefined) {
      const open = handles.get(key);
      // A handle is the opener's, for that recording and purpose: anything else is opened (and audited) anew.
      if (
        !open ||
        open.userId !== ctx.actor.userId ||
        open.accountId !== ctx.actor.accountId ||
        open.recordingId !== recordingId ||
        open.purpose !== purpose ||
        now - open.usedAt > HANDLE_IDLE_MS
      )
        throw new ApiFailure('conflict', 'This recording was closed; open it again.');
      open.usedAt = now;
    } else {
      if (purpose === 'download') enforce(can(ctx.actor, 'recording.download', call));
      // During View as the Administrator is the one listening.
      const by = ctx.actor.viewedBy;
      writeAudit(ctx.db, {
        accountId: ctx.actor.accountId,
        at: now,
        actorUserId: by ? by.userId : ctx.actor.userId,
        action: purpose === 'play' ? 'recording.play' : 'recording.download',
        targetType: 'call',
        targetId: row.call_id,
        summary: `${purpose === 'play' ? 'Played' : 'Downloaded'} a recording of call ${row.call_id}${
          by ? ` while viewing as ${ctx.actor.name}` : ''
        }`,
        before: null,
        after: { recordingId: row.id },
      });
      ctx.emit('audit.changed', { kind: 'account', accountId: ctx.actor.accountId });
      key = keepHandle(now, {
        userId: ctx.actor.userId,
        accountId: ctx.actor.accountId,
        recordingId,
        purpose,
        usedAt: now,
      });
    }
    const dir = dataDirOf(ctx.db);
    const part = dir === null ? null : readPart(recordingFile(dir, row.path), offset, PART_BYTES);
    if (!part) throw new ApiFailure('not_found', 'The audio of this recording is missing.');
    const end = offset + part.bytes.length;
    return {
      handle: key,
      mime: 'audio/wav' as const,
      offset,
      totalBytes: part.size,
      base64: part.bytes.toString('base64'),
      done: end >= part.size,
    };
  },

  'recordings.delete': (ctx, { recordingId }) => {
    const { row, call } = mustSeeRecording(ctx, recordingId);
    enforce(can(ctx.actor, 'recording.delete', call));
    stmt(ctx.db, 'DELETE FROM recordings WHERE id = ?').run(row.id);
    markIfNone(ctx.db, row.call_id);
    audit(
      ctx,
      'recording.delete',
      { type: 'call', id: row.call_id },
      `Deleted a recording of call ${row.call_id}`,
      { recordingId: row.id, startedAt: row.started_at, durationMs: row.duration_ms },
      null,
    );
    ctx.emit('calls.changed', { kind: 'call', call });
    removeFilesOfDeleted(ctx.db, [row.path]);
    return callRecordings(ctx, row.call_id, call);
  },
};

export const recordingSettingsHandlers: Handlers<'recordingSettings'> = {
  'recordingSettings.get': (ctx) => settingsFor(ctx),

  'recordingSettings.update': (ctx, { retentionDays, internalMode }) => {
    enforce(can(ctx.actor, 'recordingSettings.change', {}));
    const before = settingsFor(ctx);
    if (before.retentionDays === retentionDays && before.internalMode === internalMode) return before;
    stmt(ctx.db, 'UPDATE accounts SET recording_retention_days = ?, internal_record_mode = ? WHERE id = ?').run(
      retentionDays,
      internalMode,
      ctx.actor.accountId,
    );
    audit(
      ctx,
      'account.recordingSettings',
      { type: 'account', id: ctx.actor.accountId },
      `Recordings kept ${retentionDays === null ? 'until deleted' : `${retentionDays} days`}; internal calls recorded ${modeWords[internalMode]}`,
      { retentionDays: before.retentionDays, internalMode: before.internalMode },
      { retentionDays, internalMode },
    );
    ctx.emit('account.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return settingsFor(ctx);
  },

  'recordingSettings.setNumber': (ctx, { bnId, mode }) => {
    const bn = getNumber(ctx.db, ctx.actor.accountId, bnId);
    if (!bn || !can(ctx.actor, 'number.view', { bnId }).allowed) throw notFound('That business number');
    enforce(can(ctx.actor, 'number.manage', { bnId }));
    const before = stmt(ctx.db, 'SELECT record_mode FROM business_numbers WHERE id = ?').pluck().get(bnId) as string;
    if (before !== mode) {
      stmt(ctx.db, 'UPDATE business_numbers SET record_mode = ? WHERE id = ?').run(mode, bnId);
      audit(
        ctx,
        'number.recordMode',
        { type: 'number', id: bnId },
        `Calls on ${bn.formatted} recorded ${modeWords[mode]}`,
        { recordMode: before },
        { recordMode: mode },
      );
      ctx.emit('numbers.changed', { kind: 'account', accountId: ctx.actor.accountId });
    }
    return settingsFor(ctx);
  },

  'recordingSettings.setFlow': (ctx, { callFlowId, mode, notice }) => {
    const flow = getFlow(ctx.db, ctx.actor.accountId, callFlowId);
    if (!flow) throw notFound('That call flow');
    enforce(can(ctx.actor, 'callFlow.manage', { bnIds: flowBnIds(ctx.db, flow.id) }));
    const before = stmt(
      ctx.db,
      'SELECT record_mode AS mode, recording_notice AS notice FROM call_flows WHERE id = ?',
    ).get(flow.id) as { mode: string; notice: string | null };
    if (before.mode !== mode || before.notice !== notice) {
      stmt(ctx.db, 'UPDATE call_flows SET record_mode = ?, recording_notice = ? WHERE id = ?').run(
        mode,
        notice,
        flow.id,
      );
      audit(
        ctx,
        'callFlow.recording',
        { type: 'callFlow', id: flow.id },
        `Calls through ${flow.name} recorded ${modeWords[mode]}${notice === null ? '' : ', with their own notice'}`,
        { recordMode: before.mode, notice: before.notice },
        { recordMode: mode, notice },
      );
      ctx.emit('callFlows.changed', { kind: 'account', accountId: ctx.actor.accountId });
    }
    return settingsFor(ctx);
  },
};
