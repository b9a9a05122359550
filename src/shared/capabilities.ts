/**
 * The capability table of POLICY.md §2, one name per row, plus the few
 * account-level actions the table implies. The main process decides each one;
 * the renderer only mirrors the summary to show or hide controls.
 */
export const capabilities = [
  'callFlows.manage',
  'contacts.manage',
  'numbers.manage',
  'carrier.manage',
  'integrations.manage',
  'billing.manage',
  'groups.manage',
  'users.add',
  'users.settings',
  'users.access',
  'users.role',
  'users.managerPermissions',
  'plan.change',
  'account.cancel',
  'account.transferOwnership',
  'audit.read',
  'recordings.download',
  'recordings.delete',
  'recordings.settings',
] as const;
export type Capability = (typeof capabilities)[number];
