// The DP mechanisms: clipping, Gaussian noise of the right scale, who adds how much noise,
// and the TTP's private mean; and the fixed-point encoding secure aggregation uses.
import { describe, expect, it } from 'vitest';
import { Privacy } from '../../../src-main/contract/records';
import { addGaussianNoise, centralNoiseStd, clipToNorm, l2Norm, partyMechanism } from '../../../src-main/core/privacy/dp';
import { decodeFixedPoint, encodeFixedPoint, fixedPointFor } from '../../../src-main/core/privacy/secagg/fixed-point';
import { noisyMean as privateMean } from '../../../src-main/engines/pipelines/central-dp';

function moments(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += values[i]!;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i += 1) squares += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / (values.length - 1)) };
}

describe('differential privacy mechanisms', () => {
  it('clips an update to norm C and leaves a smaller one alone', () => {
    const big = Float64Array.from([3, 4]);
    expect(clipToNorm(big, 1)).toBe(5);
    expect(Array.from(big)).toEqual([0.6000000000000001, 0.8]);
    expect(l2Norm(big)).toBeCloseTo(1, 12);
    const small = Float32Array.from([0.1, -0.2]);
    clipToNorm(small, 1);
    expect(Array.from(small)).toEqual([Math.fround(0.1), Math.fround(-0.2)]);
  });

  it('adds zero-mean Gaussian noise of the standard deviation asked', () => {
    const values = new Float64Array(400_000);
    addGaussianNoise(values, 2.5);
    const { mean, std } = moments(values);
    // Standard errors: 2.5/sqrt(n) for the mean, about 2.5/sqrt(2n) for the std.
    expect(Math.abs(mean)).toBeLessThan(5 * (2.5 / Math.sqrt(values.length)));
    expect(Math.abs(std - 2.5)).toBeLessThan(5 * (2.5 / Math.sqrt(2 * values.length)));
    // Gaussian tails: about 4.55% beyond 2 sigma.
    const beyond = values.filter((value) => Math.abs(value) > 5).length / values.length;
    expect(beyond).toBeGreaterThan(0.043);
    expect(beyond).toBeLessThan(0.048);
    expect(() => addGaussianNoise(values, -1)).toThrow(RangeError);
  });

  it('splits the noise the way each mode needs', () => {
    const base = { clip: 2, noiseMultiplier: 1.5 };
    expect(partyMechanism(Privacy.parse({ dp: 'off' }), null)).toEqual({ clip: null, noiseStd: 0, weighting: 'examples' });
    expect(partyMechanism(Privacy.parse({ ...base, dp: 'local' }), null)).toEqual({ clip: 2, noiseStd: 3, weighting: 'uniform' });
    expect(partyMechanism(Privacy.parse({ ...base, dp: 'central' }), null)).toEqual({ clip: 2, noiseStd: 0, weighting: 'uniform' });
    // Central with secure aggregation: each of t parties adds 1/t of the variance.
    expect(partyMechanism(Privacy.parse({ ...base, dp: 'central', secureAggregation: true }), 4)).toEqual({ clip: 2, noiseStd: 1.5, weighting: 'uniform' });
    expect(centralNoiseStd(Privacy.parse({ ...base, dp: 'central' }))).toBe(3);
    expect(centralNoiseStd(Privacy.parse({ ...base, dp: 'central', secureAggregation: true }))).toBe(0);
    expect(centralNoiseStd(Privacy.parse({ ...base, dp: 'local' }))).toBe(0);
    expect(Privacy.safeParse({ dp: 'central', noiseMultiplier: 0 }).error?.issues[0]?.message).toMatch(/noise multiplier above 0/);
  });

  it('averages clipped updates over the parties sampled, with central noise of sigma * C on the sum', () => {
    const global = new Float32Array(50_000);
    // Two updates of norm far above C = 1: each is clipped to norm 1.
    const a = Float32Array.from(global, (_, i) => (i === 0 ? 100 : 0));
    const b = Float32Array.from(global, (_, i) => (i === 1 ? -100 : 0));
    const noiseless = privateMean(global, [a, b], Privacy.parse({ dp: 'local', clip: 1 }), 2);
    expect(noiseless[0]).toBeCloseTo(0.5, 6);
    expect(noiseless[1]).toBeCloseTo(-0.5, 6);
    // Three sampled, two replied: the denominator stays 3.
    expect(privateMean(global, [a, b], Privacy.parse({ dp: 'local', clip: 1 }), 3)[0]).toBeCloseTo(1 / 3, 6);
    const noisy = privateMean(global, [a, b], Privacy.parse({ dp: 'central', clip: 1, noiseMultiplier: 2 }), 2);
    const { std } = moments(noisy.subarray(2));
    expect(std).toBeGreaterThan(0.97);
    expect(std).toBeLessThan(1.03); // sigma * C / 2 parties
  });
});

describe('fixed-point encoding', () => {
  it('has precision that shrinks with the number of parties so that sums never wrap', () => {
    expect(fixedPointFor(2)).toEqual({ fractionalBits: 22, range: 128 });
    expect(fixedPointFor(3)).toEqual({ fractionalBits: 21, range: 128 });
    expect(fixedPointFor(64)).toEqual({ fractionalBits: 17, range: 128 });
    for (const parties of [2, 3, 5, 64, 255]) {
      const { fractionalBits, range } = fixedPointFor(parties);
      expect(parties * range * 2 ** fractionalBits).toBeLessThan(2 ** 31);
    }
  });

  it('round-trips values within half a step, and clamps what is out of range', () => {
    const encoding = fixedPointFor(3);
    const values = [0, 1e-3, -0.123456789, 127.9, -128, 500, -1e9, Number.NaN];
    const { encoded, clamped } = encodeFixedPoint(values, 0.5, encoding, [0.25]);
    expect(clamped).toBe(3); // 250 and -5e8 after scaling, and NaN
    const decoded = decodeFixedPoint(encoded, encoding);
    const expected = [0, 5e-4, -0.0617283945, 63.95, -64, 128, -128, 0, 0.25];
    decoded.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(2 ** -(encoding.fractionalBits + 1)));
  });

  it('sums the most extreme values of every party without wrapping around', () => {
    for (const parties of [2, 5, 64]) {
      const encoding = fixedPointFor(parties);
      const sum = new Uint32Array(2);
      for (let p = 0; p < parties; p += 1) {
        const { encoded } = encodeFixedPoint([128, -128], 1, encoding);
        encoded.forEach((value, i) => (sum[i] = (sum[i]! + value) >>> 0));
      }
      expect(Array.from(decodeFixedPoint(sum, encoding))).toEqual([128 * parties, -128 * parties]);
    }
  });
});
