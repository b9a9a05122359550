import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

/** The account's shared lookups: people, groups, flows, numbers — each as the actor may see them. */
export const directoryApi = api.injectEndpoints({
  endpoints: (b) => ({
    users: b.query<Output<'users.list'>, Input<'users.list'> | void>({
      query: (input) => q('users.list', input ?? {}),
      providesTags: ['Users'],
    }),
    groups: b.query<Output<'groups.list'>, void>({ query: () => q('groups.list', {}), providesTags: ['Groups'] }),
    callFlows: b.query<Output<'callFlows.list'>, void>({
      query: () => q('callFlows.list', {}),
      providesTags: ['CallFlows'],
    }),
    numbers: b.query<Output<'numbers.list'>, void>({ query: () => q('numbers.list', {}), providesTags: ['Numbers'] }),
  }),
});

export const { useUsersQuery, useGroupsQuery, useCallFlowsQuery, useNumbersQuery } = directoryApi;
