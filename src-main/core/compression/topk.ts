// Top-k sparsification with error feedback: only the `fraction` of values largest in magnitude
// are sent (their indices and float32 values); what was not sent (and the float32 rounding of
// what was) is the residual, which the party keeps and adds to its next update, so nothing is
// lost, only delayed.

export interface TopkEncoded {
  /** Ascending positions of the sent values. */
  indices: Uint32Array;
  values: Float32Array;
}

/** How many values a fraction of `length` sends: at least one of a non-empty update. */
export function topkCount(length: number, fraction: number): number {
  return length === 0 ? 0 : Math.min(length, Math.max(1, Math.ceil(fraction * length)));
}

/**
 * The largest-magnitude `fraction` of `update + residual`, and the new residual (the rest). The
 * residual is null on a party's first round.
 */
export function encodeTopk(update: ArrayLike<number>, fraction: number, residual: Float64Array | null): { encoded: TopkEncoded; residual: Float64Array } {
  const length = update.length;
  if (residual && residual.length !== length) throw new RangeError(`a residual of ${residual.length} values cannot be added to an update of ${length}`);
  const full = new Float64Array(length);
  for (let index = 0; index < length; index += 1) full[index] = update[index]! + (residual ? residual[index]! : 0);
  const k = topkCount(length, fraction);
  const magnitudes = new Float64Array(length);
  for (let index = 0; index < length; index += 1) magnitudes[index] = Math.abs(full[index]!);
  const threshold = k === 0 ? Infinity : Float64Array.from(magnitudes).sort()[length - k]!;
  // Every value above the threshold, then values equal to it (lowest positions first) up to k.
  let above = 0;
  for (let index = 0; index < length; index += 1) if (magnitudes[index]! > threshold) above += 1;
  let ties = k - above;
  const indices = new Uint32Array(k);
  const values = new Float32Array(k);
  let taken = 0;
  for (let index = 0; index < length && taken < k; index += 1) {
    const magnitude = magnitudes[index]!;
    if (magnitude > threshold || (magnitude === threshold && ties-- > 0)) {
      indices[taken] = index;
      values[taken] = full[index]!;
      full[index] = full[index]! - values[taken]!;
      taken += 1;
    }
  }
  return { encoded: { indices, values }, residual: full };
}

/** The dense update of `length` values the sent ones make (zeros elsewhere); refuses bad positions. */
export function decodeTopk(encoded: TopkEncoded, length: number): Float32Array {
  const { indices, values } = encoded;
  if (indices.length !== values.length) throw new RangeError(`a sparse update has ${indices.length} positions but ${values.length} values`);
  const dense = new Float32Array(length);
  let previous = -1;
  for (let index = 0; index < indices.length; index += 1) {
    const position = indices[index]!;
    if (position <= previous || position >= length) throw new RangeError(`a sparse update's positions must be ascending and below ${length}; position ${position} is not`);
    dense[position] = values[index]!;
    previous = position;
  }
  return dense;
}
