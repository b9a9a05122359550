import { markVoicemailRead, voicemailAudio, voicemailCallId, voicemailsForCalls } from '../../store/repos/calls';
import { ApiFailure } from '../failure';
import type { Handlers } from '../handler';
import { callPage, mustSeeCall } from './calls';

export const voicemailsHandlers: Handlers<'voicemails'> = {
  'voicemails.list': (ctx, { unreadOnly, ...f }) => {
    const { rows, nextCursor } = callPage(ctx, f, {
      voicemailOnly: true,
      ...(unreadOnly ? { unreadBy: ctx.actor.userId } : {}),
    });
    const vms = voicemailsForCalls(ctx.db, rows.map((r) => r.id), ctx.actor.userId);
    const items = rows.flatMap((call) => {
      const vm = vms.get(call.id);
      return vm ? [{ ...vm, call }] : [];
    });
    return { items, nextCursor };
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
