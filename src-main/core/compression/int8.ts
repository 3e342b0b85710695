// 8-bit quantisation with stochastic rounding: one scale per tensor (max |x| / 127), each value
// rounded up or down at random with the probability that makes it unbiased (E[decoded] = x), so
// the errors of many parties and rounds average out; each value's error is below one step, scale.
import { mulberry32 } from '../stats/random';

export interface Int8Encoded {
  codes: Int8Array;
  /** Float32, as it travels: the decoded value is code * scale. */
  scale: number;
}

/** `values` quantised to int8 codes, rounding drawn from a PRNG seeded with `seed`. */
export function encodeInt8(values: ArrayLike<number>, seed: number): Int8Encoded {
  let largest = 0;
  for (let index = 0; index < values.length; index += 1) largest = Math.max(largest, Math.abs(values[index]!));
  // The scale as float32, the one the hub will multiply by, so the error bound holds after decoding.
  const scale = Math.fround(largest / 127);
  const codes = new Int8Array(values.length);
  if (scale === 0 || !Number.isFinite(scale)) return { codes, scale: scale === 0 ? 0 : scale };
  const random = mulberry32(seed);
  for (let index = 0; index < codes.length; index += 1) {
    const q = values[index]! / scale;
    const low = Math.floor(q);
    const code = low + (random() < q - low ? 1 : 0);
    codes[index] = Math.max(-127, Math.min(127, code));
  }
  return { codes, scale };
}

export function decodeInt8(encoded: Int8Encoded): Float32Array {
  const { codes, scale } = encoded;
  if (!Number.isFinite(scale) || scale < 0) throw new RangeError(`an 8-bit update's scale must be a finite number of 0 or more, not ${scale}`);
  const values = new Float32Array(codes.length);
  for (let index = 0; index < codes.length; index += 1) values[index] = codes[index]! * scale;
  return values;
}
