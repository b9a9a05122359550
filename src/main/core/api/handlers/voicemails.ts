import { can, splitPage } from '../../policy';
import { callFacts, markVoicemailRead, voicemailAudio, voicemailCallId } from '../../store/repos/calls';
import { voicemailPageRows } from '../../store/repos/callPage';
import { ApiFailure } from '../failure';
import type { Handlers } from '../handler';
import type { AuthedCtx } from '../context';
import { callPageQuery } from './calls';

const voicemailNotFound = () =>
  new ApiFailure('not_found', 'That voicemail was not found, or it is outside your call access.');

/** A voicemail that does not exist and one outside the actor's access get the very same answer. */
function mustSeeVoicemail(ctx: AuthedCtx, voicemailId: number): void {
  const callId = voicemailCallId(ctx.db, ctx.actor.accountId, voicemailId);
  const facts = callId === null ? null : callFacts(ctx.db, ctx.actor.accountId, callId);
  if (!facts || !can(ctx.actor, 'call.view', facts).allowed) throw voicemailNotFound();
}

export const voicemailsHandlers: Handlers<'voicemails'> = {
  'voicemails.list': (ctx, f) => {
    const only = f.unreadOnly ? { voicemailOnly: true, unreadBy: ctx.actor.userId } : { voicemailOnly: true };
    const rows = voicemailPageRows(ctx.db, callPageQuery(ctx, f, only), ctx.actor.userId);
    return splitPage(rows, f.limit, (v) => ({ k: v.call.startedAt, id: v.callId }));
  },

  'voicemails.audio': (ctx, { voicemailId }) => {
    mustSeeVoicemail(ctx, voicemailId);
    const audio = voicemailAudio(ctx.db, voicemailId);
    if (!audio) throw new ApiFailure('not_found', 'This voicemail has no recording.');
    return { mime: audio.mime, base64: audio.data.toString('base64') };
  },

  'voicemails.markRead': (ctx, { voicemailId }) => {
    mustSeeVoicemail(ctx, voicemailId);
    markVoicemailRead(ctx.db, voicemailId, ctx.actor.userId);
    ctx.emit('voicemails.changed', { kind: 'users', userIds: [ctx.actor.userId] });
    return null;
  },
};
