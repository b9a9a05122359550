import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

/** Call flow changes: the list itself is `useCallFlowsQuery` (features/directory). */
export const flowsApi = api.injectEndpoints({
  endpoints: (b) => ({
    createCallFlow: b.mutation<Output<'callFlows.create'>, Input<'callFlows.create'>>({
      query: (input) => q('callFlows.create', input),
      invalidatesTags: ['CallFlows', 'Numbers', 'Audit'],
    }),
    updateCallFlow: b.mutation<Output<'callFlows.update'>, Input<'callFlows.update'>>({
      query: (input) => q('callFlows.update', input),
      invalidatesTags: ['CallFlows', 'Numbers', 'Audit'],
    }),
    deleteCallFlow: b.mutation<null, number>({
      query: (callFlowId) => q('callFlows.delete', { callFlowId }),
      invalidatesTags: ['CallFlows', 'Numbers', 'Audit'],
    }),
  }),
});

export const { useCreateCallFlowMutation, useUpdateCallFlowMutation, useDeleteCallFlowMutation } = flowsApi;
