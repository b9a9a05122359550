import { splitPage } from '../../policy';
import { markVoicemailRead, voicemailAudio, voicemailCallId } from '../../store/repos/calls';
import { voicemailPageRows } from '../../store/repos/callPage';
import { ApiFailure } from '../failure';
import type { Handlers } from '../handler';
import { callPageQuery, mustSeeCall } from './calls';

export const voicemailsHandlers: Handlers<'voicemails'> = {
  'voicemails.list': (ctx, f) => {
    const only = f.unreadOnly ? { voicemailOnly: true, unreadBy: ctx.actor.userId } : { voicemailOnly: true };
    const rows = voicemailPageRows(ctx.db, callPageQuery(ctx, f, only), ctx.actor.userId);
    return splitPage(rows, f.limit, (v) => ({ k: v.call.startedAt, id: v.callId }));
  },

  'voicemails.audio': (ctx, { voicemailId }) => {
    const callId = voicemailCallId(ctx.db, ctx.actor.accountId, voicemailId);
    if (callId === null) throw new ApiFailure('not_found', 'That voicemail was not found.');
    mustSeeCall(ctx, callId);
    const audio = voicemailAudio(ctx.db, voicemailId);
    if (!audio) throw new ApiFailure('not_found', 'This voicemail has no recording.');
    return { mime: audio.mime, base64: audio.data.toString('base64') };
  },

  'voicemails.markRead': (ctx, { voicemailId }) => {
    const callId = voicemailCallId(ctx.db, ctx.actor.accountId, voicemailId);
    if (callId === null) throw new ApiFailure('not_found', 'That voicemail was not found.');
    mustSeeCall(ctx, callId);
    markVoicemailRead(ctx.db, voicemailId, ctx.actor.userId);
    ctx.emit('voicemails.changed', { kind: 'users', userIds: [ctx.actor.userId] });
    return null;
  },
};
