// Every hospital that joined one of the collaborations: who is online, and the data each one
// declared per project.
import { Anchor, Button, Group, Modal, SegmentedControl, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { IconAffiliate, IconSearch, IconUserOff, IconUsersGroup } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { Collaboration, Project, Registration } from '../../../../src-main/contract/records';
import { useApi, useQuery } from '../../api/react';
import { formatDate } from '../../components/format';
import { PageHeader } from '../../components/page';
import { Section } from '../../components/section';
import { EmptyState, QueryView } from '../../components/states';
import { ParticipantIdentity, ParticipantStatus, RegistrationsData } from './participant-data';
import { FormError, notifySaved, useSubmit } from './shared';

type Filter = 'all' | 'online' | 'offline';

function Memberships({
  view,
  collaborations,
  projects,
}: {
  view: ApiTypes['ParticipantView'];
  collaborations: Map<string, Collaboration>;
  projects: Map<string, Project>;
}) {
  const byCollaboration = new Map<string, Registration[]>();
  for (const registration of view.registrations) {
    byCollaboration.set(registration.collaborationId, [...(byCollaboration.get(registration.collaborationId) ?? []), registration]);
  }
  if (byCollaboration.size === 0) {
    return (
      <Text size="sm" c="dimmed">
        Not registered in a project yet
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      {[...byCollaboration].map(([collaborationId, registrations]) => (
        <Stack key={collaborationId} gap={4}>
          <Anchor component={Link} to={`/collaborations/${encodeURIComponent(collaborationId)}`} size="xs" c="dimmed" tt="uppercase" fw={700} style={{ letterSpacing: 0.4 }}>
            {collaborations.get(collaborationId)?.name ?? collaborationId}
          </Anchor>
          <RegistrationsData registrations={registrations} projects={projects} owner={view.participant.displayName} />
        </Stack>
      ))}
    </Stack>
  );
}

function RevokeParticipantModal({ view, onClose, onRevoked }: { view: ApiTypes['ParticipantView'] | null; onClose(): void; onRevoked(view: ApiTypes['ParticipantView']): void }) {
  const client = useApi();
  const { submit, pending, error, clear } = useSubmit();
  const [reason, setReason] = useState('');
  const close = () => {
    if (pending) return;
    clear();
    setReason('');
    onClose();
  };
  const name = view?.participant.displayName ?? '';
  return (
    <Modal opened={view !== null} onClose={close} title={`Revoke access of ${name}`} centered size="lg">
      <Stack gap="md">
        <Text size="sm">
          Its connection closes now and it is refused from then on, in every collaboration. Runs in progress continue without it if enough other hospitals
          take part. This cannot be undone: to work with it again, it has to join under a new name.
        </Text>
        <Textarea
          label="Reason"
          description="Kept with the participant’s record."
          placeholder="e.g. The hospital left the network"
          maxLength={500}
          autosize
          minRows={2}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          data-autofocus
        />
        <FormError error={error} title="Could not revoke access" />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} disabled={pending}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={pending}
            leftSection={<IconUserOff size={16} />}
            onClick={async () => {
              if (!view) return;
              const trimmed = reason.trim();
              const revoked = await submit(() => client.call('participants.revoke', { id: view.participant.id, ...(trimmed ? { reason: trimmed } : {}) }));
              if (revoked) {
                setReason('');
                onRevoked(revoked);
              }
            }}
          >
            Revoke access
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function ParticipantsPage() {
  const participants = useQuery('participants.list', {}, ['participants']);
  const collaborations = useQuery('collaborations.list', {});
  const projects = useQuery('projects.list', {}, ['participants']);
  const [filter, setFilter] = useState<Filter>('all');
  const [search, setSearch] = useState('');
  const [revoking, setRevoking] = useState<ApiTypes['ParticipantView'] | null>(null);

  const collaborationMap = useMemo(() => new Map((collaborations.data ?? []).map((collaboration) => [collaboration.id, collaboration])), [collaborations.data]);
  const projectMap = useMemo(() => new Map((projects.data ?? []).map((project) => [project.id, project])), [projects.data]);
  const total = participants.data?.length ?? 0;
  const online = participants.data?.filter((view) => view.online && !view.participant.revokedAt).length ?? 0;

  return (
    <>
      <PageHeader
        title="Participants"
        description="The hospitals that joined your collaborations. Each keeps its data on its own machine and shares only what is listed here: row counts, column names and kinds."
      />
      <QueryView
        state={participants}
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState
            icon={<IconUsersGroup size={26} />}
            title="No participants yet"
            description="Hospitals join with an invitation code. Open a collaboration, choose “Invite a participant” and send the code to the hospital: once it joins, it appears here."
            action={
              <Button component={Link} to="/collaborations" leftSection={<IconAffiliate size={16} />} mt="xs">
                Go to collaborations
              </Button>
            }
          />
        }
      >
        {(list) => {
          const needle = search.trim().toLowerCase();
          const shown = list
            .filter((view) => filter === 'all' || (filter === 'online') === view.online)
            .filter((view) => !needle || `${view.participant.displayName} ${view.participant.organisation} ${view.participant.id}`.toLowerCase().includes(needle))
            .sort((a, b) => Number(b.online) - Number(a.online) || a.participant.displayName.localeCompare(b.participant.displayName));
          return (
            <Section
              title="All participants"
              count={total}
              description={`${online} of ${total} online now.`}
              actions={
                <>
                  <TextInput
                    aria-label="Search participants"
                    placeholder="Search"
                    leftSection={<IconSearch size={16} />}
                    value={search}
                    onChange={(event) => setSearch(event.currentTarget.value)}
                    w={200}
                  />
                  <SegmentedControl
                    aria-label="Show"
                    value={filter}
                    onChange={(value) => setFilter(value as Filter)}
                    data={[
                      { value: 'all', label: 'All' },
                      { value: 'online', label: 'Online' },
                      { value: 'offline', label: 'Offline' },
                    ]}
                  />
                </>
              }
            >
              {shown.length === 0 ? (
                <Text size="sm" c="dimmed" py="md" ta="center">
                  No participant matches.
                </Text>
              ) : (
                <Table.ScrollContainer minWidth={820}>
                  <Table aria-label="Participants" highlightOnHover={false} verticalSpacing="sm">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Participant</Table.Th>
                        <Table.Th style={{ minWidth: 150 }}>Status</Table.Th>
                        <Table.Th>Projects and declared data</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {shown.map((view) => (
                        <Table.Tr key={view.participant.id} style={{ verticalAlign: 'top' }}>
                          <Table.Td>
                            <ParticipantIdentity view={view} showOrganisation />
                          </Table.Td>
                          <Table.Td>
                            <Stack gap={4} align="flex-start">
                              <ParticipantStatus view={view} />
                              <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                                Joined {formatDate(view.participant.createdAt)}
                              </Text>
                              {!view.participant.revokedAt && (
                                <Button
                                  size="compact-xs"
                                  variant="subtle"
                                  color="red"
                                  ml={-6}
                                  leftSection={<IconUserOff size={14} />}
                                  onClick={() => setRevoking(view)}
                                  aria-label={`Revoke access of ${view.participant.displayName}`}
                                >
                                  Revoke access
                                </Button>
                              )}
                            </Stack>
                          </Table.Td>
                          <Table.Td>
                            <Memberships view={view} collaborations={collaborationMap} projects={projectMap} />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
              <Group>
                <Text size="xs" c="dimmed">
                  Invite more hospitals from a collaboration’s page.
                </Text>
              </Group>
            </Section>
          );
        }}
      </QueryView>
      <RevokeParticipantModal
        view={revoking}
        onClose={() => setRevoking(null)}
        onRevoked={(view) => {
          setRevoking(null);
          notifySaved(`${view.participant.displayName} can no longer connect`);
          participants.reload();
        }}
      />
    </>
  );
}
