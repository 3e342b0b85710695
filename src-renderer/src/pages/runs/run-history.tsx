// A run's rounds as charts: the training loss and the evaluation metric, the aggregate and
// each participant's own, and the privacy spent (ε), growing round by round while the run trains.
import { SimpleGrid } from '@mantine/core';
import { useMemo } from 'react';
import type { Hyperparameters } from '../../../../src-main/contract/records';
import type { RoundRecord } from '../../../../src-main/contract/results';
import { AGGREGATE_COLOR, RoundChart, seriesColor, type RoundSeries } from '../../components/charts';
import { formatDelta, formatNumber } from '../../components/format';
import { Section } from '../../components/section';
import type { PartyName } from './run-live';
import { epsilonRows, lossRows, metricRows, metricsKindOf, partyKeys, roundMetricOf } from './run-state';

export function HistoryCharts({
  rounds,
  parties,
  names,
  totalRounds,
  hyperparameters,
  metricsKind,
  exact = false,
}: {
  rounds: RoundRecord[];
  parties: string[];
  names: Map<string, { name: string } | PartyName>;
  totalRounds: number;
  hyperparameters: Hyperparameters;
  /** The kind of metrics, when known before any round was evaluated (from the result). */
  metricsKind?: ReturnType<typeof metricsKindOf>;
  /** An exact regression fit: its rounds are Newton steps, evaluated once at the end. */
  exact?: boolean;
}) {
  const keys = useMemo(() => partyKeys(parties), [parties]);
  const kind = metricsKindOf(rounds) ?? metricsKind ?? null;
  const metric = kind ? roundMetricOf(kind) : null;
  const series: RoundSeries[] = useMemo(
    () => [
      { key: 'aggregate', label: 'All participants', color: AGGREGATE_COLOR, emphasis: true },
      ...parties.map((party, index) => ({ key: keys.get(party)!, label: names.get(party)?.name ?? party, color: seriesColor(index) })),
    ],
    [parties, keys, names],
  );
  const losses = useMemo(() => lossRows(rounds, keys), [rounds, keys]);
  const metrics = useMemo(() => (metric ? metricRows(rounds, keys, metric) : []), [rounds, keys, metric]);
  const { evaluateEvery } = hyperparameters;
  const notEvaluatedYet =
    evaluateEvery === 0
      ? 'The global model is evaluated only after the last round.'
      : evaluateEvery > 1
        ? `The global model is evaluated every ${evaluateEvery} rounds; the first evaluation appears here.`
        : 'The evaluation of the first round appears here when it finishes.';
  if (exact) {
    return (
      <Section
        title="Loss per round"
        description="The fit’s loss on every participant’s training rows at each round’s coefficients, pooled and per participant: it falls until the fit converges. The fitted model is evaluated once, at the end (see Evaluation)."
      >
        <RoundChart label="Training loss per round" rows={losses} series={series} maxRound={totalRounds} bounds={[0, Infinity]} empty="The loss of the first round appears here when it finishes." />
      </Section>
    );
  }
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
      <Section title="Training loss" description="Each participant’s local loss, and their mean weighted by rows (lower is better).">
        <RoundChart label="Training loss per round" rows={losses} series={series} maxRound={totalRounds} bounds={[0, Infinity]} empty="The loss of the first round appears here when it finishes." />
      </Section>
      <Section
        title={metric ? `${metric.label} per round` : 'Evaluation per round'}
        description={
          metric
            ? `The global model on each participant’s evaluation data, and pooled over all (${metric.higherIsBetter ? 'higher' : 'lower'} is better).`
            : 'The global model on each participant’s evaluation data.'
        }
      >
        <RoundChart label={metric ? `${metric.label} per round` : 'Evaluation per round'} rows={metrics} series={series} maxRound={totalRounds} bounds={metric?.key === 'rmse' ? [0, Infinity] : [0, 1]} empty={notEvaluatedYet} />
      </Section>
      {(hyperparameters.privacy.dp !== 'off' || rounds.some((record) => record.privacy)) && <EpsilonChart rounds={rounds} totalRounds={totalRounds} hyperparameters={hyperparameters} />}
    </SimpleGrid>
  );
}

const EPSILON_SERIES: RoundSeries = { key: 'epsilon', label: 'ε spent', color: AGGREGATE_COLOR, emphasis: true };
const TARGET_SERIES: RoundSeries = { key: 'target', label: 'Target ε', color: 'red.6' };

/** The differential privacy spent so far, after each round, against the run's target. */
function EpsilonChart({ rounds, totalRounds, hyperparameters }: { rounds: RoundRecord[]; totalRounds: number; hyperparameters: Hyperparameters }) {
  const { targetEpsilon } = hyperparameters.privacy;
  const rows = useMemo(() => epsilonRows(rounds, targetEpsilon), [rounds, targetEpsilon]);
  const delta = rounds.findLast((record) => record.privacy)?.privacy?.delta ?? hyperparameters.privacy.delta;
  const target = targetEpsilon === null ? '' : ` Training stops before a round would spend more than ε = ${formatNumber(targetEpsilon, 3)}.`;
  return (
    <Section title="Privacy spent" description={`The ε spent so far after each round (δ = ${formatDelta(delta)}); lower is more private.${target}`}>
      <RoundChart
        label="ε spent per round"
        rows={rows}
        series={targetEpsilon === null ? [EPSILON_SERIES] : [EPSILON_SERIES, TARGET_SERIES]}
        maxRound={totalRounds}
        bounds={[0, Infinity]}
        digits={3}
        empty="The ε spent appears here when the first round finishes."
      />
    </Section>
  );
}
