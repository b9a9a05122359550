import { app, session, shell, type WebContents } from 'electron';
import { contentSecurityPolicy } from '../shared/csp';
import { isExternalLink, isOwnRendererUrl } from './origins';

/**
 * What the renderer may ask the browser for: the microphone (and camera
 * capability checks) for calls, notifications for incoming calls, and
 * speaker selection so the ringtone and call audio can use the chosen output
 * (`setSinkId`, src/renderer/src/softphone/media.ts). Nothing else.
 */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['media', 'notifications', 'speaker-selection']);

/**
 * The security baseline: a strict CSP on every response, no navigation away
 * from the app, no new windows (https links go to the system browser), no
 * <webview>, and only the permissions above, only for our own renderer's
 * main frame. `extraConnect`: a joined team server's secure WebSocket.
 */
export function applySecurity(rendererUrl: string, extraConnect: () => readonly string[] = () => []): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy(extraConnect())],
      },
    });
  });

  const ours = (contents: WebContents | null, isMainFrame: boolean): boolean =>
    contents !== null && isMainFrame && isOwnRendererUrl(contents.getURL(), rendererUrl);
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(ALLOWED_PERMISSIONS.has(permission) && ours(contents, details.isMainFrame));
  });
  session.defaultSession.setPermissionCheckHandler(
    (contents, permission, _origin, details) =>
      ALLOWED_PERMISSIONS.has(permission) && ours(contents, details.isMainFrame),
  );

  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.on('will-navigate', (e, url) => {
      if (!isOwnRendererUrl(url, rendererUrl)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isOwnRendererUrl(url, rendererUrl)) e.preventDefault();
    });
    // The app opens no windows of its own; an https link (a help page, an
    // integration's site) goes to the system browser, anything else nowhere.
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalLink(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
