// A participant's side of the exact regression solver: at the coefficients the hub sends, the
// sums of loss, gradient and curvature over its train rows. The worker answers only for a run
// approved for the exact solver, within the approved rounds, and only when its rows are many
// enough: at least its minimum cell count, and more than three times the coefficients of a
// linear predictor (DataSHIELD's saturation rule), so that the sums cannot describe single
// rows. With secure aggregation the sums leave masked; the hub only ever sees their total.
import { CohortError } from '../contract/errors';
import type { SumsReply, SumsRequest } from '../contract/grid';
import { float64Tensor, TENSOR, tensorOf, type Tensors } from '../contract/tensors';
import { describeProtection } from '../core/disclosure/describe';
import { MAX_COEFFICIENTS_PER_ROW, usesExactSolver } from '../core/glm/solver';
import { glmSpecFor, parameterCountOf } from '../core/glm/spec';
import { withSecondWords } from '../core/glm/precise-words';
import { sumsToVector } from '../core/glm/sums';
import type { ResultsContext } from './worker-results';
import type { RunState } from './worker-run';

export async function regressionSums(context: ResultsContext, state: RunState, request: SumsRequest, tensors: Tensors): Promise<{ body: SumsReply; tensors: Tensors }> {
  const { grant, hyperparameters, alignment } = state;
  const { privacy } = hyperparameters;
  if (!usesExactSolver(grant.plan.model, hyperparameters)) {
    throw new CohortError('INSTRUCTION_REFUSED', `run "${request.run}" was approved to train by gradient steps, not to send regression sums`);
  }
  if (privacy.secureAggregation !== (request.secagg !== undefined)) {
    throw new CohortError('INSTRUCTION_REFUSED', privacy.secureAggregation ? 'this run uses secure aggregation: the sums must be masked' : 'this run does not use secure aggregation');
  }
  const spec = glmSpecFor(alignment.target, alignment.features.length);
  let theta: Float64Array;
  try {
    theta = float64Tensor(tensors, TENSOR.coefficients, parameterCountOf(spec));
  } catch (error) {
    throw new CohortError('INSTRUCTION_REFUSED', (error as Error).message);
  }
  if (!theta.every(Number.isFinite)) throw new CohortError('INSTRUCTION_REFUSED', 'the coefficients hold values that are not finite numbers');
  const rows = state.data.train.rows;
  const k = grant.project.minCellCount;
  if (rows < k) throw new CohortError('TOO_FEW_ROWS', `${rows} train rows is fewer than this party's minimum cell count of ${k}: no regression sums are sent`);
  if (spec.features + 1 > MAX_COEFFICIENTS_PER_ROW * rows) {
    throw new CohortError('TOO_FEW_ROWS', `a regression of ${spec.features + 1} coefficients on ${rows} train rows could describe single rows (at most ${MAX_COEFFICIENTS_PER_ROW} coefficients per row): no regression sums are sent`);
  }
  if (request.totalRows < rows) throw new CohortError('INSTRUCTION_REFUSED', `the round's total of ${request.totalRows} rows is fewer than this party's own ${rows}`);
  context.authority.admitFit(grant, request.round);
  const client = request.secagg ? state.secagg.client(request.round, 'fit') : undefined;
  if (client && request.secagg) client.receiveShares(request.secagg.ciphertexts);

  const started = performance.now();
  const sums = await state.session.regressionSums(spec, Float64Array.from(theta));
  const seconds = (performance.now() - started) / 1000;
  const loss = sums.loss / Math.max(1, sums.rows);
  context.ports.activity?.({ kind: 'fit', run: request.run, project: grant.project.id, round: request.round, loss, numExamples: sums.rows, seconds });
  const vector = sumsToVector(sums, request.totalRows);
  const body: SumsReply = { numExamples: sums.rows, loss, seconds };
  context.disclose(grant, { what: 'model update', round: request.round, examples: sums.rows, protection: `regression sums (loss, gradient, curvature); ${describeProtection(privacy)}` });
  if (!client) return { body, tensors: { [TENSOR.sums]: tensorOf(vector) } };
  const { masked, clamped } = client.maskUpdate(withSecondWords(vector, spec, client.setup.encoding.fractionalBits), 1, []);
  if (clamped > 0) context.ports.log.warn('values clamped to the fixed-point range', { run: request.run, round: request.round, clamped });
  return { body: clamped > 0 ? { ...body, clamped } : body, tensors: { [TENSOR.masked]: tensorOf(masked) } };
}
