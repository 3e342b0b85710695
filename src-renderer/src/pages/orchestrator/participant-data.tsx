// What a participant told the orchestrator about its data: per project, each declared tag's
// kind, rows and columns (names and kinds only: no values ever reach the orchestrator).
import { Anchor, Badge, Button, Group, Modal, ScrollArea, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconColumns, IconKey, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { DeclaredTagSummary, Project, Registration } from '../../../../src-main/contract/records';
import { OnlineBadge } from '../../components/badges';
import { formatCount, formatDate } from '../../components/format';

type ColumnKind = DeclaredTagSummary['columns'][number]['kind'];

const TAG_COLORS: Record<DeclaredTagSummary['kind'], string> = { train: 'cohort', evaluate: 'blue', predict: 'grape' };
const TAG_LABELS: Record<DeclaredTagSummary['kind'], string> = { train: 'Training', evaluate: 'Evaluation', predict: 'Prediction' };
const KIND_COLORS: Record<ColumnKind, string> = { numeric: 'blue', categorical: 'grape', boolean: 'teal', identifier: 'gray', empty: 'gray' };

export function TagKindBadge({ kind }: { kind: DeclaredTagSummary['kind'] }) {
  return (
    <Badge variant="light" color={TAG_COLORS[kind]} size="sm" radius="sm" w={92}>
      {TAG_LABELS[kind]}
    </Badge>
  );
}

function kindCounts(columns: DeclaredTagSummary['columns']): string {
  const counts = new Map<ColumnKind, number>();
  for (const column of columns) counts.set(column.kind, (counts.get(column.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
}

function ColumnsModal({ opened, onClose, title, tag, targetColumn }: { opened: boolean; onClose(): void; title: string; tag: DeclaredTagSummary; targetColumn?: string | undefined }) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = tag.columns.filter((column) => !needle || column.name.toLowerCase().includes(needle) || column.kind.includes(needle));
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {formatCount(tag.rows)} rows, {tag.columns.length} columns ({kindCounts(tag.columns)}). Declared {formatDate(tag.declaredAt)}. Only the column names and kinds
          are shared with the orchestrator, never the values.
        </Text>
        {tag.columns.length > 8 && (
          <TextInput
            aria-label="Filter columns"
            placeholder="Filter columns"
            leftSection={<IconSearch size={16} />}
            value={filter}
            onChange={(event) => setFilter(event.currentTarget.value)}
            data-autofocus
          />
        )}
        <ScrollArea.Autosize mah={420} type="auto">
          <Table aria-label="Declared columns" stickyHeader highlightOnHover={false}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Column</Table.Th>
                <Table.Th>Kind</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((column) => (
                <Table.Tr key={column.name}>
                  <Table.Td ff="monospace" fz="sm">
                    {column.name}
                    {column.name === targetColumn && (
                      <Badge ml="xs" size="xs" variant="outline">
                        target
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={KIND_COLORS[column.kind]} size="sm" radius="sm">
                      {column.kind}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
              {shown.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={2}>
                    <Text size="sm" c="dimmed">
                      No column matches “{filter}”.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      </Stack>
    </Modal>
  );
}

/** One declared tag on one line: kind, rows, columns, and a button showing the columns. */
export function DeclaredTag({ tag, owner, project }: { tag: DeclaredTagSummary; owner: string; project?: Project | undefined }) {
  const [opened, { open, close }] = useDisclosure(false);
  const label = `${owner} · ${project?.name ?? 'project'} · ${TAG_LABELS[tag.kind].toLowerCase()} data`;
  return (
    <Group gap="xs" wrap="nowrap">
      <TagKindBadge kind={tag.kind} />
      <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
        {formatCount(tag.rows)} rows · {tag.columns.length} columns
      </Text>
      <Button variant="subtle" size="compact-xs" leftSection={<IconColumns size={14} />} onClick={open} aria-label={`Show the columns of ${label}`}>
        Columns
      </Button>
      <ColumnsModal opened={opened} onClose={close} title={`Columns: ${label}`} tag={tag} targetColumn={project?.targetColumn} />
    </Group>
  );
}

/** A participant's registrations, one block per project, with the tags it declared there. */
export function RegistrationsData({
  registrations,
  projects,
  owner,
  showProject = true,
}: {
  registrations: Registration[];
  projects: Map<string, Project>;
  owner: string;
  showProject?: boolean;
}) {
  if (registrations.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Not registered in a project yet
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      {registrations.map((registration) => {
        const project = projects.get(registration.projectId);
        const order = { train: 0, evaluate: 1, predict: 2 };
        const tags = [...registration.declaredTags].sort((a, b) => order[a.kind] - order[b.kind]);
        return (
          <Stack key={registration.id} gap={4}>
            {showProject && (
              <Anchor component={Link} to={`/projects/${encodeURIComponent(registration.projectId)}`} size="sm" fw={600}>
                {project?.name ?? registration.projectId}
              </Anchor>
            )}
            {tags.length === 0 ? (
              <Text size="sm" c="dimmed">
                No data declared yet
              </Text>
            ) : (
              tags.map((tag, index) => <DeclaredTag key={`${tag.kind}-${index}`} tag={tag} owner={owner} project={project} />)
            )}
          </Stack>
        );
      })}
    </Stack>
  );
}

/** Declared data of a project, summed over the hospitals registered in it. */
export function projectData(views: ApiTypes['ParticipantView'][] | undefined, projectId: string) {
  if (!views) return undefined;
  let registered = 0;
  let withTraining = 0;
  let online = 0;
  let trainRows = 0;
  let evaluateRows = 0;
  const columns = new Set<string>();
  for (const view of views) {
    const registration = view.registrations.find((candidate) => candidate.projectId === projectId);
    if (!registration) continue;
    registered += 1;
    if (view.online) online += 1;
    const train = registration.declaredTags.filter((tag) => tag.kind === 'train');
    if (train.length > 0) withTraining += 1;
    for (const tag of train) {
      trainRows += tag.rows;
      for (const column of tag.columns) columns.add(column.name);
    }
    for (const tag of registration.declaredTags) if (tag.kind === 'evaluate') evaluateRows += tag.rows;
  }
  return { registered, withTraining, online, trainRows, evaluateRows, columns };
}

/** Online, offline, or cut off by the orchestrator (with why, on hover and for screen readers). */
export function ParticipantStatus({ view }: { view: ApiTypes['ParticipantView'] }) {
  const { revokedAt, revokedReason } = view.participant;
  if (revokedAt) {
    const why = `Access revoked ${formatDate(revokedAt)}${revokedReason ? `: ${revokedReason}` : ''}`;
    return (
      <Tooltip label={why} withArrow multiline maw={320}>
        <Badge color="red" variant="light" tabIndex={0} aria-label={why}>
          Revoked
        </Badge>
      </Tooltip>
    );
  }
  return <OnlineBadge online={view.online} />;
}

/** Who a participant is: name, id (if it differs), and the fingerprint of the key it joined with. */
export function ParticipantIdentity({ view, showOrganisation = false }: { view: ApiTypes['ParticipantView']; showOrganisation?: boolean }) {
  const { participant } = view;
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>
        {participant.displayName}
      </Text>
      {participant.id !== participant.displayName && (
        <Text size="xs" c="dimmed" ff="monospace">
          {participant.id}
        </Text>
      )}
      {showOrganisation && participant.organisation && (
        <Text size="xs" c="dimmed">
          {participant.organisation}
        </Text>
      )}
      {participant.contact && (
        <Text size="xs" c="dimmed">
          {participant.contact}
        </Text>
      )}
      {view.keyFingerprint && (
        <Tooltip label="The fingerprint of the identity key it joined with. To be sure who joined, compare it with the one their Cohort app shows." withArrow multiline maw={300}>
          <Group gap={4} wrap="nowrap" tabIndex={0} aria-label={`Key fingerprint ${view.keyFingerprint}`} w="fit-content">
            <IconKey size={12} style={{ flexShrink: 0, color: 'var(--mantine-color-dimmed)' }} aria-hidden />
            <Text size="xs" c="dimmed" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
              {view.keyFingerprint}
            </Text>
          </Group>
        </Tooltip>
      )}
    </Stack>
  );
}
