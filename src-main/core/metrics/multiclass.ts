// Multiclass classification metrics of one party's evaluate data.
import type { MulticlassMetrics } from '../../contract/metrics';
import { CohortError } from '../../contract/errors';
import { multiclassRates } from './confusion';
import { badValue, clipProbability, rowCount } from './inputs';

/**
 * yTrue holds class indices into `labels`; probs is row-major n x k (k = labels.length), each
 * row the predicted class probabilities (a softmax output: rows are not renormalised). The
 * prediction is the arg-max, the first class on a tie (as numpy's argmax).
 */
export function multiclassMetrics(yTrue: Int32Array, probs: Float32Array, labels: readonly string[]): MulticlassMetrics {
  const k = labels.length;
  if (k < 2) throw new CohortError('BAD_INPUT', `multiclass metrics: ${k} label${k === 1 ? '' : 's'}, expected at least 2`);
  if (new Set(labels).size !== k) throw new CohortError('BAD_INPUT', 'multiclass metrics: the labels must be distinct');
  const n = rowCount('multiclass metrics', yTrue, probs, k);

  const cells = new Int32Array(k * k);
  let loss = 0;
  for (let i = 0, offset = 0; i < n; i++, offset += k) {
    const t = yTrue[i]!;
    if (!(t >= 0 && t < k)) throw badValue('multiclass metrics', 'the true class', i, t, `a class index in 0..${k - 1}`);
    let best = 0;
    let bestProb = -1;
    for (let c = 0; c < k; c++) {
      const prob = probs[offset + c]!;
      if (!(prob >= 0 && prob <= 1)) throw badValue('multiclass metrics', `the probability of class ${c}`, i, prob, 'a probability in [0, 1]');
      if (prob > bestProb) {
        bestProb = prob;
        best = c;
      }
    }
    cells[t * k + best]!++;
    loss -= Math.log(clipProbability(probs[offset + t]!));
  }

  const confusion: number[][] = [];
  for (let t = 0; t < k; t++) confusion.push(Array.from(cells.subarray(t * k, (t + 1) * k)));
  const { accuracy, macroF1, perClass } = multiclassRates(confusion, labels);
  return { kind: 'multiclass', n, labels: [...labels], accuracy, macroF1, logLoss: loss / n, perClass, confusion };
}
