import { DEFAULT_THEME } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import { AA, contrast, readableOn } from '../../src/renderer/src/app/contrast';
import { dimmedDark, dimmedLight, theme } from '../../src/renderer/src/app/theme';

const white = '#ffffff';
const { gray, dark, indigo } = DEFAULT_THEME.colors;

describe('contrast', () => {
  it('measures WCAG ratios', () => {
    expect(contrast('#000000', white)).toBeCloseTo(21, 5);
    // The two complaints: Mantine's dimmed grey on white, white on its indigo.6.
    expect(contrast('#868e96', white)).toBeCloseTo(3.32, 2);
    expect(contrast(white, '#4c6ef5')).toBeCloseTo(4.32, 2);
  });

  it('leaves a readable colour alone and darkens or lightens one that is not', () => {
    expect(readableOn('#495057', [white], 'darker')).toBe('#495057');
    const darker = readableOn('#868e96', [white], 'darker');
    expect(contrast(darker, white)).toBeGreaterThanOrEqual(AA);
    expect(contrast(readableOn('#828282', [dark[7]], 'lighter'), dark[7])).toBeGreaterThanOrEqual(AA);
  });
});

describe('theme', () => {
  const colors = theme.colors as Record<string, readonly string[]>;

  it('has dimmed text that reads at 4.5:1 in light and dark, on plain, hovered and selected rows', () => {
    for (const bg of [white, gray[0], gray[1], indigo[1]]) expect(contrast(dimmedLight, bg)).toBeGreaterThanOrEqual(AA);
    for (const bg of [dark[7], dark[6], dark[5]]) expect(contrast(dimmedDark, bg)).toBeGreaterThanOrEqual(AA);
  });

  it('fills buttons in every colour so that white text on them reads at 4.5:1, in both schemes (shades 6 and 8)', () => {
    for (const [name, c] of Object.entries(colors)) {
      for (const shade of [6, 7, 8, 9]) {
        expect(contrast(white, c[shade]!), `${name}.${shade}`).toBeGreaterThanOrEqual(AA);
        expect(contrast(gray[1], c[shade]!), `${name}.${shade} on a hovered row`).toBeGreaterThanOrEqual(AA);
      }
      // Light badges and alerts: shade 9 on shade 1; dark-scheme coloured text: shade 4.
      expect(contrast(c[9]!, c[1]!), `${name} light badge`).toBeGreaterThanOrEqual(AA);
      for (const bg of [dark[7], dark[6]]) expect(contrast(c[4]!, bg), `${name}.4 on dark`).toBeGreaterThanOrEqual(AA);
    }
  });

  it('keeps each darker shade darker (hover is one shade on)', () => {
    for (const [name, c] of Object.entries(colors))
      for (const shade of [7, 8, 9])
        expect(contrast(c[shade]!, white), `${name}.${shade}`).toBeGreaterThan(contrast(c[shade - 1]!, white));
  });
});
