import type { Audience } from '../../core/api/context';
import type { EventName } from '../../../shared/api/events';
import type { Db } from '../../core/store/db';
import { callFacts } from '../../core/store/repos/calls';
import {
  DEFAULT_RECORDING_NOTICE,
  recordingPlan,
  registerRecording,
  setCallRecordingState,
} from '../../core/recordings';
import type { RecordingSink } from './recorder';

/**
 * The recorder's sink on the account database: the recording settings and
 * the recordings repository. Each change of a call's recording is announced
 * to those who may see the call, so open call details and lists show it.
 */
export function databaseSink(
  db: Db,
  announce?: ((name: EventName, audience: Audience) => void) | undefined,
): RecordingSink {
  const changed = (accountId: number, callId: number) => {
    if (!announce) return;
    const facts = callFacts(db, accountId, callId);
    if (facts) announce('calls.changed', { kind: 'call', call: facts });
  };
  return {
    plan: (call) => {
      const p = recordingPlan(db, { accountId: call.accountId, bnId: call.bnId, callFlowId: call.callFlowId });
      return { mode: p.mode, notice: p.notice };
    },
    finished: (r) => {
      registerRecording(db, {
        accountId: r.accountId,
        callId: r.callId,
        path: r.path,
        format: 'wav',
        durationMs: r.durationMs,
        sizeBytes: r.sizeBytes,
        startedAt: r.startedAt,
        startedBy: r.startedBy,
      });
      changed(r.accountId, r.callId);
    },
    saving: (r) => {
      setCallRecordingState(db, r.accountId, r.callId, 'recording');
      changed(r.accountId, r.callId);
    },
    failed: (r) => {
      setCallRecordingState(db, r.accountId, r.callId, 'failed');
      changed(r.accountId, r.callId);
    },
  };
}

export { DEFAULT_RECORDING_NOTICE };
