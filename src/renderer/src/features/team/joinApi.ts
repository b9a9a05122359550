import type { Input, Output } from '../../../../shared/api/contract';
import { api, q } from '../../app/api';

/**
 * Invitations and joined desktops of one user. They hang off the user
 * ('Users' tag): users.changed, sent when an invitation is used, refreshes
 * them in every window that shows the card.
 */
export const joinApi = api.injectEndpoints({
  endpoints: (b) => ({
    invitations: b.query<Output<'invitations.list'>, number>({
      query: (userId) => q('invitations.list', { userId }),
      providesTags: ['Users'],
    }),
    devices: b.query<Output<'devices.list'>, number>({
      query: (userId) => q('devices.list', { userId }),
      providesTags: ['Users'],
    }),
    createInvitation: b.mutation<Output<'invitations.create'>, Input<'invitations.create'>>({
      query: (input) => q('invitations.create', input),
      invalidatesTags: ['Users', 'Audit'],
    }),
    revokeInvitation: b.mutation<Output<'invitations.revoke'>, number>({
      query: (invitationId) => q('invitations.revoke', { invitationId }),
      invalidatesTags: ['Users', 'Audit'],
    }),
    revokeDevice: b.mutation<Output<'devices.revoke'>, number>({
      query: (deviceId) => q('devices.revoke', { deviceId }),
      invalidatesTags: ['Users', 'Audit'],
    }),
  }),
});

export const {
  useInvitationsQuery,
  useDevicesQuery,
  useCreateInvitationMutation,
  useRevokeInvitationMutation,
  useRevokeDeviceMutation,
} = joinApi;
