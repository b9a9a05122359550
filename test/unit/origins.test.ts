import { describe, expect, it } from 'vitest';
import { isExternalLink, isOwnRendererUrl, rendererEntryUrl } from '../../src/main/origins';

describe('our own renderer', () => {
  const built = rendererEntryUrl('/opt/Teamline/out/renderer/index.html', undefined);
  const dev = rendererEntryUrl('/ignored/index.html', 'http://localhost:5173');

  it('is the built index.html as a file: URL, or the dev server', () => {
    expect(built).toBe('file:///opt/Teamline/out/renderer/index.html');
    expect(dev).toBe('http://localhost:5173');
    expect(rendererEntryUrl('/opt/My Apps/index.html', undefined)).toBe('file:///opt/My%20Apps/index.html');
  });

  it.each([
    'file:///opt/Teamline/out/renderer/index.html',
    'file:///opt/Teamline/out/renderer/index.html#/team',
    'file:///opt/Teamline/out/renderer/index.html?view=calls',
  ])('accepts %s in production', (url) => expect(isOwnRendererUrl(url, built)).toBe(true));

  it.each([
    'file:///opt/Teamline/out/renderer/other.html',
    'file:///tmp/index.html',
    'file://evil.example/opt/Teamline/out/renderer/index.html',
    'http://localhost:5173/',
    'https://example.com/opt/Teamline/out/renderer/index.html',
    'about:blank',
    'devtools://devtools/bundled/index.html',
    '',
    'not a url',
  ])('refuses %s in production', (url) => expect(isOwnRendererUrl(url, built)).toBe(false));

  it('accepts only the dev server origin in development', () => {
    expect(isOwnRendererUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isOwnRendererUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isOwnRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isOwnRendererUrl('https://localhost:5173/', dev)).toBe(false);
    expect(isOwnRendererUrl('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isOwnRendererUrl('file:///opt/Teamline/out/renderer/index.html', dev)).toBe(false);
  });
});

describe('links for the system browser', () => {
  it.each(['https://teamline.example/help', 'https://example.com/a?b=c#d'])('opens %s', (url) =>
    expect(isExternalLink(url)).toBe(true),
  );
  it.each([
    'http://example.com',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://host/share',
    'tel:+12136472453',
    'https://user:pass@example.com/',
    'ms-settings:',
    '',
  ])('refuses %s', (url) => expect(isExternalLink(url)).toBe(false));
});
