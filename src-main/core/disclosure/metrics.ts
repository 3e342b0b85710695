// Disclosure control on the metrics a party sends about its evaluate data, with the owner's
// minimum cell count k. Metrics of fewer than k rows are never computed (the caller refuses
// them). Beyond that:
// - a table (confusion matrix) with a cell of 1..k-1 is withheld as a whole (null);
// - a rate is withheld when a cell it is computed from holds 1..k-1 rows (accuracy from the
//   correct and wrong counts; precision from tp and fp; recall from tp and fn; ...), since the
//   rate and the table's totals would give the cell back;
// - ROC and PR AUC are withheld unless both classes hold at least k rows;
// - score histograms are coarsened: runs of adjacent bins are merged until each holds 0 or at
//   least k rows, and a run's count is reported in its middle bin (so that pooled curves stay
//   within the run's width of the truth); a class with 1..k-1 rows in all sends no histogram;
// - losses and errors are means over all n >= k rows and leave as they are.
import type { BinaryMetrics, Metrics, MulticlassMetrics, ScoreHistogram } from '../../contract/metrics';
import { disclosable } from './threshold';

export function discloseMetrics(metrics: Metrics, k: number): Metrics {
  if (metrics.kind === 'binary') return discloseBinary(metrics, k);
  if (metrics.kind === 'multiclass') return discloseMulticlass(metrics, k);
  return metrics;
}

function discloseBinary(metrics: BinaryMetrics, k: number): BinaryMetrics {
  const out: BinaryMetrics = { ...metrics };
  const confusion = metrics.confusion;
  if (confusion) {
    const { tp, fp, tn, fn } = confusion;
    const ok = (...cells: number[]) => cells.every((cell) => disclosable(cell, k));
    if (!ok(tp, fp, tn, fn)) out.confusion = null;
    if (!ok(tp + tn, fp + fn)) out.accuracy = null;
    if (!ok(tp, fp)) out.precision = null;
    if (!ok(tp, fn)) out.recall = null;
    if (!ok(tp, fp, fn)) out.f1 = null;
    const positives = tp + fn;
    const negatives = tn + fp;
    if (positives < k || negatives < k) {
      out.rocAuc = null;
      out.prAuc = null;
    }
  }
  if (metrics.scoreHistogram) {
    const histogram = coarsenHistogram(metrics.scoreHistogram, k);
    if (histogram) out.scoreHistogram = histogram;
    else delete out.scoreHistogram;
  }
  return out;
}

function discloseMulticlass(metrics: MulticlassMetrics, k: number): MulticlassMetrics {
  const confusion = metrics.confusion;
  if (!confusion) return metrics;
  const size = metrics.labels.length;
  const cellOk = (count: number) => disclosable(count, k);
  const everyCellOk = confusion.every((row) => row.every(cellOk));
  let correct = 0;
  let total = 0;
  const predicted = new Array<number>(size).fill(0);
  confusion.forEach((row, t) =>
    row.forEach((cell, p) => {
      total += cell;
      predicted[p]! += cell;
      if (t === p) correct += cell;
    }),
  );
  const perClass: MulticlassMetrics['perClass'] = {};
  let allF1 = true;
  metrics.labels.forEach((label, c) => {
    const row = confusion[c]!;
    const hits = row[c]!;
    const support = row.reduce((sum, cell) => sum + cell, 0);
    const missed = support - hits;
    const falseAlarms = predicted[c]! - hits;
    const own = metrics.perClass[label]!;
    const f1 = cellOk(hits) && cellOk(missed) && cellOk(falseAlarms) ? own.f1 : null;
    if (f1 === null) allF1 = false;
    perClass[label] = {
      precision: cellOk(hits) && cellOk(falseAlarms) ? own.precision : null,
      recall: cellOk(hits) && cellOk(missed) ? own.recall : null,
      f1,
      support: cellOk(support) ? own.support : null,
    };
  });
  return {
    ...metrics,
    accuracy: cellOk(correct) && cellOk(total - correct) ? metrics.accuracy : null,
    macroF1: allF1 ? metrics.macroF1 : null,
    perClass,
    confusion: everyCellOk ? confusion : null,
  };
}

/** Each class's histogram with runs merged to 0 or >= k rows; undefined if a class cannot be. */
export function coarsenHistogram(histogram: ScoreHistogram, k: number): ScoreHistogram | undefined {
  const positive = coarsenCounts(histogram.positive, k);
  const negative = coarsenCounts(histogram.negative, k);
  return positive && negative ? { positive, negative } : undefined;
}

/**
 * Merges adjacent bins from the left into runs of at least k rows (a short tail joins the run
 * before it); each run's total goes to its middle bin. Undefined when 1..k-1 rows in all.
 */
export function coarsenCounts(counts: readonly number[], k: number): number[] | undefined {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (!disclosable(total, k)) return undefined;
  const out = new Array<number>(counts.length).fill(0);
  if (total === 0) return out;
  const runs: Array<{ start: number; end: number; count: number }> = [];
  let start = 0;
  let running = 0;
  for (let bin = 0; bin < counts.length; bin += 1) {
    running += counts[bin]!;
    if (running >= k) {
      runs.push({ start, end: bin, count: running });
      start = bin + 1;
      running = 0;
    }
  }
  if (running > 0) {
    const last = runs.at(-1)!; // total >= k, so some run exists
    last.end = counts.length - 1;
    last.count += running;
  }
  for (const run of runs) {
    // Only the bins that hold rows decide where the run's mass sits: its first and last.
    let first = run.start;
    while (counts[first] === 0) first += 1;
    let last = run.end;
    while (counts[last] === 0) last -= 1;
    out[Math.floor((first + last) / 2)]! += run.count;
  }
  return out;
}
