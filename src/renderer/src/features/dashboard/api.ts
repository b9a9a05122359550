import { api, q } from '../../app/api';
import type { Input, Output } from '../../../../shared/api/contract';

/**
 * Call review: the dashboard, the account's call tags, and a call's notes
 * and tags. Everything is read through the 'Calls' tag, which the
 * calls.changed push event invalidates.
 */
export const callReviewApi = api.injectEndpoints({
  endpoints: (b) => ({
    dashboard: b.query<Output<'dashboard.get'>, Input<'dashboard.get'>>({
      query: (input) => q('dashboard.get', input),
      providesTags: ['Calls'],
    }),
    callTags: b.query<Output<'callTags.list'>, void>({
      query: () => q('callTags.list', {}),
      providesTags: ['Calls'],
    }),
    createCallTag: b.mutation<Output<'callTags.create'>, Input<'callTags.create'>>({
      query: (input) => q('callTags.create', input),
      invalidatesTags: ['Calls', 'Audit'],
    }),
    renameCallTag: b.mutation<Output<'callTags.rename'>, Input<'callTags.rename'>>({
      query: (input) => q('callTags.rename', input),
      invalidatesTags: ['Calls', 'Audit'],
    }),
    deleteCallTag: b.mutation<Output<'callTags.delete'>, Input<'callTags.delete'>>({
      query: (input) => q('callTags.delete', input),
      invalidatesTags: ['Calls', 'Audit'],
    }),
    callAnnotations: b.query<Output<'callAnnotations.get'>, number>({
      query: (callId) => q('callAnnotations.get', { callId }),
      providesTags: ['Calls'],
    }),
    addCallTag: b.mutation<Output<'callAnnotations.addTag'>, Input<'callAnnotations.addTag'>>({
      query: (input) => q('callAnnotations.addTag', input),
      invalidatesTags: ['Calls'],
    }),
    removeCallTag: b.mutation<Output<'callAnnotations.removeTag'>, Input<'callAnnotations.removeTag'>>({
      query: (input) => q('callAnnotations.removeTag', input),
      invalidatesTags: ['Calls'],
    }),
    addCallNote: b.mutation<Output<'callNotes.add'>, Input<'callNotes.add'>>({
      query: (input) => q('callNotes.add', input),
      invalidatesTags: ['Calls', 'Audit'],
    }),
    editCallNote: b.mutation<Output<'callNotes.edit'>, Input<'callNotes.edit'>>({
      query: (input) => q('callNotes.edit', input),
      invalidatesTags: ['Calls', 'Audit'],
    }),
    deleteCallNote: b.mutation<Output<'callNotes.delete'>, Input<'callNotes.delete'>>({
      query: (input) => q('callNotes.delete', input),
      invalidatesTags: ['Calls', 'Audit'],
    }),
  }),
});

export const {
  useDashboardQuery,
  useCallTagsQuery,
  useCreateCallTagMutation,
  useRenameCallTagMutation,
  useDeleteCallTagMutation,
  useCallAnnotationsQuery,
  useAddCallTagMutation,
  useRemoveCallTagMutation,
  useAddCallNoteMutation,
  useEditCallNoteMutation,
  useDeleteCallNoteMutation,
} = callReviewApi;
