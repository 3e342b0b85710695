// The end of a round and of a run at a participant: the global model evaluated on its own
// evaluate data (its owner sees every figure; the hub gets them under the disclosure rules and,
// with others evaluating, this party's tables only inside a secure sum), then the global and
// local models saved and predictions written into the party's own folder.
import type { z } from 'zod';
import type { EvaluateReply, EvaluateRequest, FinishReply, FinishRequest } from '../contract/grid';
import type { Disclosed } from '../contract/security';
import { TENSOR, tensorOf, type Tensors } from '../contract/tensors';
import { describeMetrics } from '../core/disclosure/describe';
import { discloseMetrics } from '../core/disclosure/metrics';
import { tableVector, withoutTables } from '../core/metrics/tables';
import { metricsFor } from './evaluation';
import type { RunGrant, WorkerAuthority } from './worker-authority';
import { globalWeights, type RunState, type WorkerPorts } from './worker-run';

export interface ResultsContext {
  party: string;
  ports: WorkerPorts;
  authority: WorkerAuthority;
  disclose: (grant: RunGrant, disclosed: Disclosed) => void;
}

export async function evaluateGlobal(
  context: ResultsContext,
  state: RunState,
  request: z.infer<typeof EvaluateRequest>,
  tensors: Tensors,
): Promise<{ body: EvaluateReply; tensors?: Tensors }> {
  const evaluate = state.data.evaluate;
  if (!evaluate || evaluate.rows === 0 || !evaluate.y) return { body: { metrics: null } };
  context.authority.admitEvaluation(state.grant, request.round);
  const client = request.secagg ? state.secagg.client(request.round, 'evaluate') : undefined;
  if (client && request.secagg) client.receiveShares(request.secagg.ciphertexts);
  const outputs = await state.session.predict(globalWeights(tensors), 'evaluate');
  const metrics = metricsFor(state.alignment.target, evaluate.y, outputs, evaluate.rows);
  context.ports.activity?.({ kind: 'evaluated', run: request.run, project: state.grant.project.id, round: request.round, metrics });
  const disclosed = discloseMetrics(metrics, state.grant.project.minCellCount);
  const sent = client ? withoutTables(disclosed) : disclosed;
  context.disclose(state.grant, describeMetrics(request.round, sent, client !== undefined));
  if (!client) return { body: { metrics: sent } };
  const { masked } = client.maskUpdate(tableVector(metrics), 1, []);
  return { body: { metrics: sent }, tensors: { [TENSOR.masked]: tensorOf(masked) } };
}

export async function finishRun(context: ResultsContext, state: RunState, request: FinishRequest, tensors: Tensors): Promise<FinishReply> {
  const { ports } = context;
  const project = state.grant.project.id;
  const global = globalWeights(tensors);
  // Saved with the models, for local use: how this party encoded its data (its own levels).
  const declaredLevels = Object.fromEntries(
    (state.grant.declaration?.columns ?? []).filter((column) => column.kind === 'categorical' && column.levels).map((column) => [column.name, column.levels!]),
  );
  const metadata = { ...request.metadata, party: context.party, project, alignment: state.alignment, declaredLevels };
  await state.session.saveModel(global, ports.artifacts.modelDir(project, request.run, 'global'), { ...metadata, model: 'global' });
  await state.session.saveModel(state.local ?? global, ports.artifacts.modelDir(project, request.run, 'local'), { ...metadata, model: 'local' });
  let predictedRows: number | null = null;
  const predict = state.data.predict;
  if (predict && predict.rows > 0) {
    const outputs = await state.session.predict(global, 'predict');
    predictedRows = await ports.artifacts.writePredictions(project, request.run, state.alignment, predict, outputs);
  }
  ports.log.info('finished', { run: request.run, predictedRows });
  context.disclose(state.grant, { what: 'predictions kept', rows: predictedRows });
  ports.activity?.({ kind: 'finished', run: request.run, project, predictedRows });
  return { predictedRows };
}
