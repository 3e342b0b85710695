// Fixed-point encoding of float updates into the ring Z_2^32, where masks cancel exactly.
// Each value x is clamped to [-range, range] and encoded as round(x * 2^fractionalBits) in
// two's complement. The precision shrinks as parties are added, so that the sum of every
// party's values still fits in a signed 32-bit integer without wrapping:
//   n * range * 2^fractionalBits <= 2^30, with range = 128 and fractionalBits = 23 - ceil(log2 n)
// e.g. 3 parties: 21 bits (a step of 4.8e-7); 64 parties: 17 bits (7.6e-6). The quantisation
// error of the decoded sum is at most n * 2^-(fractionalBits + 1) per value.

/** Largest magnitude a party's (weighted) value may have; larger ones are clamped and counted. */
export const FIXED_POINT_RANGE = 128;

export interface FixedPoint {
  fractionalBits: number;
  range: number;
}

/** The encoding for a sum over `parties` values. */
export function fixedPointFor(parties: number): FixedPoint {
  if (!Number.isInteger(parties) || parties < 1 || parties > 255) throw new RangeError(`parties must be an integer in 1..255, not ${parties}`);
  return { fractionalBits: 23 - Math.ceil(Math.log2(parties)), range: FIXED_POINT_RANGE };
}

/**
 * The encoding for a sum of counts (evaluation tables) over `parties`: whole numbers, one
 * fractional bit, and a range of 2^29 / parties per party's cell, so the sum never wraps.
 */
export function countsFixedPoint(parties: number): FixedPoint {
  if (!Number.isInteger(parties) || parties < 1 || parties > 255) throw new RangeError(`parties must be an integer in 1..255, not ${parties}`);
  return { fractionalBits: 1, range: Math.floor(2 ** 29 / parties) };
}

/**
 * Encodes `scale * values[i]` (then `extra`, if given, as one more element) into a new ring
 * vector; returns it with the number of values clamped to the range.
 */
export function encodeFixedPoint(values: ArrayLike<number>, scale: number, encoding: FixedPoint, extra: readonly number[] = []): { encoded: Uint32Array; clamped: number } {
  const { range } = encoding;
  const unit = 2 ** encoding.fractionalBits;
  const encoded = new Uint32Array(values.length + extra.length);
  const out = new Int32Array(encoded.buffer);
  let clamped = 0;
  const put = (index: number, value: number) => {
    let x = value;
    if (!(x <= range && x >= -range)) {
      // NaN also lands here: it becomes 0 rather than poisoning the sum.
      clamped += 1;
      x = Number.isNaN(x) ? 0 : Math.max(-range, Math.min(range, x));
    }
    out[index] = Math.round(x * unit);
  };
  for (let index = 0; index < values.length; index += 1) put(index, values[index]! * scale);
  extra.forEach((value, index) => put(values.length + index, value));
  return { encoded, clamped };
}

/** Decodes a ring vector (a sum of encodings) back into floats. */
export function decodeFixedPoint(sum: Uint32Array, encoding: FixedPoint): Float64Array {
  const signed = new Int32Array(sum.buffer, sum.byteOffset, sum.length);
  const unit = 2 ** -encoding.fractionalBits;
  const out = new Float64Array(sum.length);
  for (let index = 0; index < signed.length; index += 1) out[index] = signed[index]! * unit;
  return out;
}

/** target += other (mod 2^32), in place. */
export function addInto(target: Uint32Array, other: Uint32Array): void {
  if (target.length !== other.length) throw new RangeError(`cannot add vectors of ${other.length} and ${target.length} values`);
  for (let index = 0; index < target.length; index += 1) target[index] = (target[index]! + other[index]!) >>> 0;
}

/** target -= other (mod 2^32), in place. */
export function subtractFrom(target: Uint32Array, other: Uint32Array): void {
  if (target.length !== other.length) throw new RangeError(`cannot subtract vectors of ${other.length} and ${target.length} values`);
  for (let index = 0; index < target.length; index += 1) target[index] = (target[index]! - other[index]!) >>> 0;
}
