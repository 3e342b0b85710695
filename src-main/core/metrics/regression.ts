// Regression metrics of one party's evaluate data, in the target's own units.
import type { RegressionMetrics } from '../../contract/metrics';
import { CohortError } from '../../contract/errors';
import { badValue, rowCount } from './inputs';

type Values = Float32Array | Float64Array;

export function regressionMetrics(yTrue: Values, yPred: Values): RegressionMetrics {
  const n = rowCount('regression metrics', yTrue, yPred);
  let squared = 0;
  let absolute = 0;
  let sum = 0;
  const first = yTrue[0]!;
  let constant = true;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i]!;
    const prediction = yPred[i]!;
    if (!Number.isFinite(y)) throw badValue('regression metrics', 'the true value', i, y, 'a finite number');
    if (!Number.isFinite(prediction)) throw badValue('regression metrics', 'the prediction', i, prediction, 'a finite number');
    const error = y - prediction;
    squared += error * error;
    absolute += Math.abs(error);
    sum += y;
    if (y !== first) constant = false;
  }
  const mse = squared / n;
  if (!Number.isFinite(mse)) throw new CohortError('BAD_INPUT', 'regression metrics: the errors are too large to square');
  // Constant targets are detected exactly rather than by SS_tot === 0, which rounding can miss.
  let r2: number | null = null;
  if (!constant) {
    const mean = sum / n;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const deviation = yTrue[i]! - mean;
      total += deviation * deviation;
    }
    r2 = 1 - squared / total;
  }
  return { kind: 'regression', n, mse, rmse: Math.sqrt(mse), mae: absolute / n, r2, targetMean: sum / n };
}
