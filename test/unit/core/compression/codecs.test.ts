import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, fromHalfBits, toHalfBits } from '../../../../src-main/core/compression/float16';
import { decodeInt8, encodeInt8 } from '../../../../src-main/core/compression/int8';
import { decodeTopk, encodeTopk, topkCount } from '../../../../src-main/core/compression/topk';
import { mulberry32 } from '../../../../src-main/core/stats/random';

function randomValues(length: number, seed: number, spread = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length }, () => (random() - 0.5) * 2 * spread * 10 ** Math.floor(random() * 6 - 3));
}

describe('float16', () => {
  it('gives the IEEE half bits of hand-computed values, rounding ties to even', () => {
    const cases: Array<[number, number]> = [
      [1, 0x3c00], [-2, 0xc000], [0, 0x0000], [-0, 0x8000], [0.1, 0x2e66], [1 / 3, 0x3555],
      [65504, 0x7bff], [65520, 0x7c00], [-Infinity, 0xfc00],
      [2 ** -14, 0x0400], [2 ** -24, 0x0001], [2 ** -25, 0x0000], [1.5 * 2 ** -25, 0x0001],
      // 1 + 2^-11 lies halfway between 1 (even) and 1 + 2^-10: down; 1 + 3 * 2^-11 between 0x3c01 (odd) and 0x3c02: up.
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02],
    ];
    for (const [value, bits] of cases) expect(toHalfBits(value), `${value}`).toBe(bits);
    expect(toHalfBits(NaN) & 0x7c00).toBe(0x7c00);
    expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true);
  });

  it('decodes every finite half back to itself', () => {
    for (let bits = 0; bits < 65536; bits += 1) {
      const value = fromHalfBits(bits);
      if (Number.isFinite(value)) expect(toHalfBits(value)).toBe(value === 0 ? bits & 0x8000 : bits);
    }
  });

  it('keeps each value within a relative 2^-11 (or 2^-25 for the smallest)', () => {
    const values = randomValues(20_000, 7, 100);
    const decoded = decodeFloat16(encodeFloat16(values));
    let worst = 0;
    for (let index = 0; index < values.length; index += 1) {
      const error = Math.abs(decoded[index]! - values[index]!);
      expect(error).toBeLessThanOrEqual(Math.max(Math.abs(values[index]!) * 2 ** -11, 2 ** -25));
      if (Math.abs(values[index]!) > 2 ** -14) worst = Math.max(worst, error / Math.abs(values[index]!));
    }
    expect(worst).toBeGreaterThan(2 ** -12); // the bound is tight, so the test could fail
  });
});

describe('int8 with stochastic rounding', () => {
  it('scales by max |x| / 127 and rounds to a neighbouring step', () => {
    const { codes, scale } = encodeInt8([1.27, -0.635, 0, 0.01], 1);
    expect(scale).toBe(Math.fround(0.01));
    expect(codes[0]).toBe(127);
    expect([-63, -64]).toContain(codes[1]);
    expect(codes[2]).toBe(0);
    expect([0, 1]).toContain(codes[3]);
    expect(Array.from(decodeInt8({ codes, scale }))[0]).toBeCloseTo(1.27, 6);
  });

  it('keeps each value within one step (the scale) and is the same for the same seed', () => {
    const values = randomValues(10_000, 3);
    const encoded = encodeInt8(values, 99);
    const decoded = decodeInt8(encoded);
    for (let index = 0; index < values.length; index += 1) expect(Math.abs(decoded[index]! - values[index]!)).toBeLessThanOrEqual(encoded.scale);
    expect(encodeInt8(values, 99).codes).toEqual(encoded.codes);
    expect(encodeInt8(values, 100).codes).not.toEqual(encoded.codes);
  });

  it('is unbiased: a value a quarter of a step up averages to itself', () => {
    const values = new Float32Array(40_000).fill(0.25);
    values[0] = 127; // scale 1
    const decoded = decodeInt8(encodeInt8(values, 5));
    let sum = 0;
    for (let index = 1; index < decoded.length; index += 1) sum += decoded[index]!;
    expect(sum / (decoded.length - 1)).toBeCloseTo(0.25, 2);
  });

  it('sends zeros for a zero update and refuses a bad scale', () => {
    const encoded = encodeInt8(new Float32Array(5), 1);
    expect(encoded.scale).toBe(0);
    expect(Array.from(decodeInt8(encoded))).toEqual([0, 0, 0, 0, 0]);
    expect(() => decodeInt8({ codes: new Int8Array(2), scale: NaN })).toThrow(/scale/);
    expect(() => decodeInt8({ codes: new Int8Array(2), scale: -1 })).toThrow(/scale/);
  });
});

describe('top-k with error feedback', () => {
  it('sends the largest values, exactly, and keeps the rest as the residual', () => {
    const { encoded, residual } = encodeTopk([0.1, -3, 2, 0.5, -2], 0.4, null);
    expect(Array.from(encoded.indices)).toEqual([1, 2]);
    expect(Array.from(encoded.values)).toEqual([-3, 2]);
    expect(Array.from(residual)).toEqual([0.1, 0, 0, 0.5, -2]);
    // Next round (nothing new): the residual's largest values go out.
    const next = encodeTopk([0, 0, 0, 0, 0], 0.4, residual);
    expect(Array.from(next.encoded.indices)).toEqual([3, 4]);
    expect(Array.from(next.encoded.values)).toEqual([0.5, -2]);
    expect(Array.from(decodeTopk(next.encoded, 5))).toEqual([0, 0, 0, 0.5, -2]);
  });

  it('loses nothing over rounds: what was sent plus the residual is the sum of the updates', () => {
    const length = 1000;
    const total = new Float64Array(length);
    const sent = new Float64Array(length);
    let residual: Float64Array | null = null;
    for (let round = 0; round < 5; round += 1) {
      const update = randomValues(length, round);
      const result = encodeTopk(update, 0.01, residual);
      expect(result.encoded.indices.length).toBe(10);
      const dense = decodeTopk(result.encoded, length);
      for (let index = 0; index < length; index += 1) {
        total[index]! += update[index]!;
        sent[index]! += dense[index]!;
      }
      residual = result.residual;
    }
    for (let index = 0; index < length; index += 1) expect(sent[index]! + residual![index]!).toBeCloseTo(total[index]!, 10);
  });

  it('sends at least one value, and refuses positions out of order or out of range', () => {
    expect(topkCount(31, 0.01)).toBe(1);
    expect(topkCount(1_000_000, 0.01)).toBe(10_000);
    expect(topkCount(0, 0.5)).toBe(0);
    expect(() => decodeTopk({ indices: Uint32Array.of(2, 1), values: new Float32Array(2) }, 5)).toThrow(/ascending/);
    expect(() => decodeTopk({ indices: Uint32Array.of(1, 1), values: new Float32Array(2) }, 5)).toThrow(/ascending/);
    expect(() => decodeTopk({ indices: Uint32Array.of(5), values: new Float32Array(1) }, 5)).toThrow(/below 5/);
    expect(() => decodeTopk({ indices: Uint32Array.of(1), values: new Float32Array(2) }, 5)).toThrow(/positions/);
  });
});
