import { describe, expect, it } from 'vitest';
import { formatE164, normalizeDialString } from '../../src/shared/phone';

describe('formatE164', () => {
  it('formats North American numbers as POLICY.md shows them', () => {
    expect(formatE164('+12136472453')).toBe('+1 (213) 647-2453');
    expect(formatE164('+13322139228')).toBe('+1 (332) 213-9228');
  });
  it('groups other numbers', () => {
    expect(formatE164('+442071838750')).toBe('+44 207 183 8750');
    expect(formatE164('+353861234567')).toBe('+353 861 234 567');
  });
});

describe('normalizeDialString', () => {
  it.each([
    ['(213) 647-2453', '+12136472453'],
    ['1 213 647 2453', '+12136472453'],
    ['+1 213-647-2453', '+12136472453'],
    ['0044 20 7183 8750', '+442071838750'],
  ])('%s → %s', (input, expected) => expect(normalizeDialString(input)).toBe(expected));
  it.each(['', '12', '+0123456', 'abc', '+1234567890123456'])('refuses %j', (input) =>
    expect(normalizeDialString(input)).toBeNull(),
  );
});
