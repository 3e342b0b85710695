// Training requests: before a run touches this hospital's data, the person in charge sees what
// it is (model, settings, which files) and approves or declines it. Then, past decisions.
import { Alert, Anchor, Badge, Button, Card, Group, Paper, SimpleGrid, Stack, Switch, Table, Text, ThemeIcon, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCircleCheck, IconCircleDashed, IconClock, IconLock, IconShieldCheck, IconX } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import { usesExactSolver, type DataTag } from '../../../../src-main/contract/records';
import { useAction, useQuery } from '../../api/react';
import { ConfirmModal } from '../../components/confirm-modal';
import { describeHyperparameters, describeModel, describePrivacy, TAG_KIND_LABELS } from '../../components/describe';
import { formatCount, formatDate } from '../../components/format';
import { PageHeader } from '../../components/page';
import { tagLabel } from './data-sources';
import { dpSettingsText, privacyBrief } from '../../components/privacy';
import { EmptyState, ErrorAlert, QueryView } from '../../components/states';
import { LocalNames, PlanCoverage, Roster, UsageText } from './request-plan';

type Consent = ApiTypes['ConsentView'];

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper p="md" bg="var(--mantine-color-gray-0)" withBorder={false}>
      <Stack gap={8}>
        <Text size="xs" fw={700} c="dimmed" tt="uppercase" style={{ letterSpacing: 0.4 }}>
          {title}
        </Text>
        {children}
      </Stack>
    </Paper>
  );
}

function DataUsed({ request, tags }: { request: Consent; tags: DataTag[] | undefined }) {
  const mine = (tags ?? []).filter((tag) => tag.projectId === request.projectId);
  return (
    <Stack gap={8}>
      {request.summary.tags.map((kind) => {
        const tag = mine.find((candidate) => candidate.kind === kind);
        return (
          <Group key={kind} gap={8} wrap="nowrap" align="flex-start">
            <ThemeIcon size={20} radius="xl" variant="light" color={tag ? 'cohort' : 'gray'}>
              {tag ? <IconCircleCheck size={14} /> : <IconCircleDashed size={14} />}
            </ThemeIcon>
            <div>
              <Text size="sm" fw={600}>
                {TAG_KIND_LABELS[kind]}
              </Text>
              <Text size="xs" c="dimmed">
                {tags === undefined ? '…' : tag ? `${tagLabel(tag)} · ${formatCount(tag.rows)} rows` : 'None registered: not used'}
              </Text>
            </div>
          </Group>
        );
      })}
      {request.summary.tags.length === 0 && (
        <Text size="sm" c="dimmed">
          None of your files.
        </Text>
      )}
    </Stack>
  );
}

function RequestCard({ request, tags, onDecided }: { request: Consent; tags: DataTag[] | undefined; onDecided(): void }) {
  const decide = useAction('requests.decide');
  const [confirming, setConfirming] = useState(false);
  const [choice, setChoice] = useState<boolean | undefined>();
  const { summary } = request;
  const model = describeModel(summary.model);
  const settings = describeHyperparameters(summary.hyperparameters, summary.model);
  const exact = usesExactSolver(summary.model, summary.hyperparameters);
  const privacy = describePrivacy(summary.privacy);
  const main = settings.filter((row) => ['Fitting', 'Rounds', 'Penalty', 'Local epochs', 'Learning rate', 'Algorithm'].includes(row.label));
  const more = settings.filter((row) => !main.includes(row));

  const send = async (approve: boolean) => {
    setChoice(approve);
    const decided = await decide.run({ id: request.id, approve });
    setConfirming(false);
    if (decided) {
      notifications.show(
        approve
          ? { color: 'green', title: 'Request approved', message: `“${summary.run}” may now train on your data. Follow it under Activity.` }
          : { color: 'gray', title: 'Request declined', message: `“${summary.run}” will not use your data.` },
      );
      onDecided();
    }
  };

  return (
    <Card component="article" aria-label={`Training request: ${summary.run}`} style={{ borderLeft: '4px solid var(--mantine-color-yellow-5)' }}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={2}>
            <LocalNames request={request} />
            <Title order={3} size="h4">
              {summary.run}
            </Title>
          </Stack>
          <Stack gap={4} align="flex-end">
            <Badge color="yellow" variant="light" leftSection={<IconClock size={12} />}>
              Waiting for you
            </Badge>
            <Text size="xs" c="dimmed">
              Received {formatDate(request.createdAt)}
            </Text>
          </Stack>
        </Group>

        <Text size="sm">
          The orchestrator asks to train a model that predicts <b>{summary.targetColumn}</b>, using this hospital’s data on this computer.
        </Text>

        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <Block title="The model">
            <div>
              <Text size="sm" fw={600}>
                {model.name}
              </Text>
              <Text size="sm" c="dimmed">
                {model.detail}
              </Text>
            </div>
          </Block>
          <Block title="How it trains">
            <Stack gap={6}>
              {main.map((row) => (
                <div key={row.label}>
                  <Group justify="space-between" gap="xs" wrap="nowrap">
                    <Text size="sm" c="dimmed">
                      {row.label}
                    </Text>
                    <Text size="sm" fw={600} ta="right">
                      {row.value}
                    </Text>
                  </Group>
                  {(row.label === 'Algorithm' || row.label === 'Fitting') && (
                    <Text size="xs" c="dimmed">
                      {row.hint[0]!.toUpperCase() + row.hint.slice(1)}.
                    </Text>
                  )}
                </div>
              ))}
              <Text size="xs" c="dimmed">
                {more.map((row) => `${row.label}: ${row.value}`).join(' · ')}
              </Text>
            </Stack>
          </Block>
          <Block title="Your data it uses">
            <DataUsed request={request} tags={tags} />
          </Block>
          <Block title="How your updates are protected">
            <Stack gap={8}>
              {privacy.map((row) => (
                <Group key={row.label} gap={8} wrap="nowrap" align="flex-start">
                  <ThemeIcon size={20} radius="xl" variant="light" color={row.protective ? 'cohort' : 'gray'}>
                    {row.protective ? <IconShieldCheck size={14} /> : <IconCircleDashed size={14} />}
                  </ThemeIcon>
                  <div>
                    <Text size="sm" fw={600}>
                      {row.label}: {row.value}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {row.hint}
                    </Text>
                  </div>
                </Group>
              ))}
            </Stack>
          </Block>
          <Block title="Who takes part">
            <Roster request={request} />
          </Block>
          <Block title="What your approval covers">
            <PlanCoverage request={request} />
          </Block>
        </SimpleGrid>

        <Group gap={8} wrap="nowrap" align="flex-start">
          <IconLock size={16} style={{ flexShrink: 0, marginTop: 2, color: 'var(--mantine-color-cohort-7)' }} aria-hidden />
          <Text size="sm" c="dimmed">
            If you approve, training happens on this computer. Only {exact ? 'sums over your rows' : 'model updates'} and summary figures (such as accuracy) are sent to the
            orchestrator; no row of your data leaves this computer.
          </Text>
        </Group>

        {decide.error && <ErrorAlert error={decide.error} title="Your decision could not be recorded" />}

        <Group justify="flex-end" gap="sm">
          <Button variant="default" color="red" leftSection={<IconX size={16} />} onClick={() => setConfirming(true)} disabled={decide.pending}>
            Decline
          </Button>
          <Button color="green.7" leftSection={<IconCheck size={16} />} onClick={() => send(true)} loading={decide.pending && choice === true} disabled={decide.pending}>
            Approve
          </Button>
        </Group>
      </Stack>
      <ConfirmModal
        opened={confirming}
        title="Decline this training request?"
        confirmLabel="Decline request"
        loading={decide.pending}
        onClose={() => setConfirming(false)}
        onConfirm={() => send(false)}
      >
        “{summary.run}” will not use this hospital’s data. The orchestrator is told that you declined; the run may go ahead with the other members, or stop. A decision
        cannot be changed afterwards.
      </ConfirmModal>
    </Card>
  );
}

function PastDecisions({ requests }: { requests: Consent[] }) {
  return (
    <Table.ScrollContainer minWidth={880}>
      <Table withTableBorder aria-label="Past decisions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Run</Table.Th>
            <Table.Th>Model</Table.Th>
            <Table.Th>Protection</Table.Th>
            <Table.Th>Decision</Table.Th>
            <Table.Th>Decided</Table.Th>
            <Table.Th>Received</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {requests.map((request) => (
            <Table.Tr key={request.id}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {request.summary.run}
                </Text>
                <LocalNames request={request} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{describeModel(request.summary.model).name}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{privacyBrief(request.summary.privacy)}</Text>
                {request.summary.privacy.dp !== 'off' && (
                  <Text size="xs" c="dimmed">
                    {dpSettingsText(request.summary.privacy)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {request.state === 'approved' || request.state === 'completed' ? (
                  <Stack gap={4}>
                    <Group gap="xs">
                      <Badge color="green" variant="light">
                        {request.decidedBy === 'policy' ? 'Approved automatically' : 'Approved'}
                      </Badge>
                      <Anchor component={Link} to="/activity" size="xs">
                        Activity
                      </Anchor>
                    </Group>
                    <UsageText request={request} />
                  </Stack>
                ) : request.state === 'withdrawn' ? (
                  <Badge color="gray" variant="light" title="The run ended before you decided">
                    Withdrawn
                  </Badge>
                ) : (
                  <Badge color="red" variant="light">
                    Declined
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDate(request.decidedAt ?? request.updatedAt)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed">
                  {formatDate(request.createdAt)}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function AutomaticApproval({ memberships, onChanged }: { memberships: ApiTypes['MembershipView'][]; onChanged(): void }) {
  const policy = useAction('requests.policy');
  const [busy, setBusy] = useState<string | undefined>();
  const projects = memberships.flatMap((view) => view.projects.map((project) => ({ project, view })));
  if (projects.length === 0) return null;
  return (
    <Card component="section" aria-labelledby="policy-title">
      <Stack gap="md">
        <div>
          <Title order={3} size="h4" id="policy-title">
            Automatic approval
          </Title>
          <Text size="sm" c="dimmed">
            Off by default: every run waits for you. When on for a project, a new run is approved without asking only if it trains the same model, with the same privacy
            protections and the same kinds of your data, as a run you already approved there. Anything else still waits for you.
          </Text>
        </div>
        <Stack gap="sm">
          {projects.map(({ project, view }) => (
            <Switch
              key={project.id}
              label={`${view.collaboration.name} › ${project.name}`}
              description="Approve matching runs automatically"
              checked={view.membership.autoApproveProjects.includes(project.id)}
              disabled={busy !== undefined}
              onChange={async (event) => {
                const on = event.currentTarget.checked;
                setBusy(project.id);
                const done = await policy.run({ projectId: project.id, policy: on ? 'auto-matching' : 'ask' });
                setBusy(undefined);
                if (done) {
                  notifications.show({
                    color: on ? 'green' : 'gray',
                    title: on ? 'Automatic approval on' : 'Automatic approval off',
                    message: on ? `Matching runs of ${project.name} will be approved without asking.` : `Every run of ${project.name} will wait for your decision.`,
                  });
                  onChanged();
                }
              }}
            />
          ))}
        </Stack>
        {policy.error && <ErrorAlert error={policy.error} title="The setting could not be changed" />}
      </Stack>
    </Card>
  );
}

export function RequestsPage() {
  const requests = useQuery('requests.list', {}, ['requests']);
  const tags = useQuery('tags.list', {}, ['tags']);
  const memberships = useQuery('memberships.list', {}, ['memberships']);

  return (
    <>
      <PageHeader
        title="Training requests"
        description="No training run uses this hospital’s data without your approval. Each request says what would be trained and with which of your files."
      />
      <QueryView
        state={requests}
        isEmpty={(list) => list.length === 0}
        empty={
          <Card>
            <EmptyState
              title="No training requests yet"
              description="When the orchestrator starts a training run that would use your data, it appears here and waits for your decision. Nothing trains on your data before you approve."
              icon={<IconShieldCheck size={26} />}
            />
          </Card>
        }
      >
        {(list) => {
          const pending = list.filter((request) => request.state === 'pending').sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
          const past = list.filter((request) => request.state !== 'pending').sort((a, b) => ((a.decidedAt ?? a.updatedAt) < (b.decidedAt ?? b.updatedAt) ? 1 : -1));
          return (
            <Stack gap="xl">
              <Stack gap="md" component="section" aria-labelledby="pending-title">
                <Group gap="xs">
                  <Title order={3} size="h4" id="pending-title">
                    Waiting for your decision
                  </Title>
                  <Badge color={pending.length > 0 ? 'yellow' : 'gray'} variant="light" aria-label={`${pending.length} waiting`}>
                    {pending.length}
                  </Badge>
                </Group>
                {pending.length === 0 ? (
                  <Alert color="gray" variant="light" icon={<IconCircleCheck size={18} />}>
                    Nothing is waiting for your decision. New requests appear here as soon as the orchestrator starts a run.
                  </Alert>
                ) : (
                  pending.map((request) => <RequestCard key={request.id} request={request} tags={tags.data} onDecided={requests.reload} />)
                )}
              </Stack>
              {past.length > 0 && (
                <Stack gap="md" component="section" aria-labelledby="past-title">
                  <Title order={3} size="h4" id="past-title">
                    Past decisions
                  </Title>
                  <PastDecisions requests={past} />
                </Stack>
              )}
              {memberships.data && <AutomaticApproval memberships={memberships.data} onChanged={memberships.reload} />}
            </Stack>
          );
        }}
      </QueryView>
    </>
  );
}
