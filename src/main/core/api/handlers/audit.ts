import { auditScopeSql, can, decodeCursor } from '../../policy';
import { auditNames, auditPage } from '../../store/repos/audit';
import { enforce } from '../failure';
import { checkFilterIds } from './lists';
import type { Handlers } from '../handler';

export const auditHandlers: Handlers<'audit'> = {
  'audit.list': (ctx, { cursor, limit, ...filter }) => {
    enforce(can(ctx.actor, 'audit.read', {}));
    checkFilterIds(ctx, { userId: filter.actorUserId });
    const after = decodeCursor(cursor);
    const items = auditPage(ctx.db, auditScopeSql(ctx.actor), filter, after?.id ?? null, limit + 1);
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor: items.length > limit && last ? `${last.at}:${last.id}` : null,
      names: auditNames(ctx.db, ctx.actor.accountId, page),
    };
  },
};
