import type { User } from '../../../shared/api/entities';
import type { Me } from '../../../shared/api/contract';
import { can, capabilitySummary, type Actor, type TargetUser } from '../policy';
import type { Db } from '../store/db';
import { getAccount } from '../store/repos/account';
import { listNumbers } from '../store/repos/numbers';
import { getPermissions, getUserNumbers, userGroupIds, type UserRecord } from '../store/repos/users';
import { countActiveAdministrators } from '../store/repos/users';

export const asTarget = (u: UserRecord): TargetUser => ({
  id: u.id,
  name: u.name,
  role: u.role,
  isOwner: u.isOwner,
  active: u.active,
});

/**
 * A team member as this viewer may see them: the directory for everyone,
 * access details only for themselves and those who may manage that user.
 */
export function userView(db: Db, viewer: Actor, u: UserRecord): User {
  const target = asTarget(u);
  const settings = can(viewer, 'user.editSettings', { target, identity: true });
  const access = can(viewer, 'user.editAccess', { target, grant: {} });
  const role = can(viewer, 'user.setRole', { target, role: u.role });
  const permissions = can(viewer, 'user.setPermissions', { target });
  const deactivate = u.active
    ? can(viewer, 'user.deactivate', { target, activeAdministrators: countActiveAdministrators(db, u.accountId) })
    : can(viewer, 'user.reactivate', { target });
  const showAccess = viewer.userId === u.id || access.allowed || viewer.role === 'administrator';
  const numbers = showAccess ? getUserNumbers(db, u.id) : null;
  const firstRefusal = [access, settings].find((d) => !d.allowed);
  return {
    id: u.id,
    extension: u.extension,
    name: u.name,
    email: u.email,
    title: u.title,
    timezone: u.timezone,
    role: u.role,
    active: u.active,
    isOwner: u.isOwner,
    groupIds: userGroupIds(db, u.id),
    access: numbers
      ? {
          callAccess: u.callAccess,
          scopeBnIds: u.callAccess === 'numbers' ? numbers.scope : [],
          outboundCallBnIds: numbers.call,
          smsBnIds: numbers.sms,
          defaultBnId: u.defaultBnId,
          managerPermissions: u.role === 'manager' ? getPermissions(db, u.id) : [],
        }
      : null,
    manageable: {
      settings: settings.allowed,
      access: access.allowed,
      role: role.allowed,
      permissions: permissions.allowed,
      deactivate: deactivate.allowed,
      reason: firstRefusal && !firstRefusal.allowed ? firstRefusal.reason : null,
    },
  };
}

/** The signed-in user's own view: who they are, what they may do, which numbers they may use. */
export function meView(db: Db, actor: Actor, self: UserRecord): Me {
  return {
    user: userView(db, actor, self),
    account: getAccount(db, actor.accountId),
    capabilities: capabilitySummary(actor),
    outboundCallNumbers: listNumbers(db, actor.accountId, actor.outboundCallBnIds),
    smsNumbers: listNumbers(db, actor.accountId, actor.smsBnIds),
    defaultBnId: actor.defaultBnId,
    viewedBy: actor.viewedBy,
  };
}
