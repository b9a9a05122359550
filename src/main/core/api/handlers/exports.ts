import { contract } from '../../../../shared/api/contract';
import { humanIssue } from '../../../../shared/api/humanErrors';
import { exportFilename, type ExportFilter } from '../../export/csvExport';
import { issueTicket } from '../../export/tickets';
import type { AuthedCtx } from '../context';
import { ApiFailure } from '../failure';
import type { Handlers } from '../handler';
import { handlers } from './index';

const listOf = { calls: 'calls.list', audit: 'audit.list', messages: 'messages.threads' } as const;

export const exportsHandlers: Handlers<'exports'> = {
  /**
   * A ticket for a CSV export (core/export/tickets.ts). The filter is the
   * list's own, parsed by the list's schema, and the list's first row is
   * read now with it, so a filter or a list the actor may not use is refused
   * here, before a file is chosen; the host then reads the rest page by page
   * through the same list method.
   */
  'exports.prepare': (ctx, { kind, filter }) => {
    const method = listOf[kind];
    const parsed = contract[method].input.safeParse({ ...filter, limit: 1 }, { error: humanIssue });
    if (!parsed.success || 'cursor' in filter || 'limit' in filter) {
      throw new ApiFailure(
        'invalid',
        parsed.success ? 'An export has no page or cursor.' : (parsed.error.issues[0]?.message ?? 'Invalid filter'),
      );
    }
    (handlers[method] as (c: AuthedCtx, input: unknown) => unknown)(ctx, parsed.data);
    const { limit: _limit, ...clean } = parsed.data as Record<string, unknown>;
    const { token, expiresAt } = issueTicket({
      session: ctx.session,
      kind,
      filter: clean as ExportFilter[typeof kind],
      filename: exportFilename(kind, ctx.now()),
    });
    return { token, filename: exportFilename(kind, ctx.now()), expiresAt };
  },
};
