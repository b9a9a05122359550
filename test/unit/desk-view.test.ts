import { describe, expect, it } from 'vitest';
import { bannerFor, fingerprintLines, readLink } from '../../src/renderer/src/features/desk/deskView';
import { appLink, webLink } from '../../src/shared/joinLink';

const link = { server: 'pbx.example.com:8443', fingerprint: 'ab'.repeat(32), token: 'T'.repeat(43) };

describe('the first-run chooser', () => {
  it('reads both forms of an invitation link and says why a paste is not one', () => {
    expect(readLink(appLink(link))).toEqual({ ok: true, server: 'pbx.example.com:8443' });
    expect(readLink(` <${webLink(link)}> `)).toEqual({ ok: true, server: 'pbx.example.com:8443' });
    expect(readLink('')).toMatchObject({ ok: false, message: /Paste the invitation link/ });
    expect(readLink('https://example.com/other')).toMatchObject({
      ok: false,
      message: /starts with teamline:\/\/join/,
    });
    expect(readLink(appLink({ ...link, token: 'short' }))).toMatchObject({ ok: false, message: /invitation code/ });
  });

  it('shows a fingerprint in groups of four bytes on two lines, to compare by eye', () => {
    const fp = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
    const lines = fingerprintLines(fp.toLowerCase());
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('00:01:02:03  04:05:06:07  08:09:0A:0B  0C:0D:0E:0F');
    expect(lines.join('  ').replaceAll('  ', ':')).toBe(fp);
  });
});

describe('the connection banner of a joined desktop', () => {
  it('shows nothing while connected, Reconnecting while away, and the reason when refused', () => {
    expect(bannerFor(null)).toBeNull();
    expect(bannerFor({ state: 'online', server: 'pbx:8443' })).toBeNull();
    expect(bannerFor({ state: 'connecting', server: 'pbx:8443' })).toBeNull();
    expect(bannerFor({ state: 'reconnecting', server: 'pbx:8443', attempt: 2, retryInSeconds: 3 })).toEqual({
      tone: 'warning',
      title: 'Reconnecting…',
      message: expect.stringMatching(/pbx:8443.*3 s/),
      urgent: false,
    });
    expect(bannerFor({ state: 'refused', server: 'pbx:8443', reason: 'The certificate is not the one.' })).toEqual({
      tone: 'error',
      title: 'Not connected to your team',
      message: 'The certificate is not the one.',
      urgent: true,
    });
  });
});
