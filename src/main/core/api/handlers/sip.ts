import { issueCredentials } from '../../../sip/credentials';
import { can } from '../../policy';
import { activeMembers, getUser } from '../../store/repos/users';
import { conflict, enforce, notFound } from '../failure';
import type { Handlers } from '../handler';

export const sipHandlers: Handlers<'sip'> = {
  /**
   * Credentials for the signed-in user's own extension only, issued per
   * request and valid for a limited time: the renderer never holds a
   * long-lived SIP password. Not during "View as" (the router refuses
   * writes there), nor on a cancelled account (the policy refuses).
   */
  'sip.credentials': (ctx) => {
    // The policy first: a cancelled account hears why, whether or not the service runs.
    enforce(can(ctx.actor, 'phone.use', {}));
    const sip = ctx.phone.sip;
    if (!sip) throw conflict(ctx.phone.problem);
    if (sip.accountId !== ctx.actor.accountId) throw conflict('The phone service serves another account.');
    const user = getUser(ctx.db, ctx.actor.accountId, ctx.actor.userId);
    if (!user) throw notFound('Your user');
    // A joined desktop's credentials name it, so that revoking it refuses them and drops its registrations only.
    return issueCredentials(
      sip,
      { accountId: user.accountId, userId: user.id, extension: user.extension, deviceId: ctx.session.deviceId ?? null },
      ctx.now(),
    );
  },
  'sip.directory': (ctx) => {
    enforce(can(ctx.actor, 'team.directory', { accountId: ctx.actor.accountId }));
    const presence =
      ctx.phone.sip && ctx.phone.sip.accountId === ctx.actor.accountId ? ctx.phone.presence?.snapshot() : undefined;
    return {
      members: activeMembers(ctx.db, ctx.actor.accountId).map((u) => ({
        userId: u.id,
        name: u.name,
        extension: u.extension,
        presence: presence?.(u.id, u.extension) ?? 'offline',
      })),
    };
  },
  'sip.setAvailability': (ctx, input) => {
    enforce(can(ctx.actor, 'phone.use', {}));
    const presence = ctx.phone.sip && ctx.phone.sip.accountId === ctx.actor.accountId ? ctx.phone.presence : null;
    if (!presence) throw conflict(ctx.phone.problem ?? 'The phone service serves another account.');
    presence.setAvailability(ctx.actor.userId, input.availability);
    return { availability: presence.availabilityOf(ctx.actor.userId) };
  },
};
