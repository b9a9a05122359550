import { z } from 'zod';

/** Row ids are positive integers; anything else is refused before it reaches SQL. */
export const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export type Id = z.infer<typeof Id>;

/** E.164: a plus sign, a non-zero country digit, at most 15 digits in all. */
export const E164 = z
  .string()
  .max(16)
  .regex(/^\+[1-9]\d{6,14}$/, 'Enter the number in international format, e.g. +12136472453');

export const Extension = z.string().regex(/^\d{2,6}$/, 'An extension is 2 to 6 digits');
export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email('Enter a valid email address'));
export const PersonName = z.string().trim().min(1, 'A name is required').max(120);
export const Label = z.string().trim().max(80);
export const Password = z.string().min(8, 'A password has at least 8 characters').max(200);
export const Timestamp = z.number().int().nonnegative().max(8.64e15);
export const SearchText = z.string().trim().max(100);

export const roles = ['agent', 'manager', 'administrator'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

export const callAccessLevels = ['personal', 'group', 'callflow', 'numbers', 'all'] as const;
export const CallAccessLevel = z.enum(callAccessLevels);
export type CallAccessLevel = z.infer<typeof CallAccessLevel>;

export const managerPermissions = [
  'callFlows',
  'numbers',
  'billing',
  'groups',
  'addUsers',
  'userSettings',
  'userAccess',
  'deleteRecordings',
] as const;
export const ManagerPermission = z.enum(managerPermissions);
export type ManagerPermission = z.infer<typeof ManagerPermission>;

export const plans = ['basic', 'business', 'company'] as const;
export const Plan = z.enum(plans);
export type Plan = z.infer<typeof Plan>;

export const callDirections = ['inbound', 'outbound', 'internal'] as const;
export const CallDirection = z.enum(callDirections);
export type CallDirection = z.infer<typeof CallDirection>;

/**
 * What a team member says of themselves on the phone: Available; Do not
 * disturb (their phone does not ring, calls go on to the next step or their
 * voicemail); Away (their phone rings, teammates see they may not pick up).
 */
export const availabilities = ['available', 'dnd', 'away'] as const;
export const Availability = z.enum(availabilities);
export type Availability = z.infer<typeof Availability>;

/** Whether a teammate can take a call now (from the phone service), with the availability they set. */
export const presenceStates = ['available', 'on_call', 'offline', 'dnd', 'away'] as const;
export const PresenceState = z.enum(presenceStates);
export type PresenceState = z.infer<typeof PresenceState>;

export const callResults = ['answered', 'missed', 'voicemail'] as const;
export const CallResult = z.enum(callResults);
export type CallResult = z.infer<typeof CallResult>;

/** Opaque keyset cursor: the sort key of the last row of the previous page. */
export const Cursor = z
  .string()
  .max(64)
  .regex(/^\d{1,16}:\d{1,16}$/, 'Not a valid cursor');

export const PageLimit = z.number().int().min(1).max(200).default(50);

export interface Page<T> {
  items: T[];
  /** Pass back to get the next (older) page; null when there is none. */
  nextCursor: string | null;
}

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
