// The orchestrator's home: every collaboration, and the way to start a new one.
import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAffiliate, IconFolder, IconPlus, IconUsers } from '@tabler/icons-react';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { Collaboration, Project } from '../../../../src-main/contract/records';
import { useQuery } from '../../api/react';
import { formatDate } from '../../components/format';
import { PageHeader } from '../../components/page';
import { EmptyState, QueryView } from '../../components/states';
import { CollaborationFormModal } from './collaboration-form';
import classes from './orchestrator.module.css';
import { notifySaved } from './shared';

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

function CollaborationCard({ collaboration, projects, participants }: { collaboration: Collaboration; projects: number | undefined; participants: number | undefined }) {
  return (
    <Card
      component={Link}
      to={`/collaborations/${encodeURIComponent(collaboration.id)}`}
      aria-label={`${collaboration.name}: open collaboration`}
      style={{ display: 'flex', flexDirection: 'column' }}
      className={`mantine-focus-auto ${classes.cardLink}`}
    >
      <Stack gap="xs" style={{ flex: 1 }}>
        <Title order={3} size="h4" lineClamp={2}>
          {collaboration.name}
        </Title>
        <Text size="sm" c={collaboration.description ? undefined : 'dimmed'} lineClamp={3} style={{ flex: 1 }}>
          {collaboration.description || 'No description.'}
        </Text>
      </Stack>
      <Group justify="space-between" mt="md" gap="xs">
        <Group gap={6}>
          <Badge variant="light" leftSection={<IconFolder size={12} />}>
            {projects === undefined ? '… projects' : plural(projects, 'project')}
          </Badge>
          <Badge variant="light" color="gray" leftSection={<IconUsers size={12} />}>
            {participants === undefined ? '… participants' : plural(participants, 'participant')}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed">
          Created {formatDate(collaboration.createdAt)}
        </Text>
      </Group>
    </Card>
  );
}

function countBy<T>(items: readonly T[] | undefined, key: (item: T) => string): Map<string, number> | undefined {
  if (!items) return undefined;
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function participantsPerCollaboration(views: ApiTypes['ParticipantView'][] | undefined): Map<string, number> | undefined {
  if (!views) return undefined;
  const members = new Map<string, Set<string>>();
  for (const view of views) {
    for (const registration of view.registrations) {
      const set = members.get(registration.collaborationId) ?? new Set<string>();
      set.add(view.participant.id);
      members.set(registration.collaborationId, set);
    }
  }
  return new Map([...members].map(([id, set]) => [id, set.size]));
}

export function CollaborationsPage() {
  const navigate = useNavigate();
  const [creating, { open, close }] = useDisclosure(false);
  const collaborations = useQuery('collaborations.list', {});
  const projects = useQuery('projects.list', {});
  const participants = useQuery('participants.list', {}, ['participants']);
  const projectCounts = useMemo(() => countBy<Project>(projects.data, (project) => project.collaborationId), [projects.data]);
  const participantCounts = useMemo(() => participantsPerCollaboration(participants.data), [participants.data]);

  const newButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={open}>
      New collaboration
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Collaborations"
        description="A collaboration is a group of hospitals training models together. Each one holds projects (what to predict), experiments (which model) and runs (one training of a model across the hospitals)."
        actions={collaborations.data && collaborations.data.length > 0 ? newButton : undefined}
      />
      <QueryView
        state={collaborations}
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState
            icon={<IconAffiliate size={26} />}
            title="No collaborations yet"
            description="Start with a collaboration: give it a name, add a project saying what to predict, then invite the hospitals. Their data never leaves their site; only model updates travel."
            action={
              <Button leftSection={<IconPlus size={16} />} onClick={open} mt="xs">
                Create the first collaboration
              </Button>
            }
          />
        }
      >
        {(list) => (
          <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} spacing="md">
            {[...list]
              .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
              .map((collaboration) => (
                <CollaborationCard
                  key={collaboration.id}
                  collaboration={collaboration}
                  projects={projectCounts ? (projectCounts.get(collaboration.id) ?? 0) : undefined}
                  participants={participantCounts ? (participantCounts.get(collaboration.id) ?? 0) : undefined}
                />
              ))}
          </SimpleGrid>
        )}
      </QueryView>
      <CollaborationFormModal
        opened={creating}
        onClose={close}
        onSaved={(collaboration) => {
          close();
          notifySaved(`Collaboration "${collaboration.name}" created`);
          navigate(`/collaborations/${encodeURIComponent(collaboration.id)}`);
        }}
      />
    </>
  );
}
