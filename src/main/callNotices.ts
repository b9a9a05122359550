import { BrowserWindow, ipcMain, Notification, type WebContents } from 'electron';
import { z } from 'zod';
import { EVENT_CHANNEL, NOTICE_CHANNEL } from '../shared/api/bridge';
import type { PushEvent } from '../shared/api/events';
import { isOwnRendererUrl } from './origins';

const LineId = z.string().regex(/^[a-z]{2,3}-\d{1,9}$/);
const Notice = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('show'), lineId: LineId, title: z.string().max(80), body: z.string().max(200) }),
  z.strictObject({ kind: z.literal('close'), lineId: LineId }),
]);

/**
 * System notifications for ringing calls, with Answer and Decline buttons
 * (macOS and Windows show them; elsewhere a click opens the phone). Only our
 * own window may ask; what it asks is checked, and the buttons only send the
 * window an event: the softphone in the window answers or declines.
 */
export function wireCallNotices(rendererUrl: string, isOurWindow: (contents: WebContents) => boolean): void {
  const shown = new Map<string, Notification>();

  ipcMain.on(NOTICE_CHANNEL, (event, raw: unknown) => {
    const sender = event.sender;
    if (
      !isOurWindow(sender) ||
      event.senderFrame !== sender.mainFrame ||
      !isOwnRendererUrl(event.senderFrame?.url ?? '', rendererUrl)
    )
      return;
    const notice = Notice.safeParse(raw);
    if (!notice.success || !Notification.isSupported()) return;
    const key = `${sender.id}:${notice.data.lineId}`;
    shown.get(key)?.close();
    shown.delete(key);
    if (notice.data.kind === 'close') return;

    const { lineId, title, body } = notice.data;
    const n = new Notification({
      title,
      body,
      urgency: 'critical',
      timeoutType: 'never',
      actions: [
        { type: 'button', text: 'Answer' },
        { type: 'button', text: 'Decline' },
      ],
    });
    const tell = (action: NonNullable<PushEvent['action']>) => {
      if (sender.isDestroyed()) return;
      if (action !== 'decline') {
        const win = BrowserWindow.fromWebContents(sender);
        if (win?.isMinimized()) win.restore();
        win?.focus();
      }
      sender.send(EVENT_CHANNEL, { name: 'call.action', lineId, action } satisfies PushEvent);
    };
    n.on('action', (_e, index) => tell(index === 0 ? 'answer' : 'decline'));
    n.on('click', () => tell('show'));
    n.on('close', () => shown.delete(key));
    shown.set(key, n);
    n.show();
  });
}
