import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

export const inboxApi = api.injectEndpoints({
  endpoints: (b) => ({
    inboxCounts: b.query<Output<'inbox.counts'>, void>({
      query: () => q('inbox.counts', {}),
      providesTags: ['Voicemails', 'Messages', 'Calls'],
    }),
    viewAs: b.mutation<Output<'auth.viewAs'>, Input<'auth.viewAs'>>({ query: (input) => q('auth.viewAs', input) }),
  }),
});

export const { useInboxCountsQuery, useViewAsMutation } = inboxApi;
