import type { Me } from '../../../../shared/api/contract';
import type { User } from '../../../../shared/api/entities';
import type { CallAccessLevel, ManagerPermission, Role } from '../../../../shared/primitives';

/**
 * What the Team page needs to explain roles and access in words. The main
 * process decides every change again; these mirror its rules only to offer
 * the choices that make sense and to say why the others are missing.
 */

export const roleOrder: readonly Role[] = ['agent', 'manager', 'administrator'];

export const roleHelp: Record<Role, string> = {
  agent: 'Makes and takes calls; sees what their call access allows.',
  manager: 'Manages Agents, with the permissions an Administrator gives them.',
  administrator: 'Full control: every call, number, setting, user and role.',
};

/** The same, said to the user themselves (My settings). */
export const roleHelpSelf: Record<Role, string> = {
  agent: 'You make and take calls, and see what your call access allows.',
  manager: 'You manage Agents, with the permissions an Administrator gave you.',
  administrator: 'You have full control: every call, number, setting, user and role.',
};

/** What a role change does to the user's access (docs/policy-decisions.md). */
export const roleChangeEffect: Record<Role, string> = {
  agent: 'Their call access becomes “Calling group” and any Manager permissions are removed.',
  manager:
    'Their call access becomes “Business numbers” over the numbers they already call or text from, with the standard Manager permissions.',
  administrator: 'They will see everything and may use every business number.',
};

/** Which levels each role can hold (POLICY.md §3 "who can have it"). */
export const levelsForRole: Record<Role, readonly CallAccessLevel[]> = {
  agent: ['personal', 'group', 'callflow', 'numbers'],
  manager: ['numbers', 'all'],
  administrator: ['all'],
};

export const defaultLevel: Record<Role, CallAccessLevel> = { agent: 'group', manager: 'numbers', administrator: 'all' };

/** Why a level is not on offer to this viewer, or null when it is. */
export function levelRefusal(me: Me, level: CallAccessLevel): string | null {
  if (me.user.role === 'administrator') return null;
  if (level === 'numbers' || level === 'all') return 'Only an Administrator can give this level.';
  return null;
}

export const permissionOrder: readonly ManagerPermission[] = [
  'callFlows',
  'numbers',
  'billing',
  'groups',
  'addUsers',
  'userSettings',
  'userAccess',
  'deleteRecordings',
];

export { permissionLabel } from '../../../../shared/labels';

export const permissionHelp: Partial<Record<ManagerPermission, string>> = {
  addUsers: 'Agents only.',
  userSettings: 'Agents only: name, email, extension, title, time zone.',
  userAccess: 'Agents only, and only with numbers the Manager may see.',
  groups: 'May add or remove Agents only.',
  deleteRecordings: 'Recordings of the calls the Manager may see.',
};

export const planName = { basic: 'Basic', business: 'Business', company: 'Company' } as const;

export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .map((p) => p[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();

/** Why the viewer cannot change this user's role. */
export function roleRefusal(me: Me, u: User): string | null {
  if (u.manageable.role) {
    return u.isOwner
      ? `${u.name} owns the account and stays an Administrator; transfer ownership on the Account page first.`
      : null;
  }
  if (me.user.role !== 'administrator') return 'Only Administrators change roles.';
  if (!u.active) return `${u.name} is deactivated; reactivate them to change their role.`;
  return u.manageable.reason ?? 'You cannot change this role.';
}

/** Why the viewer cannot deactivate or reactivate this user, when the API will refuse. */
export function deactivateRefusal(me: Me, u: User): string | null {
  if (u.manageable.deactivate) return null;
  if (u.id === me.user.id) return 'You cannot deactivate yourself.';
  if (u.isOwner) return `${u.name} owns the account; transfer ownership first.`;
  return u.manageable.reason;
}

/** Every IANA time zone the runtime knows, keeping a stored value it does not list. */
export function timezoneOptions(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  if (current && !zones.includes(current)) zones = [current, ...zones];
  return zones;
}

/** Next unused extension after the highest numeric one: a sensible suggestion for a new user. */
export function nextExtension(users: readonly User[]): string {
  const nums = users.map((u) => Number(u.extension)).filter((n) => Number.isFinite(n));
  const next = nums.length > 0 ? Math.max(...nums) + 1 : 100;
  return String(next);
}

export function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}
