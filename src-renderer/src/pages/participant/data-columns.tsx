// The preview's column table: each column's kind (correctable), its values in short, and whether
// it is used, with the reason in plain words when it is left out.
import { ActionIcon, Badge, Box, Checkbox, Group, Menu, Table, Text, Tooltip } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import type { ColumnProfile } from '../../../../src-main/contract/data';
import type { ColumnKind } from '../../../../src-main/contract/records';
import { COLUMN_KIND_LABELS, ColumnKindBadge } from '../../components/data-preview';
import { formatCount, formatNumber } from '../../components/format';

const CHOOSABLE_KINDS: ColumnKind[] = ['numeric', 'categorical', 'boolean', 'identifier'];

export interface Choices {
  kinds: Record<string, ColumnKind>;
  excluded: string[];
}

interface EffectiveColumn {
  profile: ColumnProfile;
  kind: ColumnKind;
  changedKind: boolean;
  isTarget: boolean;
  excluded: boolean;
  reason: string | undefined;
}

export function effectiveColumns(columns: ColumnProfile[], target: string | undefined, choices: Choices): EffectiveColumn[] {
  return columns.map((profile) => {
    const isTarget = profile.name === target;
    const chosen = choices.kinds[profile.name];
    const kind = chosen ?? profile.kind;
    const byUser = choices.excluded.includes(profile.name);
    const excluded = !isTarget && (byUser || kind === 'identifier' || kind === 'empty');
    let reason: string | undefined;
    if (isTarget) reason = 'The target: what the model learns to predict';
    else if (byUser) reason = 'Left out by you';
    else if (kind === 'identifier') reason = chosen ? 'Left out: you marked it as an identifier' : `Left out: looks like an identifier${profile.note ? ` (${profile.note})` : ''}`;
    else if (kind === 'empty') reason = 'Left out: every value is missing';
    else if (chosen && chosen !== profile.kind) reason = `You set it to ${COLUMN_KIND_LABELS[chosen].toLowerCase()}; the values look ${COLUMN_KIND_LABELS[profile.kind].toLowerCase()}. Checked when you register.`;
    else reason = profile.note;
    return { profile, kind, changedKind: chosen !== undefined && chosen !== profile.kind, isTarget, excluded, reason };
  });
}

function topLevels(levels: Record<string, number>, shown = 3): string {
  const sorted = Object.entries(levels).sort((a, b) => b[1] - a[1]);
  const text = sorted
    .slice(0, shown)
    .map(([level, count]) => `${level} (${formatCount(count)})`)
    .join(', ');
  return sorted.length > shown ? `${text}, +${sorted.length - shown} more` : text;
}

function ColumnSummaryText({ column }: { column: EffectiveColumn }) {
  const { profile, kind } = column;
  if (kind === 'empty') return <Text size="xs" c="dimmed">No values</Text>;
  if (kind === 'identifier') return <Text size="xs" c="dimmed">{formatCount(profile.distinct)}{profile.levelsTruncated ? '+' : ''} distinct values</Text>;
  if (kind === 'numeric' && profile.numeric) {
    const { min, max, mean, std } = profile.numeric;
    return (
      <Text size="xs" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
        {formatNumber(min)} to {formatNumber(max)} · mean {formatNumber(mean)} ± {formatNumber(std)}
      </Text>
    );
  }
  if (profile.levels && (kind === 'categorical' || kind === 'boolean' || column.isTarget)) {
    return (
      <Text size="xs">
        {topLevels(profile.levels)}
        {profile.levelsTruncated ? ' …' : ''}
      </Text>
    );
  }
  return (
    <Text size="xs" c="dimmed">
      {formatCount(profile.distinct)} distinct values · summary after registering
    </Text>
  );
}

export function ColumnTable({
  columns,
  rows,
  onKind,
  onUse,
}: {
  columns: EffectiveColumn[];
  rows: number;
  onKind(name: string, kind: ColumnKind | undefined): void;
  onUse(name: string, use: boolean): void;
}) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table withTableBorder aria-label="Column summary" verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th style={{ width: 1 }}>Use</Table.Th>
            <Table.Th>Column</Table.Th>
            <Table.Th style={{ width: 150 }}>Kind</Table.Th>
            <Table.Th style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>Missing</Table.Th>
            <Table.Th>Values</Table.Th>
            <Table.Th>Notes</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {columns.map((column) => {
            const { profile, kind, isTarget, excluded } = column;
            const forced = isTarget || kind === 'identifier' || kind === 'empty';
            const missingShare = rows > 0 ? profile.missing / rows : 0;
            return (
              <Table.Tr key={profile.name} style={{ opacity: excluded ? 0.6 : 1 }} data-excluded={excluded || undefined}>
                <Table.Td>
                  <Tooltip
                    label={isTarget ? 'The target is always used: it is what the model learns to predict' : 'Identifiers and empty columns are never used for training'}
                    disabled={!forced}
                    withArrow
                  >
                    <span>
                      <Checkbox
                        aria-label={`Use ${profile.name} for training`}
                        checked={!excluded}
                        disabled={forced}
                        onChange={(event) => onUse(profile.name, event.currentTarget.checked)}
                      />
                    </span>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={isTarget ? 700 : 500} td={excluded ? 'line-through' : undefined}>
                      {profile.name}
                    </Text>
                    {isTarget && (
                      <Badge size="xs" variant="filled" style={{ textTransform: 'none' }}>
                        target
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Box style={{ flexShrink: 0 }}>
                      <ColumnKindBadge kind={kind} />
                    </Box>
                    {!isTarget && profile.kind !== 'empty' && (
                      <Menu position="bottom-start" withinPortal>
                        <Menu.Target>
                          <ActionIcon variant="subtle" size="sm" color="gray" aria-label={`Change the kind of ${profile.name}`}>
                            <IconPencil size={14} />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Label>Treat “{profile.name}” as</Menu.Label>
                          {CHOOSABLE_KINDS.map((choice) => (
                            <Menu.Item
                              key={choice}
                              onClick={() => onKind(profile.name, choice === profile.kind ? undefined : choice)}
                              rightSection={choice === profile.kind ? <Text size="xs" c="dimmed">detected</Text> : undefined}
                              fw={choice === kind ? 700 : undefined}
                            >
                              {COLUMN_KIND_LABELS[choice]}
                            </Menu.Item>
                          ))}
                        </Menu.Dropdown>
                      </Menu>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                  {profile.missing === 0 ? (
                    <Text size="xs" c="dimmed">
                      none
                    </Text>
                  ) : (
                    <Text size="xs" c={missingShare > 0.2 ? 'orange.8' : undefined}>
                      {formatCount(profile.missing)} ({formatNumber(missingShare * 100, 2)}%)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <ColumnSummaryText column={column} />
                </Table.Td>
                <Table.Td maw={320}>
                  {column.reason && (
                    <Text size="xs" c={column.changedKind || (profile.note && !excluded && !isTarget) ? 'orange.8' : 'dimmed'}>
                      {column.reason}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
