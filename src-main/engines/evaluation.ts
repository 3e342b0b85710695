// Metrics of a model's outputs against the encoded targets, in the target's own terms:
// probabilities for classification, de-standardised values for regression.
import type { AlignedTarget } from '../contract/data';
import type { Metrics } from '../contract/metrics';
import { binaryMetrics } from '../core/metrics/binary';
import { multiclassMetrics } from '../core/metrics/multiclass';
import { regressionMetrics } from '../core/metrics/regression';

export function metricsFor(target: AlignedTarget, y: Float32Array, outputs: Float32Array, rows: number): Metrics {
  if (target.kind === 'binary') return binaryMetrics(y, outputs);
  if (target.kind === 'multiclass') {
    const width = target.labels.length;
    const classes = new Int32Array(rows);
    for (let r = 0; r < rows; r += 1) {
      for (let c = 0; c < width; c += 1) if (y[r * width + c] === 1) classes[r] = c;
    }
    return multiclassMetrics(classes, outputs, target.labels);
  }
  return regressionMetrics(destandardise(target, y), destandardise(target, outputs));
}

export function destandardise(target: Extract<AlignedTarget, { kind: 'regression' }>, values: Float32Array): Float64Array {
  return Float64Array.from(values, (value) => value * target.std + target.mean);
}

/** The loss early stopping watches: log loss for classification, mean squared error for regression. */
export function evaluationLoss(metrics: Metrics): number {
  return metrics.kind === 'regression' ? metrics.mse : metrics.logLoss;
}
