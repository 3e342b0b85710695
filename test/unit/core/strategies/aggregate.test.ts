import { describe, expect, it } from 'vitest';
import {
  difference,
  firstNonFinite,
  l2Distance,
  l2Norm,
  weightedAverage,
  weightedAverage64,
} from '../../../../src-main/core/strategies';

const f32 = (values: number[]) => Float32Array.from(values);

/** A straightforward reference: per element, sum n_k * u_k in Float64, divide by N. */
function naiveAverage(updates: Float32Array[], counts: number[]): Float64Array {
  const total = counts.reduce((a, b) => a + b, 0);
  const out = new Float64Array(updates[0]!.length);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    updates.forEach((update, k) => (sum += counts[k]! * update[i]!));
    out[i] = sum / total;
  }
  return out;
}

/** Deterministic pseudo-random float32 vectors. */
function vector(length: number, salt: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.sin(i * 0.37 + salt) * (1 + (i % 7));
  return out;
}

describe('weightedAverage', () => {
  it('weights each update by its number of examples', () => {
    // (1*[2, 2, 0] + 3*[0, 4, 4]) / 4 = [0.5, 3.5, 3]
    expect(weightedAverage([f32([2, 2, 0]), f32([0, 4, 4])], [1, 3])).toEqual(f32([0.5, 3.5, 3]));
    // (2*[1] + 5*[3] + 1*[0]) / 8 = 17 / 8
    expect(weightedAverage([f32([1]), f32([3]), f32([0])], [2, 5, 1])).toEqual(f32([2.125]));
    // One update is itself.
    expect(weightedAverage([f32([1.5, -2])], [9])).toEqual(f32([1.5, -2]));
  });

  it('matches a straightforward reference across blocks, for odd and even numbers of updates', () => {
    // 10,001 values: two full 4,096 blocks and a ragged tail.
    for (const count of [1, 2, 3, 4, 5]) {
      const updates = Array.from({ length: count }, (_, k) => vector(10_001, k));
      const counts = updates.map((_, k) => 10 + 7 * k);
      const reference = naiveAverage(updates, counts);
      expect(weightedAverage(updates, counts)).toEqual(Float32Array.from(reference));
      const wide = weightedAverage64(updates, counts);
      let worst = 0;
      for (let i = 0; i < wide.length; i++) worst = Math.max(worst, Math.abs(wide[i]! - reference[i]!));
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it('accumulates in Float64: many small updates do not drift', () => {
    // 1,000 updates of 0.1f: a float32 running sum would be off in the 5th digit.
    const tenth = Math.fround(0.1);
    const updates = Array.from({ length: 1000 }, () => f32([0.1]));
    expect(weightedAverage(updates, updates.map(() => 1))[0]).toBe(tenth);
  });

  it('writes into out when given, which may be one of the updates', () => {
    const a = f32([2, 2, 0]);
    const b = f32([0, 4, 4]);
    const out = new Float32Array(3);
    expect(weightedAverage([a, b], [1, 3], out)).toBe(out);
    expect(out).toEqual(f32([0.5, 3.5, 3]));
    const big = [vector(9000, 1), vector(9000, 2)];
    const expected = weightedAverage(big, [2, 3]);
    expect(weightedAverage(big, [2, 3], big[0])).toEqual(expected);
  });

  it('does not change its inputs', () => {
    const a = f32([2, 2, 0]);
    const b = f32([0, 4, 4]);
    const counts = [1, 3];
    weightedAverage([a, b], counts);
    weightedAverage64([a, b], counts);
    expect(a).toEqual(f32([2, 2, 0]));
    expect(b).toEqual(f32([0, 4, 4]));
    expect(counts).toEqual([1, 3]);
  });

  it('refuses no updates, mismatched lengths and counts <= 0', () => {
    expect(() => weightedAverage([], [])).toThrow(RangeError);
    expect(() => weightedAverage([f32([1, 2]), f32([1])], [1, 1])).toThrow(/update 1 has 1 values, update 0 has 2/);
    expect(() => weightedAverage([f32([1])], [1, 2])).toThrow(/1 updates but 2 sample counts/);
    expect(() => weightedAverage([f32([1])], [0])).toThrow(/must be > 0/);
    expect(() => weightedAverage([f32([1])], [Number.NaN])).toThrow(/must be > 0/);
    expect(() => weightedAverage([f32([1])], [1], new Float32Array(2))).toThrow(/out has 2 values/);
  });

  it('lets non-finite values through for the caller to detect', () => {
    expect(Number.isNaN(weightedAverage([f32([1, Number.NaN]), f32([1, 1])], [1, 1])[1])).toBe(true);
  });
});

describe('difference, norms, finiteness', () => {
  it('difference is a - b in Float64', () => {
    const out = difference(f32([1, 2, 3]), Float64Array.from([0.5, 3.5, 3]));
    expect(out).toBeInstanceOf(Float64Array);
    expect(Array.from(out)).toEqual([0.5, -1.5, 0]);
    expect(() => difference(f32([1]), f32([1, 2]))).toThrow(RangeError);
  });

  it('l2Norm and l2Distance', () => {
    expect(l2Norm(f32([3, 4]))).toBe(5); // sqrt(9 + 16)
    expect(l2Distance(f32([1, 1]), Float64Array.from([4, 5]))).toBe(5); // sqrt(3^2 + 4^2)
    expect(l2Norm(new Float32Array(0))).toBe(0);
  });

  it('firstNonFinite finds NaN and infinities', () => {
    expect(firstNonFinite(f32([1, 2, 3]))).toBe(-1);
    expect(firstNonFinite(f32([1, Number.NaN, Number.POSITIVE_INFINITY]))).toBe(1);
    expect(firstNonFinite(Float64Array.from([0, -0, Number.NEGATIVE_INFINITY]))).toBe(2);
    expect(firstNonFinite(f32([3.4e38, -3.4e38]))).toBe(-1);
  });
});
