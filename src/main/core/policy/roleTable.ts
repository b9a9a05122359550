import type { Capability } from '../../../shared/capabilities';
import { accessLabel, permissionLabel } from '../../../shared/labels';
import { managerPermissions, roles, type ManagerPermission, type Role } from '../../../shared/primitives';
import type { Actor } from './actor';
import { can, levelsForRole, type TargetUser } from './can';
import { capabilityRules } from './capabilities';

/** One cell of the role comparison: always, never, or only with a Manager permission; `note` qualifies it. */
export interface RoleCell {
  mark: 'yes' | 'no' | 'permission';
  note: string | null;
}

export interface RoleTableRow {
  capability: Capability | 'calls.view';
  label: string;
  cells: Record<Role, RoleCell>;
}

/** The capability table's rows in people's words, in POLICY.md §2's order. */
const rowLabel: Record<Capability, string> = {
  'callFlows.manage': 'Create & manage call flows',
  'contacts.manage': 'Manage contacts',
  'numbers.manage': 'Buy, manage & delete business numbers',
  'carrier.manage': 'Connect the carrier (SIP trunks)',
  'integrations.manage': 'Set up & delete CRM integrations',
  'billing.manage': 'Manage billing information',
  'groups.manage': 'Create, edit & delete user groups',
  'users.add': 'Add new users',
  'users.settings': 'Manage other users’ settings',
  'users.access': 'Manage other users’ access to calls, messages & numbers',
  'users.role': 'Change user roles',
  'users.managerPermissions': 'Set a Manager’s permissions',
  'plan.change': 'Change the plan',
  'account.cancel': 'Cancel the account',
  'account.transferOwnership': 'Transfer ownership of the account',
  'audit.read': 'Read the audit log',
  'recordings.download': 'Download call recordings (of the calls they see)',
  'recordings.delete': 'Delete call recordings (of the calls they see)',
  'recordings.settings': 'Set recording retention and internal-call recording',
};

function sample(role: Role, permissions: readonly ManagerPermission[], isOwner = false): Actor {
  return {
    userId: 1,
    accountId: 1,
    name: role,
    role,
    callAccess: levelsForRole[role][0]!,
    isOwner,
    permissions: new Set(permissions),
    plan: 'company',
    accountStatus: 'active',
    cancelledAt: null,
    groupIds: [],
    flowIds: [],
    scopeBnIds: [],
    outboundCallBnIds: [],
    smsBnIds: [],
    visibleBnIds: [],
    accountBnIds: [],
    defaultBnId: null,
    viewedBy: null,
  };
}

const someone = (role: Role): TargetUser => ({ id: 2, name: role, role, isOwner: false, active: true });

/** Whether this actor may use the capability on a Manager too, not only on Agents. */
function overManagers(actor: Actor, capability: Capability): boolean {
  switch (capability) {
    case 'users.add':
      return can(actor, 'user.add', { role: 'manager', grant: {} }).allowed;
    case 'users.settings':
      return can(actor, 'user.editSettings', { target: someone('manager'), identity: true }).allowed;
    case 'users.access':
      return can(actor, 'user.editAccess', { target: someone('manager'), grant: {} }).allowed;
    default:
      return true;
  }
}

/**
 * POLICY.md §2 side by side, worked out by asking the policy itself: each
 * capability rule is put to an Agent, a Manager without and with each
 * permission, and an Administrator. A change to a rule changes the table.
 */
export function roleTable(): RoleTableRow[] {
  const rows: RoleTableRow[] = [
    {
      capability: 'calls.view',
      label: 'See calls, messages & voicemails',
      cells: Object.fromEntries(
        roles.map((r) => [
          r,
          {
            mark: 'yes',
            note: `Their own, and by call access: ${levelsForRole[r].map((l) => accessLabel[l]).join(', ')}`,
          },
        ]),
      ) as Record<Role, RoleCell>,
    },
  ];
  const bare = sample('manager', []);
  for (const capability of Object.keys(capabilityRules) as Capability[]) {
    const rule = capabilityRules[capability];
    const cell = (role: Role): RoleCell => {
      if (role !== 'manager') {
        // Ownership is a role of its own only for transferring it: the owner is an Administrator.
        const actor = sample(role, [], role === 'administrator' && capability === 'account.transferOwnership');
        if (!rule(actor).allowed) return { mark: 'no', note: null };
        return { mark: 'yes', note: capability === 'account.transferOwnership' ? 'The owner only' : null };
      }
      if (rule(bare).allowed) return { mark: 'yes', note: overManagers(bare, capability) ? null : 'Over Agents only' };
      const granting = managerPermissions.filter((p) => rule(sample('manager', [p])).allowed);
      if (granting.length === 0) return { mark: 'no', note: null };
      const withAll = sample('manager', managerPermissions);
      const words = granting.map((p) => `“${permissionLabel[p]}”`).join(' or ');
      return {
        mark: 'permission',
        note: `With ${words}${overManagers(withAll, capability) ? '' : '; over Agents only'}`,
      };
    };
    rows.push({
      capability,
      label: rowLabel[capability],
      cells: { agent: cell('agent'), manager: cell('manager'), administrator: cell('administrator') },
    });
  }
  return rows;
}
