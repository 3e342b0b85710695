// One run (/runs/:id): its phase and progress while it executes, live per participant and per
// round, then its results; and the actions that fit its status (start, cancel, export).
import { Alert, Button, Paper, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPencil, IconPlayerPause, IconRocket } from '@tabler/icons-react';
import { useEffect, useMemo, useReducer } from 'react';
import { useParams } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import { usesExactSolver } from '../../../../src-main/contract/records';
import { useQuery, useRunEvents } from '../../api/react';
import { RunStatusBadge } from '../../components/badges';
import { ALGORITHM_NAMES, describeModel } from '../../components/describe';
import { formatDate } from '../../components/format';
import { HyperparameterList } from '../../components/hyperparameters';
import { PageHeader, type Crumb } from '../../components/page';
import { privacyParts } from '../../components/privacy';
import { Section } from '../../components/section';
import { EmptyState, ErrorAlert, LoadingBlock } from '../../components/states';
import { RunFormModal } from '../orchestrator/run-form';
import { notifySaved } from '../orchestrator/shared';
import { CancelRunButton, ExportModelButton, StartRunButton } from './run-actions';
import { PauseRunButton, ResumeRunButton } from './run-pause';
import { HistoryCharts } from './run-history';
import { PartiesTable, PhaseCard, type PartyName } from './run-live';
import { CoefficientsSection } from './run-coefficients';
import { EvaluationSection, OutcomeSection, PrivacySection } from './run-results';
import { INITIAL_LIVE, STARTABLE_STATUSES, isActiveStatus, liveReducer, mergeRounds, metricsKindOf, partiesOfRounds } from './run-state';

type RunDetail = ApiTypes['RunDetail'];

export function RunPage() {
  const { id } = useParams();
  if (!id) return <ErrorAlert error={new Error('No run was given in the address.')} title="Run not found" />;
  // Keyed by id: the live state gathered for one run never leaks into another.
  return <RunScreen key={id} id={id} />;
}

function RunScreen({ id }: { id: string }) {
  const detail = useQuery('runs.get', { id }, ['runs']);
  const collaborations = useQuery('collaborations.list', {});
  const participants = useQuery('participants.list', {}, ['participants']);
  const [live, dispatch] = useReducer(liveReducer, INITIAL_LIVE);
  useRunEvents(id, (event) => dispatch({ type: 'event', event }));
  // A fresh detail includes what the status events said so far.
  useEffect(() => dispatch({ type: 'synced' }), [detail.data]);

  const names = useMemo(() => {
    const map = new Map<string, PartyName>();
    for (const view of participants.data ?? []) map.set(view.participant.id, { name: view.participant.displayName, organisation: view.participant.organisation });
    return map;
  }, [participants.data]);

  if (detail.error && !detail.data) {
    return (
      <>
        <PageHeader title="Run" crumbs={[{ label: 'Collaborations', to: '/collaborations' }]} />
        <ErrorAlert error={detail.error} title={detail.error.code === 'NOT_FOUND' ? 'This run does not exist' : 'The run could not be loaded'} onRetry={detail.reload} />
      </>
    );
  }
  if (!detail.data) {
    return (
      <>
        <PageHeader title="Run" />
        <LoadingBlock rows={6} />
      </>
    );
  }
  const collaboration = collaborations.data?.find((entry) => entry.id === detail.data!.project.collaborationId);
  return (
    <RunView
      detail={detail.data}
      live={live}
      names={names}
      registered={(participants.data ?? []).filter((view) => view.registrations.some((registration) => registration.projectId === detail.data!.project.id)).map((view) => view.participant.id)}
      collaborationName={collaboration?.name ?? detail.data.project.collaborationId}
      reload={detail.reload}
    />
  );
}

function RunView({
  detail,
  live,
  names,
  registered,
  collaborationName,
  reload,
}: {
  detail: RunDetail;
  live: typeof INITIAL_LIVE;
  names: Map<string, PartyName>;
  registered: string[];
  collaborationName: string;
  reload(): void;
}) {
  const { run, experiment, project } = detail;
  const [editing, edit] = useDisclosure(false);
  // The run a warm start began from, by name.
  const others = useQuery('runs.list', run.initialRunId ? {} : null, ['runs']);
  const sourceName = others.data?.find((candidate) => candidate.id === run.initialRunId)?.name ?? run.initialRunId;
  const status = live.status?.status ?? run.status;
  const executing = isActiveStatus(status) && (detail.active || live.status !== null);
  // Stored as running, but nothing executes it (the app stopped before it could mark the run).
  const stale = isActiveStatus(status) && !executing;
  // Paused on purpose, or by a hub that stopped: resumable from its last completed round.
  const paused = status === 'interrupted' && !executing;
  const result = executing || paused ? null : (live.result ?? detail.result);
  const totalRounds = live.totalRounds ?? run.hyperparameters.rounds;

  const stored = detail.history.length > 0 ? detail.history : (detail.result?.rounds ?? []);
  const rounds = useMemo(() => mergeRounds(stored, live.rounds, detail.active ? run.round : null), [stored, live.rounds, detail.active, run.round]);
  const round = Math.max(rounds.at(-1)?.round ?? 0, live.status?.round ?? 0, detail.active ? run.round : 0);

  const parties = useMemo(() => {
    const ids = new Set<string>([...(executing ? registered : []), ...Object.keys(live.parties), ...partiesOfRounds(rounds), ...(result?.parties ?? [])]);
    const label = (party: string) => names.get(party)?.name ?? party;
    return [...ids].sort((a, b) => label(a).localeCompare(label(b)));
  }, [executing, registered, live.parties, rounds, result, names]);

  const crumbs: Crumb[] = [
    { label: collaborationName, to: `/collaborations/${project.collaborationId}` },
    { label: project.name, to: `/projects/${project.id}` },
    { label: experiment.name, to: `/experiments/${experiment.id}` },
    { label: run.name },
  ];
  const model = describeModel(experiment.model);
  const h = run.hyperparameters;
  const startedAt = run.startedAt;
  const exact = usesExactSolver(experiment.model, h);
  const description = [
    model.name,
    exact ? 'fitted exactly' : ALGORITHM_NAMES[h.algorithm],
    `${exact ? 'at most ' : ''}${h.rounds} ${h.rounds === 1 ? 'round' : 'rounds'}`,
    ...privacyParts(h.privacy),
    ...(run.initialRunId ? [`starts from the model of “${sourceName}”`] : []),
    ...(startedAt ? [`started ${formatDate(startedAt)}`] : []),
  ].join(' · ');

  const actions = (
    <>
      {!executing && !stale && status === 'defined' && (
        <Button variant="default" leftSection={<IconPencil size={16} />} onClick={edit.open}>
          Edit
        </Button>
      )}
      {paused && <ResumeRunButton run={{ ...run, status }} onResumed={reload} />}
      {!executing && !stale && STARTABLE_STATUSES.includes(status) && <StartRunButton run={{ ...run, status }} onStarted={reload} />}
      {executing && <PauseRunButton run={run} roundsDone={rounds.at(-1)?.round ?? 0} onPaused={reload} />}
      {executing && <CancelRunButton run={run} onCancelled={reload} />}
      {!executing && status === 'completed' && result?.artifacts.globalModel && <ExportModelButton run={run} />}
    </>
  );

  const charts = (
    <HistoryCharts
      rounds={rounds}
      parties={parties}
      names={names}
      // A live axis spans the planned rounds; a finished one those that ran.
      totalRounds={executing ? totalRounds : (rounds.at(-1)?.round ?? totalRounds)}
      hyperparameters={h}
      metricsKind={metricsKindOf(rounds, result)}
      exact={exact}
    />
  );
  const settings = (
    <Section title="Settings" description="The model and hyperparameters of this run.">
      <HyperparameterList hyperparameters={h} model={experiment.model} />
    </Section>
  );

  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={
          <span style={{ display: 'inline-flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
            {run.name}
            <RunStatusBadge status={status} />
          </span>
        }
        description={description}
        actions={actions}
      />
      <Stack gap="lg">
        {executing && (
          <>
            <PhaseCard status={status} message={live.status?.message} rounds={rounds} round={round} totalRounds={totalRounds} startedAt={startedAt} exact={exact} />
            <PartiesTable parties={parties} activity={live.parties} rounds={rounds} names={names} />
            {(rounds.length > 0 || !['waiting', 'awaiting-approval', 'aligning'].includes(status)) && charts}
            {settings}
          </>
        )}
        {stale && (
          <Alert color="orange" variant="light" icon={<IconPlayerPause size={18} />} title="This run is not running" role="status">
            It is marked “{status}”, but the app is not executing it: the app was probably closed while it ran. The rounds it finished are shown
            below.
          </Alert>
        )}
        {!executing && result && (
          <>
            <OutcomeSection result={result} plannedRounds={h.rounds} names={names} />
            <EvaluationSection result={result} project={project} names={names} />
            {result.coefficients && <CoefficientsSection table={result.coefficients} />}
            <PrivacySection privacy={result.privacy} rounds={result.rounds.length} />
            {rounds.length > 0 && charts}
            {settings}
          </>
        )}
        {!executing && !result && (
          <>
            {status === 'defined' ? (
              <Paper component="section" p="lg" aria-label="Not started">
                <EmptyState
                  icon={<IconRocket size={26} />}
                  title="This run has not started"
                  description={
                    <>
                      When you start it, the {registered.length > 0 ? `${registered.length} ` : ''}participants registered for “{project.name}” are asked to
                      approve it. Cohort then aligns their features and trains for {h.rounds} {h.rounds === 1 ? 'round' : 'rounds'}; progress and results appear
                      here.
                    </>
                  }
                />
              </Paper>
            ) : paused ? (
              <Alert color="grape" variant="light" icon={<IconPlayerPause size={18} />} title="This run is paused and can be resumed" role="status">
                <Text size="sm">
                  It stopped after round {run.round} of {h.rounds}. <strong>Resume</strong> continues from there with the same settings and
                  participants, who are not asked to approve it again. <strong>Start over</strong> discards these rounds and trains from the
                  beginning.
                </Text>
                {run.error && (
                  <Text size="xs" c="dimmed" mt={4} style={{ whiteSpace: 'pre-wrap' }}>
                    Why it stopped: {run.error.replace(/^interrupted: /, '')}
                  </Text>
                )}
              </Alert>
            ) : (
              !stale &&
              run.error && (
                <Alert color={status === 'cancelled' ? 'orange' : 'red'} variant="light" title={status === 'cancelled' ? 'The run was cancelled' : 'The run failed'} role="alert">
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {run.error}
                  </Text>
                </Alert>
              )
            )}
            {(stale || paused) && rounds.length > 0 && charts}
            {settings}
          </>
        )}
      </Stack>
      <RunFormModal
        opened={editing}
        onClose={edit.close}
        experimentId={experiment.id}
        experimentName={experiment.name}
        model={experiment.model}
        run={run}
        onSaved={(saved) => {
          edit.close();
          notifySaved(`Run "${saved.name}" saved`);
          reload();
        }}
      />
    </>
  );
}
