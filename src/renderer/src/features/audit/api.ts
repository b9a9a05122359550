import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

export type AuditFilter = Omit<Input<'audit.list'>, 'cursor' | 'limit'>;

export const auditApi = api.injectEndpoints({
  endpoints: (b) => ({
    auditEvents: b.infiniteQuery<Output<'audit.list'>, AuditFilter, string | null>({
      infiniteQueryOptions: {
        initialPageParam: null,
        getNextPageParam: (last) => last.nextCursor,
      },
      query: ({ queryArg, pageParam }) =>
        q('audit.list', { ...queryArg, limit: 100, ...(pageParam ? { cursor: pageParam } : {}) }),
      providesTags: ['Audit'],
    }),
  }),
});

export const { useAuditEventsInfiniteQuery } = auditApi;
