import { createSlice, isRejectedWithValue, type Middleware, type PayloadAction } from '@reduxjs/toolkit';
import type { ApiError } from '../../../shared/result';

export interface SessionState {
  status: 'checking' | 'signedOut' | 'signedIn';
  /** Why the user is looking at the sign-in screen, when it was not their choice. */
  notice: string | null;
}

const initialState: SessionState = { status: 'checking', notice: null };

export const sessionSlice = createSlice({
  name: 'session',
  initialState,
  reducers: {
    signedIn: (s) => {
      s.status = 'signedIn';
      s.notice = null;
    },
    signedOut: (s, a: PayloadAction<string | null>) => {
      s.status = 'signedOut';
      s.notice = a.payload;
    },
  },
});

export const { signedIn, signedOut } = sessionSlice.actions;

/** Any request answered `unauthenticated` ends the session in the UI too (e.g. the user was deactivated). */
export const sessionGuard: Middleware = (store) => (next) => (action) => {
  if (isRejectedWithValue(action)) {
    const error = action.payload as ApiError | undefined;
    const state = store.getState() as { session: SessionState };
    if (error?.code === 'unauthenticated' && state.session.status === 'signedIn') {
      store.dispatch(signedOut('Your session ended. Please sign in again.'));
    }
  }
  return next(action);
};
