// The exact regression models: which family a target implies, how their coefficients are laid
// out, and how they map to the logreg preset's weights (so the fitted model is evaluated,
// exported and used for prediction like any other).
//
// Coefficients are grouped by linear predictor: predictor c holds [intercept, w_1 .. w_d]; a
// binary or numeric target has one predictor, a target of K classes has K (the full softmax
// parametrisation, as scikit-learn's multinomial LogisticRegression uses).
import type { AlignedTarget } from '../../contract/data';
import { packedLength } from '../linalg/symmetric';

export type GlmFamily = 'binomial' | 'multinomial' | 'gaussian';

export interface GlmSpec {
  family: GlmFamily;
  /** Encoded features d. */
  features: number;
  /** Linear predictors K: 1, or the number of classes. */
  predictors: number;
}

export function glmSpecFor(target: AlignedTarget, features: number): GlmSpec {
  switch (target.kind) {
    case 'binary':
      return { family: 'binomial', features, predictors: 1 };
    case 'multiclass':
      return { family: 'multinomial', features, predictors: target.labels.length };
    case 'regression':
      return { family: 'gaussian', features, predictors: 1 };
  }
}

export function parameterCountOf(spec: GlmSpec): number {
  return spec.predictors * (spec.features + 1);
}

/** Values a party sends per round: gradient, packed curvature, loss, rows. */
export function sumsLengthOf(spec: GlmSpec): number {
  const p = parameterCountOf(spec);
  return p + packedLength(p) + 2;
}

/** True for the intercepts, which the penalty leaves alone. */
export function isIntercept(spec: GlmSpec, index: number): boolean {
  return index % (spec.features + 1) === 0;
}

/** The logreg preset's flat weights (kernel d x K row-major, then bias K) of these coefficients. */
export function toLayerWeights(spec: GlmSpec, theta: ArrayLike<number>): Float32Array {
  const { features: d, predictors: k } = spec;
  const weights = new Float32Array(d * k + k);
  for (let c = 0; c < k; c += 1) {
    weights[d * k + c] = theta[c * (d + 1)]!;
    for (let j = 0; j < d; j += 1) weights[j * k + c] = theta[c * (d + 1) + 1 + j]!;
  }
  return weights;
}

/** The coefficients of the logreg preset's flat weights (a warm start, a resumed run). */
export function fromLayerWeights(spec: GlmSpec, weights: ArrayLike<number>): Float64Array {
  const { features: d, predictors: k } = spec;
  if (weights.length !== d * k + k) throw new RangeError(`a logistic or linear model of ${d} features and ${k} outputs has ${d * k + k} weights, not ${weights.length}`);
  const theta = new Float64Array(k * (d + 1));
  for (let c = 0; c < k; c += 1) {
    theta[c * (d + 1)] = weights[d * k + c]!;
    for (let j = 0; j < d; j += 1) theta[c * (d + 1) + 1 + j] = weights[j * k + c]!;
  }
  return theta;
}
