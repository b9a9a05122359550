import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

/** Business number changes: the list itself is `useNumbersQuery` (features/directory). */
export const numbersApi = api.injectEndpoints({
  endpoints: (b) => ({
    numberCatalogue: b.query<Output<'numbers.catalogue'>, string>({
      query: (search) => q('numbers.catalogue', search ? { search } : {}),
      providesTags: ['Numbers'],
    }),
    buyNumber: b.mutation<Output<'numbers.buy'>, Input<'numbers.buy'>>({
      query: (input) => q('numbers.buy', input),
      invalidatesTags: ['Numbers', 'Me', 'Audit'],
    }),
    setNumberLabel: b.mutation<Output<'numbers.setLabel'>, Input<'numbers.setLabel'>>({
      query: (input) => q('numbers.setLabel', input),
      invalidatesTags: ['Numbers', 'Me', 'Audit'],
    }),
    routeNumber: b.mutation<Output<'numbers.route'>, Input<'numbers.route'>>({
      query: (input) => q('numbers.route', input),
      invalidatesTags: ['Numbers', 'CallFlows', 'Me', 'Audit'],
    }),
    setNumberTrunk: b.mutation<Output<'numbers.setTrunk'>, Input<'numbers.setTrunk'>>({
      query: (input) => q('numbers.setTrunk', input),
      invalidatesTags: ['Numbers', 'Carrier', 'Audit'],
    }),
    releaseNumber: b.mutation<null, number>({
      query: (bnId) => q('numbers.release', { bnId }),
      invalidatesTags: ['Numbers', 'CallFlows', 'Me', 'Audit'],
    }),
  }),
});

export const {
  useNumberCatalogueQuery,
  useBuyNumberMutation,
  useSetNumberLabelMutation,
  useRouteNumberMutation,
  useSetNumberTrunkMutation,
  useReleaseNumberMutation,
} = numbersApi;
