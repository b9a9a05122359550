import { appLink, fingerprintHex, webLink } from '../../../../shared/joinLink';
import { HashingBusy, hashPasswordAsync } from '../../domain/password';
import { can } from '../../policy';
import { getAccount } from '../../store/repos/account';
import { createDevice, getDevice, listDevices, revokeDevice, type DeviceRecord } from '../../store/repos/devices';
import {
  createInvitation,
  findInvitationByToken,
  getInvitation,
  listInvitations,
  revokeInvitation,
  useInvitation,
  type InvitationRecord,
} from '../../store/repos/invitations';
import { getUser, updateUser, type UserRecord } from '../../store/repos/users';
import { audit, writeAudit } from '../audit';
import type { AuthedCtx, Ctx } from '../context';
import { ApiFailure, conflict, enforce, notFound } from '../failure';
import type { Handlers, Preparer } from '../handler';
import { asTarget } from '../views';

const DAY_MS = 24 * 60 * 60_000;

function mustGetUser(ctx: AuthedCtx, id: number): UserRecord {
  const u = getUser(ctx.db, ctx.actor.accountId, id);
  if (!u) throw notFound('That user');
  return u;
}

const invitationView = ({ accountId: _a, ...i }: InvitationRecord) => i;
const deviceView = ({ accountId: _a, ...d }: DeviceRecord) => d;

/** Why an invitation cannot be used, in the invitee's words. */
const unusable: Record<Exclude<InvitationRecord['status'], 'pending'>, string> = {
  used: 'This invitation was already used. Sign in with the password you chose, or ask for a new invitation.',
  expired: 'This invitation has expired. Ask your administrator for a new one.',
  revoked: 'This invitation was withdrawn. Ask your administrator for a new one.',
};

/**
 * The invitation a token names, if it can still be used: pending, its user
 * active, its account not cancelled. Refused with the reason otherwise; an
 * unknown token says only that it is not valid.
 */
function usableInvitation(ctx: Ctx, token: string): { invitation: InvitationRecord; user: UserRecord } {
  const invitation = findInvitationByToken(ctx.db, token, ctx.now());
  if (!invitation) throw notFound('This invitation');
  if (invitation.status !== 'pending') throw conflict(unusable[invitation.status]);
  const user = getUser(ctx.db, invitation.accountId, invitation.userId);
  if (!user?.active) throw conflict(unusable.revoked);
  const account = getAccount(ctx.db, invitation.accountId);
  if (account.status === 'cancelled') throw conflict('This account was cancelled; its invitations no longer work.');
  return { invitation, user };
}

interface RedeemPrepared {
  invitationId: number;
  passwordHash: string;
}

export const invitationPreparers: { 'invitations.redeem': Preparer<'invitations.redeem'> } = {
  /** The token is checked before the password is hashed, so an unknown token costs no hashing. */
  'invitations.redeem': async (ctx, { token, password }): Promise<RedeemPrepared> => {
    const { invitation } = usableInvitation(ctx, token);
    try {
      return { invitationId: invitation.id, passwordHash: await hashPasswordAsync(password) };
    } catch (error) {
      if (error instanceof HashingBusy) throw new ApiFailure('forbidden', 'The server is busy. Try again in a moment.');
      throw error;
    }
  },
};

export const invitationsHandlers: Handlers<'invitations'> = {
  'invitations.create': (ctx, { userId, expiresInDays }) => {
    const u = mustGetUser(ctx, userId);
    enforce(can(ctx.actor, 'user.invite', { target: asTarget(u) }));
    const now = ctx.now();
    const { id, token } = createInvitation(ctx.db, {
      accountId: u.accountId,
      userId: u.id,
      createdBy: ctx.actor.userId,
      now,
      expiresAt: now + expiresInDays * DAY_MS,
    });
    const invitation = getInvitation(ctx.db, u.accountId, id, now)!;
    audit(
      ctx,
      'invitation.create',
      { type: 'user', id: u.id },
      `Invited ${u.name} to join (expires in ${expiresInDays} day${expiresInDays === 1 ? '' : 's'})`,
      null,
      { invitationId: id, expiresAt: invitation.expiresAt },
    );
    ctx.emit('users.changed', { kind: 'account', accountId: u.accountId });
    const server = ctx.teamServer;
    const fingerprint = server ? fingerprintHex(server.pin) : null;
    const links =
      server && fingerprint
        ? {
            app: appLink({ server: server.address, fingerprint, token }),
            web: webLink({ server: server.address, fingerprint, token }),
          }
        : null;
    return { invitation: invitationView(invitation), token, links };
  },

  'invitations.list': (ctx, { userId }) => {
    const u = mustGetUser(ctx, userId);
    enforce(can(ctx.actor, 'user.devices.view', { target: asTarget(u) }));
    return listInvitations(ctx.db, u.accountId, u.id, ctx.now()).map(invitationView);
  },

  'invitations.revoke': (ctx, { invitationId }) => {
    const now = ctx.now();
    const invitation = getInvitation(ctx.db, ctx.actor.accountId, invitationId, now);
    if (!invitation) throw notFound('That invitation');
    const u = mustGetUser(ctx, invitation.userId);
    enforce(can(ctx.actor, 'user.invitation.revoke', { target: asTarget(u) }));
    if (!revokeInvitation(ctx.db, invitation.id, now)) {
      throw conflict(
        invitation.status === 'used' ? 'This invitation was already used.' : 'This invitation was already withdrawn.',
      );
    }
    audit(
      ctx,
      'invitation.revoke',
      { type: 'user', id: u.id },
      `Withdrew an invitation for ${u.name}`,
      { invitationId: invitation.id, status: invitation.status },
      { invitationId: invitation.id, status: 'revoked' },
    );
    ctx.emit('users.changed', { kind: 'account', accountId: u.accountId });
    return invitationView(getInvitation(ctx.db, ctx.actor.accountId, invitation.id, now)!);
  },

  'invitations.inspect': (ctx, { token }) => {
    const invitation = findInvitationByToken(ctx.db, token.trim(), ctx.now());
    if (!invitation) return { status: 'unknown', userName: null, login: null, accountName: null, expiresAt: null };
    const user = getUser(ctx.db, invitation.accountId, invitation.userId);
    const account = getAccount(ctx.db, invitation.accountId);
    const withdrawn = !user?.active || account.status === 'cancelled';
    return {
      status: invitation.status === 'pending' && withdrawn ? 'revoked' : invitation.status,
      userName: user?.name ?? null,
      login: user?.email ?? null,
      accountName: account.name,
      expiresAt: invitation.expiresAt,
    };
  },

  'invitations.redeem': (ctx, { token, deviceName }) => {
    const prepared = ctx.prepared as RedeemPrepared;
    const { invitation, user } = usableInvitation(ctx, token);
    const now = ctx.now();
    // Two uses racing: the second finds it used here, in its own transaction.
    if (invitation.id !== prepared.invitationId || !useInvitation(ctx.db, invitation.id, now)) {
      throw conflict(unusable.used);
    }
    updateUser(ctx.db, user.id, { passwordHash: prepared.passwordHash });
    // A new password: sessions signed in with the old one end.
    ctx.endSessions(user.id);
    const device = deviceName
      ? createDevice(ctx.db, {
          accountId: user.accountId,
          userId: user.id,
          name: deviceName,
          invitationId: invitation.id,
          now,
        })
      : null;
    writeAudit(ctx.db, {
      accountId: user.accountId,
      at: now,
      actorUserId: user.id,
      action: 'invitation.use',
      targetType: 'user',
      targetId: user.id,
      summary: device
        ? `${user.name} used an invitation, set their password and joined from "${deviceName}"`
        : `${user.name} used an invitation and set their password`,
      before: { invitationId: invitation.id, status: 'pending' },
      after: { invitationId: invitation.id, status: 'used', ...(device ? { deviceId: device.id, deviceName } : {}) },
    });
    ctx.emit('audit.changed', { kind: 'account', accountId: user.accountId });
    // Every window showing the user's card (the invitation is used, a device joined) re-reads it.
    ctx.emit('users.changed', { kind: 'account', accountId: user.accountId });
    const account = getAccount(ctx.db, user.accountId);
    return {
      userName: user.name,
      login: user.email,
      accountName: account.name,
      device: device ? { id: device.id, credential: device.credential } : null,
    };
  },
};

export const devicesHandlers: Handlers<'devices'> = {
  'devices.list': (ctx, { userId }) => {
    const u = mustGetUser(ctx, userId);
    enforce(can(ctx.actor, 'user.devices.view', { target: asTarget(u) }));
    return listDevices(ctx.db, u.accountId, u.id).map(deviceView);
  },

  'devices.revoke': (ctx, { deviceId }) => {
    const device = getDevice(ctx.db, ctx.actor.accountId, deviceId);
    if (!device) throw notFound('That device');
    const u = mustGetUser(ctx, device.userId);
    enforce(can(ctx.actor, 'user.devices.revoke', { target: asTarget(u) }));
    const now = ctx.now();
    if (!revokeDevice(ctx.db, device.id, now)) throw conflict(`"${device.name}" was already removed.`);
    audit(
      ctx,
      'device.revoke',
      { type: 'user', id: u.id },
      `Removed ${u.name}'s desktop "${device.name}"; it was signed out at once`,
      { deviceId: device.id, deviceName: device.name, revoked: false },
      { deviceId: device.id, deviceName: device.name, revoked: true },
    );
    ctx.endDevice(device.id);
    ctx.emit('users.changed', { kind: 'account', accountId: u.accountId });
    return deviceView(getDevice(ctx.db, ctx.actor.accountId, device.id)!);
  },
};
