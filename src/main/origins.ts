import { pathToFileURL } from 'node:url';

/**
 * Which URLs are "us". Kept free of `electron` so the rules are unit-tested
 * in plain Node (test/unit/origins.test.ts).
 */

/** The renderer's URL: the electron-vite dev server in development, our built index.html otherwise. */
export function rendererEntryUrl(indexHtmlPath: string, devServerUrl: string | undefined): string {
  return devServerUrl ? devServerUrl : pathToFileURL(indexHtmlPath).href;
}

/**
 * Whether a URL is our own renderer. A file: URL must be our very index.html
 * (any other local file is not us); a dev-server URL must share its origin.
 */
export function isOwnRendererUrl(url: string, rendererUrl: string): boolean {
  try {
    const u = new URL(url);
    const own = new URL(rendererUrl);
    if (own.protocol === 'file:') return u.protocol === 'file:' && u.host === own.host && u.pathname === own.pathname;
    return u.origin === own.origin;
  } catch {
    return false;
  }
}

/**
 * Whether a link may be handed to the system browser: https only (no file:,
 * no custom schemes that start local programs), and no credentials in it.
 */
export function isExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '' && u.hostname !== '';
  } catch {
    return false;
  }
}
