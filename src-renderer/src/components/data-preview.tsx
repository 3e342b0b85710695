// The first rows of a local CSV file, and the kind of each column: what a data owner looks at
// before registering a file or after writing predictions.
import { Badge, Box, Table, Text, Tooltip } from '@mantine/core';
import type { ColumnKind } from '../../../src-main/contract/records';

export const COLUMN_KIND_LABELS: Record<ColumnKind, string> = {
  numeric: 'Numeric',
  categorical: 'Categorical',
  boolean: 'Yes / no',
  identifier: 'Identifier',
  empty: 'Empty',
};

export const COLUMN_KIND_HINTS: Record<ColumnKind, string> = {
  numeric: 'Numbers, such as a measurement or an age',
  categorical: 'A value from a list, such as a ward or a diagnosis code',
  boolean: 'Two values such as yes / no or 0 / 1',
  identifier: 'Identifies a row (patient number, record id): never used for training',
  empty: 'Every value is missing: not used for training',
};

const KIND_COLORS: Record<ColumnKind, string> = {
  numeric: 'blue',
  categorical: 'grape',
  boolean: 'teal',
  identifier: 'gray',
  empty: 'gray',
};

export function ColumnKindBadge({ kind }: { kind: ColumnKind }) {
  return (
    <Tooltip label={COLUMN_KIND_HINTS[kind]} withArrow openDelay={300}>
      <Badge color={KIND_COLORS[kind]} variant="light" radius="sm" style={{ textTransform: 'none' }}>
        {COLUMN_KIND_LABELS[kind]}
      </Badge>
    </Tooltip>
  );
}

/** Rows of a CSV file in a horizontally scrollable table (keyboard-scrollable too). */
export function CsvPreviewTable({
  header,
  rows,
  label,
  mutedColumns,
  emphasisedColumn,
  rowNumbers = true,
}: {
  header: string[];
  rows: string[][];
  /** Names the table and its scroll region for assistive technology. */
  label: string;
  /** Columns shown greyed (left out of training). */
  mutedColumns?: ReadonlySet<string>;
  /** A column shown in bold (the target, a prediction). */
  emphasisedColumn?: string | undefined;
  /** Number the rows (off when the file has its own row column). */
  rowNumbers?: boolean;
}) {
  if (header.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        The file has no columns.
      </Text>
    );
  }
  return (
    <Box
      role="region"
      aria-label={label}
      tabIndex={0}
      style={{ overflowX: 'auto', border: '1px solid var(--mantine-color-default-border)', borderRadius: 'var(--mantine-radius-md)' }}
    >
      <Table striped highlightOnHover={false} aria-label={label} fz="xs" style={{ whiteSpace: 'nowrap' }} horizontalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            {rowNumbers && (
              <Table.Th c="dimmed" style={{ width: 1 }}>
                #
              </Table.Th>
            )}
            {header.map((name) => (
              <Table.Th key={name} c={mutedColumns?.has(name) ? 'dimmed' : undefined} style={{ fontWeight: name === emphasisedColumn ? 800 : undefined }}>
                {name}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={header.length + (rowNumbers ? 1 : 0)}>
                <Text size="sm" c="dimmed">
                  The file has a header but no rows.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {rows.map((row, index) => (
            <Table.Tr key={index}>
              {rowNumbers && (
                <Table.Td c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }}>
                  {index + 1}
                </Table.Td>
              )}
              {header.map((name, column) => {
                const value = row[column] ?? '';
                return (
                  <Table.Td
                    key={name}
                    c={mutedColumns?.has(name) ? 'dimmed' : undefined}
                    title={value.length > 40 ? value : undefined}
                    style={{ maxWidth: 260, overflow: 'hidden', textOverflow: 'ellipsis', fontWeight: name === emphasisedColumn ? 700 : undefined }}
                  >
                    {value === '' ? <Text span c="dimmed" fz="xs">—</Text> : value}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Box>
  );
}
