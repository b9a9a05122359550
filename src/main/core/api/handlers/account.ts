import { can } from '../../policy';
import { cancelAccount, getAccount, setOwner } from '../../store/repos/account';
import { getUser } from '../../store/repos/users';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce, notFound } from '../failure';
import type { Handlers } from '../handler';
import { asTarget } from '../views';

const changed = (ctx: AuthedCtx) => {
  ctx.emit('account.changed', { kind: 'account', accountId: ctx.actor.accountId });
  ctx.emit('access.changed', { kind: 'account', accountId: ctx.actor.accountId });
};

export const accountHandlers: Handlers<'account'> = {
  'account.get': (ctx) => getAccount(ctx.db, ctx.actor.accountId),

  'account.cancel': (ctx, { confirmName }) => {
    enforce(can(ctx.actor, 'account.cancel', {}));
    const account = getAccount(ctx.db, ctx.actor.accountId);
    if (confirmName.trim() !== account.name) {
      throw new ApiFailure('invalid', `Type the account name, ${account.name}, to confirm.`, {
        confirmName: 'Does not match',
      });
    }
    cancelAccount(ctx.db, account.id, ctx.now());
    audit(
      ctx,
      'account.cancel',
      { type: 'account', id: account.id },
      `Cancelled the account ${account.name}`,
      { status: 'active' },
      { status: 'cancelled' },
    );
    changed(ctx);
    return getAccount(ctx.db, account.id);
  },

  'account.transferOwnership': (ctx, { userId }) => {
    const target = getUser(ctx.db, ctx.actor.accountId, userId);
    if (!target) throw notFound('That user');
    enforce(can(ctx.actor, 'account.transferOwnership', { target: asTarget(target) }));
    const before = getAccount(ctx.db, ctx.actor.accountId);
    setOwner(ctx.db, ctx.actor.accountId, target.id);
    audit(
      ctx,
      'account.transferOwnership',
      { type: 'account', id: before.id },
      `Transferred ownership from ${before.ownerName} to ${target.name}`,
      { ownerUserId: before.ownerUserId },
      { ownerUserId: target.id },
    );
    changed(ctx);
    ctx.emit('users.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return getAccount(ctx.db, before.id);
  },
};
