import type { Db } from '../../store/db';
import { stmt } from '../../store/stmt';
import type { AuthedCtx } from '../context';
import { notFound } from '../failure';

const tables = {
  bnId: ['business_numbers', 'That business number'],
  callFlowId: ['call_flows', 'That call flow'],
  groupId: ['user_groups', 'That group'],
  userId: ['users', 'That user'],
  tagId: ['call_tags', 'That tag'],
} as const;

/** Filter ids must name rows of the actor's own account (deleted ones included, for history). */
export function checkFilterIds(ctx: AuthedCtx, filter: Partial<Record<keyof typeof tables, number | undefined>>): void {
  for (const key of Object.keys(tables) as (keyof typeof tables)[]) {
    const id = filter[key];
    if (id === undefined) continue;
    const [table, what] = tables[key];
    if (!existsInAccount(ctx.db, table, id, ctx.actor.accountId)) throw notFound(what);
  }
}

function existsInAccount(db: Db, table: string, id: number, accountId: number): boolean {
  return stmt(db, `SELECT 1 FROM ${table} WHERE id = ? AND account_id = ?`).get(id, accountId) !== undefined;
}

/** Splits a page fetched with limit + 1 rows into the page and the next cursor. */
export function paginate<T extends { k: number; id: number }>(rows: readonly T[], limit: number) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? `${last.k}:${last.id}` : null };
}
