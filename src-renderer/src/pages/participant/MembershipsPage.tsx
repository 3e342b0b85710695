// Collaborations: join one with an invitation code (decoded here first, so the person sees
// what they are joining), and the ones joined, with their projects.
import { Alert, Badge, Button, Card, Code, Group, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconCircleCheck, IconDatabasePlus, IconPlugConnectedX, IconAffiliate } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { DataTag, Project } from '../../../../src-main/contract/records';
import { useQuery } from '../../api/react';
import { TAG_KIND_LABELS } from '../../components/describe';
import { formatDate } from '../../components/format';
import { PageHeader } from '../../components/page';
import { EmptyState, QueryView } from '../../components/states';
import { JoinCard, sentence } from './join-card';
import { ProjectRulesCell } from './owner-rules';
import { ConnectionRoute } from './proxy-settings';

function taskText(project: Project): string {
  if (project.task === 'regress') return 'Regression (predicts a number)';
  return project.positiveClass ? `Classification · positive class “${project.positiveClass}”` : 'Classification';
}

function ConnectionBadge({ connected }: { connected: boolean }) {
  return (
    <Tooltip
      label={connected ? 'Connected to the orchestrator: training requests can reach you.' : 'Not connected. Cohort keeps trying to reconnect while this app is open.'}
      withArrow
      multiline
      w={260}
    >
      <Badge color={connected ? 'green' : 'gray'} variant="dot" size="lg" tabIndex={0}>
        {connected ? 'Connected' : 'Offline'}
      </Badge>
    </Tooltip>
  );
}

function MembershipCard({ view, tags, onChanged }: { view: ApiTypes['MembershipView']; tags: DataTag[] | undefined; onChanged(): void }) {
  const { membership, collaboration, projects, connected } = view;
  return (
    <Card component="article" aria-label={collaboration.name}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={4}>
            <Title order={3} size="h4">
              {collaboration.name}
            </Title>
            {collaboration.description && (
              <Text size="sm" c="dimmed">
                {collaboration.description}
              </Text>
            )}
          </Stack>
          <ConnectionBadge connected={connected} />
        </Group>
        <Group gap="xl" wrap="wrap" style={{ rowGap: 6 }}>
          <Text size="sm">
            <Text span c="dimmed">
              Orchestrator{' '}
            </Text>
            <Code>{membership.hubUrl}</Code>
          </Text>
          <Text size="sm">
            <Text span c="dimmed">
              You are{' '}
            </Text>
            <Code>{membership.partyId}</Code>
          </Text>
          <Text size="sm">
            <Text span c="dimmed">
              Joined{' '}
            </Text>
            {formatDate(membership.createdAt)}
          </Text>
          {view.hubKeyFingerprint && (
            <Tooltip label="The orchestrator’s identity key: Cohort refuses any other. It matches the one in your invitation." withArrow multiline w={280}>
              <Text size="sm" tabIndex={0}>
                <Text span c="dimmed">
                  Orchestrator’s identity{' '}
                </Text>
                <Code>{view.hubKeyFingerprint}</Code>
              </Text>
            </Tooltip>
          )}
        </Group>
        <ConnectionRoute view={view} onChanged={onChanged} />
        {!connected && view.problem && (
          <Alert color="orange" variant="light" icon={<IconPlugConnectedX size={18} />} title="Not connected to the orchestrator" py="xs">
            <Text size="sm">{sentence(view.problem)}.</Text>
            <Text size="xs" c="dimmed">
              Training requests cannot reach this hospital until the connection is back. Cohort keeps trying while this app is open.
            </Text>
          </Alert>
        )}

        {projects.length === 0 ? (
          <Text size="sm" c="dimmed">
            The orchestrator has not set up a project yet. Projects appear here when it does; you can then register data for them.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={860}>
            <Table withTableBorder aria-label={`Projects of ${collaboration.name}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Project</Table.Th>
                  <Table.Th>Predicts</Table.Th>
                  <Table.Th>Task</Table.Th>
                  <Table.Th>Your data</Table.Th>
                  <Table.Th>Your rules</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {projects.map((project) => {
                  const registered = (tags ?? []).filter((tag) => tag.projectId === project.id);
                  return (
                    <Table.Tr key={project.id}>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {project.name}
                        </Text>
                        {project.description && (
                          <Text size="xs" c="dimmed">
                            {project.description}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Code>{project.targetColumn}</Code>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{taskText(project)}</Text>
                      </Table.Td>
                      <Table.Td>
                        {tags === undefined ? (
                          <Text size="sm" c="dimmed">
                            …
                          </Text>
                        ) : registered.length === 0 ? (
                          <Text size="sm" c="dimmed">
                            None yet
                          </Text>
                        ) : (
                          <Group gap={4}>
                            {registered.map((tag) => (
                              <Badge key={tag.id} variant="light" color="green" leftSection={<IconCircleCheck size={12} />} style={{ textTransform: 'none' }}>
                                {TAG_KIND_LABELS[tag.kind]}
                              </Badge>
                            ))}
                          </Group>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <ProjectRulesCell project={project} />
                      </Table.Td>
                      <Table.Td style={{ textAlign: 'right' }}>
                        <Button
                          component={Link}
                          to={`/data?project=${encodeURIComponent(project.id)}`}
                          size="xs"
                          variant={registered.length === 0 ? 'filled' : 'light'}
                          leftSection={<IconDatabasePlus size={14} />}
                          aria-label={`Register data for ${project.name}`}
                        >
                          {registered.length === 0 ? 'Register data' : 'Manage data'}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}

export function MembershipsPage() {
  const info = useQuery('app.info', {}, ['memberships']);
  const memberships = useQuery('memberships.list', {}, ['memberships']);
  const tags = useQuery('tags.list', {}, ['tags', 'memberships']);

  return (
    <>
      <PageHeader
        title="Collaborations"
        description="The collaborations this hospital takes part in. Your patient data stays on this computer: the orchestrator only coordinates training and receives model updates and summary figures."
      />
      <Stack gap="xl">
        <JoinCard
          party={info.error ? null : info.data?.party}
          memberships={memberships.data}
          onJoined={() => {
            memberships.reload();
            info.reload();
            tags.reload();
          }}
        />
        <Stack gap="md" component="section" aria-labelledby="joined-title">
          <Title order={3} size="h4" id="joined-title">
            Your collaborations
          </Title>
          <QueryView
            state={memberships}
            isEmpty={(list) => list.length === 0}
            empty={
              <Card>
                <EmptyState
                  title="You have not joined a collaboration yet"
                  description="Paste the invitation code you received from the orchestrator above. Once you have joined, its projects appear here."
                  icon={<IconAffiliate size={26} />}
                />
              </Card>
            }
          >
            {(list) => (
              <Stack gap="md">
                {list.map((view) => (
                  <MembershipCard key={view.membership.id} view={view} tags={tags.data} onChanged={memberships.reload} />
                ))}
              </Stack>
            )}
          </QueryView>
        </Stack>
      </Stack>
    </>
  );
}
