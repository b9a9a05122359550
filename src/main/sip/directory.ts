import { getFlow } from '../core/store/repos/flows';
import { getGroup, groupMemberIds } from '../core/store/repos/groups';
import { findUserByExtension, getUser } from '../core/store/repos/users';
import type { Db } from '../core/store/db';
import type { RingStep } from './flowPlan';

/** Who an extension is and whom a ring step rings, read from the account database each time. */
export interface Directory {
  /** The active user with this extension, or null. */
  activeUserId(extension: string): number | null;
  /** Extensions a ring step rings now: active users only (deactivated users do not ring), none on Do not disturb. */
  extensionsFor(step: RingStep): string[];
  /** Why a member's phone is passed by, for the call's path ("Do not disturb"); null when it is not. */
  passedBy?(userId: number): string | null;
  flowName(flowId: number): string | null;
}

export function accountDirectory(
  db: Db,
  accountId: number,
  doNotDisturb: (userId: number) => boolean = () => false,
): Directory {
  const extensionOf = (userId: number) => {
    if (doNotDisturb(userId)) return null;
    const u = getUser(db, accountId, userId);
    return u && u.active ? u.extension : null;
  };
  return {
    activeUserId(extension) {
      const u = findUserByExtension(db, accountId, extension);
      return u && u.active ? u.id : null;
    },
    extensionsFor(step) {
      if (step.kind === 'ring_user') {
        const ext = extensionOf(step.userId);
        return ext ? [ext] : [];
      }
      if (step.kind === 'ring_group') {
        if (!getGroup(db, accountId, step.groupId)) return [];
        return groupMemberIds(db, step.groupId)
          .map(extensionOf)
          .filter((e): e is string => e !== null)
          .sort();
      }
      return [];
    },
    passedBy(userId) {
      return doNotDisturb(userId) ? 'Do not disturb' : null;
    },
    flowName(flowId) {
      return getFlow(db, accountId, flowId)?.name ?? null;
    },
  };
}
