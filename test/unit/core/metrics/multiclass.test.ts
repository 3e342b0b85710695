import { describe, expect, it } from 'vitest';
import { MulticlassMetrics as MulticlassMetricsSchema } from '../../../../src-main/contract/metrics';
import { multiclassMetrics } from '../../../../src-main/core/metrics/multiclass';

const labels = ['a', 'b', 'c'];

// Probabilities are dyadic (exact in float32).
//   row  true  probabilities (a, b, c)    arg-max
//   0    a     .5    .25   .25            a
//   1    a     .25   .5    .25            b
//   2    b     .125  .75   .125           b
//   3    b     .25   .25   .5             c
//   4    c     .125  .125  .75            c
//   5    c     .5    .25   .25            a
//   6    c     .25   .25   .5             c
//   7    b     .375  .375  .25            a   (tie between a and b: the first wins, as numpy's argmax)
const y = Int32Array.of(0, 0, 1, 1, 2, 2, 2, 1);
const probs = Float32Array.of(
  0.5, 0.25, 0.25,
  0.25, 0.5, 0.25,
  0.125, 0.75, 0.125,
  0.25, 0.25, 0.5,
  0.125, 0.125, 0.75,
  0.5, 0.25, 0.25,
  0.25, 0.25, 0.5,
  0.375, 0.375, 0.25,
);

describe('multiclassMetrics, worked by hand', () => {
  const m = multiclassMetrics(y, probs, labels);

  it('builds the confusion matrix, rows = true class, columns = predicted', () => {
    // true a: predicted a (row 0), b (row 1)
    // true b: predicted b (row 2), c (row 3), a (row 7)
    // true c: predicted c (rows 4, 6), a (row 5)
    expect(m.confusion).toEqual([
      [1, 1, 0],
      [1, 1, 1],
      [1, 0, 2],
    ]);
    expect(m.n).toBe(8);
    expect(m.labels).toEqual(labels);
    expect(m.accuracy).toBe(0.5); // (1 + 1 + 2) / 8
  });

  it('computes per-class precision, recall, f1 and support, and the macro F1', () => {
    // column totals (predicted): a 3, b 2, c 3; row totals (support): a 2, b 3, c 3
    //   a: precision 1/3, recall 1/2, f1 = 2*1 / (2 + 3) = 0.4
    //   b: precision 1/2, recall 1/3, f1 = 2*1 / (3 + 2) = 0.4
    //   c: precision 2/3, recall 2/3, f1 = 2*2 / (3 + 3) = 2/3
    // macro F1 = (0.4 + 0.4 + 2/3) / 3 = 22/45
    expect(m.perClass.a!.precision).toBeCloseTo(0.333333333333, 12);
    expect(m.perClass.a!.recall).toBe(0.5);
    expect(m.perClass.a!.f1).toBe(0.4);
    expect(m.perClass.a!.support).toBe(2);
    expect(m.perClass.b!.precision).toBe(0.5);
    expect(m.perClass.b!.recall).toBeCloseTo(0.333333333333, 12);
    expect(m.perClass.b!.f1).toBe(0.4);
    expect(m.perClass.b!.support).toBe(3);
    expect(m.perClass.c!.precision).toBeCloseTo(0.666666666667, 12);
    expect(m.perClass.c!.recall).toBeCloseTo(0.666666666667, 12);
    expect(m.perClass.c!.f1).toBeCloseTo(0.666666666667, 12);
    expect(m.perClass.c!.support).toBe(3);
    expect(Object.keys(m.perClass)).toEqual(labels);
    expect(m.macroF1).toBeCloseTo(0.488888888889, 12);
  });

  it('computes the mean log loss of the true class probabilities', () => {
    // true-class probabilities .5 .25 .75 .25 .75 .25 .5 .375:
    //   2 x 0.693147180560 + 3 x 1.386294361120 + 2 x 0.287682072452 + 0.980829253011
    //   = 7.101370842395, / 8
    expect(m.logLoss).toBeCloseTo(0.887671355299, 12);
  });

  it('is valid under the schema', () => {
    expect(MulticlassMetricsSchema.parse(m)).toEqual(m);
  });
});

describe('multiclassMetrics against scikit-learn', () => {
  it('matches the precision/recall/f1 documentation example', () => {
    // sklearn: y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1]
    //   precision_score(average=None) -> [0.667, 0, 0]; recall_score(average=None) -> [1, 0, 0]
    //   f1_score(average=None) -> [0.8, 0, 0]; f1_score(average='macro') -> 0.26666666666666666
    //   accuracy_score -> 0.3333333333333333
    // Each prediction is given as probability .5 on the predicted class, .25 on the others.
    const yPred = [0, 2, 1, 0, 0, 1];
    const p = new Float32Array(6 * 3).fill(0.25);
    yPred.forEach((c, i) => (p[i * 3 + c] = 0.5));
    const m = multiclassMetrics(Int32Array.of(0, 1, 2, 0, 1, 2), p, ['0', '1', '2']);
    // sklearn confusion_matrix: [[2, 0, 0], [1, 0, 1], [0, 2, 0]]
    expect(m.confusion).toEqual([
      [2, 0, 0],
      [1, 0, 1],
      [0, 2, 0],
    ]);
    expect(m.perClass['0']).toEqual({ precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
    expect(m.perClass['1']).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(m.perClass['2']).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(m.macroF1).toBeCloseTo(0.266666666667, 12);
    expect(m.accuracy).toBeCloseTo(0.333333333333, 12);
    // Every true-class probability is .5 (rows 0, 3) or .25: -(2 ln .5 + 4 ln .25) / 6 = 10 ln 2 / 6 = 1.155245300933
    expect(m.logLoss).toBeCloseTo(1.155245300933, 12);
  });

  it('counts a label never seen nor predicted as F1 0 in the macro mean (sklearn with labels=)', () => {
    // Two rows, both right, of classes x and y; z never occurs. Per-class F1 1, 1, 0 -> 2/3.
    const m = multiclassMetrics(Int32Array.of(0, 1), Float32Array.of(0.75, 0.125, 0.125, 0.125, 0.75, 0.125), ['x', 'y', 'z']);
    expect(m.accuracy).toBe(1);
    expect(m.perClass.z).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(m.macroF1).toBeCloseTo(0.666666666667, 12);
  });

  it('clips the true class probability at 1e-7', () => {
    const m = multiclassMetrics(Int32Array.of(2), Float32Array.of(0.5, 0.5, 0), ['x', 'y', 'z']);
    expect(m.logLoss).toBeCloseTo(16.118095650958, 9); // -ln(1e-7)
  });
});

describe('multiclassMetrics refuses bad input', () => {
  it.each([
    ['a probability array of the wrong size', Int32Array.of(0, 1), new Float32Array(5).fill(0.2), labels, /expected 2 x 3 = 6/],
    ['no rows', new Int32Array(0), new Float32Array(0), labels, /no rows/],
    ['a class index out of range', Int32Array.of(0, 3), new Float32Array(6).fill(0.25), labels, /true class at row 1 is 3/],
    ['a NaN probability', Int32Array.of(0), Float32Array.of(0.5, Number.NaN, 0.5), labels, /probability of class 1 at row 0 is NaN/],
    ['a single label', Int32Array.of(0), Float32Array.of(1), ['a'], /1 label, expected at least 2/],
    ['duplicate labels', Int32Array.of(0), Float32Array.of(0.5, 0.5), ['a', 'a'], /distinct/],
  ])('%s', (_name, yTrue, p, l, message) => {
    expect(() => multiclassMetrics(yTrue, p, l)).toThrow(message);
  });
});
