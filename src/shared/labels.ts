import type { CallAccessLevel, ManagerPermission, Role } from './primitives';

/**
 * The words the screens use for roles, call access levels and Manager
 * permissions. The main process writes them into audit summaries and the
 * renderer shows them, so the log and the screens say the same thing.
 */
export const roleLabel: Record<Role, string> = { agent: 'Agent', manager: 'Manager', administrator: 'Administrator' };

export const accessLabel: Record<CallAccessLevel, string> = {
  personal: 'Personal',
  group: 'Calling group',
  callflow: 'Call flow',
  numbers: 'Business numbers',
  all: 'All',
};

export const permissionLabel: Record<ManagerPermission, string> = {
  callFlows: 'Create & manage call flows',
  numbers: 'Buy, manage & delete business numbers',
  billing: 'Manage billing information',
  groups: 'Create, edit & delete user groups',
  addUsers: 'Add new users',
  userSettings: 'Manage other users’ settings',
  userAccess: 'Manage other users’ access to calls, messages & business numbers',
  deleteRecordings: 'Delete call recordings',
};
