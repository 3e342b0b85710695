// A participant's training round: the approved plan's settings checked, the received global
// model trained on its own rows, and what leaves built from the result: its weights, or its
// update clipped, noised, compressed or masked as the owner approved, with (under early
// stopping) the received model's loss on its validation rows.
import { CohortError } from '../contract/errors';
import type { FitReply, FitRequest } from '../contract/grid';
import { usesExactSolver } from '../contract/records';
import type { Tensors } from '../contract/tensors';
import { describeProtection } from '../core/disclosure/describe';
import { canonicalJson } from '../core/stats/canonical-json';
import { fitConfigFor } from '../core/strategies/fit-config';
import type { ResultsContext } from './worker-results';
import { globalWeights, type RunState } from './worker-run';
import { plainUpdate, protectedUpdate, updateCompression } from './worker-update';

export async function fitRound(context: ResultsContext, state: RunState, request: FitRequest, tensors: Tensors): Promise<{ body: FitReply; tensors: Tensors }> {
const { ports, authority } = context;
  const { privacy } = state.hyperparameters;
  // The round's training settings follow from the approved plan; any other is refused.
  const { config } = request;
  if (canonicalJson(config) !== canonicalJson(fitConfigFor(state.hyperparameters, config.round))) {
    throw new CohortError('PLAN_MISMATCH', `round ${config.round} of run "${request.run}" asks for training settings other than those approved`);
  }
  // Never a plain update when the owner approved secure aggregation.
  if (privacy.secureAggregation !== (request.secagg !== undefined)) {
    throw new CohortError('INSTRUCTION_REFUSED', privacy.secureAggregation ? 'this run uses secure aggregation: a fit must come with its shares' : 'this run does not use secure aggregation');
  }
  if (usesExactSolver(state.grant.plan.model, state.hyperparameters)) {
    throw new CohortError('INSTRUCTION_REFUSED', `run "${request.run}" was approved for the exact solver: it sends regression sums, not trained weights`);
  }
  authority.admitFit(state.grant, config.round);
  const client = request.secagg ? state.secagg.client(config.round, 'fit') : undefined;
  if (client && request.secagg) client.receiveShares(request.secagg.ciphertexts);
  const received = globalWeights(tensors);
  const extras = await state.algorithm.beforeFit(config.round, tensors, received.length);
  const keepsGlobal = state.algorithm.replyTensors.length > 0;
  // (A norm bound is then applied by the hub.) A tampering test worker needs the global weights after training.
  const plain = privacy.dp === 'off' && !client && !ports.tamper;
  // The training thread may take the tensor's memory: keep a copy when the update is needed.
  const compression = updateCompression(state, config.round);
  const global = plain && !keepsGlobal && !compression ? received : Float32Array.from(received);
  // Early stopping: the received global model's loss on the validation rows, before training takes the weights.
  const validation = await validationLoss(state, received);
  const trained = await state.session.fit(received, { ...config, loss: state.hyperparameters.loss, ...extras });
  const result = ports.tamper ? { ...trained, weights: ports.tamper(global, trained.weights) } : trained;
  const replyTensors = await state.algorithm.afterFit(config.round, global, result, config.learningRate);
  state.local = result.weights;
  ports.activity?.({ kind: 'fit', run: request.run, project: state.grant.project.id, round: config.round, loss: result.loss, numExamples: result.numExamples, seconds: result.seconds });
  const body = { numExamples: result.numExamples, loss: result.loss, seconds: result.seconds, ...(validation ? { validation } : {}) };
  const disclosed = () =>
    context.disclose(state.grant, {
      what: 'model update',
      round: config.round,
      examples: result.numExamples,
      protection: describeProtection(privacy, state.hyperparameters),
      ...(validation ? { validationRows: validation.rows } : {}),
    });
  const update = { global, weights: result.weights, numExamples: result.numExamples, extras: state.algorithm.replyTensors.map((name) => [name, replyTensors[name]!] as const) };
  if (plain) {
    disclosed();
    return { body, tensors: plainUpdate(update, compression) };
  }
  // A noisy update is charged to this party's own privacy ledger before it leaves (and is
  // logged as shared only then).
  if (privacy.dp !== 'off') await authority.chargeRelease(state.grant, privacy);
  disclosed();
  const secagg = client && request.secagg ? { client, totalExamples: request.secagg.totalExamples, noiseShareParties: state.secagg.noiseShareParties(client) } : undefined;
  const { tensors: sent, clamped } = protectedUpdate(update, { privacy, normBound: state.hyperparameters.normBound, ...(secagg ? { secagg } : {}), ...(compression ? { compression } : {}) });
  if (clamped) ports.log.warn('values clamped to the fixed-point range', { run: request.run, round: config.round, clamped });
  return { body: clamped === undefined ? body : { ...body, clamped }, tensors: sent };
}

/**
 * The loss of the received global weights on this party's validation rows, for the hub's
 * early stopping: only for a run approved with early stopping, without differential privacy
 * (the loss is not noised), and over at least the minimum cell count of rows. It rides on a
 * fit the budget already counted, so it adds no request the plan did not allow.
 */
async function validationLoss(state: RunState, weights: Float32Array): Promise<{ loss: number; rows: number } | undefined> {
  const rows = state.data.validation?.rows ?? 0;
  if (rows === 0 || rows < state.grant.project.minCellCount) return undefined;
  if (state.hyperparameters.earlyStopping === null || state.hyperparameters.privacy.dp !== 'off') return undefined;
  const loss = await state.session.validationLoss(weights, state.hyperparameters.loss);
  return Number.isFinite(loss) ? { loss, rows } : undefined;
}
