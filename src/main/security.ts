import { app, session, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../shared/csp';

/** Whether a URL is our own renderer: the dev server in development, our packaged file otherwise. */
export function isOwnRendererUrl(url: string, rendererUrl: string): boolean {
  try {
    const u = new URL(url);
    const own = new URL(rendererUrl);
    if (own.protocol === 'file:') return u.protocol === 'file:' && u.pathname === own.pathname;
    return u.origin === own.origin;
  } catch {
    return false;
  }
}

/**
 * The security baseline: a strict CSP on every response, no navigation away
 * from the app, no new windows, no
 * <webview>, and permissions only for what the softphone needs, only for our
 * own renderer.
 */
export function applySecurity(rendererUrl: string): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  const allowed = new Set(['media', 'notifications', 'speaker-selection']);
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback) => {
    callback(allowed.has(permission) && isOwnRendererUrl(contents.getURL(), rendererUrl));
  });
  session.defaultSession.setPermissionCheckHandler((contents, permission) =>
    Boolean(contents && allowed.has(permission) && isOwnRendererUrl(contents.getURL(), rendererUrl)),
  );

  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.on('will-navigate', (e, url) => {
      if (!isOwnRendererUrl(url, rendererUrl)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isOwnRendererUrl(url, rendererUrl)) e.preventDefault();
    });
    // The app opens no other windows and no outside pages.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
