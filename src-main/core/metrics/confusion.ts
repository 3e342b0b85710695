// The metrics that follow from a confusion matrix alone. Both a party (from its predictions)
// and the TTP (from the parties' summed matrices) derive them here, so an aggregate computed
// from summed matrices is exactly the metric of the pooled predictions.
import type { BinaryConfusion, ClassMetrics } from '../../contract/metrics';

/** a / b, or 0 when b is 0: scikit-learn's zero_division=0. */
export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export interface BinaryRates {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
}

export function binaryRates({ tp, fp, tn, fn }: BinaryConfusion): BinaryRates {
  return {
    accuracy: ratio(tp + tn, tp + fp + tn + fn),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    // The harmonic mean of precision and recall, written without them so that it is 0 (not
    // 0 / 0) when either is.
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}

export interface MulticlassRates {
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
}

/** confusion[t][p] counts rows of true class t predicted as p, both in `labels` order. */
export function multiclassRates(confusion: ReadonlyArray<ReadonlyArray<number>>, labels: readonly string[]): MulticlassRates {
  const k = labels.length;
  const predicted = new Float64Array(k);
  let total = 0;
  let correct = 0;
  for (let t = 0; t < k; t++) {
    const row = confusion[t]!;
    for (let p = 0; p < k; p++) {
      const cell = row[p]!;
      predicted[p]! += cell;
      total += cell;
    }
    correct += row[t]!;
  }
  const entries: Array<[string, ClassMetrics]> = [];
  let f1Sum = 0;
  for (let c = 0; c < k; c++) {
    const row = confusion[c]!;
    const hits = row[c]!;
    let support = 0;
    for (let p = 0; p < k; p++) support += row[p]!;
    const columnTotal = predicted[c]!;
    const f1 = ratio(2 * hits, support + columnTotal);
    f1Sum += f1;
    entries.push([labels[c]!, { precision: ratio(hits, columnTotal), recall: ratio(hits, support), f1, support }]);
  }
  // fromEntries defines own properties, so even a label such as "constructor" is a plain key.
  return { accuracy: ratio(correct, total), macroF1: k === 0 ? 0 : f1Sum / k, perClass: Object.fromEntries(entries) };
}
