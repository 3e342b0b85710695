import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../src-main/core/stats/random';
import { BinaryMetrics as BinaryMetricsSchema } from '../../../../src-main/contract/metrics';
import { binaryMetrics } from '../../../../src-main/core/metrics/binary';

// Scores are dyadic fractions (exact in float32), so the log losses below are exactly what the
// hand computation gives.
//
//   row     0      1     2     3      4    5     6     7
//   y       1      1     0     1      1    0     1     0
//   score   0.875  0.75  0.75  0.625  0.5  0.25  0.25  0.125
//
// P = 5 positives (rows 0, 1, 3, 4, 6), N = 3 negatives (rows 2, 5, 7).
const y = Float32Array.of(1, 1, 0, 1, 1, 0, 1, 0);
const score = Float32Array.of(0.875, 0.75, 0.75, 0.625, 0.5, 0.25, 0.25, 0.125);

describe('binaryMetrics, worked by hand', () => {
  const metrics = binaryMetrics(y, score);

  it('counts the confusion matrix at threshold 0.5 (positive iff score > 0.5)', () => {
    // Predicted positive: rows 0, 1, 2, 3 (row 4 scores exactly 0.5: negative, as sklearn's
    // predict (decision > 0) and Keras' binary accuracy (score > 0.5) have it).
    // tp = rows 0, 1, 3; fp = row 2; fn = rows 4, 6; tn = rows 5, 7.
    expect(metrics.confusion).toEqual({ tp: 3, fp: 1, tn: 2, fn: 2 });
    expect(metrics.n).toBe(8);
    expect(metrics.accuracy).toBe(0.625); // (3 + 2) / 8
    expect(metrics.precision).toBe(0.75); // 3 / (3 + 1)
    expect(metrics.recall).toBe(0.6); // 3 / (3 + 2)
    expect(metrics.f1).toBeCloseTo(0.666666666667, 12); // 2*3 / (2*3 + 1 + 2) = 6/9; also 2PR/(P+R) = 0.9/1.35
  });

  it('computes ROC AUC by counting concordant pairs, a tie counting one half', () => {
    // For each positive, negatives (0.75, 0.25, 0.125) scored lower (+1) or equal (+0.5):
    //   0.875 -> 3;  0.75 -> 0.5 (tie with row 2) + 2 = 2.5;  0.625 -> 2;  0.5 -> 2;
    //   0.25 -> 0.5 (tie with row 5) + 1 = 1.5.               Total 11 of 5 x 3 = 15 pairs.
    // Same by ranks (ascending, ties averaged): 0.125:1, 0.25:{2,3}->2.5, 0.5:4, 0.625:5,
    //   0.75:{6,7}->6.5, 0.875:8; positives' rank sum 2.5+4+5+6.5+8 = 26; U = 26 - 5*6/2 = 11.
    expect(metrics.rocAuc).toBeCloseTo(0.733333333333, 12); // 11/15
  });

  it('computes average precision as sklearn does: sum of (R_n - R_n-1) P_n over distinct thresholds', () => {
    //   threshold  tp fp  precision  recall  step
    //   0.875       1  0   1          1/5     1/5 * 1
    //   0.75        2  1   2/3        2/5     1/5 * 2/3   (the tied pair is one threshold)
    //   0.625       3  1   3/4        3/5     1/5 * 3/4
    //   0.5         4  1   4/5        4/5     1/5 * 4/5
    //   0.25        5  2   5/7        1       1/5 * 5/7
    //   0.125       5  3   5/8        1       0
    // AP = (1 + 2/3 + 3/4 + 4/5 + 5/7) / 5 = 1651/2100
    expect(metrics.prAuc).toBeCloseTo(0.786190476190, 12);
  });

  it('computes the mean log loss', () => {
    // -ln p for the positives, -ln(1 - p) for the negatives:
    //   -ln .875 = 0.133531392625 (rows 0 and 7), -ln .75 = 0.287682072452 (rows 1 and 5),
    //   -ln .25 = 1.386294361120 (rows 2 and 6), -ln .625 = 0.470003629246, -ln .5 = 0.693147180560
    //   sum = 4.778166462198, / 8
    expect(metrics.logLoss).toBeCloseTo(0.597270807775, 12);
  });

  it('uses the threshold given', () => {
    // > 0.7: rows 0, 1, 2 positive -> tp 2 (rows 0, 1), fp 1 (row 2), fn 3, tn 2.
    const at07 = binaryMetrics(y, score, 0.7);
    expect(at07.confusion).toEqual({ tp: 2, fp: 1, tn: 2, fn: 3 });
    expect(at07.precision).toBeCloseTo(0.666666666667, 12);
    expect(at07.recall).toBe(0.4);
    expect(at07.f1).toBe(0.5); // 4 / (4 + 1 + 3)
    // The ranking metrics and the log loss do not depend on it.
    expect(at07.rocAuc).toBe(metrics.rocAuc);
    expect(at07.prAuc).toBe(metrics.prAuc);
    expect(at07.logLoss).toBe(metrics.logLoss);
  });

  it('is valid under the schema', () => {
    expect(BinaryMetricsSchema.parse(metrics)).toEqual(metrics);
  });
});

describe('binaryMetrics against scikit-learn', () => {
  it('matches the roc_auc_score and average_precision_score documentation example', () => {
    // sklearn: y_true = [0, 0, 1, 1], y_scores = [0.1, 0.4, 0.35, 0.8]
    //   roc_auc_score -> 0.75; average_precision_score -> 0.8333333333333333
    // By hand: pairs (0.35 > 0.1), (0.8 > 0.1), (0.8 > 0.4) of 4 -> 3/4.
    //   thresholds 0.8: P 1, R 1/2; 0.4: no positive; 0.35: P 2/3, R 1 -> 1/2 + 1/2 * 2/3 = 5/6.
    const m = binaryMetrics(Float32Array.of(0, 0, 1, 1), Float32Array.of(0.1, 0.4, 0.35, 0.8));
    expect(m.rocAuc).toBe(0.75);
    expect(m.prAuc).toBeCloseTo(0.833333333333, 12);
  });

  it('matches the log_loss documentation example', () => {
    // sklearn: log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    //   -> 0.21616187468057912; "spam" is class 1, its probabilities .9, .1, .2, .65:
    //   -(ln .9 + ln .9 + ln .8 + ln .65) / 4. (Float32 scores shift it by ~1e-8.)
    const m = binaryMetrics(Float32Array.of(1, 0, 0, 1), Float32Array.of(0.9, 0.1, 0.2, 0.65));
    expect(m.logLoss).toBeCloseTo(0.216161874681, 6);
  });

  it('gives precision, recall and f1 of 0 where undefined (zero_division=0)', () => {
    // No positives at all, none predicted: tp = fp = fn = 0.
    const none = binaryMetrics(Float32Array.of(0, 0, 0), Float32Array.of(0.25, 0.125, 0.5));
    expect(none.confusion).toEqual({ tp: 0, fp: 0, tn: 3, fn: 0 });
    expect([none.accuracy, none.precision, none.recall, none.f1]).toEqual([1, 0, 0, 0]);
    // Positives present, none predicted: precision 0/0 -> 0, recall 0/2 = 0.
    const missed = binaryMetrics(Float32Array.of(1, 0, 1), Float32Array.of(0.25, 0.125, 0.5));
    expect(missed.confusion).toEqual({ tp: 0, fp: 0, tn: 1, fn: 2 });
    expect([missed.precision, missed.recall, missed.f1]).toEqual([0, 0, 0]);
  });

  it('gives rocAuc and prAuc null when only one class is present', () => {
    const onlyPositives = binaryMetrics(Float32Array.of(1, 1, 1), Float32Array.of(0.75, 0.25, 0.875));
    expect(onlyPositives.rocAuc).toBeNull();
    expect(onlyPositives.prAuc).toBeNull();
    expect(onlyPositives.confusion).toEqual({ tp: 2, fp: 0, tn: 0, fn: 1 });
    const onlyNegatives = binaryMetrics(Float32Array.of(0, 0), Float32Array.of(0.75, 0.25));
    expect(onlyNegatives.rocAuc).toBeNull();
    expect(onlyNegatives.prAuc).toBeNull();
    expect(BinaryMetricsSchema.safeParse(onlyPositives).success).toBe(true);
  });

  it('clips probabilities to [1e-7, 1 - 1e-7] in the log loss', () => {
    // A confident miss each way: -ln(1e-7) = 16.118095650958 and -ln(1 - (1 - 1e-7)), which in
    // doubles is -ln(9.9999999392e-8) = 16.118095651485; mean 16.118095651222.
    const m = binaryMetrics(Float32Array.of(1, 0), Float32Array.of(0, 1));
    expect(m.logLoss).toBeCloseTo(16.118095651222, 9);
    expect(Number.isFinite(m.logLoss)).toBe(true);
    // Perfect and certain: clipped, so slightly above 0 (-ln(1 - 1e-7) = 1.00000005e-7).
    const sure = binaryMetrics(Float32Array.of(1, 0), Float32Array.of(1, 0));
    expect(sure.logLoss).toBeCloseTo(1.00000005e-7, 15);
  });

  it('scores every tie as one threshold and one half pair', () => {
    // All scores equal: no ranking information. AUC = 1/2; AP = precision at the only threshold
    // = the positive rate, 2/5.
    const m = binaryMetrics(Float32Array.of(1, 0, 1, 0, 0), new Float32Array(5).fill(0.5));
    expect(m.rocAuc).toBe(0.5);
    expect(m.prAuc).toBeCloseTo(0.4, 12);
  });
});

describe('binaryMetrics against brute-force definitions', () => {
  const random = mulberry32;

  function bruteRocAuc(yTrue: Float32Array, s: Float32Array): number {
    let pairs = 0;
    let concordant = 0;
    for (let i = 0; i < s.length; i++) {
      if (yTrue[i] !== 1) continue;
      for (let j = 0; j < s.length; j++) {
        if (yTrue[j] !== 0) continue;
        pairs++;
        if (s[i]! > s[j]!) concordant += 1;
        else if (s[i] === s[j]) concordant += 0.5;
      }
    }
    return concordant / pairs;
  }

  function bruteAveragePrecision(yTrue: Float32Array, s: Float32Array): number {
    const thresholds = [...new Set(s)].sort((a, b) => b - a);
    const positives = yTrue.reduce((sum, v) => sum + v, 0);
    let previousRecall = 0;
    let ap = 0;
    for (const t of thresholds) {
      let tp = 0;
      let fp = 0;
      for (let i = 0; i < s.length; i++) {
        if (s[i]! >= t) {
          if (yTrue[i] === 1) tp++;
          else fp++;
        }
      }
      const recall = tp / positives;
      ap += (recall - previousRecall) * (tp / (tp + fp));
      previousRecall = recall;
    }
    return ap;
  }

  it.each([1, 2, 3, 4, 5])('agrees on random data with many ties (seed %i)', (seed) => {
    const next = random(seed);
    const n = 150 + seed * 20;
    const yTrue = new Float32Array(n);
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      yTrue[i] = next() < 0.3 + 0.05 * seed ? 1 : 0;
      // Quantised, so ties are frequent, and mildly informative.
      s[i] = Math.min(1, Math.round((next() * 0.8 + yTrue[i]! * 0.2) * 16) / 16);
    }
    const m = binaryMetrics(yTrue, s);
    expect(m.rocAuc).toBeCloseTo(bruteRocAuc(yTrue, s), 12);
    expect(m.prAuc).toBeCloseTo(bruteAveragePrecision(yTrue, s), 12);
    const { tp, fp, tn, fn } = m.confusion!;
    expect(tp + fp + tn + fn).toBe(n);
  });

  it('handles 100k rows', () => {
    const n = 100_000;
    const yTrue = new Float32Array(n);
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      yTrue[i] = i % 3 === 0 ? 1 : 0;
      s[i] = yTrue[i] === 1 ? 0.5 + (i % 1000) / 2000 : (i % 1000) / 2001;
    }
    const m = binaryMetrics(yTrue, s);
    expect(m.rocAuc).toBe(1);
    expect(m.prAuc).toBe(1);
    expect(m.confusion!.tp + m.confusion!.fn).toBe(33_334);
  });
});

describe('binaryMetrics refuses bad input', () => {
  it.each([
    ['lengths differ', Float32Array.of(1, 0), Float32Array.of(0.5), 0.5, /2 true values but 1 predicted/],
    ['no rows', new Float32Array(0), new Float32Array(0), 0.5, /no rows/],
    ['a label that is not 0/1', Float32Array.of(1, 2), Float32Array.of(0.5, 0.5), 0.5, /true value at row 1 is 2/],
    ['a NaN score', Float32Array.of(1, 0), Float32Array.of(Number.NaN, 0.5), 0.5, /score at row 0 is NaN/],
    ['a score above 1', Float32Array.of(1, 0), Float32Array.of(0.5, 1.5), 0.5, /score at row 1 is 1.5/],
    ['a threshold outside [0, 1]', Float32Array.of(1, 0), Float32Array.of(0.5, 0.5), 2, /threshold is 2/],
  ])('%s', (_name, yTrue, s, threshold, message) => {
    expect(() => binaryMetrics(yTrue, s, threshold)).toThrow(message);
  });
});
