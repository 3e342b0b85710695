// IEEE 754 half precision (binary16), carried as its 16 bits: a float32 rounds to the nearest
// half, ties to even, so a normal value's relative error is at most 2^-11 (a subnormal's
// absolute error at most 2^-25); beyond 65504 it becomes infinite, as the standard says.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The half-precision bits of `value` (first rounded to float32), rounded to nearest, ties to even. */
export function toHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): the implicit bit joins the mantissa, shifted further right.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa moves into the exponent, which is the right rounding (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half += 1;
  return sign | half;
}

/** The value of half-precision bits. */
export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let table: Float32Array | undefined;

/** Every half's value, computed once (256 KB), so decoding a large update is one lookup per value. */
function halfTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits += 1) table[bits] = fromHalfBits(bits);
  }
  return table;
}

export function encodeFloat16(values: ArrayLike<number>): Uint16Array {
  const bits = new Uint16Array(values.length);
  for (let index = 0; index < bits.length; index += 1) bits[index] = toHalfBits(values[index]!);
  return bits;
}

export function decodeFloat16(bits: Uint16Array): Float32Array {
  const lookup = halfTable();
  const values = new Float32Array(bits.length);
  for (let index = 0; index < bits.length; index += 1) values[index] = lookup[bits[index]!]!;
  return values;
}
