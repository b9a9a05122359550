import { z } from 'zod';
import { Id, Timestamp } from '../primitives';

/** Call review: the account's call tags, notes on calls, and the dashboard's figures. */

export const TagName = z
  .string()
  .trim()
  .min(1, 'A tag needs a name')
  .max(40, 'A tag name has at most 40 characters')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'A tag name is one line of text');

export const NoteBody = z
  .string()
  .trim()
  .min(1, 'Write the note first')
  .max(4000, 'A note has at most 4,000 characters');

export const CallTag = z.object({ id: Id, name: z.string() });
export type CallTag = z.infer<typeof CallTag>;

export const CallNote = z.object({
  id: Id,
  callId: Id,
  authorId: Id,
  authorName: z.string(),
  body: z.string(),
  createdAt: Timestamp,
  editedAt: Timestamp.nullable(),
  /** What the reader may do with it, as the policy decides (the main process checks again on each change). */
  canEdit: z.boolean(),
  canDelete: z.boolean(),
});
export type CallNote = z.infer<typeof CallNote>;

export const AppliedTag = CallTag.extend({ addedBy: z.string().nullable(), addedAt: Timestamp });
export type AppliedTag = z.infer<typeof AppliedTag>;

export const CallAnnotations = z.object({ notes: z.array(CallNote), tags: z.array(AppliedTag) });
export type CallAnnotations = z.infer<typeof CallAnnotations>;

/** One bucket of the dashboard: how many calls, by result, and the answered ones' waits and talk. */
export const DashboardCell = z.object({
  total: z.number(),
  answered: z.number(),
  missed: z.number(),
  voicemail: z.number(),
  /** Sums in milliseconds over answered calls that have the times: average = sum / count. */
  waitMs: z.number(),
  waitCount: z.number(),
  talkMs: z.number(),
  talkCount: z.number(),
});
export type DashboardCell = z.infer<typeof DashboardCell>;

const Keyed = <K extends z.ZodType>(key: K) => DashboardCell.extend({ key, name: z.string() });

export const Dashboard = z.object({
  from: Timestamp,
  to: Timestamp,
  timezone: z.string(),
  totals: DashboardCell,
  /** Hour of day 0–23 in `timezone`; every hour present. */
  byHour: z.array(DashboardCell.extend({ hour: z.number() })),
  /** Each day of the range in `timezone`, from its local midnight (as a timestamp) to the next. */
  byDay: z.array(DashboardCell.extend({ day: z.string(), start: Timestamp, end: Timestamp })),
  /** The busiest single hours of the range, most calls first. */
  busiest: z.array(DashboardCell.extend({ start: Timestamp, end: Timestamp })),
  byNumber: z.array(Keyed(Id.nullable())),
  byFlow: z.array(Keyed(Id.nullable())),
  byGroup: z.array(Keyed(Id.nullable())),
  /** Per person: the visible calls they took part in (a call with two people counts for each). */
  byAgent: z.array(Keyed(Id)),
});
export type Dashboard = z.infer<typeof Dashboard>;
