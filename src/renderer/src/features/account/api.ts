import { api, q } from '../../app/api';
import type { Output } from '../../../../shared/api/contract';

export const accountApi = api.injectEndpoints({
  endpoints: (b) => ({
    account: b.query<Output<'account.get'>, void>({ query: () => q('account.get', {}), providesTags: ['Account'] }),
    cancelAccount: b.mutation<Output<'account.cancel'>, string>({
      query: (confirmName) => q('account.cancel', { confirmName }),
      invalidatesTags: ['Account', 'Me', 'Audit'],
    }),
    transferOwnership: b.mutation<Output<'account.transferOwnership'>, number>({
      query: (userId) => q('account.transferOwnership', { userId }),
      invalidatesTags: ['Account', 'Me', 'Users', 'Audit'],
    }),
  }),
});

export const { useAccountQuery, useCancelAccountMutation, useTransferOwnershipMutation } = accountApi;
