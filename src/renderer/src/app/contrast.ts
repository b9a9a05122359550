/**
 * WCAG 2 contrast, and the smallest change of a colour that reaches it. The
 * theme (theme.ts) derives its palette from Mantine's with these, so that
 * text and filled controls read at 4.5:1 (WCAG AA for normal text).
 */

export const AA = 4.5;

type Rgb = [number, number, number];

function parse(hex: string): Rgb {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
}

const toHex = (rgb: Rgb) =>
  `#${rgb
    .map((v) =>
      Math.round(Math.min(255, Math.max(0, v)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

export function luminance(hex: string): number {
  const [r, g, b] = parse(hex).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** `color` moved towards `target` (black or white) by `t` (0–1). */
export function mix(color: string, target: string, t: number): string {
  const a = parse(color);
  const b = parse(target);
  return toHex([0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * t) as Rgb);
}

/**
 * `color` unchanged when it already reads at `ratio` against every one of
 * `backgrounds`; otherwise the least darkened (or lightened) version of it
 * that does.
 */
export function readableOn(
  color: string,
  backgrounds: readonly string[],
  towards: 'darker' | 'lighter',
  ratio = AA,
): string {
  const ok = (c: string) => backgrounds.every((bg) => contrast(c, bg) >= ratio);
  if (ok(color)) return color;
  const target = towards === 'darker' ? '#000000' : '#ffffff';
  for (let t = 0.01; t <= 1; t += 0.01) {
    const c = mix(color, target, t);
    if (ok(c)) return c;
  }
  return target;
}
