import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

type UserOut = Output<'users.get'>;

/**
 * Team management: one mutation per API method, so each part of the user card
 * saves on its own and shows its own refusal. Push events refresh the lists
 * too; invalidating here makes the acting window current without waiting.
 */
export const teamApi = api.injectEndpoints({
  endpoints: (b) => ({
    user: b.query<UserOut, number>({ query: (userId) => q('users.get', { userId }), providesTags: ['Users'] }),
    addUser: b.mutation<UserOut, Input<'users.add'>>({ query: (input) => q('users.add', input), invalidatesTags: ['Users', 'Groups'] }),
    duplicateUser: b.mutation<UserOut, Input<'users.duplicate'>>({
      query: (input) => q('users.duplicate', input),
      invalidatesTags: ['Users', 'Groups'],
    }),
    deactivateUser: b.mutation<UserOut, number>({ query: (userId) => q('users.deactivate', { userId }), invalidatesTags: ['Users'] }),
    reactivateUser: b.mutation<UserOut, number>({ query: (userId) => q('users.reactivate', { userId }), invalidatesTags: ['Users'] }),
    updateSettings: b.mutation<UserOut, Input<'users.updateSettings'>>({
      query: (input) => q('users.updateSettings', input),
      invalidatesTags: ['Users', 'Me'],
    }),
    setRole: b.mutation<UserOut, Input<'users.setRole'>>({ query: (input) => q('users.setRole', input), invalidatesTags: ['Users', 'Me'] }),
    setCallAccess: b.mutation<UserOut, Input<'users.setCallAccess'>>({
      query: (input) => q('users.setCallAccess', input),
      invalidatesTags: ['Users', 'Me'],
    }),
    setOutboundNumbers: b.mutation<UserOut, Input<'users.setOutboundNumbers'>>({
      query: (input) => q('users.setOutboundNumbers', input),
      invalidatesTags: ['Users', 'Me'],
    }),
    setManagerPermissions: b.mutation<UserOut, Input<'users.setManagerPermissions'>>({
      query: (input) => q('users.setManagerPermissions', input),
      invalidatesTags: ['Users', 'Me'],
    }),
    createGroup: b.mutation<Output<'groups.create'>, Input<'groups.create'>>({
      query: (input) => q('groups.create', input),
      invalidatesTags: ['Groups', 'Users'],
    }),
    renameGroup: b.mutation<Output<'groups.rename'>, Input<'groups.rename'>>({
      query: (input) => q('groups.rename', input),
      invalidatesTags: ['Groups'],
    }),
    setGroupMembers: b.mutation<Output<'groups.setMembers'>, Input<'groups.setMembers'>>({
      query: (input) => q('groups.setMembers', input),
      invalidatesTags: ['Groups', 'Users'],
    }),
    deleteGroup: b.mutation<null, number>({ query: (groupId) => q('groups.delete', { groupId }), invalidatesTags: ['Groups', 'Users'] }),
  }),
});

export const {
  useUserQuery,
  useAddUserMutation,
  useDuplicateUserMutation,
  useDeactivateUserMutation,
  useReactivateUserMutation,
  useUpdateSettingsMutation,
  useSetRoleMutation,
  useSetCallAccessMutation,
  useSetOutboundNumbersMutation,
  useSetManagerPermissionsMutation,
  useCreateGroupMutation,
  useRenameGroupMutation,
  useSetGroupMembersMutation,
  useDeleteGroupMutation,
} = teamApi;
