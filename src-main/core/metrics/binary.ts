// Binary classification metrics of one party's evaluate data, in one pass over typed arrays
// plus a sort of the scores (O(n log n); 100k rows take milliseconds).
import { SCORE_BINS, type BinaryMetrics, type ScoreHistogram } from '../../contract/metrics';
import { CohortError } from '../../contract/errors';
import { binaryRates } from './confusion';
import { badValue, clipProbability, rowCount } from './inputs';

/**
 * yTrue holds 0 / 1, score the predicted probability of class 1. A row is predicted positive
 * when score > threshold (strictly, as scikit-learn's predict and Keras' binary accuracy do).
 */
export function binaryMetrics(yTrue: Float32Array, score: Float32Array, threshold = 0.5): BinaryMetrics {
  const n = rowCount('binary metrics', yTrue, score);
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new CohortError('BAD_INPUT', `binary metrics: the threshold is ${threshold}, expected a number in [0, 1]`);
  }
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let loss = 0;
  const histogram: ScoreHistogram = { positive: new Array<number>(SCORE_BINS).fill(0), negative: new Array<number>(SCORE_BINS).fill(0) };
  for (let i = 0; i < n; i++) {
    const y = yTrue[i]!;
    const s = score[i]!;
    if (!(s >= 0 && s <= 1)) throw badValue('binary metrics', 'the score', i, s, 'a probability in [0, 1]');
    const p = clipProbability(s);
    const bin = Math.min(SCORE_BINS - 1, Math.floor(s * SCORE_BINS));
    if (y === 1) histogram.positive[bin]! += 1;
    else if (y === 0) histogram.negative[bin]! += 1;
    if (y === 1) {
      loss -= Math.log(p);
      if (s > threshold) tp++;
      else fn++;
    } else if (y === 0) {
      loss -= Math.log(1 - p);
      if (s > threshold) fp++;
      else tn++;
    } else {
      throw badValue('binary metrics', 'the true value', i, y, '0 or 1');
    }
  }
  const confusion = { tp, fp, tn, fn };
  const { rocAuc, prAuc } = rankingMetrics(yTrue, score, tp + fn, fp + tn);
  return { kind: 'binary', n, ...binaryRates(confusion), rocAuc, prAuc, logLoss: loss / n, confusion, scoreHistogram: histogram };
}

/**
 * ROC AUC and average precision from score histograms: every bin is one threshold, and rows in
 * the same bin count as tied. Summed over parties, this is the pooled value to within the bin
 * width. Null when only one class is present.
 */
export function rankingFromHistogram(histogram: ScoreHistogram): { rocAuc: number | null; prAuc: number | null } {
  const positives = histogram.positive.reduce((total, count) => total + count, 0);
  const negatives = histogram.negative.reduce((total, count) => total + count, 0);
  if (positives === 0 || negatives === 0) return { rocAuc: null, prAuc: null };
  const ranking = new RankingAccumulator(positives, negatives);
  for (let bin = 0; bin < histogram.positive.length; bin++) ranking.group(histogram.positive[bin]!, histogram.negative[bin]!);
  return ranking.result();
}

/**
 * Walks groups of tied scores in ascending order, p positives and q negatives each, and
 * accumulates the Mann-Whitney statistic (ROC AUC) and average precision.
 */
class RankingAccumulator {
  /** Rows with a lower score than the current group, of either class, and positives, negatives. */
  private below = 0;
  private posBelow = 0;
  private negBelow = 0;
  /** Sum of the positives' ranks (1-based, ascending; tied scores share their average rank). */
  private positiveRanks = 0;
  /** Sum over distinct thresholds of (positives at it) x (precision at it). */
  private precisionSum = 0;

  constructor(
    private readonly positives: number,
    private readonly negatives: number,
  ) {}

  group(p: number, q: number): void {
    // This group takes ranks below + 1 .. below + p + q; each member gets their mean.
    this.positiveRanks += p * (this.below + (p + q + 1) / 2);
    if (p > 0) {
      // Thresholding at this score predicts positive every row scoring at least this much:
      // recall rises by p / positives, and the precision there is tp / (tp + fp).
      const tp = this.positives - this.posBelow;
      const fp = this.negatives - this.negBelow;
      this.precisionSum += (p * tp) / (tp + fp);
    }
    this.below += p + q;
    this.posBelow += p;
    this.negBelow += q;
  }

  result(): { rocAuc: number; prAuc: number } {
    // Mann-Whitney: U = R+ - P(P + 1)/2 counts the (positive, negative) pairs the score orders
    // correctly, a tie counting one half; AUC = U / (P N).
    const u = this.positiveRanks - (this.positives * (this.positives + 1)) / 2;
    return { rocAuc: u / (this.positives * this.negatives), prAuc: this.precisionSum / this.positives };
  }
}

/**
 * ROC AUC and average precision, both from the scores sorted once. Null when only one class is
 * present. Inputs are already checked (0/1 labels, scores in [0, 1]).
 */
function rankingMetrics(
  yTrue: Float32Array,
  score: Float32Array,
  positives: number,
  negatives: number,
): { rocAuc: number | null; prAuc: number | null } {
  if (positives === 0 || negatives === 0) return { rocAuc: null, prAuc: null };
  // The positives' and the negatives' scores, each sorted ascending (the typed-array sort is
  // numeric and needs no comparator); walking the two together visits every distinct score
  // once, with how many positives and negatives share it.
  const pos = new Float32Array(positives);
  const neg = new Float32Array(negatives);
  for (let i = 0, a = 0, b = 0; i < yTrue.length; i++) {
    if (yTrue[i] === 1) pos[a++] = score[i]!;
    else neg[b++] = score[i]!;
  }
  pos.sort();
  neg.sort();

  const ranking = new RankingAccumulator(positives, negatives);
  let i = 0;
  let j = 0;
  while (i < positives || j < negatives) {
    const value = j >= negatives || (i < positives && pos[i]! <= neg[j]!) ? pos[i]! : neg[j]!;
    let p = 0;
    while (i < positives && pos[i] === value) {
      p++;
      i++;
    }
    let q = 0;
    while (j < negatives && neg[j] === value) {
      q++;
      j++;
    }
    ranking.group(p, q);
  }
  return ranking.result();
}
