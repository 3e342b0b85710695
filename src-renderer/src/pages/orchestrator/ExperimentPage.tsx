// One experiment: its model (with the layer table) and its runs, live, and defining a new run.
import { Anchor, Button, Code, Group, Modal, Progress, ScrollArea, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { IconBraces, IconPlayerPlay, IconPlus } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Experiment, Run, RunStatus } from '../../../../src-main/contract/records';
import { useApi, useQuery } from '../../api/react';
import { RunStatusBadge } from '../../components/badges';
import { DeleteDialog } from '../../components/delete-dialog';
import { formatDate } from '../../components/format';
import { describeModelSpec, ModelDescriptionView, ModelKindBadge } from '../../components/model';
import { PageHeader } from '../../components/page';
import { Section } from '../../components/section';
import { EmptyState, ErrorAlert, LoadingBlock, QueryView } from '../../components/states';
import { validateName } from './collaboration-form';
import classes from './orchestrator.module.css';
import { projectData } from './participant-data';
import { ALGORITHMS, RunFormModal } from './run-form';
import { EditDeleteActions, FormError, fromInteractive, NotFound, notifySaved, useSubmit } from './shared';

const ALGORITHM_LABELS = Object.fromEntries(ALGORITHMS.map((algorithm) => [algorithm.value, algorithm.label])) as Record<Run['hyperparameters']['algorithm'], string>;
const ACTIVE: RunStatus[] = ['waiting', 'awaiting-approval', 'aligning', 'training', 'evaluating', 'exporting'];

interface Live {
  status: RunStatus;
  round: number;
}

/** Status and round of the runs listed, as run events report them between two fetches. */
function useLiveRuns(runIds: string[]): Map<string, Live> {
  const client = useApi();
  const [live, setLive] = useState(() => new Map<string, Live>());
  const watched = runIds.join('\n');
  useEffect(() => {
    const ids = new Set(watched.split('\n'));
    return client.on((event) => {
      if (event.type !== 'run' || !ids.has(event.event.run)) return;
      const update = event.event;
      setLive((previous) => {
        const next = new Map(previous);
        const current = next.get(update.run);
        if (update.kind === 'status') next.set(update.run, { status: update.status, round: update.round });
        else if (update.kind === 'round' && current) next.set(update.run, { ...current, round: Math.max(current.round, update.record.round) });
        else if (update.kind === 'finished') next.set(update.run, { status: update.result.status, round: update.result.rounds.length });
        else return previous;
        return next;
      });
    });
  }, [client, watched]);
  return live;
}

function RoundProgress({ round, rounds, status }: { round: number; rounds: number; status: RunStatus }) {
  const share = rounds > 0 ? Math.min(100, (round / rounds) * 100) : 0;
  const color = status === 'failed' ? 'red' : status === 'cancelled' ? 'orange' : status === 'completed' ? 'green' : 'cohort';
  return (
    <Group gap="xs" wrap="nowrap">
      <Progress
        value={share}
        color={color}
        w={110}
        size="md"
        striped={ACTIVE.includes(status)}
        animated={ACTIVE.includes(status)}
        aria-label={`Round ${round} of ${rounds}`}
      />
      <Text size="xs" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
        {round} / {rounds}
      </Text>
    </Group>
  );
}

function RunsTable({ runs }: { runs: Run[] }) {
  const navigate = useNavigate();
  const live = useLiveRuns(runs.map((run) => run.id));
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table aria-label="Runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Run</Table.Th>
            <Table.Th>Algorithm</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Rounds</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Progress</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => {
            const to = `/runs/${encodeURIComponent(run.id)}`;
            const current = live.get(run.id);
            // A fetched record newer than the last event wins (events stop once a run ends).
            const status = current && !['completed', 'failed', 'cancelled'].includes(run.status) ? current.status : run.status;
            const round = Math.max(run.round, current?.round ?? 0);
            const h = run.hyperparameters;
            return (
              <Table.Tr key={run.id} className={classes['rowLink']} onClick={(event) => !fromInteractive(event) && navigate(to)}>
                <Table.Td>
                  <Anchor component={Link} to={to} fw={600} size="sm">
                    {run.name}
                  </Anchor>
                  {run.error && (
                    <Text size="xs" c="red.8" lineClamp={1} maw={320} title={run.error}>
                      {run.error}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{ALGORITHM_LABELS[h.algorithm]}</Text>
                  <Text size="xs" c="dimmed">
                    {h.optimizer.toUpperCase()} · lr {h.learningRate}
                    {h.algorithm === 'fedprox' ? ` · mu ${h.mu}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{h.rounds.toLocaleString('en')}</Table.Td>
                <Table.Td>
                  <RunStatusBadge status={status} />
                </Table.Td>
                <Table.Td>
                  <RoundProgress round={round} rounds={h.rounds} status={status} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {formatDate(run.createdAt)}
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

function EditExperimentModal({ opened, onClose, experiment, onSaved }: { opened: boolean; onClose(): void; experiment: Experiment; onSaved(experiment: Experiment): void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Edit experiment" size="lg">
      <EditExperimentForm experiment={experiment} onCancel={onClose} onSaved={onSaved} />
    </Modal>
  );
}

function EditExperimentForm({ experiment, onCancel, onSaved }: { experiment: Experiment; onCancel(): void; onSaved(experiment: Experiment): void }) {
  const client = useApi();
  const { submit, pending, error } = useSubmit();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: experiment.name, description: experiment.description },
    validate: { name: (value: string) => validateName(value, 'experiment') },
  });
  const save = form.onSubmit(async (values) => {
    const saved = await submit(() => client.call('experiments.update', { id: experiment.id, name: values.name.trim(), description: values.description.trim() }));
    if (saved) onSaved(saved);
  });
  return (
    <form onSubmit={save} noValidate>
      <Stack gap="md">
        <TextInput label="Name" required data-autofocus {...form.getInputProps('name')} />
        <Textarea label="Description" autosize minRows={2} maxRows={6} {...form.getInputProps('description')} />
        <Text size="xs" c="dimmed">
          The model of an experiment stays as it is, so its runs remain comparable. To try another model, create a new experiment.
        </Text>
        <FormError error={error} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            Save changes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ModelSection({ experiment }: { experiment: Experiment }) {
  const [showJson, json] = useDisclosure(false);
  const description = useQuery('models.describe', { model: experiment.model, projectId: experiment.projectId });
  return (
    <Section
      title="Model"
      description="Sized for the data the hospitals declared; the exact input size is fixed when a run aligns the features."
      actions={
        experiment.model.kind === 'keras' ? (
          <Button variant="default" leftSection={<IconBraces size={16} />} onClick={json.open}>
            Show JSON
          </Button>
        ) : undefined
      }
    >
      <Group gap="sm">
        <ModelKindBadge model={experiment.model} />
        <Text size="sm">{describeModelSpec(experiment.model)}</Text>
        {description.data && !description.error && (
          <Text size="sm" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }}>
            · {description.data.parameterCount.toLocaleString('en')} parameters
          </Text>
        )}
      </Group>
      <ModelDescriptionView state={description} />
      {experiment.model.kind === 'keras' && (
        <Modal opened={showJson} onClose={json.close} title="Model JSON" size="xl">
          <ScrollArea.Autosize mah="70vh">
            <Code block>{JSON.stringify(experiment.model.topology, null, 2)}</Code>
          </ScrollArea.Autosize>
        </Modal>
      )}
    </Section>
  );
}

function ExperimentView({ experiment, crumbs, reload }: { experiment: Experiment; crumbs: { collaboration?: { id: string; name: string } | undefined; project?: { id: string; name: string } | undefined }; reload(): void }) {
  const navigate = useNavigate();
  const [editing, edit] = useDisclosure(false);
  const [deleting, del] = useDisclosure(false);
  const [creating, create] = useDisclosure(false);
  const runs = useQuery('runs.list', { experimentId: experiment.id }, ['runs']);
  const participants = useQuery('participants.list', {}, ['participants']);
  const data = useMemo(() => projectData(participants.data, experiment.projectId), [participants.data, experiment.projectId]);
  const projectPath = `/projects/${encodeURIComponent(experiment.projectId)}`;

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Collaborations', to: '/collaborations' },
          ...(crumbs.collaboration ? [{ label: crumbs.collaboration.name, to: `/collaborations/${encodeURIComponent(crumbs.collaboration.id)}` }] : []),
          { label: crumbs.project?.name ?? experiment.projectId, to: projectPath },
          { label: experiment.name },
        ]}
        title={experiment.name}
        description={experiment.description || undefined}
        actions={<EditDeleteActions onEdit={edit.open} onDelete={del.open} />}
      />
      <Stack gap="lg">
        <Section
          title="Runs"
          count={runs.data?.length}
          description="Each run trains the model across the hospitals with its own settings. Open one to start it and follow it."
          actions={
            <Button leftSection={<IconPlus size={16} />} onClick={create.open}>
              New run
            </Button>
          }
        >
          <QueryView
            state={runs}
            isEmpty={(list) => list.length === 0}
            empty={
              <EmptyState
                icon={<IconPlayerPlay size={26} />}
                title="No runs yet"
                description="Define a run: the algorithm that combines the hospitals’ updates, how many rounds, and the local training settings. FedAvg with the defaults is a good start."
                action={
                  <Button leftSection={<IconPlus size={16} />} onClick={create.open} mt="xs">
                    Define a run
                  </Button>
                }
              />
            }
          >
            {(list) => <RunsTable runs={[...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt))} />}
          </QueryView>
        </Section>
        <ModelSection experiment={experiment} />
      </Stack>

      <EditExperimentModal
        opened={editing}
        onClose={edit.close}
        experiment={experiment}
        onSaved={(saved) => {
          edit.close();
          notifySaved(`Experiment "${saved.name}" saved`);
          reload();
        }}
      />
      <RunFormModal
        opened={creating}
        onClose={create.close}
        experimentId={experiment.id}
        experimentName={experiment.name}
        model={experiment.model}
        participantsWithData={data?.withTraining}
        onSaved={(run) => {
          create.close();
          notifySaved(`Run "${run.name}" created`);
          navigate(`/runs/${encodeURIComponent(run.id)}`);
        }}
      />
      <DeleteDialog
        opened={deleting}
        onClose={del.close}
        command="experiments.delete"
        id={experiment.id}
        title="Delete experiment"
        onDeleted={() => {
          del.close();
          notifySaved(`Experiment "${experiment.name}" deleted`);
          navigate(projectPath);
        }}
      >
        Delete <b>{experiment.name}</b>? If it still has runs, you will be asked before they and their results are removed.
      </DeleteDialog>
    </>
  );
}

export function ExperimentPage() {
  const { id = '' } = useParams();
  const experiments = useQuery('experiments.list', {});
  const projects = useQuery('projects.list', {});
  const collaborations = useQuery('collaborations.list', {});
  if (experiments.error) return <ErrorAlert error={experiments.error} onRetry={experiments.reload} />;
  if (!experiments.data) {
    return (
      <Stack gap="lg">
        <LoadingBlock rows={2} />
        <LoadingBlock rows={4} />
      </Stack>
    );
  }
  const experiment = experiments.data.find((candidate) => candidate.id === id);
  if (!experiment) return <NotFound what="experiment" back="/collaborations" backLabel="All collaborations" />;
  const project = projects.data?.find((candidate) => candidate.id === experiment.projectId);
  const collaboration = project ? collaborations.data?.find((candidate) => candidate.id === project.collaborationId) : undefined;
  return <ExperimentView key={experiment.id} experiment={experiment} crumbs={{ collaboration, project }} reload={experiments.reload} />;
}
