import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

type UserOut = Output<'users.get'>;

/**
 * Team management: one mutation per API method; the user card saves all its
 * parts at once with users.update. Push events refresh the lists
 * too; invalidating here makes the acting window current without waiting.
 */
export const teamApi = api.injectEndpoints({
  endpoints: (b) => ({
    user: b.query<UserOut, number>({ query: (userId) => q('users.get', { userId }), providesTags: ['Users'] }),
    addUser: b.mutation<UserOut, Input<'users.add'>>({
      query: (input) => q('users.add', input),
      invalidatesTags: ['Users', 'Groups'],
    }),
    duplicateUser: b.mutation<UserOut, Input<'users.duplicate'>>({
      query: (input) => q('users.duplicate', input),
      invalidatesTags: ['Users', 'Groups'],
    }),
    deactivateUser: b.mutation<UserOut, number>({
      query: (userId) => q('users.deactivate', { userId }),
      invalidatesTags: ['Users'],
    }),
    reactivateUser: b.mutation<UserOut, number>({
      query: (userId) => q('users.reactivate', { userId }),
      invalidatesTags: ['Users'],
    }),
    updateSettings: b.mutation<UserOut, Input<'users.updateSettings'>>({
      query: (input) => q('users.updateSettings', input),
      invalidatesTags: ['Users', 'Me'],
    }),
    setRole: b.mutation<UserOut, Input<'users.setRole'>>({
      query: (input) => q('users.setRole', input),
      invalidatesTags: ['Users', 'Me'],
    }),
    setCallAccess: b.mutation<UserOut, Input<'users.setCallAccess'>>({
      query: (input) => q('users.setCallAccess', input),
      invalidatesTags: ['Users', 'Me'],
    }),
    setOutboundNumbers: b.mutation<UserOut, Input<'users.setOutboundNumbers'>>({
      query: (input) => q('users.setOutboundNumbers', input),
      invalidatesTags: ['Users', 'Me'],
    }),
    /** The whole user card in one request (one transaction): what the card's "Save settings" sends. */
    updateUser: b.mutation<UserOut, Input<'users.update'>>({
      query: (input) => q('users.update', input),
      invalidatesTags: ['Users', 'Me', 'Groups'],
    }),
    roleTable: b.query<Output<'users.roleTable'>, void>({ query: () => q('users.roleTable', {}) }),
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
    deleteGroup: b.mutation<null, number>({
      query: (groupId) => q('groups.delete', { groupId }),
      invalidatesTags: ['Groups', 'Users'],
    }),
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
  useUpdateUserMutation,
  useRoleTableQuery,
  useCreateGroupMutation,
  useRenameGroupMutation,
  useSetGroupMembersMutation,
  useDeleteGroupMutation,
} = teamApi;
