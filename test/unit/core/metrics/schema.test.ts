import { describe, expect, it } from 'vitest';
import { AggregatedMetrics, BinaryMetrics, Metrics, MulticlassMetrics, RegressionMetrics } from '../../../../src-main/contract/metrics';

const binary = {
  kind: 'binary',
  n: 8,
  accuracy: 0.625,
  precision: 0.75,
  recall: 0.6,
  f1: 2 / 3,
  rocAuc: 11 / 15,
  prAuc: null,
  logLoss: 0.5972708077747586,
  confusion: { tp: 3, fp: 1, tn: 2, fn: 2 },
} as const;

const multiclass = {
  kind: 'multiclass',
  n: 4,
  labels: ['a', 'b'],
  accuracy: 0.75,
  macroF1: 0.7333333333333334,
  logLoss: 0.4,
  perClass: {
    a: { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 },
    b: { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
  },
  confusion: [
    [1, 1],
    [0, 2],
  ],
} as const;

const regression = { kind: 'regression', n: 4, mse: 0.375, rmse: Math.sqrt(0.375), mae: 0.5, r2: null } as const;

describe('metrics schemas', () => {
  it('accept valid metrics of every kind', () => {
    expect(Metrics.parse(binary)).toEqual(binary);
    expect(Metrics.parse(multiclass)).toEqual(multiclass);
    expect(Metrics.parse(regression)).toEqual(regression);
    expect(RegressionMetrics.parse({ ...regression, r2: -3 }).r2).toBe(-3);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuse %s wherever a number is expected', (_name, value) => {
    expect(BinaryMetrics.safeParse({ ...binary, logLoss: value }).success).toBe(false);
    expect(BinaryMetrics.safeParse({ ...binary, rocAuc: value }).success).toBe(false);
    expect(RegressionMetrics.safeParse({ ...regression, mse: value }).success).toBe(false);
    expect(RegressionMetrics.safeParse({ ...regression, r2: value }).success).toBe(false);
    expect(MulticlassMetrics.safeParse({ ...multiclass, macroF1: value }).success).toBe(false);
  });

  it('refuse negative or fractional counts', () => {
    expect(BinaryMetrics.safeParse({ ...binary, confusion: { tp: 5, fp: 1, tn: 4, fn: -2 } }).success).toBe(false);
    expect(BinaryMetrics.safeParse({ ...binary, n: -8 }).success).toBe(false);
    expect(BinaryMetrics.safeParse({ ...binary, n: 0, confusion: { tp: 0, fp: 0, tn: 0, fn: 0 } }).success).toBe(false);
    expect(RegressionMetrics.safeParse({ ...regression, n: 4.5 }).success).toBe(false);
    expect(
      MulticlassMetrics.safeParse({ ...multiclass, confusion: [[1, 1], [-1, 3]] }).success,
    ).toBe(false);
  });

  it('refuse rates outside [0, 1] and negative losses', () => {
    expect(BinaryMetrics.safeParse({ ...binary, accuracy: 1.5 }).success).toBe(false);
    expect(BinaryMetrics.safeParse({ ...binary, logLoss: -0.1 }).success).toBe(false);
    expect(RegressionMetrics.safeParse({ ...regression, mae: -1 }).success).toBe(false);
    expect(RegressionMetrics.safeParse({ ...regression, r2: 1.5 }).success).toBe(false);
  });

  it('refuse a confusion matrix that disagrees with n or with the labels', () => {
    const wrongTotal = BinaryMetrics.safeParse({ ...binary, confusion: { tp: 3, fp: 1, tn: 2, fn: 3 } });
    expect(wrongTotal.error?.issues[0]?.message).toBe('the confusion matrix counts 9 rows, not n = 8');
    expect(MulticlassMetrics.safeParse({ ...multiclass, confusion: [[1, 1, 0], [0, 2, 0]] }).success).toBe(false);
    expect(MulticlassMetrics.safeParse({ ...multiclass, confusion: [[1, 1], [0, 3]] }).success).toBe(false);
    expect(MulticlassMetrics.safeParse({ ...multiclass, labels: ['a', 'a'] }).success).toBe(false);
    expect(MulticlassMetrics.safeParse({ ...multiclass, perClass: { a: multiclass.perClass.a } }).success).toBe(false);
    const support = MulticlassMetrics.safeParse({ ...multiclass, perClass: { ...multiclass.perClass, b: { ...multiclass.perClass.b, support: 3 } } });
    expect(support.error?.issues[0]?.path).toEqual(['perClass', 'b', 'support']);
  });

  it('refuse unknown keys and unknown kinds', () => {
    expect(Metrics.safeParse({ ...regression, extra: 1 }).success).toBe(false);
    expect(Metrics.safeParse({ ...regression, kind: 'ranking' }).success).toBe(false);
  });

  it('check an aggregate against its parties', () => {
    const valid = { aggregate: regression, parties: { p1: { ...regression, n: 1 }, p2: { ...regression, n: 3 } } };
    expect(AggregatedMetrics.parse(valid)).toEqual(valid);
    expect(AggregatedMetrics.safeParse({ aggregate: regression, parties: {} }).success).toBe(false);
    expect(AggregatedMetrics.safeParse({ aggregate: regression, parties: { p1: regression, p2: regression } }).success).toBe(false);
    expect(AggregatedMetrics.safeParse({ aggregate: regression, parties: { p1: { ...binary, n: 8 } } }).success).toBe(false);
  });
});

describe('score histograms', () => {
  it('must count the same rows as the confusion matrix', async () => {
    const { binaryMetrics } = await import('../../../../src-main/core/metrics/binary');
    const { BinaryMetrics: Schema } = await import('../../../../src-main/contract/metrics');
    const metrics = binaryMetrics(Float32Array.of(1, 0, 1), Float32Array.of(0.9, 0.2, 0.4));
    expect(Schema.parse(metrics)).toEqual(metrics);
    const forged = { ...metrics, scoreHistogram: { ...metrics.scoreHistogram!, positive: metrics.scoreHistogram!.positive.map((count) => count * 2) } };
    expect(Schema.safeParse(forged).success).toBe(false);
    const short = { ...metrics, scoreHistogram: { positive: [2], negative: [1] } };
    expect(Schema.safeParse(short).success).toBe(false);
  });
});
