import { createTheme, DEFAULT_THEME, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';
import { luminance, mix, readableOn } from './contrast';

const white = '#ffffff';
const dark = DEFAULT_THEME.colors.dark;
/** What text in the dark scheme sits on: the page, and cards, inputs and menus. */
const darkSurfaces = [dark[7], dark[6], dark[5]];

/**
 * Mantine's palettes, with the shades that carry text made readable at
 * 4.5:1: 6–9 are filled backgrounds for white text (and coloured text on
 * white) in the light scheme, 9 is the text of light badges and alerts on
 * shade 1, and 4 is coloured text in the dark scheme. Mantine's own teal.6
 * under white text is 2.5:1, indigo.6 4.3:1.
 */
function accessible(tuple: MantineColorsTuple): MantineColorsTuple {
  const c = [...tuple];
  for (let i = 6; i <= 9; i++) {
    // White text on the shade, and the shade as text on white or on a hovered row (gray.1).
    c[i] = readableOn(c[i]!, [white, DEFAULT_THEME.colors.gray[1]], 'darker');
    // Each shade stays at least as dark as the one before it (hover is one shade darker).
    if (i > 6 && luminance(c[i]!) > luminance(c[i - 1]!) * 0.85) c[i] = mix(c[i - 1]!, '#000000', 0.08);
  }
  c[9] = readableOn(c[9]!, [white, c[0]!, c[1]!], 'darker');
  c[4] = readableOn(c[4]!, darkSurfaces, 'lighter');
  return c as unknown as MantineColorsTuple;
}

const colors = Object.fromEntries(
  Object.entries(DEFAULT_THEME.colors)
    .filter(([name]) => name !== 'dark')
    .map(([name, tuple]) => [name, accessible(tuple)]),
);

/** Secondary ("dimmed") text: on white, the light grey of a table header, and a selected row. */
export const dimmedLight = readableOn(
  DEFAULT_THEME.colors.gray[6],
  [white, DEFAULT_THEME.colors.gray[0], DEFAULT_THEME.colors.gray[1], DEFAULT_THEME.colors.indigo[1]],
  'darker',
);
export const dimmedDark = readableOn(dark[2], darkSurfaces, 'lighter');

const resolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': dimmedLight },
  dark: {
    '--mantine-color-dimmed': dimmedDark,
    // Mantine's dark-scheme error text is red.8, which is dark on dark.
    '--mantine-color-error': 'var(--mantine-color-red-4)',
    '--mantine-color-placeholder': dimmedDark,
  },
});

/** One design system: Mantine, themed once here. Light and dark follow the OS. */
export const theme = createTheme({
  primaryColor: 'indigo',
  colors,
  defaultRadius: 'md',
  fontFamily: 'Inter, "Segoe UI", system-ui, -apple-system, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    Button: { defaultProps: { radius: 'md' } },
    Badge: { defaultProps: { radius: 'sm', variant: 'light' } },
    // Mantine's close buttons have an icon and no name: screen readers would announce "button".
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
  },
});

export const cssVariablesResolver = resolver;
