import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

export type CallFilterInput = Omit<Input<'calls.list'>, 'cursor' | 'limit'>;

export const callsApi = api.injectEndpoints({
  endpoints: (b) => ({
    calls: b.infiniteQuery<Output<'calls.list'>, CallFilterInput, string | null>({
      infiniteQueryOptions: {
        initialPageParam: null,
        getNextPageParam: (last) => last.nextCursor,
      },
      query: ({ queryArg, pageParam }) =>
        q('calls.list', { ...queryArg, limit: 100, ...(pageParam ? { cursor: pageParam } : {}) }),
      providesTags: ['Calls'],
    }),
    call: b.query<Output<'calls.get'>, number>({
      query: (callId) => q('calls.get', { callId }),
      providesTags: ['Calls', 'Voicemails'],
    }),
    callCount: b.query<Output<'calls.count'>, CallFilterInput>({
      query: (input) => q('calls.count', input),
      providesTags: ['Calls'],
    }),
    callFilterOptions: b.query<Output<'calls.filterOptions'>, void>({
      query: () => q('calls.filterOptions', {}),
      providesTags: ['Me', 'Numbers', 'CallFlows', 'Groups', 'Users'],
    }),
  }),
});

export const { useCallsInfiniteQuery, useCallQuery, useCallCountQuery, useCallFilterOptionsQuery } = callsApi;
