import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

export const integrationsApi = api.injectEndpoints({
  endpoints: (b) => ({
    integrations: b.query<Output<'integrations.list'>, void>({
      query: () => q('integrations.list', {}),
      providesTags: ['Integrations'],
    }),
    createIntegration: b.mutation<Output<'integrations.create'>, Input<'integrations.create'>>({
      query: (input) => q('integrations.create', input),
      invalidatesTags: ['Integrations', 'Audit'],
    }),
    updateIntegration: b.mutation<Output<'integrations.update'>, Input<'integrations.update'>>({
      query: (input) => q('integrations.update', input),
      invalidatesTags: ['Integrations', 'Audit'],
    }),
    deleteIntegration: b.mutation<null, number>({
      query: (integrationId) => q('integrations.delete', { integrationId }),
      invalidatesTags: ['Integrations', 'Audit'],
    }),
  }),
});

export const {
  useIntegrationsQuery,
  useCreateIntegrationMutation,
  useUpdateIntegrationMutation,
  useDeleteIntegrationMutation,
} = integrationsApi;
