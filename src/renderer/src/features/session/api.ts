import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

export const sessionApi = api.injectEndpoints({
  endpoints: (b) => ({
    me: b.query<Output<'auth.me'>, void>({ query: () => q('auth.me', {}), providesTags: ['Me'] }),
    demoUsers: b.query<Output<'auth.demoUsers'>, void>({ query: () => q('auth.demoUsers', {}) }),
    signIn: b.mutation<Output<'auth.signIn'>, Input<'auth.signIn'>>({ query: (input) => q('auth.signIn', input) }),
    signOut: b.mutation<Output<'auth.signOut'>, void>({ query: () => q('auth.signOut', {}) }),
    changePassword: b.mutation<null, Input<'auth.changePassword'>>({
      query: (input) => q('auth.changePassword', input),
    }),
  }),
});

export const { useMeQuery, useDemoUsersQuery, useSignInMutation, useSignOutMutation, useChangePasswordMutation } =
  sessionApi;
