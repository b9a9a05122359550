import { describe, expect, it } from 'vitest';
import { dialTargetFromUrl, dialUrlIn } from '../../src/main/dialLinks';

describe('tel: and sip: links', () => {
  it.each([
    ['tel:+12136472453', '+12136472453'],
    ['tel:+1-213-647-2453', '+12136472453'],
    ['tel:+1%20(213)%20647-2453;ext=12', '+12136472453'],
    ['TEL:2136472453', '2136472453'],
    ['sip:105@teamline.local', '105'],
    ['sips:105@teamline.local;transport=ws', '105'],
    ['sip://+13322139228@example.com', '+13322139228'],
  ])('%s → %s', (url, to) => expect(dialTargetFromUrl(url)).toBe(to));

  it.each([
    'https://example.com',
    'tel:',
    'tel:javascript:alert(1)',
    'sip:alice@example.com',
    'tel:%E0%A4%A',
    'file:///etc/passwd',
  ])('refuses %s', (url) => expect(dialTargetFromUrl(url)).toBeNull());

  it('finds the link among the process arguments', () => {
    expect(dialUrlIn(['/usr/bin/teamline', '--flag', 'tel:+12136472453'])).toBe('tel:+12136472453');
    expect(dialUrlIn(['/usr/bin/teamline'])).toBeNull();
  });
});
