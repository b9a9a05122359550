import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

export type ThreadFilter = Omit<Input<'messages.threads'>, 'cursor' | 'limit'>;

export const messagesApi = api.injectEndpoints({
  endpoints: (b) => ({
    threads: b.infiniteQuery<Output<'messages.threads'>, ThreadFilter, string | null>({
      infiniteQueryOptions: { initialPageParam: null, getNextPageParam: (last) => last.nextCursor },
      query: ({ queryArg, pageParam }) =>
        q('messages.threads', { ...queryArg, limit: 100, ...(pageParam ? { cursor: pageParam } : {}) }),
      providesTags: ['Messages'],
    }),
    messages: b.infiniteQuery<Output<'messages.list'>, number, string | null>({
      infiniteQueryOptions: { initialPageParam: null, getNextPageParam: (last) => last.nextCursor },
      query: ({ queryArg, pageParam }) =>
        q('messages.list', { threadId: queryArg, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) }),
      providesTags: ['Messages'],
    }),
    sendMessage: b.mutation<Output<'messages.send'>, Input<'messages.send'>>({
      query: (input) => q('messages.send', input),
      invalidatesTags: ['Messages'],
    }),
    markThreadRead: b.mutation<null, number>({ query: (threadId) => q('messages.markRead', { threadId }) }),
  }),
});

export const { useThreadsInfiniteQuery, useMessagesInfiniteQuery, useSendMessageMutation, useMarkThreadReadMutation } =
  messagesApi;
