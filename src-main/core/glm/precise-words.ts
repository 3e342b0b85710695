// Secure aggregation adds 32-bit fixed-point words: about 21 fractional bits for a few parties,
// which is not enough for the gradient of an ill-conditioned fit (the step divides it by small
// curvatures). So the values that decide where the fit ends (the gradient and the loss) travel
// as two words each: the value as the fixed point rounds it, and its rounding error scaled up
// by 2^f. The sums of both words give each value to about 2f bits; the sums are still all the
// hub learns.
import { parameterCountOf, sumsLengthOf, type GlmSpec } from './spec';

/** The positions in a sums vector that travel as two words: the gradient, then the loss. */
export function preciseIndices(spec: GlmSpec): number[] {
  const p = parameterCountOf(spec);
  return [...Array.from({ length: p }, (_, index) => index), sumsLengthOf(spec) - 2];
}

/** The length of a sums vector with its second words. */
export function twoWordLengthOf(spec: GlmSpec): number {
  return sumsLengthOf(spec) + preciseIndices(spec).length;
}

/** The vector followed by the second word of each precise value, for `fractionalBits`. */
export function withSecondWords(vector: Float64Array, spec: GlmSpec, fractionalBits: number): Float64Array {
  const unit = 2 ** fractionalBits;
  const indices = preciseIndices(spec);
  const out = new Float64Array(vector.length + indices.length);
  out.set(vector);
  indices.forEach((index, k) => {
    const value = vector[index]!;
    out[vector.length + k] = (value - Math.round(value * unit) / unit) * unit;
  });
  return out;
}

/** The summed vector with each precise value's second word folded back in. */
export function foldSecondWords(summed: ArrayLike<number>, spec: GlmSpec, fractionalBits: number): Float64Array {
  const length = sumsLengthOf(spec);
  const out = Float64Array.from({ length }, (_, index) => summed[index]!);
  const unit = 2 ** fractionalBits;
  preciseIndices(spec).forEach((index, k) => {
    out[index] = out[index]! + summed[length + k]! / unit;
  });
  return out;
}
