// The global model evaluated by every prepared party that has evaluate data; only metrics come
// back. With two or more parties, their tables (confusion matrix, score histograms) travel only
// inside a secure sum: the TTP learns the pooled tables, exact, and never one party's; each
// party's own figures arrive under its disclosure rules. With one party, its figures (tables
// withheld where a cell is small) are all there is.
import type { AlignedTarget } from '../../contract/data';
import { EvaluateReply, GRID } from '../../contract/grid';
import { TENSOR, tensorOf, uintTensor } from '../../contract/tensors';
import type { AggregatedMetrics, Metrics } from '../../contract/metrics';
import { aggregateMetrics, type PartyMetrics } from '../../core/metrics/aggregate';
import { tableLength, tablesFromVector } from '../../core/metrics/tables';
import { countsFixedPoint, SecAggError } from '../../core/privacy/secagg';
import type { TaskHost } from '../run/task-host';
import { secureSum } from '../pipelines/secure-sum';

export interface EvaluationHost extends TaskHost {
  target: AlignedTarget;
}

export async function evaluateGlobal(host: EvaluationHost, weights: Float32Array, round: number): Promise<AggregatedMetrics | null> {
  const parties = host.pool.preparedParties().filter((party) => host.pool.hasEvaluate(party));
  if (parties.length === 0) return null;
  const kind = host.target.kind;
  const length = tableLength(kind, kind === 'multiclass' ? host.target.labels.length : 0);
  if (parties.length >= 2 && length > 0 && kind !== 'regression') return securely(host, parties, weights, round, kind, length);

  const outcomes = await host.pool.dispatcher.dispatch(parties, 'evaluating', async (party) => {
    const channel = host.pool.channelOf(party)!;
    const { body } = await channel.request(GRID.evaluate, { run: host.run, round }, { schema: EvaluateReply, tensors: { [TENSOR.weights]: tensorOf(weights) }, timeoutMs: host.timeoutMs() });
    host.activity(party, 'trained', round);
    return body.metrics;
  });
  const parts: PartyMetrics[] = [];
  for (const [party, outcome] of outcomes) {
    if (outcome.kind === 'ok') {
      if (outcome.value) parts.push({ party, metrics: outcome.value });
    } else host.dropout(party, round, `evaluation failed: ${outcome.message}`);
  }
  return parts.length > 0 ? aggregateMetrics(parts) : null;
}

async function securely(
  host: EvaluationHost,
  parties: readonly string[],
  weights: Float32Array,
  round: number,
  kind: 'binary' | 'multiclass',
  length: number,
): Promise<AggregatedMetrics | null> {
  try {
    const { sum, survivors, replies } = await secureSum<Metrics | null>(
      {
        run: host.run,
        timeoutMs: host.timeoutMs(),
        channelOf: (party) => host.pool.channelOf(party),
        cancellation: host.cancellation,
        activity: (party, activity, message) => host.activity(party, activity, round, message),
        failed: (party, error) => host.dropout(party, round, `evaluation failed: ${(error as Error).message}`),
        leftAfterMasking: (party, error) => host.log.warn('a party left after sending its masked tables (they still count)', { run: host.run, party, error: (error as Error).message }),
      },
      round,
      'evaluate',
      parties,
      countsFixedPoint(parties.length),
      length,
      async (party, channel, secagg) => {
        host.activity(party, 'evaluating', round);
        const { body, tensors } = await channel.request(GRID.evaluate, { run: host.run, round, secagg }, { schema: EvaluateReply, tensors: { [TENSOR.weights]: tensorOf(weights) }, timeoutMs: host.timeoutMs() });
        const masked = uintTensor(tensors, TENSOR.masked, length);
        host.activity(party, 'trained', round);
        return { masked, reply: body.metrics };
      },
    );
    const parts = survivors.flatMap((party) => {
      const metrics = replies.get(party);
      return metrics ? [{ party, metrics }] : [];
    });
    if (parts.length === 0) return null;
    const labels = kind === 'multiclass' && host.target.kind === 'multiclass' ? host.target.labels.length : 0;
    return aggregateMetrics(parts, tablesFromVector(kind, sum, labels));
  } catch (error) {
    if (!(error instanceof SecAggError)) throw error;
    host.log.warn('the evaluation could not be summed securely; no metrics for this round', { run: host.run, round, reason: error.message });
    return null;
  }
}
