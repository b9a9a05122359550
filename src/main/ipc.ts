import { ipcMain, type WebContents } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../shared/api/bridge';
import type { PushEvent } from '../shared/api/events';
import type { Connection } from './core';
import { isOwnRendererUrl } from './origins';

/**
 * Carries requests from our windows to the core and events back. One
 * connection (one session) per window; a request from any other frame or
 * page is refused before it reaches the core. The backend is the embedded
 * core, or a joined desktop's relay to its team server (the same shape);
 * none yet while the first-run chooser is shown.
 */
export interface ApiBackend {
  connect(send: (e: PushEvent) => void): Connection;
}

export function wireIpc(
  backend: () => ApiBackend | null,
  rendererUrl: string,
  isOurWindow: (contents: WebContents) => boolean,
): void {
  const connections = new Map<number, Connection>();

  ipcMain.handle(INVOKE_CHANNEL, (event, method: unknown, input: unknown) => {
    const sender = event.sender;
    const frameUrl = event.senderFrame?.url ?? '';
    if (!isOurWindow(sender) || event.senderFrame !== sender.mainFrame || !isOwnRendererUrl(frameUrl, rendererUrl)) {
      return {
        ok: false,
        error: { code: 'forbidden', message: 'Requests are accepted only from the app’s own window.' },
      };
    }
    const chosen = backend();
    if (!chosen) {
      return {
        ok: false,
        error: { code: 'unauthenticated', message: 'Choose how to use Teamline on this computer first.' },
      };
    }
    let connection = connections.get(sender.id);
    if (!connection) {
      const created = chosen.connect((e) => {
        if (!sender.isDestroyed()) sender.send(EVENT_CHANNEL, e);
      });
      connections.set(sender.id, created);
      sender.once('destroyed', () => {
        created.close();
        connections.delete(sender.id);
      });
      connection = created;
    }
    return connection.invoke(String(method), input);
  });
}
