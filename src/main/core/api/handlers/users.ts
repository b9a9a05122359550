import type { CallAccessLevel, ManagerPermission, Role } from '../../../../shared/primitives';
import { accessLabel, roleLabel } from '../../../../shared/labels';
import { hashPassword } from '../../domain/password';
import { can, defaultManagerPermissions, reachBnIds, roleTable, type Grant } from '../../policy';
import { countActiveUsers, planLimits } from '../../store/repos/account';
import { getGroup } from '../../store/repos/groups';
import { unknownNumberIds } from '../../store/repos/numbers';
import {
  countActiveAdministrators,
  emailTaken,
  extensionTaken,
  getPermissions,
  getUser,
  getUserNumbers,
  insertUser,
  listUsers,
  setPermissions,
  setUserGroups,
  setUserNumbers,
  updateUser,
  userGroupIds,
  type UserRecord,
} from '../../store/repos/users';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { ApiFailure, conflict, enforce, notFound } from '../failure';
import type { Handlers } from '../handler';
import { asTarget, userView } from '../views';
import { checkFilterIds } from './lists';

const defaultLevel: Record<Role, CallAccessLevel> = { agent: 'group', manager: 'numbers', administrator: 'all' };
const roleWord = roleLabel;

function mustGetUser(ctx: AuthedCtx, id: number): UserRecord {
  const u = getUser(ctx.db, ctx.actor.accountId, id);
  if (!u) throw notFound('That user');
  return u;
}

function mustKnowNumbers(ctx: AuthedCtx, ids: readonly number[]): void {
  if (unknownNumberIds(ctx.db, ctx.actor.accountId, ids).length > 0) throw notFound('A business number you chose');
}

function mustKnowGroups(ctx: AuthedCtx, ids: readonly number[]): void {
  for (const id of ids) if (!getGroup(ctx.db, ctx.actor.accountId, id)) throw notFound('A group you chose');
}

function mustBeFree(ctx: AuthedCtx, extension: string | undefined, email: string | undefined, exceptId: number | null) {
  if (extension !== undefined && extensionTaken(ctx.db, ctx.actor.accountId, extension, exceptId)) {
    throw new ApiFailure('conflict', `Extension ${extension} is already in use.`, { extension: 'Already in use' });
  }
  if (email !== undefined && emailTaken(ctx.db, ctx.actor.accountId, email, exceptId)) {
    throw new ApiFailure('conflict', `Another user of this account already has ${email}.`, {
      email: 'Already in use in this account',
    });
  }
}

function withinUserLimit(ctx: AuthedCtx) {
  const limit = planLimits[ctx.actor.plan].users;
  if (countActiveUsers(ctx.db, ctx.actor.accountId) >= limit) {
    throw new ApiFailure(
      'plan',
      `The ${ctx.actor.plan} plan allows ${limit} active users; change the plan to add more.`,
    );
  }
}

/** The store's reading of a grant, for the policy to decide on. */
function grantFor(
  ctx: AuthedCtx,
  subject: { userId?: number; groupIds: readonly number[] },
  level: CallAccessLevel | undefined,
  added: readonly number[],
  outboundChanged: boolean,
): Grant {
  return {
    callAccess: level,
    addedBnIds: added,
    reachBnIds: level ? reachBnIds(ctx.db, ctx.actor.accountId, subject, level) : [],
    narrowsOutbound: outboundChanged,
  };
}

const minus = (a: readonly number[], b: readonly number[]) => a.filter((x) => !b.includes(x));
const sameSet = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x) => b.includes(x));

function accessSnapshot(ctx: AuthedCtx, id: number) {
  const u = mustGetUser(ctx, id);
  const n = getUserNumbers(ctx.db, id);
  return {
    role: u.role,
    callAccess: u.callAccess,
    scopeBnIds: u.callAccess === 'numbers' ? n.scope : [],
    outboundCallBnIds: n.call,
    smsBnIds: n.sms,
    defaultBnId: u.defaultBnId,
    managerPermissions: u.role === 'manager' ? getPermissions(ctx.db, id) : [],
  };
}

function changed(ctx: AuthedCtx, userId: number, access: boolean) {
  ctx.emit('users.changed', { kind: 'account', accountId: ctx.actor.accountId });
  if (access) ctx.emit('access.changed', { kind: 'users', userIds: [userId] });
}

function createUser(
  ctx: AuthedCtx,
  fields: {
    name: string;
    email: string;
    extension: string;
    password: string;
    title?: string | undefined;
    timezone?: string | undefined;
  },
  role: Role,
  level: CallAccessLevel,
  sets: { scope: readonly number[]; call: readonly number[]; sms: readonly number[] },
  groupIds: readonly number[],
  permissions: readonly ManagerPermission[],
): number {
  const id = insertUser(ctx.db, {
    accountId: ctx.actor.accountId,
    extension: fields.extension,
    name: fields.name,
    email: fields.email,
    title: fields.title ?? '',
    timezone: fields.timezone ?? 'America/Los_Angeles',
    role,
    callAccess: level,
    passwordHash: hashPassword(fields.password),
    createdAt: ctx.now(),
  });
  setUserNumbers(ctx.db, id, 'scope', level === 'numbers' ? sets.scope : []);
  setUserNumbers(ctx.db, id, 'call', sets.call);
  setUserNumbers(ctx.db, id, 'sms', sets.sms);
  setUserGroups(ctx.db, id, groupIds);
  if (role === 'manager') setPermissions(ctx.db, id, permissions);
  return id;
}

export const usersHandlers: Handlers<'users'> = {
  'users.list': (ctx, filter) => {
    checkFilterIds(ctx, { groupId: filter.groupId });
    return listUsers(ctx.db, ctx.actor.accountId, filter).map((u) => userView(ctx.db, ctx.actor, u));
  },

  'users.roleTable': () => roleTable(),

  'users.get': (ctx, { userId }) => userView(ctx.db, ctx.actor, mustGetUser(ctx, userId)),

  'users.add': (ctx, input) => {
    const role = input.role;
    const level = input.callAccess ?? defaultLevel[role];
    const sets = { scope: input.scopeBnIds ?? [], call: input.outboundCallBnIds ?? [], sms: input.smsBnIds ?? [] };
    const groupIds = input.groupIds ?? [];
    mustKnowNumbers(ctx, [...sets.scope, ...sets.call, ...sets.sms]);
    mustKnowGroups(ctx, groupIds);
    const outboundGiven = input.outboundCallBnIds !== undefined || input.smsBnIds !== undefined;
    enforce(
      can(ctx.actor, 'user.add', {
        role,
        grant: grantFor(ctx, { groupIds }, level, [...sets.scope, ...sets.call, ...sets.sms], outboundGiven),
      }),
    );
    if (groupIds.length > 0) {
      const newcomer = { id: 0, name: input.name, role, isOwner: false, active: true };
      enforce(
        can(ctx.actor, 'group.manage', {
          affected: [newcomer],
          reachBnIds: reachBnIds(ctx.db, ctx.actor.accountId, { groupIds }, 'callflow'),
        }),
      );
    }
    if (level === 'numbers' && sets.scope.length === 0) {
      throw new ApiFailure('invalid', 'Choose at least one business number for "Business numbers" access.', {
        scopeBnIds: 'Choose at least one',
      });
    }
    withinUserLimit(ctx);
    mustBeFree(ctx, input.extension, input.email, null);
    const id = createUser(ctx, input, role, level, sets, groupIds, defaultManagerPermissions);
    if (sets.call[0] !== undefined) updateUser(ctx.db, id, { defaultBnId: sets.call[0] });
    audit(
      ctx,
      'user.add',
      { type: 'user', id },
      `Added ${input.name} (${input.extension}) as ${roleWord[role]}`,
      null,
      accessSnapshot(ctx, id),
    );
    changed(ctx, id, false);
    if (groupIds.length > 0) ctx.emit('groups.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, id));
  },

  'users.duplicate': (ctx, input) => {
    const source = mustGetUser(ctx, input.sourceUserId);
    const numbers = getUserNumbers(ctx.db, source.id);
    const groupIds = userGroupIds(ctx.db, source.id);
    enforce(
      can(ctx.actor, 'user.duplicate', {
        source: asTarget(source),
        grant: grantFor(
          ctx,
          { groupIds },
          source.callAccess,
          [...numbers.scope, ...numbers.call, ...numbers.sms],
          false,
        ),
      }),
    );
    if (groupIds.length > 0) {
      enforce(
        can(ctx.actor, 'group.manage', {
          affected: [{ ...asTarget(source), id: 0 }],
          reachBnIds: reachBnIds(ctx.db, ctx.actor.accountId, { groupIds }, 'callflow'),
        }),
      );
    }
    withinUserLimit(ctx);
    mustBeFree(ctx, input.extension, input.email, null);
    const id = createUser(
      ctx,
      { ...input, title: source.title, timezone: source.timezone },
      source.role,
      source.callAccess,
      numbers,
      groupIds,
      source.role === 'manager' ? getPermissions(ctx.db, source.id) : [],
    );
    if (source.defaultBnId !== null) updateUser(ctx.db, id, { defaultBnId: source.defaultBnId });
    audit(
      ctx,
      'user.duplicate',
      { type: 'user', id },
      `Added ${input.name} (${input.extension}) as a copy of ${source.name}`,
      null,
      accessSnapshot(ctx, id),
    );
    changed(ctx, id, false);
    if (groupIds.length > 0) ctx.emit('groups.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, id));
  },

  'users.deactivate': (ctx, { userId }) => {
    const u = mustGetUser(ctx, userId);
    if (!u.active) throw conflict(`${u.name} is already deactivated.`);
    enforce(
      can(ctx.actor, 'user.deactivate', {
        target: asTarget(u),
        activeAdministrators: countActiveAdministrators(ctx.db, u.accountId),
      }),
    );
    updateUser(ctx.db, u.id, { active: false });
    audit(
      ctx,
      'user.deactivate',
      { type: 'user', id: u.id },
      `Deactivated ${u.name}`,
      { active: true },
      { active: false },
    );
    // Their sessions end for good: reactivating them later does not bring one back.
    ctx.endSessions(u.id);
    changed(ctx, u.id, true);
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, userId));
  },

  'users.reactivate': (ctx, { userId }) => {
    const u = mustGetUser(ctx, userId);
    if (u.active) throw conflict(`${u.name} is already active.`);
    enforce(can(ctx.actor, 'user.reactivate', { target: asTarget(u) }));
    withinUserLimit(ctx);
    updateUser(ctx.db, u.id, { active: true });
    audit(
      ctx,
      'user.reactivate',
      { type: 'user', id: u.id },
      `Reactivated ${u.name}`,
      { active: false },
      { active: true },
    );
    changed(ctx, u.id, true);
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, userId));
  },

  'users.updateSettings': (ctx, { userId, ...patch }) => {
    const u = mustGetUser(ctx, userId);
    const identity =
      (patch.extension !== undefined && patch.extension !== u.extension) ||
      (patch.email !== undefined && patch.email !== u.email);
    enforce(can(ctx.actor, 'user.editSettings', { target: asTarget(u), identity }));
    mustBeFree(ctx, patch.extension, patch.email, u.id);
    const before = { name: u.name, email: u.email, extension: u.extension, title: u.title, timezone: u.timezone };
    updateUser(ctx.db, u.id, patch);
    const after = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    audit(ctx, 'user.settings', { type: 'user', id: u.id }, `Changed the settings of ${u.name}`, before, after);
    changed(ctx, u.id, identity);
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, userId));
  },

  'users.setRole': (ctx, { userId, role }) => {
    const u = mustGetUser(ctx, userId);
    enforce(can(ctx.actor, 'user.setRole', { target: asTarget(u), role }));
    if (u.role === role) return userView(ctx.db, ctx.actor, u);
    if (u.role === 'administrator' && countActiveAdministrators(ctx.db, u.accountId) <= 1) {
      throw conflict('The account must keep at least one active Administrator.');
    }
    const before = accessSnapshot(ctx, u.id);
    // A role change resets call access to the new role's default; a new Manager
    // keeps seeing the numbers they could already use.
    const level = defaultLevel[role];
    updateUser(ctx.db, u.id, { role, callAccess: level });
    const n = getUserNumbers(ctx.db, u.id);
    setUserNumbers(ctx.db, u.id, 'scope', level === 'numbers' ? [...new Set([...n.scope, ...n.call, ...n.sms])] : []);
    setPermissions(ctx.db, u.id, role === 'manager' ? defaultManagerPermissions : []);
    audit(
      ctx,
      'user.role',
      { type: 'user', id: u.id },
      `Changed ${u.name}'s role from ${roleWord[u.role]} to ${roleWord[role]}`,
      before,
      accessSnapshot(ctx, u.id),
    );
    changed(ctx, u.id, true);
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, userId));
  },

  'users.setCallAccess': (ctx, { userId, callAccess, scopeBnIds }) => {
    const u = mustGetUser(ctx, userId);
    const scope = callAccess === 'numbers' ? scopeBnIds : [];
    // Every id sent must name a live number of this account, even when the level ignores it.
    mustKnowNumbers(ctx, scopeBnIds);
    if (callAccess === 'numbers' && scope.length === 0) {
      throw new ApiFailure('invalid', 'Choose at least one business number for "Business numbers" access.', {
        scopeBnIds: 'Choose at least one',
      });
    }
    const current = getUserNumbers(ctx.db, u.id);
    const grant = grantFor(
      ctx,
      { userId: u.id, groupIds: userGroupIds(ctx.db, u.id) },
      callAccess,
      minus(scope, current.scope),
      false,
    );
    enforce(can(ctx.actor, 'user.editAccess', { target: asTarget(u), grant }));
    const before = accessSnapshot(ctx, u.id);
    updateUser(ctx.db, u.id, { callAccess });
    setUserNumbers(ctx.db, u.id, 'scope', scope);
    audit(
      ctx,
      'user.callAccess',
      { type: 'user', id: u.id },
      `Changed ${u.name}'s call access to ${accessLabel[callAccess]}`,
      before,
      accessSnapshot(ctx, u.id),
    );
    changed(ctx, u.id, true);
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, userId));
  },

  'users.setOutboundNumbers': (ctx, { userId, outboundCallBnIds, smsBnIds, defaultBnId }) => {
    const u = mustGetUser(ctx, userId);
    mustKnowNumbers(ctx, [
      ...outboundCallBnIds,
      ...smsBnIds,
      ...(typeof defaultBnId === 'number' ? [defaultBnId] : []),
    ]);
    const current = getUserNumbers(ctx.db, u.id);
    const added = [...minus(outboundCallBnIds, current.call), ...minus(smsBnIds, current.sms)];
    const grant: Grant = { addedBnIds: added, narrowsOutbound: true };
    enforce(can(ctx.actor, 'user.editAccess', { target: asTarget(u), grant }));
    if (u.role === 'administrator') {
      throw new ApiFailure('invalid', 'Administrators may use every business number; there is nothing to choose.');
    }
    // Removing the default number moves the default to the first one left.
    const kept =
      u.defaultBnId !== null && outboundCallBnIds.includes(u.defaultBnId)
        ? u.defaultBnId
        : (outboundCallBnIds[0] ?? null);
    const nextDefault = defaultBnId === undefined ? kept : defaultBnId;
    if (nextDefault !== null && !outboundCallBnIds.includes(nextDefault)) {
      throw new ApiFailure('invalid', 'The default caller ID must be one of the outbound call numbers.', {
        defaultBnId: 'Not an outbound call number',
      });
    }
    const before = accessSnapshot(ctx, u.id);
    setUserNumbers(ctx.db, u.id, 'call', outboundCallBnIds);
    setUserNumbers(ctx.db, u.id, 'sms', smsBnIds);
    updateUser(ctx.db, u.id, { defaultBnId: nextDefault });
    audit(
      ctx,
      'user.outboundNumbers',
      { type: 'user', id: u.id },
      `Changed ${u.name}'s outbound numbers`,
      before,
      accessSnapshot(ctx, u.id),
    );
    changed(ctx, u.id, true);
    ctx.emit('numbers.changed', { kind: 'users', userIds: [u.id] });
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, userId));
  },

  'users.update': (
    ctx,
    {
      userId,
      name,
      email,
      extension,
      title,
      timezone,
      role,
      callAccess,
      scopeBnIds,
      outboundCallBnIds,
      smsBnIds,
      defaultBnId,
      permissions,
    },
  ) => {
    // The request runs in one transaction: a refusal in any part undoes the parts before it.
    let applied = false;
    const h = usersHandlers;
    const did = (_changed: unknown) => {
      applied = true;
    };
    let u = mustGetUser(ctx, userId);
    if (role !== undefined && role !== u.role) did(h['users.setRole'](ctx, { userId, role }));
    u = mustGetUser(ctx, userId);
    const settings = { name, email, extension, title, timezone };
    const patch = Object.fromEntries(
      Object.entries(settings).filter(([k, v]) => v !== undefined && v !== u[k as keyof typeof settings]),
    );
    if (Object.keys(patch).length > 0) did(h['users.updateSettings'](ctx, { userId, ...patch }));
    u = mustGetUser(ctx, userId);
    const n = getUserNumbers(ctx.db, userId);
    if (callAccess !== undefined) {
      const scope = callAccess === 'numbers' ? (scopeBnIds ?? n.scope) : [];
      const current = u.callAccess === 'numbers' ? n.scope : [];
      if (callAccess !== u.callAccess || !sameSet(scope, current)) {
        did(h['users.setCallAccess'](ctx, { userId, callAccess, scopeBnIds: scopeBnIds ?? scope }));
      }
    } else if (scopeBnIds !== undefined && u.callAccess === 'numbers' && !sameSet(scopeBnIds, n.scope)) {
      did(h['users.setCallAccess'](ctx, { userId, callAccess: u.callAccess, scopeBnIds }));
    }
    if (outboundCallBnIds !== undefined || smsBnIds !== undefined || defaultBnId !== undefined) {
      const call = outboundCallBnIds ?? n.call;
      const sms = smsBnIds ?? n.sms;
      const wantedDefault = defaultBnId === undefined ? u.defaultBnId : defaultBnId;
      if (!sameSet(call, n.call) || !sameSet(sms, n.sms) || wantedDefault !== u.defaultBnId) {
        did(
          h['users.setOutboundNumbers'](ctx, {
            userId,
            outboundCallBnIds: call,
            smsBnIds: sms,
            ...(defaultBnId === undefined ? {} : { defaultBnId }),
          }),
        );
      }
    }
    if (permissions !== undefined) {
      u = mustGetUser(ctx, userId);
      if (u.role !== 'manager') {
        if (permissions.length > 0) {
          throw new ApiFailure('invalid', 'Only Managers have Manager permissions.', {
            permissions: 'Only for Managers',
          });
        }
      } else if (!sameSet(permissions, getPermissions(ctx.db, userId))) {
        did(h['users.setManagerPermissions'](ctx, { userId, permissions }));
      }
    }
    // A card that changes nothing still answers only someone who may edit it
    // (and nothing is editable on a cancelled account).
    if (!applied)
      enforce(can(ctx.actor, 'user.editSettings', { target: asTarget(mustGetUser(ctx, userId)), identity: false }));
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, userId));
  },

  'users.setManagerPermissions': (ctx, { userId, permissions }) => {
    const u = mustGetUser(ctx, userId);
    enforce(can(ctx.actor, 'user.setPermissions', { target: asTarget(u) }));
    const before = accessSnapshot(ctx, u.id);
    setPermissions(ctx.db, u.id, permissions);
    audit(
      ctx,
      'user.managerPermissions',
      { type: 'user', id: u.id },
      `Changed ${u.name}'s Manager permissions`,
      before,
      accessSnapshot(ctx, u.id),
    );
    changed(ctx, u.id, true);
    return userView(ctx.db, ctx.actor, mustGetUser(ctx, userId));
  },
};
