// The run form's warm start: "start from the model of a finished run". Offered are the completed
// runs of the same project whose model is the same (this experiment's, or an identical one);
// the app checks the choice again when the run is saved, and the layer sizes when it starts.
import { Select } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { useMemo } from 'react';
import type { Experiment, Run } from '../../../../src-main/contract/records';
import { useQuery } from '../../api/react';
import { formatDate } from '../../components/format';
import type { RunFormValues } from './run-form';

/** The choice of fresh weights (not a run id: ids start with a letter or digit). */
const FRESH = '_fresh';

/** The runs a run of `experimentId` may start from, newest first. */
export function warmStartSources(experimentId: string, experiments: readonly Experiment[], runs: readonly Run[], self?: string): Array<{ run: Run; experiment: Experiment }> {
  const own = experiments.find((experiment) => experiment.id === experimentId);
  if (!own) return [];
  const model = JSON.stringify(own.model);
  const fitting = new Map(
    experiments
      .filter((experiment) => experiment.projectId === own.projectId && (experiment.id === own.id || JSON.stringify(experiment.model) === model))
      .map((experiment) => [experiment.id, experiment]),
  );
  return runs
    .filter((run) => run.status === 'completed' && run.id !== self && fitting.has(run.experimentId))
    .map((run) => ({ run, experiment: fitting.get(run.experimentId)! }))
    .sort((a, b) => (b.run.finishedAt ?? '').localeCompare(a.run.finishedAt ?? ''));
}

export function WarmStartSelect({ form, experimentId, self }: { form: UseFormReturnType<RunFormValues>; experimentId: string; self?: string | undefined }) {
  const experiments = useQuery('experiments.list', {});
  const runs = useQuery('runs.list', {}, ['runs']);
  const sources = useMemo(() => warmStartSources(experimentId, experiments.data ?? [], runs.data ?? [], self), [experimentId, experiments.data, runs.data, self]);
  const chosen = form.values.initialRunId;
  const data = [
    { value: FRESH, label: 'No: start from fresh weights' },
    ...sources.map(({ run, experiment }) => ({
      value: run.id,
      label: `${run.name}${experiment.id === experimentId ? '' : ` (${experiment.name})`}${run.finishedAt ? `, finished ${formatDate(run.finishedAt)}` : ''}`,
    })),
    // A source chosen earlier that no longer qualifies stays visible, so the choice can be seen and changed.
    ...(chosen && !sources.some(({ run }) => run.id === chosen) ? [{ value: chosen, label: `Run “${chosen}” (not available now)` }] : []),
  ];
  return (
    <Select
      label="Start from the model of a finished run"
      description={
        sources.length === 0 && !chosen
          ? 'No finished run of this project has the same model yet. Once one completes, a new run can continue from its trained model.'
          : 'Continue training from where that run ended, instead of from fresh weights. Only completed runs of this project with the same model are offered.'
      }
      data={data}
      allowDeselect={false}
      maw={560}
      disabled={sources.length === 0 && !chosen}
      value={chosen || FRESH}
      onChange={(value) => form.setFieldValue('initialRunId', !value || value === FRESH ? '' : value)}
      error={form.errors['initialRunId']}
    />
  );
}
