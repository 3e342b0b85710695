// My data: the files and database queries this hospital registers for a project. Each is previewed and checked on
// this computer first (first rows, a summary of every column); the person can correct a
// column's kind or leave a column out, then registers it. Rows are never shared: only what the
// owner's rules allow (names, kinds, categories and counts over at least k patients).
import { Alert, Button, Card, Code, Group, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconDatabase } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { Project } from '../../../../src-main/contract/records';
import { useQuery } from '../../api/react';
import { PageHeader } from '../../components/page';
import { EmptyState, ErrorAlert, LoadingBlock } from '../../components/states';
import { ConnectionsCard } from './data-sources';
import { RegisteredData } from './registered-data';
import { RegisterFile } from './register-data';
import { ProjectSelect, useProjectChoice } from './project-choice';

// ---------------------------------------------------------------------------------------------
// The page

function ProjectData({ project }: { project: Project }) {
  const tags = useQuery('tags.list', { projectId: project.id }, ['tags']);
  const connections = useQuery('connections.list', {}, ['connections']);
  return (
    <>
      <RegisteredData project={project} tags={tags} connections={connections.data ?? []} />
      <RegisterFile project={project} existing={tags.data} connections={connections.data ?? []} onRegistered={tags.reload} />
      <ConnectionsCard />
    </>
  );
}

export function DataPage() {
  const { memberships, options, wanted, selected, choose } = useProjectChoice();

  let body;
  if (memberships.error) body = <ErrorAlert error={memberships.error} onRetry={memberships.reload} title="Could not list your collaborations" />;
  else if (memberships.data === undefined) body = <LoadingBlock />;
  else if (options.length === 0) {
    body = (
      <Card>
        <EmptyState
          title={memberships.data.length === 0 ? 'Join a collaboration first' : 'No project to register data for yet'}
          description={
            memberships.data.length === 0
              ? 'Data is registered for a project of a collaboration. Join one with the invitation code you received.'
              : 'The orchestrator has not set up a project yet. Projects appear here as soon as it does.'
          }
          icon={<IconDatabase size={26} />}
          action={
            memberships.data.length === 0 ? (
              <Button component={Link} to="/memberships">
                Join a collaboration
              </Button>
            ) : undefined
          }
        />
      </Card>
    );
  } else {
    body = (
      <Stack gap="xl">
        <Card>
          <Stack gap="sm">
            <ProjectSelect views={memberships.data ?? []} selectedId={selected ? selected.project.id : null} onChange={choose} />
            {selected && (
              <Group gap="xl">
                <Text size="sm">
                  <Text span c="dimmed">
                    Collaboration{' '}
                  </Text>
                  {selected.collaboration.name}
                </Text>
                <Text size="sm">
                  <Text span c="dimmed">
                    Predicts{' '}
                  </Text>
                  <Code>{selected.project.targetColumn}</Code>
                </Text>
                <Text size="sm">
                  <Text span c="dimmed">
                    Task{' '}
                  </Text>
                  {selected.project.task === 'classify' ? 'Classification' : 'Regression'}
                  {selected.project.positiveClass ? ` (positive class “${selected.project.positiveClass}”)` : ''}
                </Text>
              </Group>
            )}
          </Stack>
        </Card>
        {wanted && !selected && (
          <Alert color="orange" variant="light" title="Project not found">
            “{wanted}” is not a project of a collaboration you joined. Choose one above.
          </Alert>
        )}
        {selected ? (
          <ProjectData key={selected.project.id} project={selected.project} />
        ) : (
          !wanted && (
            <Group gap="sm" c="dimmed">
              <ThemeIcon variant="light" radius="xl">
                <IconDatabase size={16} />
              </ThemeIcon>
              <Text size="sm">Choose a project to see and register its data.</Text>
            </Group>
          )
        )}
      </Stack>
    );
  }

  return (
    <>
      <PageHeader
        title="My data"
        description="The data this hospital contributes to each project: files, or queries on its own databases. The data stays here: the orchestrator only learns column names, column kinds and numbers of rows."
      />
      {body}
    </>
  );
}
