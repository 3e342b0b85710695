// One summary figure (rows used, bytes sent...) in a quiet tile, with an optional line below.
import { Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** `warn` tints the tile: a figure that asks for attention (rows skipped...). */
export function Stat({ label, value, hint, warn = false }: { label: string; value: ReactNode; hint?: ReactNode; warn?: boolean }) {
  return (
    <Paper p="sm" bg={warn ? 'var(--mantine-color-orange-light)' : 'var(--mantine-color-gray-0)'} withBorder={false}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="lg" fw={650} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}
