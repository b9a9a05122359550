import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

/** The carrier's trunks and emergency settings (Numbers → Carrier), the numbers from the carrier, and emergency notices. */
export const carrierApi = api.injectEndpoints({
  endpoints: (b) => ({
    carrier: b.query<Output<'carrier.get'>, void>({
      query: () => q('carrier.get', {}),
      providesTags: ['Carrier'],
    }),
    saveTrunk: b.mutation<Output<'carrier.saveTrunk'>, Input<'carrier.saveTrunk'>>({
      query: (input) => q('carrier.saveTrunk', input),
      invalidatesTags: ['Carrier', 'Audit'],
    }),
    deleteTrunk: b.mutation<null, number>({
      query: (trunkId) => q('carrier.deleteTrunk', { trunkId }),
      invalidatesTags: ['Carrier', 'Numbers', 'Audit'],
    }),
    saveCarrierSettings: b.mutation<Output<'carrier.saveSettings'>, Input<'carrier.saveSettings'>>({
      query: (input) => q('carrier.saveSettings', input),
      invalidatesTags: ['Carrier', 'Audit'],
    }),
    testTrunk: b.mutation<Output<'carrier.test'>, number>({
      query: (trunkId) => q('carrier.test', { trunkId }),
      invalidatesTags: ['Carrier'],
    }),
    addNumbers: b.mutation<Output<'numbers.add'>, Input<'numbers.add'>>({
      query: (input) => q('numbers.add', input),
      invalidatesTags: ['Numbers', 'Carrier', 'Me', 'Audit'],
    }),
    emergencies: b.query<Output<'emergencies.list'>, void>({
      query: () => q('emergencies.list', {}),
      providesTags: ['Emergencies'],
    }),
    acknowledgeEmergency: b.mutation<Output<'emergencies.acknowledge'>, number>({
      query: (emergencyId) => q('emergencies.acknowledge', { emergencyId }),
      invalidatesTags: ['Emergencies', 'Audit'],
    }),
  }),
});

export const {
  useCarrierQuery,
  useSaveTrunkMutation,
  useDeleteTrunkMutation,
  useSaveCarrierSettingsMutation,
  useTestTrunkMutation,
  useAddNumbersMutation,
  useEmergenciesQuery,
  useAcknowledgeEmergencyMutation,
} = carrierApi;
