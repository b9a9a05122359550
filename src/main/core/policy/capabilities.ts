import type { Capability } from '../../../shared/capabilities';
import type { ManagerPermission } from '../../../shared/primitives';
import type { Actor } from './actor';
import { allow, deny, type Decision } from './decision';

const permissionLabel: Record<ManagerPermission, string> = {
  callFlows: 'Call flows',
  numbers: 'Business numbers',
  billing: 'Billing',
  groups: 'User groups',
  addUsers: 'Add users',
  userSettings: 'User settings',
  userAccess: 'User access',
  deleteRecordings: 'Delete call recordings',
};

/** Defaults for a new Manager: MightyCall's "standard setting" (POLICY.md §2). */
export const defaultManagerPermissions: readonly ManagerPermission[] = [
  'callFlows',
  'addUsers',
  'userSettings',
  'userAccess',
];

/** Permissions that make a Manager a people manager, and so let them read the audit log. */
export const userPermissions: readonly ManagerPermission[] = ['addUsers', 'userSettings', 'userAccess'];

const adminOnly = (what: string) => (a: Actor) =>
  a.role === 'administrator' ? allow : deny(`Only an Administrator can ${what}.`);

const adminOrManagerWith = (permission: ManagerPermission, what: string) => (a: Actor) => {
  if (a.role === 'administrator') return allow;
  if (a.role === 'manager') {
    return a.permissions.has(permission)
      ? allow
      : deny(`You need the Manager permission "${permissionLabel[permission]}" to ${what}.`);
  }
  return deny(`Agents cannot ${what}.`);
};

/** POLICY.md §2, one rule per row of the capability table. */
export const capabilityRules: Record<Capability, (actor: Actor) => Decision> = {
  'callFlows.manage': adminOrManagerWith('callFlows', 'create or manage call flows'),
  'contacts.manage': () => allow,
  'numbers.manage': adminOrManagerWith('numbers', 'buy, manage or delete business numbers'),
  // The carrier connection carries every call of the account and its credentials: Administrators only.
  'carrier.manage': adminOnly('manage the carrier (SIP trunks)'),
  'integrations.manage': (a) =>
    a.role === 'administrator' || a.role === 'manager'
      ? allow
      : deny('Agents cannot set up or delete CRM integrations.'),
  'billing.manage': adminOrManagerWith('billing', 'manage billing information'),
  'groups.manage': adminOrManagerWith('groups', 'create, edit or delete user groups'),
  'users.add': adminOrManagerWith('addUsers', 'add users'),
  'users.settings': adminOrManagerWith('userSettings', "manage other users' settings"),
  'users.access': adminOrManagerWith('userAccess', "manage other users' access to calls, messages and numbers"),
  'users.role': adminOnly('change user roles'),
  'users.managerPermissions': adminOnly("set a Manager's permissions"),
  'plan.change': adminOnly('change the plan'),
  'account.cancel': adminOnly('cancel the account'),
  'account.transferOwnership': (a) => (a.isOwner ? allow : deny('Only the account owner can transfer ownership.')),
  'audit.read': (a) => {
    if (a.role === 'administrator') return allow;
    if (a.role === 'manager' && userPermissions.some((p) => a.permissions.has(p))) return allow;
    return deny('Reading the audit log needs the Administrator role, or a Manager with a user permission.');
  },
  // A downloaded copy leaves the account's retention and audit behind: those who review calls take one, Agents listen.
  'recordings.download': (a) =>
    a.role === 'administrator' || a.role === 'manager'
      ? allow
      : deny('Agents cannot download call recordings; they can play them in the app.'),
  'recordings.delete': adminOrManagerWith('deleteRecordings', 'delete call recordings'),
  'recordings.settings': adminOnly('set how long recordings are kept or whether internal calls are recorded'),
};

export { permissionLabel };
