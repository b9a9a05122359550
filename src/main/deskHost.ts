import { BrowserWindow, ipcMain, safeStorage, session, type Certificate, type WebContents } from 'electron';
import { DESK_CHANNEL, type DeskInfo } from '../shared/api/desk';
import { isOwnRendererUrl } from './origins';
import type { DeskSetup } from './remote/deskSetup';
import type { Cipher } from './remote/deskStore';
import type { Joined } from './remote/join';
import { pinnedChainTrusted, serverHost, sipOriginFor } from './remote/pageTrust';

/**
 * The Electron side of a joined desktop, kept thin: the logic is in
 * src/main/remote (plain Node, tested there). This carries the chooser's
 * requests, gives safeStorage as the credential's cipher, and lets the
 * window's softphone reach the joined server's Kamailio: its certificate
 * trusted by the pin only, and the Origin of the server's own console.
 */

export const safeStorageCipher: Cipher = {
  available: () => safeStorage.isEncryptionAvailable(),
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (data) => safeStorage.decryptString(data),
};

export function wireDesk(o: {
  rendererUrl: string;
  isOurWindow: (contents: WebContents) => boolean;
  info: () => DeskInfo;
  setup: DeskSetup;
  chooseDemo: () => void;
  /** Leaves the joined team (only a joined desktop asks). */
  leave: () => Promise<{ removedOnServer: boolean }>;
}): void {
  ipcMain.handle(DESK_CHANNEL, async (event, op: unknown, arg: unknown) => {
    const sender = event.sender;
    if (
      !o.isOurWindow(sender) ||
      event.senderFrame !== sender.mainFrame ||
      !isOwnRendererUrl(event.senderFrame?.url ?? '', o.rendererUrl)
    ) {
      return { ok: false, message: 'Requests are accepted only from the app’s own window.' };
    }
    switch (op) {
      case 'info':
        return o.info();
      case 'inspect':
        return o.setup.inspect(arg);
      case 'certificates':
        return o.setup.certificates(arg);
      case 'join':
        return o.setup.join(arg);
      case 'chooseDemo':
        // Only on the first run: a joined desktop does not fall back to the demo by a renderer's request.
        if (o.info().mode === 'choose') o.chooseDemo();
        return undefined;
      case 'leave':
        if (o.info().mode !== 'joined') return { ok: false, message: 'This computer has not joined a team.' };
        return { ok: true, value: await o.leave() };
      default:
        return { ok: false, message: 'Unknown request.' };
    }
  });
}

/** Sends to every window of ours. */
export function broadcast(channel: string, payload: unknown, isOurWindow: (contents: WebContents) => boolean): void {
  for (const win of BrowserWindow.getAllWindows()) {
    if (!win.webContents.isDestroyed() && isOurWindow(win.webContents)) win.webContents.send(channel, payload);
  }
}

function chainOf(cert: Certificate): string[] {
  const pems: string[] = [];
  let c: Certificate | undefined = cert;
  while (c && pems.length < 10) {
    pems.push(c.data);
    c = c.issuerCert && c.issuerCert.data !== c.data ? c.issuerCert : undefined;
  }
  return pems;
}

/**
 * For the joined server's host, the pin alone decides (a certificate the
 * system would trust but that is not the pinned one is refused, as in the
 * main process); every other host is left to Chromium's own verification.
 */
export function trustJoinedServer(joined: () => Joined | null, isOurWindowId: (webContentsId: number) => boolean) {
  const s = session.defaultSession;
  s.setCertificateVerifyProc((request, callback) => {
    const j = joined();
    if (!j || request.hostname.replace(/^\[|\]$/g, '').toLowerCase() !== serverHost(j.server)) return callback(-3);
    callback(pinnedChainTrusted(request.hostname, chainOf(request.certificate), j.pin, j.server) ? 0 : -2);
  });
  s.webRequest.onBeforeSendHeaders({ urls: ['wss://*/*'] }, (details, callback) => {
    const j = joined();
    const origin =
      j && details.webContentsId !== undefined && isOurWindowId(details.webContentsId)
        ? sipOriginFor(details.url, j.server)
        : null;
    if (origin) {
      for (const name of Object.keys(details.requestHeaders)) {
        if (name.toLowerCase() === 'origin') delete details.requestHeaders[name];
      }
      details.requestHeaders['Origin'] = origin;
    }
    callback({ requestHeaders: details.requestHeaders });
  });
}

/** What the window's page may connect to beyond loopback: the joined server's secure WebSockets. */
export function joinedConnectSources(j: Joined | null): string[] {
  if (!j) return [];
  const host = serverHost(j.server);
  return [`wss://${host.includes(':') ? `[${host}]` : host}:*`];
}
