// The data a hospital registered for a project: one source per kind (train, evaluate, predict),
// what the orchestrator learns of each, and removing one.
import { ActionIcon, Badge, Card, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDatabase, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { DataTag, Project, TagKind } from '../../../../src-main/contract/records';
import { useAction, type QueryState } from '../../api/react';
import { ConfirmModal } from '../../components/confirm-modal';
import { TAG_KIND_LABELS } from '../../components/describe';
import { formatCount, formatDate } from '../../components/format';
import { EmptyState, ErrorAlert, LoadingBlock } from '../../components/states';
import { sourceLabel, tagLabel, type ConnectionView } from './data-sources';

/** A path that may wrap after each separator (long folder names stay whole). */
function breakablePath(path: string) {
  const parts = path.split(/(?<=[/\\])/);
  return parts.map((part, index) => (
    <span key={index}>
      {part}
      <wbr />
    </span>
  ));
}


export const KIND_COLORS: Record<TagKind, string> = { train: 'cohort', evaluate: 'indigo', predict: 'orange' };

export function RegisteredData({ project, tags, connections }: { project: Project; tags: QueryState<DataTag[]>; connections: readonly ConnectionView[] }) {
  const remove = useAction('tags.delete');
  const [removing, setRemoving] = useState<DataTag | undefined>();

  return (
    <Card component="section" aria-labelledby="registered-title">
      <Stack gap="md">
        <div>
          <Title order={3} size="h4" id="registered-title">
            Registered for {project.name}
          </Title>
          <Text size="sm" c="dimmed">
            One source per kind: a file or a database query. The orchestrator sees its column names, kinds and number of rows, never its path, its query or its values.
          </Text>
        </div>
        {tags.error ? (
          <ErrorAlert error={tags.error} onRetry={tags.reload} title="Could not list your registered files" />
        ) : tags.data === undefined ? (
          <LoadingBlock rows={2} />
        ) : tags.data.length === 0 ? (
          <EmptyState
            title="No data registered for this project yet"
            description="Register a training file below so this hospital can take part in training runs. An evaluation file lets you see how well models work on your patients."
            icon={<IconDatabase size={26} />}
          />
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table withTableBorder aria-label={`Files registered for ${project.name}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Source</Table.Th>
                  <Table.Th style={{ textAlign: 'right' }}>Rows</Table.Th>
                  <Table.Th style={{ textAlign: 'right' }}>Columns</Table.Th>
                  <Table.Th>Registered</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...tags.data]
                  .sort((a, b) => ['train', 'evaluate', 'predict'].indexOf(a.kind) - ['train', 'evaluate', 'predict'].indexOf(b.kind))
                  .map((tag) => {
                    const excluded = tag.columns.filter((column) => column.excluded).length;
                    return (
                      <Table.Tr key={tag.id}>
                        <Table.Td>
                          <Badge color={KIND_COLORS[tag.kind]} variant="light" style={{ textTransform: 'none' }}>
                            {TAG_KIND_LABELS[tag.kind]}
                          </Badge>
                        </Table.Td>
                        <Table.Td maw={420}>
                          <Text size="sm" fw={600}>
                            {sourceLabel(tag.source, connections).title}
                          </Text>
                          <Text size="xs" c="dimmed" title={sourceLabel(tag.source, connections).detail}>
                            {breakablePath(sourceLabel(tag.source, connections).detail)}
                          </Text>
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatCount(tag.rows)}</Table.Td>
                        <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
                          {tag.columns.length}
                          {excluded > 0 && (
                            <Text span size="xs" c="dimmed">
                              {' '}
                              ({excluded} left out)
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{formatDate(tag.updatedAt)}</Text>
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right' }}>
                          <Tooltip label="Remove this registration" withArrow>
                            <ActionIcon variant="subtle" color="red" aria-label={`Remove the ${TAG_KIND_LABELS[tag.kind].toLowerCase()} registration`} onClick={() => setRemoving(tag)}>
                              <IconTrash size={16} />
                            </ActionIcon>
                          </Tooltip>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {remove.error && <ErrorAlert error={remove.error} title="Could not remove the registration" />}
      </Stack>
      <ConfirmModal
        opened={removing !== undefined}
        title={`Remove the ${removing ? TAG_KIND_LABELS[removing.kind].toLowerCase() : 'data'}?`}
        confirmLabel="Remove"
        loading={remove.pending}
        onClose={() => setRemoving(undefined)}
        onConfirm={async () => {
          if (!removing) return;
          const done = await remove.run({ id: removing.id });
          setRemoving(undefined);
          if (done) {
            notifications.show({ color: 'green', title: 'Registration removed', message: `${tagLabel(removing, connections)} is no longer offered to ${project.name}.` });
            tags.reload();
          }
        }}
      >
        Runs that start from now on will not use <b>{removing ? tagLabel(removing, connections) : ''}</b>, and the orchestrator is told this hospital no longer offers it. The
        data itself stays where it is, untouched.
      </ConfirmModal>
    </Card>
  );
}
