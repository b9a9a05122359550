import { api, q } from '../app/api';
import type { Output } from '../../../shared/api/contract';
import type { Availability } from '../../../shared/primitives';

export type DirectoryMember = Output<'sip.directory'>['members'][number];

/** The team as the phone sees it, with presence; re-read when presence or the team changes. */
export const directoryApi = api.injectEndpoints({
  endpoints: (b) => ({
    directory: b.query<Output<'sip.directory'>, void>({
      query: () => q('sip.directory', {}),
      providesTags: ['Directory'],
    }),
    setAvailability: b.mutation<Output<'sip.setAvailability'>, Availability>({
      query: (availability) => q('sip.setAvailability', { availability }),
      invalidatesTags: ['Directory'],
    }),
  }),
});

export const { useDirectoryQuery, useSetAvailabilityMutation } = directoryApi;

export const presenceLabel: Record<DirectoryMember['presence'], string> = {
  available: 'Available',
  on_call: 'On a call',
  offline: 'Offline',
  dnd: 'Do not disturb',
  away: 'Away',
};
export const presenceColor: Record<DirectoryMember['presence'], string> = {
  available: 'teal',
  on_call: 'orange',
  offline: 'gray',
  dnd: 'red',
  away: 'yellow',
};
