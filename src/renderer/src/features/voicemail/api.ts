import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

export type VoicemailFilter = Omit<Input<'voicemails.list'>, 'cursor' | 'limit'>;

export const voicemailApi = api.injectEndpoints({
  endpoints: (b) => ({
    voicemails: b.infiniteQuery<Output<'voicemails.list'>, VoicemailFilter, string | null>({
      infiniteQueryOptions: { initialPageParam: null, getNextPageParam: (last) => last.nextCursor },
      query: ({ queryArg, pageParam }) =>
        q('voicemails.list', { ...queryArg, limit: 100, ...(pageParam ? { cursor: pageParam } : {}) }),
      providesTags: ['Voicemails'],
    }),
    markVoicemailRead: b.mutation<null, number>({
      query: (voicemailId) => q('voicemails.markRead', { voicemailId }),
      invalidatesTags: ['Voicemails'],
    }),
  }),
});

export const { useVoicemailsInfiniteQuery, useMarkVoicemailReadMutation } = voicemailApi;
