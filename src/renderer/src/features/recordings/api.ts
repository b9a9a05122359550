import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

/**
 * Call recordings: a call's recordings (read with the call, so calls.changed
 * refreshes them) and the settings that decide which calls are recorded.
 */
export const recordingsApi = api.injectEndpoints({
  endpoints: (b) => ({
    callRecordings: b.query<Output<'recordings.list'>, number>({
      query: (callId) => q('recordings.list', { callId }),
      providesTags: ['Calls'],
    }),
    deleteRecording: b.mutation<Output<'recordings.delete'>, Input<'recordings.delete'>>({
      query: (input) => q('recordings.delete', input),
      invalidatesTags: ['Calls', 'Audit'],
    }),
    recordingSettings: b.query<Output<'recordingSettings.get'>, void>({
      query: () => q('recordingSettings.get', {}),
      providesTags: ['Account', 'Numbers', 'CallFlows'],
    }),
    updateRecordingSettings: b.mutation<Output<'recordingSettings.update'>, Input<'recordingSettings.update'>>({
      query: (input) => q('recordingSettings.update', input),
      invalidatesTags: ['Account', 'Audit'],
    }),
    setNumberRecordMode: b.mutation<Output<'recordingSettings.setNumber'>, Input<'recordingSettings.setNumber'>>({
      query: (input) => q('recordingSettings.setNumber', input),
      invalidatesTags: ['Numbers', 'Audit'],
    }),
    setFlowRecording: b.mutation<Output<'recordingSettings.setFlow'>, Input<'recordingSettings.setFlow'>>({
      query: (input) => q('recordingSettings.setFlow', input),
      invalidatesTags: ['CallFlows', 'Audit'],
    }),
  }),
});

export const {
  useCallRecordingsQuery,
  useDeleteRecordingMutation,
  useRecordingSettingsQuery,
  useUpdateRecordingSettingsMutation,
  useSetNumberRecordModeMutation,
  useSetFlowRecordingMutation,
} = recordingsApi;
