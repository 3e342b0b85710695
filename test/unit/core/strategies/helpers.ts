// Shared fixtures for the strategy tests.
import { expect } from 'vitest';
import { Hyperparameters } from '../../../../src-main/contract/records';
import type { AggregateOutcome, FitResult } from '../../../../src-main/core/strategies';

/** Parsed hyperparameters (schema defaults for anything not given). */
export function hyper(overrides: Record<string, unknown> = {}): Hyperparameters {
  return Hyperparameters.parse(overrides);
}

export function result(clientId: string, numExamples: number, weights: number[], loss = 0.5): FitResult {
  return { clientId, numExamples, weights: Float32Array.from(weights), loss };
}

/** The weights of a successful outcome (fails the test with the reason otherwise). */
export function weightsOf(outcome: AggregateOutcome): Float32Array {
  if (!outcome.ok) throw new Error(`expected ok, got refusal: ${outcome.reason}`);
  return outcome.weights;
}

/** Float32 outputs against hand-computed values: |actual - expected| < 5e-7 by default. */
export function expectClose(actual: Float32Array, expected: readonly number[], digits = 6): void {
  expect(actual).toBeInstanceOf(Float32Array);
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i], `index ${i}`).toBeCloseTo(value, digits));
}

// The shared two-round scenario. Global weights x0 = [1, 2, 3].
export const X0 = Float32Array.from([1, 2, 3]);

// Round 1: N = 1 + 3 = 4.
//   fedavg = (1*[2, 2, 0] + 3*[0, 4, 4]) / 4 = [2, 14, 12] / 4 = [0.5, 3.5, 3]
export const ROUND1 = [result('a', 1, [2, 2, 0]), result('b', 3, [0, 4, 4])];

// Round 2: N = 2 + 5 + 1 = 8.
//   fedavg = (2*[1, 1, 1] + 5*[3, -1, 5] + 1*[0, 8, -4]) / 8
//          = ([2, 2, 2] + [15, -5, 25] + [0, 8, -4]) / 8 = [17, 5, 23] / 8 = [2.125, 0.625, 2.875]
export const ROUND2 = [result('a', 2, [1, 1, 1]), result('b', 5, [3, -1, 5]), result('c', 1, [0, 8, -4])];
