// The last phase of every training workflow: the workers save the global model (and their
// local one) and predict locally; the TTP saves the global model with its alignment,
// hyperparameters and metrics.
import type { Alignment } from '../../contract/data';
import { FinishReply, GRID } from '../../contract/grid';
import { TENSOR, tensorOf } from '../../contract/tensors';
import type { AggregatedMetrics } from '../../contract/metrics';
import type { ModelShape } from '../ports';
import type { RunSession } from '../run/run-session';

export async function exportModel(
  session: RunSession,
  model: { shape: ModelShape; alignment: Alignment; weights: Float32Array; evaluation: AggregatedMetrics | null },
  extra: Record<string, unknown> = {},
): Promise<string> {
  const { experiment, project, run } = session.context;
  const metadata = {
    run: run.id,
    experiment: experiment.id,
    project: project.id,
    algorithm: session.hyperparameters.algorithm,
    hyperparameters: session.hyperparameters,
    features: model.alignment.features,
    ...extra,
  };
  const outcomes = await session.pool.dispatcher.dispatch(session.pool.preparedParties(), 'exporting', async (party) => {
    const { body } = await session.pool.channelOf(party)!.request(GRID.finish, { run: run.id, metadata }, { schema: FinishReply, tensors: { [TENSOR.weights]: tensorOf(model.weights) }, timeoutMs: session.timeoutMs() });
    return body;
  });
  for (const [party, outcome] of outcomes) {
    if (outcome.kind === 'ok') session.party(party, 'done', session.round);
    else session.pool.dropout(party, session.round, `exporting failed: ${outcome.message}`);
  }
  return session.deps.models.saveGlobal(run.id, experiment.model, model.shape, model.weights, { ...metadata, alignment: model.alignment, metrics: model.evaluation });
}
