// The regression table of an exact fit, as clinicians and epidemiologists read it: each term's
// coefficient in the units of its column (the model was fitted on standardised columns, so
// each reported value is a linear function of the fitted ones, with its variance carried
// through exactly), its standard error, a 95% interval, the z or t statistic and its p-value,
// and for classification the odds ratio (binary) or the relative risk ratio against the
// reference class (K classes). The covariance is the inverse of the penalised curvature.
import type { Alignment } from '../../contract/data';
import type { CoefficientRow, CoefficientTable } from '../../contract/results';
import { normalQuantile, tQuantile, twoSidedNormalP, twoSidedTP } from '../stats/distributions';
import { covarianceOf } from './newton';
import { parameterCountOf, type GlmSpec } from './spec';
import type { GlmSums } from './sums';

export const CONFIDENCE = 0.95;

/** Per encoded feature: how it was centred and scaled (1 and 0 for indicators and levels). */
export function featureScales(alignment: Alignment): { centre: Float64Array; scale: Float64Array } {
  const centre = new Float64Array(alignment.features.length);
  const scale = new Float64Array(alignment.features.length).fill(1);
  let offset = 0;
  for (const column of alignment.columns) {
    if (column.kind === 'categorical') {
      offset += column.levels.length;
      continue;
    }
    if (column.kind === 'numeric') {
      centre[offset] = column.mean;
      scale[offset] = column.std;
    }
    offset += column.missingIndicator ? 2 : 1;
  }
  if (offset !== alignment.features.length) throw new RangeError(`the alignment's columns give ${offset} features, not ${alignment.features.length}`);
  return { centre, scale };
}

export interface FitSummary {
  spec: GlmSpec;
  theta: Float64Array;
  /** The pooled sums and penalised curvature (row-major) at the last accepted coefficients. */
  sums: GlmSums;
  curvature: Float64Array;
  objective: number;
  penalty: number;
  iterations: number;
  converged: boolean;
}

/** A term as a sparse linear combination of the fitted coefficients. */
type Combination = Array<[index: number, weight: number]>;

export function coefficientTable(fit: FitSummary, alignment: Alignment): CoefficientTable {
  const { spec, theta, sums, penalty } = fit;
  const p = parameterCountOf(spec);
  const width = spec.features + 1;
  const { centre, scale } = featureScales(alignment);
  const target = alignment.target;
  const targetScale = target.kind === 'regression' ? target.std : 1;
  const targetCentre = target.kind === 'regression' ? target.mean : 0;
  const gaussian = spec.family === 'gaussian';
  const df = sums.rows - p;
  // The residual variance, on the standardised target, for a numeric target.
  const dispersion = gaussian ? (df > 0 ? (2 * sums.loss) / df : Number.NaN) : 1;
  const { covariance, ridge } = covarianceOf(fit.curvature, spec, penalty);
  const quantile = gaussian ? (df > 0 ? tQuantile(1 - (1 - CONFIDENCE) / 2, df) : Number.NaN) : normalQuantile(1 - (1 - CONFIDENCE) / 2);

  const rowOf = (term: string, outcome: string | null, encoded: Combination, original: Combination, shift: number, columnScale = 1): CoefficientRow => {
    const value = (combination: Combination) => combination.reduce((total, [index, weight]) => total + weight * theta[index]!, 0);
    let variance = 0;
    for (const [i, wi] of original) for (const [j, wj] of original) variance += wi * wj * covariance[i * p + j]!;
    variance *= dispersion * targetScale ** 2;
    const estimate = targetScale * value(original) + shift;
    const standardError = variance > 0 && Number.isFinite(variance) ? Math.sqrt(variance) : null;
    const statistic = standardError ? estimate / standardError : null;
    const pValue = statistic === null ? null : gaussian ? twoSidedTP(statistic, df) : twoSidedNormalP(statistic);
    const low = standardError && Number.isFinite(quantile) ? estimate - quantile * standardError : null;
    const high = standardError && Number.isFinite(quantile) ? estimate + quantile * standardError : null;
    return {
      term,
      outcome,
      estimate,
      encoded: value(encoded),
      scale: columnScale,
      standardError,
      low,
      high,
      statistic: statistic === null || !Number.isFinite(statistic) ? null : statistic,
      p: pValue === null || !Number.isFinite(pValue) ? null : Math.min(1, Math.max(0, pValue)),
      ratio: gaussian ? null : { estimate: Math.exp(estimate), low: low === null ? null : Math.exp(low), high: high === null ? null : Math.exp(high) },
    };
  };

  // Terms of predictor c minus predictor `minus` (null: predictor c alone).
  const termsOf = (c: number, minus: number | null, outcome: string | null): CoefficientRow[] => {
    const pick = (column: number, weight: number): Combination =>
      minus === null ? [[c * width + column, weight]] : [[c * width + column, weight], [minus * width + column, -weight]];
    const rows: CoefficientRow[] = [];
    // The intercept at the columns' own zero: b - sum over numeric columns of w_j mean_j / sd_j.
    const intercept: Combination = [...pick(0, 1)];
    for (let j = 0; j < spec.features; j += 1) if (centre[j] !== 0) intercept.push(...pick(j + 1, -centre[j]! / scale[j]!));
    rows.push(rowOf('(intercept)', outcome, pick(0, 1), intercept, minus === null ? targetCentre : 0));
    for (let j = 0; j < spec.features; j += 1) rows.push(rowOf(alignment.features[j]!, outcome, pick(j + 1, 1), pick(j + 1, 1 / scale[j]!), 0, scale[j]!));
    return rows;
  };

  let terms: CoefficientRow[];
  let positive: string | null = null;
  let reference: string | null = null;
  if (target.kind === 'multiclass') {
    reference = target.labels[0]!;
    terms = target.labels.slice(1).flatMap((label, index) => termsOf(index + 1, 0, label));
  } else {
    if (target.kind === 'binary') positive = target.positive;
    terms = termsOf(0, null, null);
  }

  const notes: string[] = [];
  if (target.kind === 'binary') notes.push(`Odds ratios are for "${target.positive}" per unit of each column (per level present for categories).`);
  if (target.kind === 'multiclass') notes.push(`Each class is compared with the reference class "${reference}": ratios are relative risk ratios against it.`);
  if (penalty > 0) {
    notes.push(`Fitted with an L2 penalty of ${penalty} (scikit-learn's C = ${formatNumber(1 / penalty)}): coefficients are shrunk towards zero and their intervals come from the penalised fit. Set the penalty to 0 for unpenalised estimates, as R's glm gives.`);
  }
  if (ridge > 0) notes.push('Some columns are collinear (for example every level of a category beside the intercept): a tiny ridge made the fit unique, so read those terms with care.');
  if (!fit.converged) notes.push(`The fit did not converge in ${fit.iterations} rounds: allow more rounds.`);
  if (gaussian && df <= 0) notes.push('There are no more rows than coefficients: no standard errors.');

  return {
    family: spec.family,
    penalty,
    iterations: fit.iterations,
    converged: fit.converged,
    rows: sums.rows,
    parameters: p,
    statistic: gaussian ? 't' : 'z',
    confidence: CONFIDENCE,
    dispersion: gaussian && Number.isFinite(dispersion) ? dispersion * targetScale ** 2 : null,
    positive,
    reference,
    objective: fit.objective,
    notes,
    terms,
  };
}

function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : 'infinite';
}
