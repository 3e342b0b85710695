// One collaboration: its projects, the hospitals in it (and the data they declared), and the
// invitations that bring new ones in.
import { Anchor, Badge, Button, Stack, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFolderPlus, IconUsers } from '@tabler/icons-react';
import { useMemo } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { Collaboration, Project, Registration } from '../../../../src-main/contract/records';
import { useQuery } from '../../api/react';
import { DeleteDialog } from '../../components/delete-dialog';
import { formatDate } from '../../components/format';
import { PageHeader } from '../../components/page';
import { Section } from '../../components/section';
import { EmptyState, ErrorAlert, LoadingBlock, QueryView } from '../../components/states';
import { CollaborationFormModal } from './collaboration-form';
import { InvitationsSection } from './invitations';
import classes from './orchestrator.module.css';
import { ParticipantIdentity, ParticipantStatus, RegistrationsData } from './participant-data';
import { ProjectFormModal } from './project-form';
import { EditDeleteActions, fromInteractive, NotFound, notifySaved, TASK_LABELS } from './shared';

function ProjectsTable({ projects }: { projects: Project[] }) {
  const navigate = useNavigate();
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label="Projects">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Project</Table.Th>
            <Table.Th>Target column</Table.Th>
            <Table.Th>Task</Table.Th>
            <Table.Th>Positive class</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {projects.map((project) => {
            const to = `/projects/${encodeURIComponent(project.id)}`;
            return (
              <Table.Tr key={project.id} className={classes['rowLink']} onClick={(event) => !fromInteractive(event) && navigate(to)}>
                <Table.Td>
                  <Anchor component={Link} to={to} fw={600} size="sm">
                    {project.name}
                  </Anchor>
                  {project.description && (
                    <Text size="xs" c="dimmed" lineClamp={1} maw={360}>
                      {project.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ff="monospace" fz="sm">
                  {project.targetColumn}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={project.task === 'classify' ? 'cohort' : 'orange'}>
                    {TASK_LABELS[project.task]}
                  </Badge>
                </Table.Td>
                <Table.Td ff={project.positiveClass ? 'monospace' : undefined} fz="sm">
                  {project.task === 'classify' ? (project.positiveClass ?? <Text span size="sm" c="dimmed">automatic</Text>) : <Text span size="sm" c="dimmed">—</Text>}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {formatDate(project.createdAt)}
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

interface Member {
  view: ApiTypes['ParticipantView'];
  registrations: Registration[];
}

function ParticipantsTable({ members, projects }: { members: Member[]; projects: Map<string, Project> }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table aria-label="Participants of this collaboration" highlightOnHover={false} verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Participant</Table.Th>
            <Table.Th>Organisation</Table.Th>
            <Table.Th style={{ minWidth: 110 }}>Status</Table.Th>
            <Table.Th>Declared data, per project</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.map(({ view, registrations }) => (
            <Table.Tr key={view.participant.id} style={{ verticalAlign: 'top' }}>
              <Table.Td>
                <ParticipantIdentity view={view} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={view.participant.organisation ? undefined : 'dimmed'}>
                  {view.participant.organisation || '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <ParticipantStatus view={view} />
              </Table.Td>
              <Table.Td>
                <RegistrationsData registrations={registrations} projects={projects} owner={view.participant.displayName} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function CollaborationView({ collaboration, reload }: { collaboration: Collaboration; reload(): void }) {
  const navigate = useNavigate();
  const [editing, edit] = useDisclosure(false);
  const [deleting, del] = useDisclosure(false);
  const [creatingProject, newProject] = useDisclosure(false);
  const projects = useQuery('projects.list', { collaborationId: collaboration.id });
  const participants = useQuery('participants.list', {}, ['participants']);
  const invitations = useQuery('invitations.list', { collaborationId: collaboration.id }, ['invitations', 'participants']);

  const projectMap = useMemo(() => new Map((projects.data ?? []).map((project) => [project.id, project])), [projects.data]);
  const participantNames = useMemo(() => new Map((participants.data ?? []).map((view) => [view.participant.id, view.participant.displayName])), [participants.data]);

  // A participant belongs here if it is registered in one of the projects, or joined with one
  // of this collaboration's invitations (before any project existed, say).
  const members = useMemo((): Member[] | undefined => {
    if (!participants.data) return undefined;
    const joined = new Set((invitations.data ?? []).flatMap((invitation) => (invitation.usedBy ? [invitation.usedBy] : [])));
    return participants.data
      .map((view) => ({ view, registrations: view.registrations.filter((registration) => registration.collaborationId === collaboration.id) }))
      .filter((member) => member.registrations.length > 0 || joined.has(member.view.participant.id))
      .sort((a, b) => a.view.participant.displayName.localeCompare(b.view.participant.displayName));
  }, [participants.data, invitations.data, collaboration.id]);

  const columnSuggestions = useMemo(() => {
    const names = new Set<string>();
    for (const member of members ?? []) for (const registration of member.registrations) for (const tag of registration.declaredTags) for (const column of tag.columns) names.add(column.name);
    return [...names].sort((a, b) => a.localeCompare(b));
  }, [members]);

  const online = members?.filter((member) => member.view.online && !member.view.participant.revokedAt).length ?? 0;

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Collaborations', to: '/collaborations' }, { label: collaboration.name }]}
        title={collaboration.name}
        description={collaboration.description || undefined}
        actions={<EditDeleteActions onEdit={edit.open} onDelete={del.open} />}
      />
      <Stack gap="lg">
        <Section
          title="Projects"
          count={projects.data?.length}
          description="Each project is one question to answer: the column to predict and how."
          actions={
            <Button leftSection={<IconFolderPlus size={16} />} onClick={newProject.open}>
              New project
            </Button>
          }
        >
          <QueryView
            state={projects}
            isEmpty={(list) => list.length === 0}
            empty={
              <EmptyState
                title="No projects yet"
                description="A project says what to predict: the target column of the hospitals’ data, and whether it is a category or a number."
                action={
                  <Button leftSection={<IconFolderPlus size={16} />} onClick={newProject.open} mt="xs">
                    Create a project
                  </Button>
                }
              />
            }
          >
            {(list) => <ProjectsTable projects={[...list].sort((a, b) => a.createdAt.localeCompare(b.createdAt))} />}
          </QueryView>
        </Section>

        <Section
          title="Participants"
          count={members?.length}
          description={members && members.length > 0 ? `${online} of ${members.length} online. Hospitals share column names, kinds and counts over enough patients, never their rows.` : 'The hospitals that joined this collaboration.'}
        >
          {participants.error ? (
            <ErrorAlert error={participants.error} onRetry={participants.reload} />
          ) : !members ? (
            <LoadingBlock />
          ) : members.length === 0 ? (
            <EmptyState
              icon={<IconUsers size={26} />}
              title="No participants yet"
              description="Invite a hospital below: once it joins with its code, it shows here with the data it declares for each project."
            />
          ) : (
            <ParticipantsTable members={members} projects={projectMap} />
          )}
        </Section>

        <InvitationsSection collaborationId={collaboration.id} collaborationName={collaboration.name} invitations={invitations} participantNames={participantNames} />
      </Stack>

      <CollaborationFormModal
        opened={editing}
        onClose={edit.close}
        collaboration={collaboration}
        onSaved={(saved) => {
          edit.close();
          notifySaved(`Collaboration "${saved.name}" saved`);
          reload();
        }}
      />
      <ProjectFormModal
        opened={creatingProject}
        onClose={newProject.close}
        collaborationId={collaboration.id}
        columnSuggestions={columnSuggestions}
        onSaved={(project) => {
          newProject.close();
          notifySaved(`Project "${project.name}" created`);
          projects.reload();
          participants.reload();
        }}
      />
      <DeleteDialog
        opened={deleting}
        onClose={del.close}
        command="collaborations.delete"
        id={collaboration.id}
        title="Delete collaboration"
        onDeleted={() => {
          del.close();
          notifySaved(`Collaboration "${collaboration.name}" deleted`);
          navigate('/collaborations');
        }}
      >
        Delete <b>{collaboration.name}</b>? If it still has projects, experiments, runs, participants’ registrations or invitations, you will be asked
        before any of them is removed.
      </DeleteDialog>
    </>
  );
}

export function CollaborationPage() {
  const { id = '' } = useParams();
  const collaborations = useQuery('collaborations.list', {});
  if (collaborations.error) return <ErrorAlert error={collaborations.error} onRetry={collaborations.reload} />;
  if (!collaborations.data) {
    return (
      <Stack gap="lg">
        <LoadingBlock rows={2} />
        <LoadingBlock rows={4} />
      </Stack>
    );
  }
  const collaboration = collaborations.data.find((candidate) => candidate.id === id);
  if (!collaboration) return <NotFound what="collaboration" back="/collaborations" backLabel="All collaborations" />;
  return <CollaborationView key={collaboration.id} collaboration={collaboration} reload={collaborations.reload} />;
}
