import { issueCredentials } from '../../../sip/credentials';
import { can } from '../../policy';
import { getUser } from '../../store/repos/users';
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
    const sip = ctx.sip;
    if (!sip) throw conflict('The phone service is not running.');
    if (sip.accountId !== ctx.actor.accountId) throw conflict('The phone service serves another account.');
    const user = getUser(ctx.db, ctx.actor.accountId, ctx.actor.userId);
    if (!user) throw notFound('Your user');
    return issueCredentials(sip, { accountId: user.accountId, userId: user.id, extension: user.extension }, ctx.now());
  },
};
