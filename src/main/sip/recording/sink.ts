import type { Db } from '../../core/store/db';
import {
  DEFAULT_RECORDING_NOTICE,
  recordingPlan,
  registerRecording,
  setCallRecordingState,
} from '../../core/recordings';
import type { RecordingSink } from './recorder';

/** The recorder's sink on the account database: the recording settings and the recordings repository. */
export function databaseSink(db: Db): RecordingSink {
  return {
    plan: (call) => {
      const p = recordingPlan(db, { accountId: call.accountId, bnId: call.bnId, callFlowId: call.callFlowId });
      return { mode: p.mode, notice: p.notice };
    },
    finished: (r) =>
      void registerRecording(db, {
        accountId: r.accountId,
        callId: r.callId,
        path: r.path,
        format: 'wav',
        durationMs: r.durationMs,
        sizeBytes: r.sizeBytes,
        startedAt: r.startedAt,
        startedBy: r.startedBy,
      }),
    failed: (r) => setCallRecordingState(db, r.accountId, r.callId, 'failed'),
  };
}

export { DEFAULT_RECORDING_NOTICE };
