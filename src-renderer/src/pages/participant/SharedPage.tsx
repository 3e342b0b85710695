// What was shared: per project, everything this hospital's computer sent to the orchestrator,
// read back from its own security log and said in plain words: the description of the data
// (column names, kinds, category names, counts), and for each run its messages and bytes.
import { Alert, Card, Code, Stack, Table, Text, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { Project } from '../../../../src-main/contract/records';
import { useQuery } from '../../api/react';
import { TAG_KIND_LABELS } from '../../components/describe';
import { formatBytes, formatCount, formatDate } from '../../components/format';
import { PageHeader } from '../../components/page';
import { EmptyState, QueryView } from '../../components/states';
import { DeclarationTable } from './shared-declaration';
import { ProjectSelect, useProjectChoice } from './project-choice';

function RunsTable({ runs }: { runs: ApiTypes['SharedSummary']['runs'] }) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table withTableBorder aria-label="What each run sent">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Run</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Messages</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Bytes sent</Table.Th>
            <Table.Th>Model updates</Table.Th>
            <Table.Th>Evaluation results</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <Table.Tr key={run.run}>
              <Table.Td>
                <Code>{run.run}</Code>
                {run.preparation && (
                  <Text size="xs" c="gray.7">
                    {formatCount(run.preparation.trainRows)} training rows, {formatCount(run.preparation.evaluateRows)} evaluation rows (counts only)
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDate(run.firstAt)}</Text>
                {run.lastAt !== run.firstAt && <Text size="xs" c="gray.7">to {formatDate(run.lastAt)}</Text>}
              </Table.Td>
              <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatCount(run.messages)}</Table.Td>
              <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatBytes(run.bytes)}</Table.Td>
              <Table.Td>
                <Text size="sm">{run.updates === 0 ? 'None' : `${formatCount(run.updates)}${run.protection ? `, ${run.protection}` : ''}`}</Text>
                {run.validationLosses !== undefined && (
                  <Text size="xs" c="gray.7">
                    {formatCount(run.validationLosses)} with the received model's loss on your validation rows (one number each, for early stopping)
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{run.evaluations === 0 ? 'None' : formatCount(run.evaluations)}</Text>
                {run.withheld.length > 0 && <Text size="xs" c="gray.7">Held back (too few patients): {run.withheld.join(', ')}</Text>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ProjectShared({ project }: { project: Project }) {
  const shared = useQuery('shared.summary', { projectId: project.id }, ['security']);
  return (
    <QueryView state={shared}>
      {(summary) => (
        <Stack gap="lg">
          <Alert color="cohort" variant="light" icon={<IconLock size={18} />} title="No row of your data was sent">
            Read from this computer’s security log: in all, {formatCount(summary.messages)} message{summary.messages === 1 ? '' : 's'} ({formatBytes(summary.bytes)}) went to the
            orchestrator for the runs of {project.name}.
          </Alert>
          <Card component="section" aria-labelledby="shared-data-title">
            <Stack gap="sm">
              <Title order={3} size="h4" id="shared-data-title">
                About your data
              </Title>
              {summary.tags ? (
                <Text size="sm">
                  The orchestrator was told what you registered ({formatDate(summary.tags.at)}):{' '}
                  {summary.tags.tags.map((tag) => `${TAG_KIND_LABELS[tag.kind as keyof typeof TAG_KIND_LABELS] ?? tag.kind}, ${formatCount(tag.rows)} rows and ${tag.columns} columns`).join('; ')}.
                </Text>
              ) : (
                <Text size="sm">Nothing about your registered data was sent yet.</Text>
              )}
              {summary.declaration ? (
                <>
                  <Text size="sm">
                    To agree on common features, this computer described its {formatCount(summary.declaration.rows)} rows
                    {summary.declarations > 1 ? ` (${summary.declarations} times; the last on ${formatDate(summary.declaration.at)})` : ` on ${formatDate(summary.declaration.at)}`}: the
                    columns below, and only what the last column says of each.
                  </Text>
                  <DeclarationTable declaration={summary.declaration} />
                </>
              ) : (
                <Text size="sm">No description of your data was sent for a run yet.</Text>
              )}
            </Stack>
          </Card>
          <Card component="section" aria-labelledby="shared-runs-title">
            <Stack gap="sm">
              <Title order={3} size="h4" id="shared-runs-title">
                Runs
              </Title>
              {summary.runs.length === 0 ? <Text size="sm">No run has sent anything yet.</Text> : <RunsTable runs={summary.runs} />}
            </Stack>
          </Card>
        </Stack>
      )}
    </QueryView>
  );
}

export function SharedPage() {
  const { memberships, options, selected, choose } = useProjectChoice();
  return (
    <>
      <PageHeader
        title="What was shared"
        description="For each project, exactly what this computer sent to the orchestrator: the description of your data and, for each run, its messages and their size."
      />
      <QueryView
        state={memberships}
        isEmpty={() => options.length === 0}
        empty={
          <Card>
            <EmptyState title="Nothing shared yet" description="Once you join a collaboration and take part in its runs, what was sent for each project appears here." icon={<IconLock size={26} />} />
          </Card>
        }
      >
        {(list) => (
          <Stack gap="xl">
            <Card>
              <ProjectSelect views={list} selectedId={selected ? selected.project.id : null} onChange={choose} />
            </Card>
            {selected ? <ProjectShared key={selected.project.id} project={selected.project} /> : <Text size="sm">Choose a project to see what was shared for it.</Text>}
          </Stack>
        )}
      </QueryView>
    </>
  );
}
