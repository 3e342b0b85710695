// Newton's method on the pooled sums (iteratively reweighted least squares): the hub asks every
// party for its sums at the current coefficients, adds them, adds the penalty, and steps. The
// pooled sums are the pooled data's, so the fit converges to exactly the model the pooled rows
// would give, in a handful of rounds (one step for a linear model).
//
// The objective is loss + penalty/2 x ||coefficients||² (intercepts unpenalised): scikit-learn's
// LogisticRegression(C) is penalty = 1/C. A step that does not lower it is halved (the sums of
// the next round tell), so the method cannot diverge.
//
// Directions the data cannot determine (the softmax's shared shift of the intercepts, or of
// every coefficient without a penalty) are fixed by adding u uᵀ for each such unit vector u:
// the step, which is orthogonal to them, is unchanged, and (H + U Uᵀ)⁻¹ - U Uᵀ is H's
// pseudo-inverse there, for the standard errors.
import { cholesky, choleskyInverse, choleskySolve, unpack } from '../linalg/symmetric';
import { isIntercept, parameterCountOf, type GlmSpec } from './spec';
import type { GlmSums } from './sums';

export interface NewtonOptions {
  penalty: number;
  /** Converged when no coefficient moves more than this (on the encoded scale). */
  tolerance?: number;
}

export interface NewtonStep {
  /** The coefficients to ask the parties' sums at next; null when converged. */
  next: Float64Array | null;
  objective: number;
  /** Largest change of a coefficient proposed by this step. */
  change: number;
  /** True when the last step was rejected and halved. */
  halved: boolean;
}

interface Accepted {
  theta: Float64Array;
  objective: number;
  direction: Float64Array;
  /** gᵀ direction: the objective's decrease rate along it. */
  slope: number;
  sums: GlmSums;
  curvature: Float64Array;
}

// Newton converges quadratically near the optimum and the last step is applied: stopping when
// a step moves no coefficient more than 1e-4 leaves errors of about 1e-8 (1e-9 to 1e-11 against
// scikit-learn on the reference fits), one round sooner than a tighter bound.
const DEFAULT_TOLERANCE = 1e-4;
/** Relative precision of the sums as they travel (float32, or secure aggregation's fixed point). */
const SUMS_PRECISION = 1e-6;

export class NewtonSolver {
  private accepted: Accepted | undefined;
  private trial: Float64Array;
  private stepSize = 1;
  private final: { theta: Float64Array; sums: GlmSums; curvature: Float64Array } | undefined;

  constructor(
    readonly spec: GlmSpec,
    private readonly options: NewtonOptions,
    start?: Float64Array,
  ) {
    this.trial = start ? Float64Array.from(start) : new Float64Array(parameterCountOf(spec));
  }

  /** Where the parties' sums are needed next. */
  get point(): Float64Array {
    return this.trial;
  }

  get converged(): boolean {
    return this.final !== undefined;
  }

  /** The objective at coefficients theta, from the pooled sums there. */
  objective(theta: ArrayLike<number>, sums: GlmSums): number {
    let penalty = 0;
    for (let index = 0; index < theta.length; index += 1) if (!isIntercept(this.spec, index)) penalty += theta[index]! ** 2;
    return sums.loss + (this.options.penalty / 2) * penalty;
  }

  /** Takes the pooled sums at `point`; returns the next point to ask for, or null when converged. */
  step(sums: GlmSums): NewtonStep {
    const theta = this.trial;
    const objective = this.objective(theta, sums);
    const previous = this.accepted;
    // Armijo's condition: enough of the predicted decrease, else halve the step. The margin is
    // the sums' own precision (float32 or fixed point on the wire): near the optimum the
    // objective changes by less than that, and a full Newton step is then always right.
    const margin = SUMS_PRECISION * (Math.abs(previous?.objective ?? 0) + 1);
    if (previous && !(objective <= previous.objective + 1e-4 * this.stepSize * previous.slope + margin) && this.stepSize > 1e-9) {
      this.stepSize /= 2;
      this.trial = along(previous.theta, previous.direction, this.stepSize);
      return { next: this.trial, objective, change: this.stepSize * maxAbs(previous.direction), halved: true };
    }
    const { gradient, curvature } = this.penalised(theta, sums);
    const direction = solveWithFixes(curvature, this.spec, gradient, this.options.penalty);
    const slope = -dot(gradient, direction);
    this.accepted = { theta, objective, direction, slope, sums, curvature };
    this.stepSize = 1;
    const change = maxAbs(direction);
    const tolerance = this.options.tolerance ?? DEFAULT_TOLERANCE;
    const next = along(theta, direction, 1);
    if (change <= tolerance * Math.max(1, maxAbs(theta))) {
      // Near the optimum Newton converges quadratically: the last step leaves an error of about change².
      this.final = { theta: next, sums, curvature };
      return { next: null, objective, change, halved: false };
    }
    this.trial = next;
    return { next, objective, change, halved: false };
  }

  /** The fitted coefficients with the pooled sums and penalised curvature they were computed from. */
  result(): { theta: Float64Array; sums: GlmSums; curvature: Float64Array; converged: boolean } | null {
    if (this.final) return { ...this.final, converged: true };
    if (!this.accepted) return null;
    return { theta: this.accepted.theta, sums: this.accepted.sums, curvature: this.accepted.curvature, converged: false };
  }

  private penalised(theta: Float64Array, sums: GlmSums): { gradient: Float64Array; curvature: Float64Array } {
    const p = theta.length;
    const gradient = Float64Array.from(sums.gradient);
    const curvature = unpack(sums.hessian, p);
    const { penalty } = this.options;
    for (let index = 0; index < p; index += 1) {
      if (isIntercept(this.spec, index)) continue;
      gradient[index] = gradient[index]! + penalty * theta[index]!;
      curvature[index * p + index] = curvature[index * p + index]! + penalty;
    }
    return { gradient, curvature };
  }
}

/**
 * Unit vectors of the directions the model leaves undetermined: for K classes, the shared shift
 * of the intercepts (and, without a penalty, of each feature's coefficients).
 */
export function undeterminedDirections(spec: GlmSpec, penalty: number): Float64Array[] {
  if (spec.family !== 'multinomial') return [];
  const width = spec.features + 1;
  const p = parameterCountOf(spec);
  const columns = penalty > 0 ? [0] : Array.from({ length: width }, (_, index) => index);
  return columns.map((column) => {
    const u = new Float64Array(p);
    for (let c = 0; c < spec.predictors; c += 1) u[c * width + column] = 1 / Math.sqrt(spec.predictors);
    return u;
  });
}

/** H with u uᵀ added for each undetermined direction (see the top of this file). */
export function withFixes(curvature: Float64Array, spec: GlmSpec, penalty: number): { fixed: Float64Array; directions: Float64Array[] } {
  const p = parameterCountOf(spec);
  const fixed = Float64Array.from(curvature);
  const directions = undeterminedDirections(spec, penalty);
  for (const u of directions) {
    for (let i = 0; i < p; i += 1) {
      if (u[i] === 0) continue;
      for (let j = 0; j < p; j += 1) fixed[i * p + j] = fixed[i * p + j]! + u[i]! * u[j]!;
    }
  }
  return { fixed, directions };
}

/**
 * A factor of the fixed curvature; when it is still singular (an unpenalised fit with collinear
 * columns, such as every level of a category beside the intercept), a small ridge is added.
 */
export function factorise(curvature: Float64Array, spec: GlmSpec, penalty: number): { factor: Float64Array; directions: Float64Array[]; ridge: number } {
  const p = parameterCountOf(spec);
  const { fixed, directions } = withFixes(curvature, spec, penalty);
  let trace = 0;
  for (let i = 0; i < p; i += 1) trace += fixed[i * p + i]!;
  let ridge = 0;
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const matrix = ridge === 0 ? fixed : Float64Array.from(fixed);
    if (ridge > 0) for (let i = 0; i < p; i += 1) matrix[i * p + i] = matrix[i * p + i]! + ridge;
    const factor = cholesky(matrix, p);
    if (factor) return { factor, directions, ridge };
    ridge = ridge === 0 ? (1e-10 * Math.max(trace, 1e-300)) / p : ridge * 10;
  }
  throw new RangeError('the curvature matrix is not positive definite even with a ridge: the data cannot determine this model');
}

function solveWithFixes(curvature: Float64Array, spec: GlmSpec, gradient: Float64Array, penalty: number): Float64Array {
  const { factor } = factorise(curvature, spec, penalty);
  return choleskySolve(factor, parameterCountOf(spec), gradient);
}

/** The covariance of the coefficients: the pseudo-inverse of the penalised curvature. */
export function covarianceOf(curvature: Float64Array, spec: GlmSpec, penalty: number): { covariance: Float64Array; ridge: number } {
  const p = parameterCountOf(spec);
  const { factor, directions, ridge } = factorise(curvature, spec, penalty);
  const covariance = choleskyInverse(factor, p);
  for (const u of directions) {
    for (let i = 0; i < p; i += 1) {
      if (u[i] === 0) continue;
      for (let j = 0; j < p; j += 1) covariance[i * p + j] = covariance[i * p + j]! - u[i]! * u[j]!;
    }
  }
  return { covariance, ridge };
}

function along(theta: Float64Array, direction: Float64Array, size: number): Float64Array {
  return theta.map((value, index) => value - size * direction[index]!);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < a.length; index += 1) total += a[index]! * b[index]!;
  return total;
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let index = 0; index < values.length; index += 1) max = Math.max(max, Math.abs(values[index]!));
  return max;
}
