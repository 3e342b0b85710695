import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

// The petrol of the app icon, from light to dark.
const cohort: MantineColorsTuple = ['#e8f5f6', '#cfe8eb', '#9ad1d4', '#6cbcc2', '#46a9b1', '#2e959f', '#21808b', '#176a76', '#0f4c5c', '#0a3a47'];

export const theme = createTheme({
  primaryColor: 'cohort',
  primaryShade: { light: 7, dark: 4 },
  colors: { cohort },
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    Button: { defaultProps: { radius: 'md' } },
    Card: { defaultProps: { withBorder: true, radius: 'md', padding: 'lg' } },
    Paper: { defaultProps: { withBorder: true, radius: 'md' } },
    Table: { defaultProps: { verticalSpacing: 'xs', highlightOnHover: true } },
    // Their close buttons are icons: they need a name for screen readers.
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Close this message' } } },
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
  },
});

/**
 * Text dark enough for WCAG AA (4.5:1 for small text): secondary ("dimmed") text one shade darker
 * than Mantine's default (gray 6 on white is 3.3:1, gray 7 is 7:1), and the text of light badges
 * and alerts, whose default (shade 6 on its own tint) is 2 to 3:1, darkened to about 5.3:1.
 */
const LIGHT_VARIANT_TEXT: Record<string, string> = {
  red: '#bd2727',
  blue: '#1864ab',
  cyan: '#0b6d80',
  teal: '#077252',
  green: '#247434',
  lime: '#48730a',
  yellow: '#a15300',
  orange: '#b23b0c',
  gray: 'var(--mantine-color-gray-7)',
};

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(Object.entries(LIGHT_VARIANT_TEXT).map(([color, text]) => [`--mantine-color-${color}-light-color`, text])),
  },
  dark: {},
});
