// The exact solver on rows held in one place: the pooled baseline of a simulation, and a
// party's local-only model. The same Newton steps as the federated fit, with the sums taken
// directly, so a federated fit and this one meet at the same optimum.
import { NewtonSolver } from './newton';
import type { FitSummary } from './inference';
import type { GlmSpec } from './spec';
import { GlmAccumulator } from './sums';

export const MAX_LOCAL_ROUNDS = 100;

export function fitRows(spec: GlmSpec, rows: { x: ArrayLike<number>; y: ArrayLike<number>; rows: number }, penalty: number): FitSummary {
  const solver = new NewtonSolver(spec, { penalty });
  let iterations = 0;
  while (!solver.converged && iterations < MAX_LOCAL_ROUNDS) {
    const accumulator = new GlmAccumulator(spec, solver.point);
    accumulator.add(rows.x, rows.y, rows.rows);
    solver.step(accumulator.result());
    iterations += 1;
  }
  const result = solver.result()!;
  return { spec, theta: result.theta, sums: result.sums, curvature: result.curvature, objective: solver.objective(result.theta, result.sums), penalty, iterations, converged: result.converged };
}

/** The model's outputs for rows x: probabilities (sigmoid or softmax) or the linear predictor. */
export function predictRows(spec: GlmSpec, theta: ArrayLike<number>, x: ArrayLike<number>, rows: number): Float32Array {
  const { features: d, predictors: k, family } = spec;
  const out = new Float32Array(rows * k);
  const eta = new Float64Array(k);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < k; c += 1) {
      let value = theta[c * (d + 1)]!;
      for (let j = 0; j < d; j += 1) value += theta[c * (d + 1) + 1 + j]! * x[r * d + j]!;
      eta[c] = value;
    }
    if (family === 'binomial') out[r] = 1 / (1 + Math.exp(-eta[0]!));
    else if (family === 'gaussian') out[r] = eta[0]!;
    else {
      const max = Math.max(...eta);
      let total = 0;
      for (let c = 0; c < k; c += 1) total += Math.exp(eta[c]! - max);
      for (let c = 0; c < k; c += 1) out[r * k + c] = Math.exp(eta[c]! - max) / total;
    }
  }
  return out;
}
