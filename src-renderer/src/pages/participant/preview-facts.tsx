// The preview's facts in one line: the source, its rows, its columns (and how many are left out), the target.
import { Code, Group, Text } from '@mantine/core';
import { formatCount } from '../../components/format';

export function PreviewFacts({ sourceName, rows, columns, leftOut, target }: { sourceName: string; rows: number; columns: number; leftOut: number; target: string | undefined }) {
  return (
    <Group gap="xl">
      <Text size="sm">
        <Text span c="dimmed">
          Source{' '}
        </Text>
        <Text span fw={600}>
          {sourceName}
        </Text>
      </Text>
      <Text size="sm">
        <Text span c="dimmed">
          Rows{' '}
        </Text>
        <Text span fw={600}>
          {formatCount(rows)}
        </Text>
      </Text>
      <Text size="sm">
        <Text span c="dimmed">
          Columns{' '}
        </Text>
        <Text span fw={600}>
          {columns}
        </Text>
        {leftOut > 0 && (
          <Text span c="dimmed">
            {' '}
            ({leftOut} left out)
          </Text>
        )}
      </Text>
      {target && (
        <Text size="sm">
          <Text span c="dimmed">
            Target{' '}
          </Text>
          <Code>{target}</Code>
        </Text>
      )}
    </Group>
  );
}
