// Completed runs side by side (/compare?runs=a,b): their settings and privacy, the aggregate metrics of
// their global models with the best value of each row marked, and one metric round by round.
import { Alert, Anchor, Badge, Box, Group, LoadingOverlay, MultiSelect, Paper, Select, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconChartLine, IconTrophy } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { Metrics } from '../../../../src-main/contract/metrics';
import type { Experiment, Project, Run } from '../../../../src-main/contract/records';
import { ApiCallError } from '../../api/client';
import { useApi, useQuery } from '../../api/react';
import { RunStatusBadge } from '../../components/badges';
import { RoundChart, seriesColor, type RoundRow, type RoundSeries } from '../../components/charts';
import { ALGORITHM_NAMES, describeModel } from '../../components/describe';
import { formatCount, formatDuration, formatEpsilon, formatNumber } from '../../components/format';
import { optimizerLabel } from '../../components/hyperparameters';
import { PageHeader } from '../../components/page';
import { dpSettingsText } from '../../components/privacy';
import { Section } from '../../components/section';
import { EmptyState, ErrorAlert, LoadingBlock } from '../../components/states';
import { durationSeconds, metricValue, roundMetricOf } from './run-state';

type RunDetail = ApiTypes['RunDetail'];

interface MetricRow {
  key: string;
  label: string;
  higherIsBetter: boolean;
}

/** The aggregate metrics compared for each kind; loss and error metrics are better lower. */
const METRIC_ROWS: Record<Metrics['kind'], MetricRow[]> = {
  binary: [
    { key: 'rocAuc', label: 'ROC AUC', higherIsBetter: true },
    { key: 'prAuc', label: 'PR AUC', higherIsBetter: true },
    { key: 'accuracy', label: 'Accuracy', higherIsBetter: true },
    { key: 'precision', label: 'Precision', higherIsBetter: true },
    { key: 'recall', label: 'Recall', higherIsBetter: true },
    { key: 'f1', label: 'F1', higherIsBetter: true },
    { key: 'logLoss', label: 'Log loss', higherIsBetter: false },
  ],
  multiclass: [
    { key: 'accuracy', label: 'Accuracy', higherIsBetter: true },
    { key: 'macroF1', label: 'Macro F1', higherIsBetter: true },
    { key: 'logLoss', label: 'Log loss', higherIsBetter: false },
  ],
  regression: [
    { key: 'rmse', label: 'RMSE', higherIsBetter: false },
    { key: 'mae', label: 'MAE', higherIsBetter: false },
    { key: 'mse', label: 'MSE', higherIsBetter: false },
    { key: 'r2', label: 'R²', higherIsBetter: true },
  ],
};

const KIND_TITLES: Record<Metrics['kind'], string> = { binary: 'Binary classification', multiclass: 'Multiclass classification', regression: 'Regression' };

/** The indexes of the best values (all of them on a tie); none unless at least two differ. */
export function bestIndexes(values: Array<number | null>, higherIsBetter: boolean): Set<number> {
  const present = values.filter((value): value is number => value !== null);
  if (present.length < 2 || present.every((value) => value === present[0])) return new Set();
  const best = higherIsBetter ? Math.max(...present) : Math.min(...present);
  return new Set(values.flatMap((value, index) => (value === best ? [index] : [])));
}

function parseSelection(value: string | null): string[] {
  return [...new Set((value ?? '').split(',').map((id) => id.trim()).filter(Boolean))];
}

/** runs.get for each selected run, fetched again when runs change; earlier answers stay shown meanwhile. */
function useRunDetails(ids: string[]) {
  const client = useApi();
  const key = ids.join(',');
  const [details, setDetails] = useState<Record<string, RunDetail>>({});
  const [errors, setErrors] = useState<Record<string, ApiCallError>>({});
  const [pending, setPending] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => client.on((event) => event.type === 'changed' && event.what === 'runs' && setTick((value) => value + 1)), [client]);
  useEffect(() => {
    if (!key) return;
    let current = true;
    setPending(true);
    const wanted = key.split(',');
    void Promise.allSettled(wanted.map((id) => client.call('runs.get', { id }))).then((settled) => {
      if (!current) return;
      const loaded: Record<string, RunDetail> = {};
      const failed: Record<string, ApiCallError> = {};
      settled.forEach((outcome, index) => {
        const id = wanted[index]!;
        if (outcome.status === 'fulfilled') loaded[id] = outcome.value;
        else failed[id] = outcome.reason instanceof ApiCallError ? outcome.reason : new ApiCallError('INTERNAL', String(outcome.reason));
      });
      setDetails((previous) => ({ ...previous, ...loaded }));
      setErrors(failed);
      setPending(false);
    });
    return () => {
      current = false;
    };
  }, [client, key, tick]);
  return { details, errors, pending };
}

export function ComparePage() {
  const runs = useQuery('runs.list', {}, ['runs']);
  const experiments = useQuery('experiments.list', {});
  const projects = useQuery('projects.list', {});
  const failed = runs.error ?? experiments.error ?? projects.error;
  return (
    <>
      <PageHeader
        title="Compare runs"
        description="Completed runs side by side: their settings, the final metrics of their global models pooled over the participants, and how one metric evolved round by round."
      />
      {failed ? (
        <ErrorAlert
          error={failed}
          title="The runs could not be loaded"
          onRetry={() => {
            runs.reload();
            experiments.reload();
            projects.reload();
          }}
        />
      ) : !runs.data || !experiments.data || !projects.data ? (
        <LoadingBlock rows={5} />
      ) : (
        <Comparison runs={runs.data} experiments={experiments.data} projects={projects.data} />
      )}
    </>
  );
}

function Comparison({ runs, experiments, projects }: { runs: Run[]; experiments: Experiment[]; projects: Project[] }) {
  const [params, setParams] = useSearchParams();
  const experimentOf = useMemo(() => new Map(experiments.map((experiment) => [experiment.id, experiment])), [experiments]);
  const projectOf = useMemo(() => new Map(projects.map((project) => [project.id, project])), [projects]);
  const runOf = useMemo(() => new Map(runs.map((run) => [run.id, run])), [runs]);
  const completed = runs.filter((run) => run.status === 'completed');

  const requested = parseSelection(params.get('runs'));
  const selected = requested.filter((id) => runOf.get(id)?.status === 'completed');
  const ignored = requested.filter((id) => !selected.includes(id));
  const { details, errors, pending } = useRunDetails(selected);

  const labelOf = (run: Run) => `${experimentOf.get(run.experimentId)?.name ?? run.experimentId} / ${run.name}`;

  const data = useMemo(() => {
    const groups = new Map<string, Array<{ value: string; label: string; disabled: boolean }>>();
    const sorted = [...runs].sort((a, b) => labelOf(a).localeCompare(labelOf(b)));
    for (const run of sorted) {
      const project = projectOf.get(experimentOf.get(run.experimentId)?.projectId ?? '');
      const group = project?.name ?? 'Other runs';
      groups.set(group, [...(groups.get(group) ?? []), { value: run.id, label: labelOf(run), disabled: run.status !== 'completed' }]);
    }
    return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, items]) => ({ group, items }));
  }, [runs, experimentOf, projectOf]);

  if (completed.length < 2) {
    return (
      <Paper p="lg">
        <EmptyState
          icon={<IconChartLine size={26} />}
          title="Nothing to compare yet"
          description={
            completed.length === 0
              ? 'Comparing needs at least two completed runs, and no run has completed yet. Start runs from an experiment’s page; they appear here once they complete.'
              : 'Comparing needs at least two completed runs, and only one has completed so far. Run another (a different algorithm or learning rate, say) and come back.'
          }
          action={
            <Anchor component={Link} to="/collaborations" size="sm">
              Go to collaborations
            </Anchor>
          }
        />
      </Paper>
    );
  }

  const setSelection = (ids: string[]) => {
    const next = new URLSearchParams(params);
    if (ids.length > 0) next.set('runs', ids.join(','));
    else next.delete('runs');
    setParams(next, { replace: true });
  };

  const shown = selected.filter((id) => details[id]).map((id) => details[id]!);
  return (
    <Stack gap="lg">
      <Paper p="lg">
        <MultiSelect
          label="Runs to compare"
          description={`Only completed runs can be chosen (${completed.length} of ${runs.length}).`}
          placeholder={selected.length === 0 ? 'Choose two or more runs' : undefined}
          data={data}
          value={selected}
          onChange={setSelection}
          searchable
          clearable
          hidePickedOptions
          nothingFoundMessage="No run matches"
          maxDropdownHeight={320}
          renderOption={({ option }) => {
            const run = runOf.get(option.value);
            return (
              <Group justify="space-between" wrap="nowrap" w="100%" gap="sm">
                <Text size="sm">{option.label}</Text>
                {run && run.status !== 'completed' && <RunStatusBadge status={run.status} />}
              </Group>
            );
          }}
        />
      </Paper>
      {ignored.length > 0 && (
        <Alert color="yellow" variant="light" title="Some runs in the link are not shown">
          {ignored.map((id) => (runOf.has(id) ? `“${labelOf(runOf.get(id)!)}” has not completed` : `“${id}” does not exist`)).join('; ')}.
        </Alert>
      )}
      {Object.entries(errors)
        .filter(([id]) => selected.includes(id))
        .map(([id, error]) => (
          <ErrorAlert key={id} error={error} title={`“${runOf.get(id) ? labelOf(runOf.get(id)!) : id}” could not be loaded`} />
        ))}
      {selected.length < 2 ? (
        <Paper p="lg">
          <EmptyState
            icon={<IconChartLine size={26} />}
            title={selected.length === 0 ? 'Choose the runs to compare' : 'Choose one more run'}
            description="Pick two or more completed runs above to see their settings and metrics side by side."
          />
        </Paper>
      ) : shown.length === 0 ? (
        <LoadingBlock rows={6} />
      ) : (
        <Box pos="relative">
          <LoadingOverlay visible={pending && shown.length < selected.length} zIndex={2} overlayProps={{ blur: 1, backgroundOpacity: 0.5 }} />
          <Stack gap="lg">
            <SideBySide details={shown} />
            <RoundsOverlay details={shown} labelOf={labelOf} />
          </Stack>
        </Box>
      )}
    </Stack>
  );
}

function SideBySide({ details }: { details: RunDetail[] }) {
  const kinds = [...new Set(details.map((detail) => detail.result?.evaluation?.aggregate.kind).filter((kind): kind is Metrics['kind'] => kind !== undefined))];
  const settings: Array<[string, (detail: RunDetail) => string]> = [
    ['Project', (detail) => detail.project.name],
    ['Model', (detail) => describeModel(detail.experiment.model).name],
    ['Algorithm', (detail) => ALGORITHM_NAMES[detail.run.hyperparameters.algorithm]],
    [
      'Rounds',
      (detail) =>
        `${detail.result?.rounds.length ?? detail.run.round} of ${detail.run.hyperparameters.rounds}${detail.result?.stoppedEarly ? ' (stopped early)' : detail.result?.privacy.stoppedByBudget ? ' (privacy budget)' : ''}`,
    ],
    ['Local epochs', (detail) => String(detail.run.hyperparameters.epochs)],
    ['Batch size', (detail) => String(detail.run.hyperparameters.batchSize)],
    ['Learning rate', (detail) => formatNumber(detail.run.hyperparameters.learningRate)],
    ['Optimizer', (detail) => optimizerLabel(detail.run.hyperparameters)],
    ['Secure aggregation', (detail) => (detail.run.hyperparameters.privacy.secureAggregation ? 'On' : 'Off')],
    ['Differential privacy', (detail) => dpSettingsText(detail.run.hyperparameters.privacy)],
    [
      'ε spent',
      (detail) => {
        const privacy = detail.result?.privacy;
        if (!privacy || privacy.epsilon === null) return '—';
        return `${formatEpsilon(privacy.epsilon, privacy.delta)}${privacy.stoppedByBudget ? ', budget reached' : ''}`;
      },
    ],
    ['Participants', (detail) => String(detail.result?.parties.length ?? '—')],
    [
      'Duration',
      (detail) => {
        const seconds = durationSeconds(detail.result?.startedAt, detail.result?.finishedAt);
        return seconds === null ? '—' : formatDuration(seconds);
      },
    ],
  ];
  const numeric = { textAlign: 'right', fontVariantNumeric: 'tabular-nums' } as const;
  const groupRow = (label: string) => (
    <Table.Tr key={`group-${label}`}>
      <Table.Th colSpan={details.length + 1} bg="var(--mantine-color-gray-0)" fz="xs" tt="uppercase" c="dimmed" style={{ letterSpacing: 0.4 }}>
        {label}
      </Table.Th>
    </Table.Tr>
  );
  return (
    <Section title="Side by side" description="Metrics are those of each run’s final global model, pooled over all participants’ evaluation data. The best value of each row is marked.">
      <Table.ScrollContainer minWidth={240 + 190 * details.length}>
        <Table withTableBorder withColumnBorders aria-label="Runs side by side" highlightOnHover={false} w="auto">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={240}>
                <VisuallyHidden>Setting or metric</VisuallyHidden>
              </Table.Th>
              {details.map((detail) => (
                <Table.Th key={detail.run.id} miw={190} style={{ textAlign: 'right', verticalAlign: 'bottom' }}>
                  <Anchor component={Link} to={`/runs/${detail.run.id}`} fw={700} size="sm">
                    {detail.run.name}
                  </Anchor>
                  <Text size="xs" c="dimmed" fw={400}>
                    {detail.experiment.name}
                  </Text>
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groupRow('Settings')}
            {settings.map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th scope="row" fw={500}>
                  {label}
                </Table.Th>
                {details.map((detail) => (
                  <Table.Td key={detail.run.id} style={numeric}>
                    {value(detail)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
            {kinds.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={details.length + 1}>
                  <Text size="sm" c="dimmed">
                    None of these runs has an evaluation.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {kinds.flatMap((kind) => [
              groupRow(kinds.length > 1 ? `Aggregate metrics · ${KIND_TITLES[kind]}` : 'Aggregate metrics'),
              <Table.Tr key={`${kind}-n`}>
                <Table.Th scope="row" fw={500}>
                  Evaluation rows
                </Table.Th>
                {details.map((detail) => {
                  const metrics = detail.result?.evaluation?.aggregate;
                  return (
                    <Table.Td key={detail.run.id} style={numeric}>
                      {metrics?.kind === kind ? formatCount(metrics.n) : '—'}
                    </Table.Td>
                  );
                })}
              </Table.Tr>,
              ...METRIC_ROWS[kind].map((row) => {
                const values = details.map((detail) => {
                  const metrics = detail.result?.evaluation?.aggregate;
                  return metrics?.kind === kind ? metricValue(metrics, row.key) : null;
                });
                const best = bestIndexes(values, row.higherIsBetter);
                return (
                  <Table.Tr key={`${kind}-${row.key}`} data-metric={row.key}>
                    <Table.Th scope="row" fw={500}>
                      {row.label}
                      <Text span size="xs" c="dimmed" fw={400}>
                        {row.higherIsBetter ? ' · higher is better' : ' · lower is better'}
                      </Text>
                    </Table.Th>
                    {values.map((value, index) => {
                      const isBest = best.has(index);
                      return (
                        <Table.Td
                          key={details[index]!.run.id}
                          style={numeric}
                          fw={isBest ? 700 : 400}
                          bg={isBest ? 'var(--mantine-color-green-0)' : undefined}
                          c={isBest ? 'green.9' : undefined}
                          data-best={isBest || undefined}
                        >
                          <Group gap={6} justify="flex-end" wrap="nowrap">
                            {isBest && <IconTrophy size={14} aria-hidden />}
                            <span>{formatNumber(value)}</span>
                            {isBest && <VisuallyHidden>(best)</VisuallyHidden>}
                          </Group>
                        </Table.Td>
                      );
                    })}
                  </Table.Tr>
                );
              }),
            ])}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {new Set(details.map((detail) => detail.project.id)).size > 1 && (
        <Alert color="yellow" variant="light" title="These runs belong to different projects">
          Their metrics come from different participants or targets, so they say little about each other.
        </Alert>
      )}
    </Section>
  );
}

function RoundsOverlay({ details, labelOf }: { details: RunDetail[]; labelOf(run: Run): string }) {
  const roundsOf = (detail: RunDetail) => (detail.history.length > 0 ? detail.history : (detail.result?.rounds ?? []));
  const kindOf = (detail: RunDetail) => roundsOf(detail).find((record) => record.evaluate)?.evaluate?.aggregate.kind ?? detail.result?.evaluation?.aggregate.kind;
  const counts = new Map<Metrics['kind'], number>();
  for (const detail of details) {
    const kind = kindOf(detail);
    if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const kind = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const [chosen, setChosen] = useState<string | null>(null);
  if (!kind) return null;
  const options = [...METRIC_ROWS[kind].map((row) => ({ value: row.key, label: row.label })), { value: 'trainLoss', label: 'Training loss' }];
  const metricKey = chosen && options.some((option) => option.value === chosen) ? chosen : roundMetricOf(kind).key;
  const metricLabel = options.find((option) => option.value === metricKey)!.label;
  const included = details.filter((detail) => metricKey === 'trainLoss' || kindOf(detail) === kind);
  const left = details.filter((detail) => !included.includes(detail));

  const series: RoundSeries[] = included.map((detail, index) => ({ key: `run${index}`, label: labelOf(detail.run), color: seriesColor(index), emphasis: true }));
  const byRound = new Map<number, RoundRow>();
  included.forEach((detail, index) => {
    for (const record of roundsOf(detail)) {
      const value = metricKey === 'trainLoss' ? record.trainLoss : metricValue(record.evaluate?.aggregate, metricKey);
      if (value === null) continue;
      const row = byRound.get(record.round) ?? ({ round: record.round } as RoundRow);
      row[`run${index}`] = value;
      byRound.set(record.round, row);
    }
  });
  const rows = [...byRound.values()].sort((a, b) => a.round - b.round).map((row) => {
    const full: RoundRow = { ...row };
    for (const entry of series) full[entry.key] ??= null;
    return full;
  });
  const maxRound = Math.max(1, ...included.map((detail) => detail.run.hyperparameters.rounds));
  return (
    <Section title={`${metricLabel} per round`} description="Each run’s aggregate value, round by round (rounds without an evaluation are skipped).">
      <RoundChart
        label={`${metricLabel} per round, by run`}
        rows={rows}
        series={series}
        maxRound={maxRound}
        height={300}
        empty="These runs have no per-round values for this metric."
        controls={
          <Select
            size="xs"
            aria-label="Metric to chart"
            data={options}
            value={metricKey}
            onChange={(value) => setChosen(value)}
            allowDeselect={false}
            w={200}
          />
        }
      />
      {left.length > 0 && (
        <Badge variant="light" color="gray" size="lg" style={{ textTransform: 'none' }}>
          Not charted (other kind of metrics): {left.map((detail) => labelOf(detail.run)).join(', ')}
        </Badge>
      )}
    </Section>
  );
}
