import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';
import type { Plan } from '../../../../shared/primitives';

export const billingApi = api.injectEndpoints({
  endpoints: (b) => ({
    billing: b.query<Output<'billing.get'>, void>({ query: () => q('billing.get', {}), providesTags: ['Billing'] }),
    updateBilling: b.mutation<Output<'billing.update'>, Input<'billing.update'>>({
      query: (input) => q('billing.update', input),
      invalidatesTags: ['Billing', 'Audit'],
    }),
    /** What a plan change would do to roles and access; re-read whenever users or billing change. */
    previewPlanChange: b.query<Output<'billing.previewPlanChange'>, Plan>({
      query: (plan) => q('billing.previewPlanChange', { plan }),
      providesTags: ['Billing', 'Users', 'Numbers'],
    }),
    changePlan: b.mutation<Output<'billing.changePlan'>, Plan>({
      query: (plan) => q('billing.changePlan', { plan }),
      invalidatesTags: ['Billing', 'Account', 'Me', 'Users', 'Numbers', 'Audit'],
    }),
  }),
});

export const { useBillingQuery, useUpdateBillingMutation, usePreviewPlanChangeQuery, useChangePlanMutation } =
  billingApi;
