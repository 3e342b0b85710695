// The robust aggregators against values worked out by hand, and what they refuse.
import { describe, expect, it } from 'vitest';
import { Hyperparameters } from '../../../../src-main/contract/records';
import { createStrategy } from '../../../../src-main/core/strategies';
import { krumScores, median } from '../../../../src-main/core/strategies/robust';
import type { FitResult } from '../../../../src-main/core/strategies/types';

const f32 = (...values: number[]) => Float32Array.from(values);
const result = (clientId: string, numExamples: number, ...weights: number[]): FitResult => ({ clientId, weights: f32(...weights), numExamples, loss: 0 });

function aggregate(algorithm: string, results: FitResult[], extra: Partial<Hyperparameters> = {}) {
  const strategy = createStrategy(Hyperparameters.parse({ algorithm, minClients: 1, ...extra }));
  const outcome = strategy.aggregateFit(1, f32(0, 0), results, []);
  if (!outcome.ok) throw new Error(outcome.reason);
  return Array.from(outcome.weights);
}

const five = [result('a', 10, 1, 10), result('b', 10, 2, 20), result('c', 10, 3, 30), result('d', 1000, 4, 40), result('e', 10, -100, 5000)];

describe('robust aggregation', () => {
  it('FedMedian: the coordinate-wise median, whatever the sizes claimed', () => {
    expect(aggregate('fedmedian', five)).toEqual([2, 30]);
    expect(median(Float64Array.from([4, 1, 3, 2]))).toBe(2.5);
  });

  it('trimmed mean: beta 0.2 of 5 drops one update from each end of every coordinate', () => {
    // x: sorted -100, 1, 2, 3, 4 -> mean of 1, 2, 3 = 2; y: 10, 20, 30, 40, 5000 -> 30.
    expect(aggregate('trimmedmean', five, { trimBeta: 0.2 })).toEqual([2, 30]);
    // beta 0 is the plain (unweighted) mean.
    expect(aggregate('trimmedmean', five, { trimBeta: 0 })[0]).toBeCloseTo(-18, 5);
  });

  it('Krum: the update nearest its n - f - 2 neighbours; Multi-Krum: the mean of the n - f best', () => {
    // Squared distances among (1,10), (2,20), (3,30), (4,40): 101 per step apart, 404 two apart, 909 three apart.
    const scores = krumScores(f32(0, 0), five.map((r) => r.weights), 1);
    // Each keeps its 5 - 1 - 2 = 2 nearest: b and c have two neighbours 101 away.
    expect(scores.slice(0, 4)).toEqual([101 + 404, 101 + 101, 101 + 101, 101 + 404]);
    expect(aggregate('krum', five, { byzantine: 1 })).toEqual([2, 20]);
    // The 4 best scores are a, b, c, d: their mean.
    expect(aggregate('multikrum', five, { byzantine: 1 })).toEqual([2.5, 25]);
  });

  it('refuses Krum with too few updates for the faulty parties it must tolerate', () => {
    expect(() => aggregate('krum', five.slice(0, 4), { byzantine: 1 })).toThrow('Krum tolerating 1 faulty participant needs at least 5 updates in a round, and 4 arrived');
  });

  it('cannot aggregate a mean alone, and the settings refuse secure aggregation and central DP', () => {
    const strategy = createStrategy(Hyperparameters.parse({ algorithm: 'fedmedian' }));
    expect(strategy.aggregateMean(1, f32(0), f32(1), ['a', 'b'], [])).toEqual({ ok: false, reason: "fedmedian needs each participant's own update, and only their mean is known" });
    expect(Hyperparameters.safeParse({ algorithm: 'krum', privacy: { secureAggregation: true } }).error?.issues[0]?.message).toMatch(/secure aggregation hides/);
    expect(Hyperparameters.safeParse({ algorithm: 'trimmedmean', privacy: { dp: 'central' } }).error?.issues[0]?.message).toMatch(/calibrated for the mean/);
    expect(Hyperparameters.safeParse({ algorithm: 'fedmedian', privacy: { dp: 'local' } }).success).toBe(true);
  });
});
