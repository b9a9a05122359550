import { can, reachBnIds } from '../../policy';
import {
  getGroup,
  groupMemberIds,
  groupNameTaken,
  insertGroup,
  listGroups,
  renameGroup,
  setGroupMembers,
  deleteGroup,
  flowsRingingGroup,
} from '../../store/repos/groups';
import { getUser } from '../../store/repos/users';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { ApiFailure, conflict, enforce, notFound } from '../failure';
import type { Handlers } from '../handler';
import { asTarget } from '../views';

function mustGetGroup(ctx: AuthedCtx, id: number) {
  const g = getGroup(ctx.db, ctx.actor.accountId, id);
  if (!g) throw notFound('That group');
  return g;
}

function targets(ctx: AuthedCtx, ids: readonly number[]) {
  return ids.map((id) => {
    const u = getUser(ctx.db, ctx.actor.accountId, id);
    if (!u) throw notFound('A user you chose');
    return asTarget(u);
  });
}

function nameFree(ctx: AuthedCtx, name: string, exceptId: number | null) {
  if (groupNameTaken(ctx.db, ctx.actor.accountId, name, exceptId)) {
    throw new ApiFailure('conflict', `There is already a group called ${name}.`, { name: 'Already in use' });
  }
}

/** Authorizes a membership change: who it touches, and what the added members would come to see. */
function authorizeMembers(ctx: AuthedCtx, groupId: number | null, before: readonly number[], after: readonly number[]) {
  const added = after.filter((id) => !before.includes(id));
  const removed = before.filter((id) => !after.includes(id));
  const reach =
    groupId !== null && added.length > 0
      ? reachBnIds(ctx.db, ctx.actor.accountId, { groupIds: [groupId] }, 'group')
      : [];
  enforce(can(ctx.actor, 'group.manage', { affected: targets(ctx, [...added, ...removed]), reachBnIds: reach }));
  return [...added, ...removed];
}

function changed(ctx: AuthedCtx, touched: readonly number[]) {
  ctx.emit('groups.changed', { kind: 'account', accountId: ctx.actor.accountId });
  ctx.emit('users.changed', { kind: 'account', accountId: ctx.actor.accountId });
  if (touched.length > 0) ctx.emit('access.changed', { kind: 'users', userIds: touched });
}

export const groupsHandlers: Handlers<'groups'> = {
  'groups.list': (ctx) => listGroups(ctx.db, ctx.actor.accountId),

  'groups.create': (ctx, { name, memberIds }) => {
    const touched = authorizeMembers(ctx, null, [], memberIds);
    nameFree(ctx, name, null);
    const id = insertGroup(ctx.db, ctx.actor.accountId, name, ctx.now());
    setGroupMembers(ctx.db, id, memberIds);
    audit(ctx, 'group.create', { type: 'group', id }, `Created the group ${name}`, null, {
      name,
      memberIds: groupMemberIds(ctx.db, id),
    });
    changed(ctx, touched);
    return mustGetGroup(ctx, id);
  },

  'groups.rename': (ctx, { groupId, name }) => {
    const g = mustGetGroup(ctx, groupId);
    enforce(can(ctx.actor, 'group.manage', { affected: [], reachBnIds: [] }));
    nameFree(ctx, name, g.id);
    renameGroup(ctx.db, g.id, name);
    audit(
      ctx,
      'group.rename',
      { type: 'group', id: g.id },
      `Renamed the group ${g.name} to ${name}`,
      { name: g.name },
      { name },
    );
    changed(ctx, []);
    return mustGetGroup(ctx, g.id);
  },

  'groups.setMembers': (ctx, { groupId, memberIds }) => {
    const g = mustGetGroup(ctx, groupId);
    const touched = authorizeMembers(ctx, g.id, g.memberIds, memberIds);
    setGroupMembers(ctx.db, g.id, memberIds);
    const after = groupMemberIds(ctx.db, g.id);
    audit(
      ctx,
      'group.members',
      { type: 'group', id: g.id },
      `Changed the members of ${g.name}`,
      { memberIds: g.memberIds },
      { memberIds: after },
    );
    changed(ctx, touched);
    return mustGetGroup(ctx, g.id);
  },

  'groups.delete': (ctx, { groupId }) => {
    const g = mustGetGroup(ctx, groupId);
    const touched = authorizeMembers(ctx, g.id, g.memberIds, []);
    const flows = flowsRingingGroup(ctx.db, g.id);
    if (flows.length > 0) {
      throw conflict(
        `${g.name} is used by the call flow ${flows.map((f) => f.name).join(', ')}; take it out of the flow first.`,
      );
    }
    deleteGroup(ctx.db, g.id, ctx.now());
    audit(
      ctx,
      'group.delete',
      { type: 'group', id: g.id },
      `Deleted the group ${g.name}`,
      { name: g.name, memberIds: g.memberIds },
      null,
    );
    changed(ctx, touched);
    return null;
  },
};
