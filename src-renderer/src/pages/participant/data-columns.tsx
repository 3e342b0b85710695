// The preview's column table: each column's kind (correctable), its values in short, and whether
// it is used, with the reason in plain words when it is left out.
import { ActionIcon, Alert, Badge, Box, Button, Checkbox, Group, Menu, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import type { ColumnProfile } from '../../../../src-main/contract/data';
import type { ColumnKind } from '../../../../src-main/contract/records';
import { COLUMN_KIND_LABELS, ColumnKindBadge } from '../../components/data-preview';
import { formatCount, formatNumber } from '../../components/format';

/** Orange text that stays readable (WCAG AA) on white and on the shaded rows. */
const WARN_TEXT = 'var(--mantine-color-orange-light-color)';

const CHOOSABLE_KINDS: ColumnKind[] = ['numeric', 'categorical', 'boolean', 'identifier'];

export interface Choices {
  kinds: Record<string, ColumnKind>;
  excluded: string[];
  /** Columns that look like they identify patients, used anyway by the owner's explicit choice. */
  included: string[];
}

export const NO_CHOICES: Choices = { kinds: {}, excluded: [], included: [] };

interface EffectiveColumn {
  profile: ColumnProfile;
  kind: ColumnKind;
  changedKind: boolean;
  isTarget: boolean;
  excluded: boolean;
  reason: string | undefined;
  /** Why it looks like it identifies patients (left out unless the owner uses it anyway). */
  likelyIdentifier: string | undefined;
  /** Used although it looks like it identifies patients: the owner chose so. */
  usedAnyway: boolean;
}

export function effectiveColumns(columns: ColumnProfile[], target: string | undefined, choices: Choices): EffectiveColumn[] {
  return columns.map((profile) => {
    const isTarget = profile.name === target;
    const chosen = choices.kinds[profile.name];
    const kind = chosen ?? profile.kind;
    const byUser = choices.excluded.includes(profile.name);
    const likelyIdentifier = !isTarget && kind !== 'identifier' && kind !== 'empty' ? profile.quasiIdentifier : undefined;
    const usedAnyway = likelyIdentifier !== undefined && choices.included.includes(profile.name);
    const excluded = !isTarget && (byUser || kind === 'identifier' || kind === 'empty' || (likelyIdentifier !== undefined && !usedAnyway));
    let reason: string | undefined;
    if (isTarget) reason = 'The target: what the model learns to predict';
    else if (byUser) reason = 'Left out by you';
    else if (likelyIdentifier !== undefined) {
      reason = usedAnyway ? `Used because you chose to, although ${likelyIdentifier}` : `Left out: it may identify patients, because ${likelyIdentifier}`;
    }
    else if (kind === 'identifier') reason = chosen ? 'Left out: you marked it as an identifier' : `Left out: looks like an identifier${profile.note ? ` (${profile.note})` : ''}`;
    else if (kind === 'empty') reason = 'Left out: every value is missing';
    else if (chosen && chosen !== profile.kind) reason = `You set it to ${COLUMN_KIND_LABELS[chosen].toLowerCase()}; the values look ${COLUMN_KIND_LABELS[profile.kind].toLowerCase()}. Checked when you register.`;
    else reason = profile.note;
    return { profile, kind, changedKind: chosen !== undefined && chosen !== profile.kind, isTarget, excluded, reason, likelyIdentifier, usedAnyway };
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

/** What the disclosure rules did to this source, above the table: columns left out as likely identifiers, categories merged. */
export function DisclosureSummary({ columns, minCellCount }: { columns: EffectiveColumn[]; minCellCount: number | undefined }) {
  const identifying = columns.filter((column) => column.likelyIdentifier !== undefined && !column.usedAnyway);
  const merged = columns.filter((column) => column.profile.rareLevels && !column.excluded);
  if (identifying.length === 0 && merged.length === 0) return null;
  const k = minCellCount === undefined ? 'the minimum' : String(minCellCount);
  return (
    <Alert color="orange" variant="light" title="Protecting your patients" aria-label="Protecting your patients">
      <Stack gap={4}>
        {identifying.length > 0 && (
          <Text size="sm">
            Left out because {identifying.length === 1 ? 'it' : 'they'} may identify patients: {identifying.map((column) => column.profile.name).join(', ')}. You can use one anyway from
            its notes below.
          </Text>
        )}
        {merged.length > 0 && (
          <Text size="sm">
            Categories held by fewer than {k} patients are shared only merged into “other”, in {merged.map((column) => column.profile.name).join(', ')}.
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

/** Categories held by too few patients to leave on their own, in plain words. */
export function rareLevelsText(rare: { levels: number; rows: number }, k: number): string {
  const categories = rare.levels === 1 ? '1 category is' : `${formatCount(rare.levels)} categories are`;
  return `${categories} held by fewer than ${k} patients (${formatCount(rare.rows)} row${rare.rows === 1 ? '' : 's'} in all): they are shared only merged into one “other” category.`;
}

export function ColumnTable({
  columns,
  rows,
  minCellCount,
  onKind,
  onUse,
  onUseAnyway,
}: {
  columns: EffectiveColumn[];
  rows: number;
  /** The project's minimum cell count k, once known. */
  minCellCount: number | undefined;
  onKind(name: string, kind: ColumnKind | undefined): void;
  onUse(name: string, use: boolean): void;
  /** Asks to use (true) a column that looks like it identifies patients, or to leave it out again (false). */
  onUseAnyway(name: string, use: boolean): void;
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
            const forced = isTarget || kind === 'identifier' || kind === 'empty' || (column.likelyIdentifier !== undefined && !column.usedAnyway);
            const missingShare = rows > 0 ? profile.missing / rows : 0;
            // Left-out columns are shaded (and their names struck through); their text keeps its contrast.
            const faded = excluded ? { background: 'var(--mantine-color-gray-0)' } : undefined;
            return (
              <Table.Tr key={profile.name} data-excluded={excluded || undefined}>
                <Table.Td style={faded}>
                  <Tooltip
                    label={
                      isTarget
                        ? 'The target is always used: it is what the model learns to predict'
                        : column.likelyIdentifier !== undefined
                          ? 'It may identify patients: choose “Use anyway” in its notes to use it'
                          : 'Identifiers and empty columns are never used for training'
                    }
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
                <Table.Td style={faded}>
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
                <Table.Td style={faded}>
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
                <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap', ...faded }}>
                  {profile.missing === 0 ? (
                    <Text size="xs" c="dimmed">
                      none
                    </Text>
                  ) : (
                    <Text size="xs" c={missingShare > 0.2 ? WARN_TEXT : undefined}>
                      {formatCount(profile.missing)} ({formatNumber(missingShare * 100, 2)}%)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={faded}>
                  <ColumnSummaryText column={column} />
                </Table.Td>
                <Table.Td maw={340} style={faded}>
                  <Stack gap={4} align="flex-start">
                    {column.reason && (
                      <Text size="xs" c={column.changedKind || column.likelyIdentifier !== undefined || (profile.note && !excluded && !isTarget) ? WARN_TEXT : 'gray.7'}>
                        {column.reason}
                      </Text>
                    )}
                    {profile.rareLevels && !excluded && minCellCount !== undefined && (
                      <Text size="xs" c="gray.7" data-rare-levels>
                        {rareLevelsText(profile.rareLevels, minCellCount)}
                      </Text>
                    )}
                    {column.likelyIdentifier !== undefined && (
                      <Button
                        size="compact-xs"
                        variant={column.usedAnyway ? 'subtle' : 'light'}
                        color={column.usedAnyway ? 'gray' : 'orange'}
                        onClick={() => onUseAnyway(profile.name, !column.usedAnyway)}
                        aria-label={column.usedAnyway ? `Leave ${profile.name} out again` : `Use ${profile.name} anyway`}
                      >
                        {column.usedAnyway ? 'Leave out again' : 'Use anyway'}
                      </Button>
                    )}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
