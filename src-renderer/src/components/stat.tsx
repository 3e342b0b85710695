// One summary figure (rows used, bytes sent...) in a quiet tile, with an optional line below.
import { Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Paper p="sm" bg="var(--mantine-color-gray-0)" withBorder={false}>
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
