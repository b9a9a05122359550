import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

export const contactsApi = api.injectEndpoints({
  endpoints: (b) => ({
    contacts: b.infiniteQuery<Output<'contacts.list'>, string, string | null>({
      infiniteQueryOptions: { initialPageParam: null, getNextPageParam: (last) => last.nextCursor },
      query: ({ queryArg, pageParam }) =>
        q('contacts.list', {
          limit: 100,
          ...(queryArg ? { search: queryArg } : {}),
          ...(pageParam ? { cursor: pageParam } : {}),
        }),
      providesTags: ['Contacts'],
    }),
    createContact: b.mutation<Output<'contacts.create'>, Input<'contacts.create'>>({
      query: (input) => q('contacts.create', input),
      invalidatesTags: ['Contacts'],
    }),
    updateContact: b.mutation<Output<'contacts.update'>, Input<'contacts.update'>>({
      query: (input) => q('contacts.update', input),
      invalidatesTags: ['Contacts'],
    }),
    deleteContact: b.mutation<null, number>({
      query: (contactId) => q('contacts.delete', { contactId }),
      invalidatesTags: ['Contacts'],
    }),
  }),
});

export const {
  useContactsInfiniteQuery,
  useCreateContactMutation,
  useUpdateContactMutation,
  useDeleteContactMutation,
} = contactsApi;
