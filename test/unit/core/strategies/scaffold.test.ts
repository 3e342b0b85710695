// SCAFFOLD's server half against values worked out by hand: the model and the control changes
// both averaged by examples, the control moved by that mean times |S| / N.
import { describe, expect, it } from 'vitest';
import { Hyperparameters } from '../../../../src-main/contract/records';
import { TENSOR } from '../../../../src-main/contract/tensors';
import { createStrategy } from '../../../../src-main/core/strategies';
import type { FitResult } from '../../../../src-main/core/strategies/types';

const f32 = (...values: number[]) => Float32Array.from(values);
const result = (clientId: string, numExamples: number, weights: number[], delta: number[] | null): FitResult => ({
  clientId,
  weights: f32(...weights),
  numExamples,
  loss: 0,
  ...(delta ? { tensors: { [TENSOR.controlDelta]: f32(...delta) } } : {}),
});

function scaffold(extra: Partial<Hyperparameters> = {}) {
  return createStrategy(Hyperparameters.parse({ algorithm: 'scaffold', minClients: 1, ...extra }));
}

describe('SCAFFOLD (server)', () => {
  it('sends a zero control first, then c + |S|/N * (mean of the changes), N counting every available client', () => {
    const strategy = scaffold();
    expect(strategy.replyTensors).toEqual([TENSOR.controlDelta]);
    expect(Array.from(strategy.fitTensors(2)[TENSOR.control]!)).toEqual([0, 0]);
    strategy.configureFit(1, ['a', 'b', 'c', 'd']);
    // d dropped out: it adds nothing, and N is still 4.
    const outcome = strategy.aggregateFit(1, f32(0, 0), [result('a', 1, [1, 2], [4, 8]), result('b', 3, [5, 6], [2, -4]), result('c', 4, [0, 0], [2, 0])], []);
    expect(outcome.ok).toBe(true);
    // Weighted by examples: (1*(1,2) + 3*(5,6) + 4*(0,0)) / 8 = (2, 2.5).
    expect(Array.from(outcome.ok ? outcome.weights : [])).toEqual([2, 2.5]);
    // Mean change (1*(4,8) + 3*(2,-4) + 4*(2,0)) / 8 = (2.25, -0.5); c = 0 + 3/4 * that.
    expect(Array.from(strategy.fitTensors(2)[TENSOR.control]!)).toEqual([1.6875, -0.375]);
  });

  it('steps the model by the server learning rate', () => {
    const strategy = scaffold({ serverLearningRate: 0.5 });
    strategy.configureFit(1, ['a']);
    const outcome = strategy.aggregateFit(1, f32(2, 2), [result('a', 1, [4, 0], [0, 0])], []);
    expect(outcome.ok && Array.from(outcome.weights)).toEqual([3, 1]);
  });

  it('with only the means known (secure aggregation): the control moves by mean * contributors / N', () => {
    const strategy = scaffold();
    strategy.configureFit(1, ['a', 'b', 'c', 'd']);
    const outcome = strategy.aggregateMean(1, f32(0, 0), f32(1, 1), ['a', 'b'], [], { [TENSOR.controlDelta]: Float64Array.from([4, -2]) });
    expect(outcome.ok).toBe(true);
    expect(Array.from(strategy.fitTensors(2)[TENSOR.control]!)).toEqual([2, -1]);
  });

  it('refuses a round without a control change, or with a bad one, and keeps its control as it was', () => {
    const strategy = scaffold();
    strategy.configureFit(1, ['a', 'b']);
    const missing = strategy.aggregateFit(1, f32(0, 0), [result('a', 1, [1, 1], [1, 1]), result('b', 1, [1, 1], null)], []);
    expect(missing).toEqual({ ok: false, reason: 'client b sent no control change (SCAFFOLD needs one beside every update)' });
    const short = strategy.aggregateFit(1, f32(0, 0), [result('a', 1, [1, 1], [1])], []);
    expect(short.ok ? '' : short.reason).toBe('client a sent a control change of 1 values, but the model has 2');
    const nan = strategy.aggregateFit(1, f32(0, 0), [result('a', 1, [1, 1], [1, Number.NaN])], []);
    expect(nan.ok ? '' : nan.reason).toBe('client a sent a control change holding NaN at index 1');
    expect(strategy.aggregateMean(1, f32(0, 0), f32(1, 1), ['a'], []).ok).toBe(false);
    // A refused model average leaves the control too.
    const infinite = strategy.aggregateFit(1, f32(0, 0), [result('a', 1, [Number.POSITIVE_INFINITY, 1], [5, 5])], []);
    expect(infinite.ok).toBe(false);
    expect(Array.from(strategy.fitTensors(2)[TENSOR.control]!)).toEqual([0, 0]);
  });

  it('saves and restores its control and the client count', () => {
    const strategy = scaffold();
    strategy.configureFit(1, ['a', 'b']);
    strategy.aggregateFit(1, f32(0, 0), [result('a', 1, [1, 1], [2, 4])], []);
    const restored = scaffold();
    restored.restore(strategy.state());
    expect(Array.from(restored.fitTensors(2)[TENSOR.control]!)).toEqual([1, 2]);
    expect(restored.state().values).toEqual({ available: 2 });
  });

  it('is refused with another optimizer, momentum or differential privacy', () => {
    expect(() => Hyperparameters.parse({ algorithm: 'scaffold', optimizer: 'adam' })).toThrow(/plain SGD/);
    expect(() => Hyperparameters.parse({ algorithm: 'scaffold', momentum: 0.9 })).toThrow(/without momentum/);
    expect(() => Hyperparameters.parse({ algorithm: 'scaffold', privacy: { dp: 'central' } })).toThrow(/control variates/);
    expect(() => Hyperparameters.parse({ algorithm: 'scaffold', privacy: { secureAggregation: true } })).not.toThrow();
  });
});
