/**
 * The renderer's Content-Security-Policy, for both hosts. Scripts only from
 * the app itself; the API is reached over the preload (Electron) or a
 * WebSocket to the same loopback origin (browser); SIP over WebSocket to the
 * loopback proxy; a desktop joined to a team server adds that server's
 * secure WebSocket (its softphone registers there).
 */
export function contentSecurityPolicy(extraConnect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: data: mediastream:",
    "font-src 'self' data:",
    ["connect-src 'self' ws://127.0.0.1:* ws://localhost:*", ...extraConnect].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();
