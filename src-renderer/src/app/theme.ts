import { createTheme, type MantineColorsTuple } from '@mantine/core';

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
  },
});
