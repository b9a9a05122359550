import { createApi, type BaseQueryFn } from '@reduxjs/toolkit/query/react';
import type { Input, Method, Output } from '../../../shared/api/contract';
import type { ApiError } from '../../../shared/result';
import { createTransport } from './transport';

export const bridge = createTransport();

/** Calls one API method; throws the API's error (code + readable message) when it refuses. */
export async function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  const r = await bridge.invoke(method, input);
  if (!r.ok) throw r.error;
  return r.value;
}

export const isApiError = (e: unknown): e is ApiError =>
  typeof e === 'object' && e !== null && 'code' in e && 'message' in e;

type Args = { method: Method; input: unknown };

const baseQuery: BaseQueryFn<Args, unknown, ApiError> = async ({ method, input }) => {
  const r = await bridge.invoke(method, input as never);
  return r.ok ? { data: r.value } : { error: r.error };
};

export const tagTypes = [
  'Me',
  'Users',
  'Groups',
  'CallFlows',
  'Numbers',
  'Carrier',
  'Emergencies',
  'Calls',
  'Voicemails',
  'Messages',
  'Contacts',
  'Integrations',
  'Billing',
  'Account',
  'Audit',
  'Directory',
] as const;

/**
 * RTK Query over the bridge. Endpoints are injected by feature folders;
 * push events invalidate tags (app/events.ts), so every view re-reads what
 * changed for this user.
 */
export const api = createApi({
  reducerPath: 'api',
  baseQuery,
  tagTypes,
  endpoints: () => ({}),
});

/** Builds the query args for a method, keeping the method/input pairing typed. */
export const q = <M extends Method>(method: M, input: Input<M>): Args => ({ method, input });
export type { Output };
