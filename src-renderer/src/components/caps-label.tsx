// The small capitalised label above a fact or a figure ("TARGET COLUMN", "ε SPENT").
import { Text } from '@mantine/core';

/** Capitals for the Latin letters only: an uppercase σ or ε would read as Σ or E. */
export function CapsLabel({ children }: { children: string }) {
  return (
    <Text size="xs" c="dimmed" tt="uppercase" fw={600} style={{ letterSpacing: 0.4 }}>
      {children.split(/([α-ω]+)/).map((part, index) =>
        /^[α-ω]+$/.test(part) ? (
          <span key={index} style={{ textTransform: 'none' }}>
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </Text>
  );
}
