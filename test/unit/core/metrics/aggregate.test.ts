import { describe, expect, it } from 'vitest';
import type { BinaryMetrics, Metrics, MulticlassMetrics, RegressionMetrics } from '../../../../src-main/contract/metrics';
import { AggregatedMetrics as AggregatedMetricsSchema } from '../../../../src-main/contract/metrics';
import { aggregateMetrics } from '../../../../src-main/core/metrics/aggregate';
import { binaryMetrics } from '../../../../src-main/core/metrics/binary';
import { multiclassMetrics } from '../../../../src-main/core/metrics/multiclass';
import { regressionMetrics } from '../../../../src-main/core/metrics/regression';

function concat<T extends Float32Array | Int32Array | Float64Array>(...arrays: T[]): T {
  const Constructor = arrays[0]!.constructor as new (length: number) => T;
  const out = new Constructor(arrays.reduce((sum, a) => sum + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a as never, offset);
    offset += a.length;
  }
  return out;
}

describe('aggregateMetrics, binary', () => {
  // Party A: the hand-worked case of binary.test.ts: confusion tp 3 fp 1 tn 2 fn 2,
  //   rocAuc 11/15, prAuc 1651/2100, logLoss 4.778166462198 / 8.
  const yA = Float32Array.of(1, 1, 0, 1, 1, 0, 1, 0);
  const sA = Float32Array.of(0.875, 0.75, 0.75, 0.625, 0.5, 0.25, 0.25, 0.125);
  // Party B: y 0 1 0 1, score .625 .875 .125 .375 -> tp 1 (.875), fp 1 (.625), tn 1, fn 1 (.375);
  //   rocAuc: .875 beats both negatives, .375 beats .125 -> 3/4;
  //   AP: threshold .875 P 1 R 1/2, .375 P 2/3 R 1 -> 1/2 + 1/2 * 2/3 = 5/6;
  //   logLoss = -(2 ln .375 + 2 ln .875) / 4 = 2.228721291272 / 4.
  const yB = Float32Array.of(0, 1, 0, 1);
  const sB = Float32Array.of(0.625, 0.875, 0.125, 0.375);
  // Party C holds positives only: tp 2 fn 1, rocAuc and prAuc null,
  //   logLoss = -(ln .75 + ln .25 + ln .875) / 3 = 1.807507826196 / 3.
  const yC = Float32Array.of(1, 1, 1);
  const sC = Float32Array.of(0.75, 0.25, 0.875);

  const a = binaryMetrics(yA, sA);
  const b = binaryMetrics(yB, sB);
  const c = binaryMetrics(yC, sC);
  const result = aggregateMetrics([
    { party: 'A', metrics: a },
    { party: 'B', metrics: b },
    { party: 'C', metrics: c },
  ]);
  const aggregate = result.aggregate as BinaryMetrics;

  it('keeps every party beside the aggregate', () => {
    expect(result.parties).toEqual({ A: a, B: b, C: c });
    expect(b.rocAuc).toBe(0.75);
    expect(b.prAuc).toBeCloseTo(0.833333333333, 12);
    expect(c.rocAuc).toBeNull();
  });

  it('sums the confusion matrices and recomputes the rates from the sum', () => {
    // (3,1,2,2) + (1,1,1,1) + (2,0,0,1) = tp 6, fp 2, tn 3, fn 4; n = 15
    expect(aggregate.n).toBe(15);
    expect(aggregate.confusion).toEqual({ tp: 6, fp: 2, tn: 3, fn: 4 });
    expect(aggregate.accuracy).toBe(0.6); // 9/15
    expect(aggregate.precision).toBe(0.75); // 6/8
    expect(aggregate.recall).toBe(0.6); // 6/10
    expect(aggregate.f1).toBeCloseTo(0.666666666667, 12); // 12/18
  });

  it('equals the metrics of the pooled predictions where they follow from the confusion matrix', () => {
    const pooled = binaryMetrics(concat(yA, yB, yC), concat(sA, sB, sC));
    expect(aggregate.confusion).toEqual(pooled.confusion);
    expect(aggregate.accuracy).toBe(pooled.accuracy);
    expect(aggregate.precision).toBe(pooled.precision);
    expect(aggregate.recall).toBe(pooled.recall);
    expect(aggregate.f1).toBe(pooled.f1);
    // A mean over rows, so the n-weighted mean is the pooled value too.
    expect(aggregate.logLoss).toBeCloseTo(pooled.logLoss, 14);
  });

  it('pools the ROC and PR AUC from the summed score histograms, the one-class party included', () => {
    // Every score here is a multiple of 1/8, so distinct scores fall in distinct bins and the
    // histogram gives exactly the pooled value.
    const pooled = binaryMetrics(concat(yA, yB, yC), concat(sA, sB, sC));
    expect(aggregate.rocAuc).toBe(pooled.rocAuc);
    expect(aggregate.prAuc).toBe(pooled.prAuc);
    // ... which differs from the mean of the parties' AUCs that skips C (133/180).
    expect(aggregate.rocAuc).not.toBeCloseTo(0.738888888889, 3);
    expect(aggregate.scoreHistogram!.positive.reduce((x, y) => x + y)).toBe(10);
    // logLoss = (4.778166462198 + 2.228721291272 + 1.807507826196) / 15
    expect(aggregate.logLoss).toBeCloseTo(0.587626371978, 12);
  });

  it('is defined when each party alone holds one class', () => {
    // C holds positives only, D negatives only: neither has an AUC of its own, the pool does.
    // Pairs (positive vs negative): .75>.25, .75=.75 (1/2), .25=.25 (1/2), .25<.75, .875>.25, .875>.75 -> 4/6.
    const d = binaryMetrics(Float32Array.of(0, 0), Float32Array.of(0.25, 0.75));
    const pooled = aggregateMetrics([
      { party: 'C', metrics: c },
      { party: 'D', metrics: d },
    ]).aggregate as BinaryMetrics;
    expect([c.rocAuc, d.rocAuc]).toEqual([null, null]);
    expect(pooled.rocAuc).toBeCloseTo(4 / 6, 12);
    expect(pooled.confusion).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1 });
  });

  it('is the pooled value to within the bin width for arbitrary scores', () => {
    let state = 3;
    const random = () => ((state = (state * 16807) % 2147483647) / 2147483647);
    const parts = [0, 1, 2].map((shift) => {
      const y = Float32Array.from({ length: 300 }, () => (random() < 0.3 + 0.2 * shift ? 1 : 0));
      const s = Float32Array.from(y, (label) => Math.min(1, Math.max(0, 0.35 * label + 0.65 * random())));
      return { y, s };
    });
    const pooled = binaryMetrics(concat(...parts.map((part) => part.y)), concat(...parts.map((part) => part.s)));
    const federated = aggregateMetrics(parts.map((part, i) => ({ party: `p${i}`, metrics: binaryMetrics(part.y, part.s) }))).aggregate as BinaryMetrics;
    expect(Math.abs(federated.rocAuc! - pooled.rocAuc!)).toBeLessThan(0.005);
    expect(Math.abs(federated.prAuc! - pooled.prAuc!)).toBeLessThan(0.01);
  });

  it('without histograms, takes n-weighted means of the AUCs (skipping the null)', () => {
    const strip = (metrics: BinaryMetrics): BinaryMetrics => {
      const { scoreHistogram: _histogram, ...rest } = metrics;
      return rest;
    };
    const means = aggregateMetrics([
      { party: 'A', metrics: strip(a) },
      { party: 'B', metrics: strip(b) },
      { party: 'C', metrics: strip(c) },
    ]).aggregate as BinaryMetrics;
    // rocAuc = (8 x 11/15 + 4 x 3/4) / 12 = 133/180 (C is skipped: weights 8 and 4 only)
    expect(means.rocAuc).toBeCloseTo(0.738888888889, 12);
    // prAuc = (8 x 1651/2100 + 4 x 5/6) / 12 = 421/525
    expect(means.prAuc).toBeCloseTo(0.801904761905, 12);
    const onlyC = aggregateMetrics([{ party: 'C', metrics: strip(c) }]).aggregate as BinaryMetrics;
    expect(onlyC.rocAuc).toBeNull();
    expect(onlyC.prAuc).toBeNull();
  });

  it('is valid under the schema', () => {
    expect(AggregatedMetricsSchema.parse(result)).toEqual(result);
  });
});

describe('aggregateMetrics, multiclass', () => {
  const labels = ['a', 'b', 'c'];
  // Party M1: the hand-worked case of multiclass.test.ts, confusion [[1,1,0],[1,1,1],[1,0,2]].
  const y1 = Int32Array.of(0, 0, 1, 1, 2, 2, 2, 1);
  const p1 = Float32Array.of(
    0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0.125, 0.75, 0.125, 0.25, 0.25, 0.5,
    0.125, 0.125, 0.75, 0.5, 0.25, 0.25, 0.25, 0.25, 0.5, 0.375, 0.375, 0.25,
  );
  // Party M2: true a b c, predicted a b a -> [[1,0,0],[0,1,0],[1,0,0]];
  //   true-class probabilities .75 .5 .25 -> logLoss = -(ln .75 + ln .5 + ln .25) / 3.
  const y2 = Int32Array.of(0, 1, 2);
  const p2 = Float32Array.of(0.75, 0.125, 0.125, 0.25, 0.5, 0.25, 0.5, 0.25, 0.25);
  const m1 = multiclassMetrics(y1, p1, labels);
  const m2 = multiclassMetrics(y2, p2, labels);
  const result = aggregateMetrics([
    { party: 'M1', metrics: m1 },
    { party: 'M2', metrics: m2 },
  ]);
  const aggregate = result.aggregate as MulticlassMetrics;

  it('sums the confusion matrices and recomputes accuracy, per-class metrics and macro F1', () => {
    // [[2,1,0],[1,2,1],[2,0,2]], n 11; column totals a 5, b 3, c 3; supports 3, 4, 4
    //   a: precision 2/5, recall 2/3, f1 4/8 = 0.5
    //   b: precision 2/3, recall 2/4, f1 4/7
    //   c: precision 2/3, recall 2/4, f1 4/7
    //   accuracy 6/11; macro F1 = (1/2 + 8/7) / 3 = 23/42
    expect(aggregate.confusion).toEqual([
      [2, 1, 0],
      [1, 2, 1],
      [2, 0, 2],
    ]);
    expect(aggregate.n).toBe(11);
    expect(aggregate.accuracy).toBeCloseTo(0.545454545455, 12);
    expect(aggregate.perClass.a).toEqual({ precision: 0.4, recall: 2 / 3, f1: 0.5, support: 3 });
    expect(aggregate.perClass.b!.f1).toBeCloseTo(0.571428571429, 12);
    expect(aggregate.perClass.c!.recall).toBe(0.5);
    expect(aggregate.macroF1).toBeCloseTo(0.547619047619, 12);
    // (7.101370842395 + 2.367123614132) / 11
    expect(aggregate.logLoss).toBeCloseTo(0.860772223321, 12);
  });

  it('equals the metrics of the pooled predictions', () => {
    const pooled = multiclassMetrics(concat(y1, y2), concat(p1, p2), labels);
    expect(aggregate.confusion).toEqual(pooled.confusion);
    expect(aggregate.perClass).toEqual(pooled.perClass);
    expect(aggregate.accuracy).toBe(pooled.accuracy);
    expect(aggregate.macroF1).toBe(pooled.macroF1);
    expect(aggregate.logLoss).toBeCloseTo(pooled.logLoss, 14);
    expect(AggregatedMetricsSchema.parse(result)).toEqual(result);
  });

  it('refuses parties with other labels, naming the party', () => {
    const other = multiclassMetrics(y2, p2, ['a', 'c', 'b']);
    expect(() =>
      aggregateMetrics([
        { party: 'M1', metrics: m1 },
        { party: 'M3', metrics: other },
      ]),
    ).toThrow(/party "M3" reported metrics for the labels \[a, c, b\]/);
  });
});

describe('aggregateMetrics, regression', () => {
  // R1: the sklearn example: n 4, mse .375, mae .5, r2 0.948608137045
  // R2: y 1 2 3, prediction 1.5 2 2: errors -.5 0 1 -> mse 1.25/3, mae .5; mean 2, SS_tot 2,
  //     r2 = 1 - 1.25/2 = .375
  // R3: constant targets 2 2, predictions 1 3 -> mse 1, mae 1, r2 null
  const y1 = Float64Array.of(3, -0.5, 2, 7);
  const f1 = Float64Array.of(2.5, 0, 2, 8);
  const y2 = Float64Array.of(1, 2, 3);
  const f2 = Float64Array.of(1.5, 2, 2);
  const y3 = Float64Array.of(2, 2);
  const f3 = Float64Array.of(1, 3);
  const parts = [
    { party: 'R1', metrics: regressionMetrics(y1, f1) },
    { party: 'R2', metrics: regressionMetrics(y2, f2) },
    { party: 'R3', metrics: regressionMetrics(y3, f3) },
  ];
  const aggregate = aggregateMetrics(parts).aggregate as RegressionMetrics;

  it('takes n-weighted means, and rmse = sqrt(aggregate mse)', () => {
    // mse = (4 x .375 + 3 x 1.25/3 + 2 x 1) / 9 = 4.75/9; rmse = sqrt(4.75/9)
    // mae = (4 x .5 + 3 x .5 + 2 x 1) / 9 = 5.5/9
    // r2 = (4 x 0.948608137045 + 3 x .375) / 7 (R3's null skipped)
    expect(aggregate.n).toBe(9);
    expect(aggregate.mse).toBeCloseTo(0.527777777778, 12);
    expect(aggregate.rmse).toBeCloseTo(0.726483157257, 12);
    expect(aggregate.rmse).toBe(Math.sqrt(aggregate.mse));
    expect(aggregate.mae).toBeCloseTo(0.611111111111, 12);
    expect(aggregate.r2).toBeCloseTo(0.702776078311, 12);
  });

  it('gives the pooled mse, rmse and mae', () => {
    const pooled = regressionMetrics(concat(y1, y2, y3), concat(f1, f2, f3));
    expect(aggregate.mse).toBeCloseTo(pooled.mse, 14);
    expect(aggregate.rmse).toBeCloseTo(pooled.rmse, 14);
    expect(aggregate.mae).toBeCloseTo(pooled.mae, 14);
  });
});

describe('aggregateMetrics refuses', () => {
  const binary = binaryMetrics(Float32Array.of(1, 0), Float32Array.of(0.75, 0.25));
  const regression = regressionMetrics(Float64Array.of(1, 2), Float64Array.of(1, 2));

  it('parties with different kinds, naming the party', () => {
    expect(() =>
      aggregateMetrics([
        { party: 'alpha', metrics: binary },
        { party: 'beta', metrics: regression },
      ]),
    ).toThrow('party "beta" reported regression metrics, but party "alpha" reported binary metrics');
  });

  it('no parties, and a party twice', () => {
    expect(() => aggregateMetrics([])).toThrow(/no party/);
    expect(() =>
      aggregateMetrics([
        { party: 'alpha', metrics: binary },
        { party: 'alpha', metrics: binary },
      ]),
    ).toThrow(/party "alpha" reported metrics twice/);
  });

  it('a confusion matrix of the wrong size, naming the party', () => {
    const good = multiclassMetrics(Int32Array.of(0), Float32Array.of(0.75, 0.25), ['x', 'y']);
    const bad: Metrics = { ...good, confusion: [[1]] };
    expect(() =>
      aggregateMetrics([
        { party: 'alpha', metrics: good },
        { party: 'gamma', metrics: bad },
      ]),
    ).toThrow(/party "gamma" reported a confusion matrix that is not 2 x 2/);
  });
});
