// The description of this hospital's data that was sent for aligning features, column by column,
// in plain words: what of each column left (its name and kind only, its category names, or the
// count, sum and spread of its values), as the security log recorded it.
import { Table, Text } from '@mantine/core';
import type { ApiTypes } from '../../../../src-main/contract/api';
import { formatCount } from '../../components/format';

type Declaration = NonNullable<ApiTypes['SharedSummary']['declaration']>;
type Column = Declaration['columns'][number];

const USE: Record<Column['use'], string> = {
  feature: 'Used for training',
  target: 'The target',
  'left out': 'Left out',
  'no values': 'Too few values to describe',
};

/** What of a column left this computer, in words. */
export function whatLeft(column: Column): string {
  const parts: string[] = [];
  if (column.use === 'left out' || column.use === 'no values') return 'Only its name and kind';
  if (column.sums) parts.push(`the count, sum and spread of its ${formatCount(column.count)} values`);
  if (column.labelCounts) {
    parts.push(`how many rows hold each label: ${Object.entries(column.labelCounts).map(([label, count]) => `${label} ${formatCount(count)}`).join(', ')}`);
  } else if (column.levels) {
    parts.push(`its category names: ${column.levels.join(', ')}`);
  }
  if (parts.length === 0) parts.push(`its name, kind and how many values it has (${formatCount(column.count)})`);
  return parts.join('; ');
}

export function DeclarationTable({ declaration }: { declaration: Declaration }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table withTableBorder aria-label="What was sent about each column">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Column</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Use</Table.Th>
            <Table.Th>What was sent</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Missing</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {declaration.columns.map((column) => (
            <Table.Tr key={column.name}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {column.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{column.kind}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{USE[column.use]}</Text>
              </Table.Td>
              <Table.Td maw={420}>
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {whatLeft(column)}
                </Text>
              </Table.Td>
              <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
                <Text size="sm">{column.use === 'left out' ? '–' : formatCount(column.missing)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
