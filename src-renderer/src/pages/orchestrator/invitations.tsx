// Invitations to a collaboration: who was invited, which codes still work, and creating one
// (its code is shown once, to copy and send to the hospital).
import { Alert, Badge, Button, CopyButton, Group, List, Modal, NumberInput, Stack, Table, Text, Textarea, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { IconCheck, IconCopy, IconMailPlus, IconBan } from '@tabler/icons-react';
import { useState } from 'react';
import type { ApiTypes } from '../../../../src-main/contract/api';
import { useApi, type QueryState } from '../../api/react';
import { formatDate } from '../../components/format';
import { Section } from '../../components/section';
import { EmptyState, QueryView } from '../../components/states';
import { FormError, notifySaved, useSubmit } from './shared';
import classes from './orchestrator.module.css';

type InvitationView = ApiTypes['InvitationView'];

const STATE_COLORS: Record<InvitationView['state'], string> = { open: 'green', used: 'blue', expired: 'gray', revoked: 'red' };
const STATE_LABELS: Record<InvitationView['state'], string> = { open: 'Open', used: 'Used', expired: 'Expired', revoked: 'Revoked' };

export const EXPIRY_DEFAULT_HOURS = 72;
const EXPIRY_MAX_HOURS = 24 * 90;
const NOTE_MAX = 500;

export function InvitationStateBadge({ state }: { state: InvitationView['state'] }) {
  return (
    <Badge color={STATE_COLORS[state]} variant="light">
      {STATE_LABELS[state]}
    </Badge>
  );
}

interface InviteValues {
  note: string;
  expiresInHours: number | string;
}

function InviteForm({ collaborationId, onCreated, onCancel }: { collaborationId: string; onCreated(result: { invitation: InvitationView; code: string }): void; onCancel(): void }) {
  const client = useApi();
  const { submit, pending, error } = useSubmit();
  const form = useForm<InviteValues>({
    mode: 'controlled',
    initialValues: { note: '', expiresInHours: EXPIRY_DEFAULT_HOURS },
    validate: {
      note: (value) => (value.length > NOTE_MAX ? `A note has at most ${NOTE_MAX} characters` : null),
      expiresInHours: (value) => {
        if (value === '' || typeof value !== 'number' || Number.isNaN(value)) return 'Enter how many hours the code stays valid';
        if (value <= 0 || value > EXPIRY_MAX_HOURS) return `Between 1 hour and ${EXPIRY_MAX_HOURS.toLocaleString('en')} hours (90 days)`;
        return null;
      },
    },
  });
  const save = form.onSubmit(async (values) => {
    const note = values.note.trim();
    const created = await submit(() => client.call('invitations.create', { collaborationId, expiresInHours: Number(values.expiresInHours), ...(note ? { note } : {}) }));
    if (created) onCreated(created);
  });
  return (
    <form onSubmit={save} noValidate>
      <Stack gap="md">
        <Textarea
          label="Note"
          description="For you: who this invitation is for. The hospital does not see it."
          placeholder="e.g. St Mary’s, radiology department"
          autosize
          minRows={2}
          maxLength={NOTE_MAX}
          data-autofocus
          {...form.getInputProps('note')}
        />
        <NumberInput
          label="Valid for (hours)"
          description={`The code stops working after this. At most ${EXPIRY_MAX_HOURS.toLocaleString('en')} hours (90 days).`}
          min={1}
          max={EXPIRY_MAX_HOURS}
          clampBehavior="none"
          allowNegative={false}
          thousandSeparator=","
          w={220}
          {...form.getInputProps('expiresInHours')}
        />
        <FormError error={error} title="Could not create the invitation" />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" loading={pending} leftSection={<IconMailPlus size={16} />}>
            Create invitation
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function InvitationCode({ code, invitation, collaborationName, onDone }: { code: string; invitation: InvitationView; collaborationName: string; onDone(): void }) {
  return (
    <Stack gap="md">
      <Alert color="green" variant="light" icon={<IconCheck size={18} />} title="Invitation created">
        Send this code to the hospital; it works once. It is valid until {formatDate(invitation.expiresAt)} and is shown only now: if it is lost, revoke
        this invitation and create another.
      </Alert>
      <Textarea
        label="Invitation code"
        value={code}
        readOnly
        autosize
        minRows={3}
        maxRows={8}
        classNames={{ input: classes['code'] }}
        onFocus={(event) => event.currentTarget.select()}
        spellCheck={false}
      />
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <List size="sm" c="dimmed" type="ordered" spacing={2} style={{ flex: 1 }}>
          <List.Item>Send the code to the hospital by a channel you trust.</List.Item>
          <List.Item>
            In their Cohort app, they open <b>Collaborations</b> and paste it to join.
          </List.Item>
          <List.Item>They appear here under Participants of “{collaborationName}”.</List.Item>
        </List>
        <CopyButton value={code} timeout={2500}>
          {({ copied, copy }) => (
            <Button onClick={copy} color={copied ? 'green' : undefined} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} miw={140}>
              {copied ? 'Copied' : 'Copy code'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Done
        </Button>
      </Group>
    </Stack>
  );
}

type Created = { invitation: InvitationView; code: string };

function InviteModal({
  opened,
  onClose,
  collaborationId,
  collaborationName,
  created,
  setCreated,
}: {
  opened: boolean;
  onClose(): void;
  collaborationId: string;
  collaborationName: string;
  created: Created | null;
  setCreated(created: Created): void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={created ? 'Send the invitation code' : 'Invite a participant'} size="lg">
      {created ? (
        <InvitationCode code={created.code} invitation={created.invitation} collaborationName={collaborationName} onDone={onClose} />
      ) : (
        <InviteForm
          collaborationId={collaborationId}
          onCancel={onClose}
          onCreated={setCreated}
        />
      )}
    </Modal>
  );
}

function RevokeModal({ invitation, onClose, onRevoked }: { invitation: InvitationView | null; onClose(): void; onRevoked(): void }) {
  const client = useApi();
  const { submit, pending, error, clear } = useSubmit();
  const close = () => {
    clear();
    onClose();
  };
  return (
    <Modal opened={invitation !== null} onClose={close} title="Revoke invitation" centered>
      <Stack gap="md">
        <Text size="sm">
          The code{invitation?.note ? ` for “${invitation.note}”` : ''} stops working at once. A hospital that has not joined yet will need a new invitation.
        </Text>
        <FormError error={error} title="Could not revoke" />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} disabled={pending}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={pending}
            leftSection={<IconBan size={16} />}
            onClick={async () => {
              if (!invitation) return;
              const revoked = await submit(() => client.call('invitations.revoke', { id: invitation.id }));
              if (revoked) {
                notifySaved('Invitation revoked');
                onRevoked();
              }
            }}
          >
            Revoke
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function InvitationsSection({
  collaborationId,
  collaborationName,
  invitations,
  participantNames,
}: {
  collaborationId: string;
  collaborationName: string;
  invitations: QueryState<InvitationView[]>;
  participantNames: Map<string, string>;
}) {
  const [inviting, { open: openModal, close }] = useDisclosure(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<InvitationView | null>(null);
  const open = () => {
    setCreated(null);
    openModal();
  };
  const list = invitations.data;
  const openCount = list?.filter((invitation) => invitation.state === 'open').length;

  return (
    <Section
      title="Invitations"
      count={list?.length}
      description={openCount ? `${openCount} ${openCount === 1 ? 'code is' : 'codes are'} still open.` : 'A hospital joins with a code you send it; each code works once.'}
      actions={
        <Button leftSection={<IconMailPlus size={16} />} onClick={open} variant="light">
          Invite a participant
        </Button>
      }
    >
      <QueryView
        state={invitations}
        isEmpty={(items) => items.length === 0}
        empty={
          <EmptyState
            icon={<IconMailPlus size={26} />}
            title="No invitations yet"
            description="Invite each hospital with a single-use code. Once it joins, it can declare its data for this collaboration’s projects."
            action={
              <Button leftSection={<IconMailPlus size={16} />} onClick={open} mt="xs">
                Invite a participant
              </Button>
            }
          />
        }
      >
        {(items) => (
          <Table.ScrollContainer minWidth={720}>
            <Table aria-label="Invitations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Note</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Used by</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...items]
                  .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
                  .map((invitation) => (
                    <Table.Tr key={invitation.id}>
                      <Table.Td>
                        {invitation.note ? (
                          <Text size="sm" lineClamp={2}>
                            {invitation.note}
                          </Text>
                        ) : (
                          <Text size="sm" c="dimmed">
                            No note
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <InvitationStateBadge state={invitation.state} />
                      </Table.Td>
                      <Table.Td>
                        {invitation.usedBy ? (
                          <Text size="sm">
                            {participantNames.get(invitation.usedBy) ?? invitation.usedBy}
                            <Text span size="xs" c="dimmed">
                              {` · ${formatDate(invitation.usedAt)}`}
                            </Text>
                          </Text>
                        ) : (
                          <Text size="sm" c="dimmed">
                            —
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c={invitation.state === 'open' ? undefined : 'dimmed'}>
                          {formatDate(invitation.expiresAt)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {formatDate(invitation.createdAt)}
                        </Text>
                      </Table.Td>
                      <Table.Td style={{ textAlign: 'right' }}>
                        {invitation.state === 'open' && (
                          <Button size="compact-sm" variant="subtle" color="red" leftSection={<IconBan size={14} />} onClick={() => setRevoking(invitation)}>
                            Revoke
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
      <InviteModal
        opened={inviting}
        onClose={close}
        collaborationId={collaborationId}
        collaborationName={collaborationName}
        created={created}
        setCreated={(result) => {
          setCreated(result);
          invitations.reload();
        }}
      />
      <RevokeModal
        invitation={revoking}
        onClose={() => setRevoking(null)}
        onRevoked={() => {
          setRevoking(null);
          invitations.reload();
        }}
      />
    </Section>
  );
}
