import type { Handlers } from '../handler';
import { callKeys } from './calls';
import { threadKeys } from './messages';

/** Badges count up to this many; the UI shows "99+" past it. */
const CAP = 100;

export const inboxHandlers: Handlers<'inbox'> = {
  'inbox.counts': (ctx) => {
    const voicemails = callKeys(ctx, { limit: CAP }, { voicemailOnly: true, unreadBy: ctx.actor.userId }).page.length;
    const threads = threadKeys(ctx, { unreadBy: ctx.actor.userId }, undefined, CAP).length;
    return { unreadVoicemails: voicemails, unreadThreads: threads, capped: CAP };
  },
};
