import {
  callBranches,
  can,
  decodeCursor,
  explain,
  matchingBranch,
  splitPage,
  threadAsCall,
  threadBranches,
  threadPageSql,
} from '../../policy';
import { formatE164 } from '../../../../shared/phone';
import type { ThreadListFilter } from '../../policy/listSql';
import type { AuthedCtx } from '../context';
import { bnRouting } from '../../store/repos/flows';
import { getNumber } from '../../store/repos/numbers';
import { contactNumbers, searchNumbers } from '../../store/repos/numberSearch';
import {
  findThread,
  historyStart,
  insertMessage,
  insertThread,
  markThreadRead,
  messagePage,
  threadFacts,
} from '../../store/repos/threads';
import { threadPageRows } from '../../store/repos/threadPage';
import { stmt } from '../../store/stmt';
import { optOut } from '../../store/repos/sms';
import { segmentSms } from '../../../../shared/sms';
import { randomBytes } from 'node:crypto';
import { ApiFailure, enforce, notFound } from '../failure';
import type { Handlers } from '../handler';
import { checkFilterIds, paginate } from './lists';

function mustSeeThread(ctx: AuthedCtx, threadId: number) {
  const facts = threadFacts(ctx.db, ctx.actor.accountId, threadId);
  if (!facts || !can(ctx.actor, 'thread.view', facts).allowed) {
    throw new ApiFailure('not_found', 'That conversation was not found, or it is outside your call access.');
  }
  return facts;
}

/** The policy's query for one page of threads the actor may see, most recent first. */
function threadPageQuery(ctx: AuthedCtx, filter: ThreadListFilter, cursor: string | undefined, limit: number) {
  const branches = threadBranches(ctx.actor, () => bnRouting(ctx.db, ctx.actor.accountId));
  // A number has at most one thread per business number: a search's numbers always make a small page to sort.
  const numbers = filter.search ? searchNumbers(ctx.db, ctx.actor.accountId, filter.search, Infinity) : null;
  // A search the branches scan (too many numbers) tests the matching contacts' numbers, found once here.
  const f = numbers
    ? { ...filter, numbers: numbers.numbers }
    : filter.search
      ? { ...filter, contactNumbers: contactNumbers(ctx.db, ctx.actor.accountId, filter.search) }
      : filter;
  return threadPageSql(branches, ctx.actor.accountId, f, decodeCursor(cursor), limit);
}

/** One page of thread keys the actor may see (used by the unread count). */
export function threadKeys(ctx: AuthedCtx, filter: ThreadListFilter, cursor: string | undefined, limit: number) {
  const q = threadPageQuery(ctx, filter, cursor, limit);
  return stmt(ctx.db, q.sql).all(...q.params) as { k: number; id: number }[];
}

export const messagesHandlers: Handlers<'messages'> = {
  // threadPageSql reads only the filter fields, so the input goes as it is.
  'messages.threads': (ctx, input) => {
    checkFilterIds(ctx, { bnId: input.bnId });
    const rows = threadPageRows(ctx.db, threadPageQuery(ctx, input, input.cursor, input.limit + 1), ctx.actor.userId);
    return splitPage(rows, input.limit, (t) => ({ k: t.lastMessageAt, id: t.id }));
  },

  'messages.list': (ctx, { threadId, cursor, limit }) => {
    const facts = mustSeeThread(ctx, threadId);
    const bySending = facts.participantIds.filter((id) => id !== ctx.actor.userId);
    const seesWithoutSending = can(ctx.actor, 'thread.view', { ...facts, participantIds: bySending }).allowed;
    const start = historyStart(ctx.db, threadId, ctx.actor.userId, seesWithoutSending);
    const rows = messagePage(ctx.db, threadId, decodeCursor(cursor), limit + 1, start);
    const { page, nextCursor } = paginate(
      rows.map((m) => ({ ...m, k: m.sentAt })),
      limit,
    );
    return { items: page.map(({ k: _k, ...m }) => m), nextCursor };
  },

  /** Which rule of the access policy shows this conversation to the viewer. */
  'messages.why': (ctx, { threadId }) => {
    const facts = mustSeeThread(ctx, threadId);
    const branch = matchingBranch(callBranches(ctx.actor), threadAsCall(facts))!;
    const names = stmt(
      ctx.db,
      `SELECT g.name AS groupName, f.name AS flowName, b.e164 AS e164 FROM message_threads t
         JOIN business_numbers b ON b.id = t.bn_id
         LEFT JOIN user_groups g ON g.id = t.assigned_group_id
         LEFT JOIN call_flows f ON f.id = b.call_flow_id
        WHERE t.id = ?`,
    ).get(threadId) as { groupName: string | null; flowName: string | null; e164: string };
    return explain(branch, {
      group: names.groupName ?? undefined,
      flow: names.flowName ?? undefined,
      bn: formatE164(names.e164),
    });
  },

  'messages.markRead': (ctx, { threadId }) => {
    mustSeeThread(ctx, threadId);
    markThreadRead(ctx.db, threadId, ctx.actor.userId, ctx.now());
    ctx.emit('messages.changed', { kind: 'users', userIds: [ctx.actor.userId] });
    return null;
  },

  'messages.send': (ctx, { bnId, to, body }) => {
    const bn = getNumber(ctx.db, ctx.actor.accountId, bnId);
    if (!bn) throw notFound('That business number');
    enforce(can(ctx.actor, 'number.smsFrom', { bnId }));
    // The carrier would refuse it, and the law forbids it: the person said STOP to this number.
    const stopped = optOut(ctx.db, bnId, to);
    if (stopped) {
      throw new ApiFailure(
        'conflict',
        `${formatE164(to)} opted out of texts from ${bn.formatted} (they replied ${stopped.keyword}). They can text START to this number to receive messages again.`,
      );
    }
    const at = ctx.now();
    const threadId =
      findThread(ctx.db, bnId, to) ??
      insertThread(ctx.db, {
        accountId: ctx.actor.accountId,
        bnId,
        externalNumber: to,
        assignedUserId: ctx.actor.userId,
        assignedGroupId: null,
        at,
      });
    // Into the outbox: the phone service sends it over the carrier's trunk (docs/carrier.md, "Text messages").
    const id = insertMessage(ctx.db, {
      threadId,
      direction: 'outbound',
      senderUserId: ctx.actor.userId,
      body,
      at,
      status: 'queued',
      segments: segmentSms(body).parts.length,
      smsRef: randomBytes(12).toString('hex'),
    });
    const facts = threadFacts(ctx.db, ctx.actor.accountId, threadId);
    if (facts) ctx.emit('messages.changed', { kind: 'thread', thread: facts });
    const [message] = messagePage(ctx.db, threadId, null, 1);
    if (!message || message.id !== id) throw new Error('Message was not stored');
    return message;
  },
};
