// One project: what it predicts, the data the hospitals declared for it, and its experiments.
import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFlask, IconPlus, IconUsers } from '@tabler/icons-react';
import { useMemo, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { Experiment, Project, Run } from '../../../../src-main/contract/records';
import { useQuery } from '../../api/react';
import { CapsLabel } from '../../components/caps-label';
import { DeleteDialog } from '../../components/delete-dialog';
import { formatCount, formatDate } from '../../components/format';
import { describeModelSpec, ModelKindBadge } from '../../components/model';
import { PageHeader } from '../../components/page';
import { Section } from '../../components/section';
import { EmptyState, ErrorAlert, LoadingBlock, QueryView } from '../../components/states';
import { ExperimentFormModal } from './experiment-form';
import classes from './orchestrator.module.css';
import { ProjectFormModal } from './project-form';
import { ParticipantIdentity, ParticipantStatus, projectData, RegistrationsData } from './participant-data';
import { EditDeleteActions, fromInteractive, NotFound, notifySaved, TASK_LABELS } from './shared';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <CapsLabel>{label}</CapsLabel>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}

function ProjectFacts({ project, data }: { project: Project; data: ReturnType<typeof projectData> }) {
  return (
    <Paper p="lg">
      <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }} spacing="lg" verticalSpacing="md">
        <Fact label="Target column">
          <Text span ff="monospace" size="sm">
            {project.targetColumn}
          </Text>
          {data && data.columns.size > 0 && !data.columns.has(project.targetColumn) && (
            <Text size="xs" c="orange.8">
              Not among the declared columns
            </Text>
          )}
        </Fact>
        <Fact label="Task">
          <Badge variant="light" color={project.task === 'classify' ? 'cohort' : 'orange'}>
            {TASK_LABELS[project.task]}
          </Badge>
        </Fact>
        <Fact label="Positive class">
          {project.task !== 'classify' ? (
            <Text span c="dimmed" size="sm">
              —
            </Text>
          ) : project.positiveClass ? (
            <Text span ff="monospace" size="sm">
              {project.positiveClass}
            </Text>
          ) : (
            <Text span c="dimmed" size="sm">
              automatic
            </Text>
          )}
        </Fact>
        <Fact label="Features">{project.alignment.columns === 'union' ? 'All columns' : 'Shared columns only'}{project.alignment.missingIndicators ? ', missing indicators' : ''}</Fact>
        <Fact label="Hospitals">
          {data ? (
            <>
              {data.registered} registered
              <Text size="xs" c="dimmed">
                {data.withTraining} with training data, {data.online} online
              </Text>
            </>
          ) : (
            '…'
          )}
        </Fact>
        <Fact label="Declared rows">
          {data ? (
            <>
              <span style={{ fontVariantNumeric: 'tabular-nums' }}>{formatCount(data.trainRows)}</span> training
              <Text size="xs" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }}>
                {formatCount(data.evaluateRows)} evaluation
              </Text>
            </>
          ) : (
            '…'
          )}
        </Fact>
      </SimpleGrid>
    </Paper>
  );
}

function ExperimentsTable({ experiments, runs }: { experiments: Experiment[]; runs: Run[] | undefined }) {
  const navigate = useNavigate();
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table aria-label="Experiments">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Experiment</Table.Th>
            <Table.Th>Model</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Runs</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {experiments.map((experiment) => {
            const to = `/experiments/${encodeURIComponent(experiment.id)}`;
            const own = runs?.filter((run) => run.experimentId === experiment.id);
            const completed = own?.filter((run) => run.status === 'completed').length ?? 0;
            return (
              <Table.Tr key={experiment.id} className={classes['rowLink']} onClick={(event) => !fromInteractive(event) && navigate(to)}>
                <Table.Td>
                  <Anchor component={Link} to={to} fw={600} size="sm">
                    {experiment.name}
                  </Anchor>
                  {experiment.description && (
                    <Text size="xs" c="dimmed" lineClamp={1} maw={360}>
                      {experiment.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <ModelKindBadge model={experiment.model} />
                    <Text size="sm" c="dimmed">
                      {describeModelSpec(experiment.model)}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
                  {own === undefined ? (
                    '…'
                  ) : (
                    <Text size="sm">
                      {own.length}
                      {own.length > 0 && (
                        <Text span size="xs" c="dimmed">
                          {` (${completed} completed)`}
                        </Text>
                      )}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {formatDate(experiment.createdAt)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function HospitalsData({ views, project }: { views: ApiTypes['ParticipantView'][]; project: Project }) {
  const members = views
    .map((view) => ({ view, registration: view.registrations.find((registration) => registration.projectId === project.id) }))
    .filter((member): member is { view: ApiTypes['ParticipantView']; registration: NonNullable<typeof member.registration> } => member.registration !== undefined)
    .sort((a, b) => a.view.participant.displayName.localeCompare(b.view.participant.displayName));
  if (members.length === 0) {
    return (
      <EmptyState
        icon={<IconUsers size={26} />}
        title="No hospital is registered yet"
        description={
          <>
            Hospitals that join the collaboration are registered in all its projects. Invite them from the{' '}
            <Anchor component={Link} to={`/collaborations/${encodeURIComponent(project.collaborationId)}`} size="sm">
              collaboration’s page
            </Anchor>
            .
          </>
        }
      />
    );
  }
  const projects = new Map([[project.id, project]]);
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label="Hospitals’ declared data" highlightOnHover={false} verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Participant</Table.Th>
            <Table.Th style={{ minWidth: 110 }}>Status</Table.Th>
            <Table.Th>Declared data</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.map(({ view, registration }) => (
            <Table.Tr key={view.participant.id} style={{ verticalAlign: 'top' }}>
              <Table.Td>
                <ParticipantIdentity view={view} showOrganisation />
              </Table.Td>
              <Table.Td>
                <ParticipantStatus view={view} />
              </Table.Td>
              <Table.Td>
                <RegistrationsData registrations={[registration]} projects={projects} owner={view.participant.displayName} showProject={false} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ProjectView({ project, collaborationName, reload }: { project: Project; collaborationName: string | undefined; reload(): void }) {
  const navigate = useNavigate();
  const [editing, edit] = useDisclosure(false);
  const [deleting, del] = useDisclosure(false);
  const [creating, create] = useDisclosure(false);
  const experiments = useQuery('experiments.list', { projectId: project.id });
  const runs = useQuery('runs.list', {}, ['runs']);
  const participants = useQuery('participants.list', {}, ['participants']);
  const data = useMemo(() => projectData(participants.data, project.id), [participants.data, project.id]);
  const collaborationPath = `/collaborations/${encodeURIComponent(project.collaborationId)}`;

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Collaborations', to: '/collaborations' },
          { label: collaborationName ?? project.collaborationId, to: collaborationPath },
          { label: project.name },
        ]}
        title={project.name}
        description={project.description || undefined}
        actions={<EditDeleteActions onEdit={edit.open} onDelete={del.open} />}
      />
      <Stack gap="lg">
        <ProjectFacts project={project} data={data} />
        <Section
          title="Experiments"
          count={experiments.data?.length}
          description="An experiment fixes a model; its runs train it with different settings."
          actions={
            <Button leftSection={<IconPlus size={16} />} onClick={create.open}>
              New experiment
            </Button>
          }
        >
          <QueryView
            state={experiments}
            isEmpty={(list) => list.length === 0}
            empty={
              <EmptyState
                icon={<IconFlask size={26} />}
                title="No experiments yet"
                description="Choose a model to train: logistic regression is a good first baseline, then try a neural network."
                action={
                  <Button leftSection={<IconPlus size={16} />} onClick={create.open} mt="xs">
                    Create an experiment
                  </Button>
                }
              />
            }
          >
            {(list) => <ExperimentsTable experiments={[...list].sort((a, b) => a.createdAt.localeCompare(b.createdAt))} runs={runs.data} />}
          </QueryView>
        </Section>
        <Section
          title="Hospitals’ data"
          count={data?.registered}
          description="What each hospital declared for this project: row counts, column names and kinds. The values never leave the hospital."
        >
          {participants.error ? (
            <ErrorAlert error={participants.error} onRetry={participants.reload} />
          ) : !participants.data ? (
            <LoadingBlock />
          ) : (
            <HospitalsData views={participants.data} project={project} />
          )}
        </Section>
      </Stack>

      <ProjectFormModal
        opened={editing}
        onClose={edit.close}
        collaborationId={project.collaborationId}
        project={project}
        columnSuggestions={data ? [...data.columns].sort((a, b) => a.localeCompare(b)) : []}
        onSaved={(saved) => {
          edit.close();
          notifySaved(`Project "${saved.name}" saved`);
          reload();
        }}
      />
      <ExperimentFormModal
        opened={creating}
        onClose={create.close}
        projectId={project.id}
        onSaved={(experiment) => {
          create.close();
          notifySaved(`Experiment "${experiment.name}" created`);
          navigate(`/experiments/${encodeURIComponent(experiment.id)}`);
        }}
      />
      <DeleteDialog
        opened={deleting}
        onClose={del.close}
        command="projects.delete"
        id={project.id}
        title="Delete project"
        onDeleted={() => {
          del.close();
          notifySaved(`Project "${project.name}" deleted`);
          navigate(collaborationPath);
        }}
      >
        Delete <b>{project.name}</b>? If it still has experiments, runs or participants’ registrations, you will be asked before any of them is removed.
      </DeleteDialog>
    </>
  );
}

export function ProjectPage() {
  const { id = '' } = useParams();
  const projects = useQuery('projects.list', {});
  const collaborations = useQuery('collaborations.list', {});
  if (projects.error) return <ErrorAlert error={projects.error} onRetry={projects.reload} />;
  if (!projects.data) {
    return (
      <Stack gap="lg">
        <LoadingBlock rows={2} />
        <LoadingBlock rows={4} />
      </Stack>
    );
  }
  const project = projects.data.find((candidate) => candidate.id === id);
  if (!project) return <NotFound what="project" back="/collaborations" backLabel="All collaborations" />;
  const collaborationName = collaborations.data?.find((candidate) => candidate.id === project.collaborationId)?.name;
  return <ProjectView key={project.id} project={project} collaborationName={collaborationName} reload={projects.reload} />;
}
