// Small pure functions on weight vectors, the building blocks of the strategies (in the spirit
// of Flower's `aggregate.py`). Sums are carried in Float64 so that averaging many float32
// updates loses nothing visible; results that become model weights are written back as float32.
//
// The averages are the hot path (ten updates of a million floats each, every round), so they
// are written as tight loops over typed arrays: the vector is processed in blocks small enough
// that the Float64 accumulator stays in L1 cache, each update is read exactly once, and nothing
// is allocated per element.

export type Vector = Float32Array | Float64Array;

/** Elements per block: 4,096 doubles = 32 KiB of accumulator, which stays in cache. */
const BLOCK = 4096;

/** The sum of the sample counts, after checking every one is finite and > 0 (throws RangeError). */
function totalExamples(updates: readonly Float32Array[], numExamples: readonly number[]): number {
  if (updates.length === 0) throw new RangeError('cannot average zero updates');
  if (updates.length !== numExamples.length) {
    throw new RangeError(`${updates.length} updates but ${numExamples.length} sample counts`);
  }
  const length = updates[0]!.length;
  let total = 0;
  for (let k = 0; k < updates.length; k++) {
    const n = numExamples[k]!;
    if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`update ${k} has ${n} examples; it must be > 0`);
    if (updates[k]!.length !== length) {
      throw new RangeError(`update ${k} has ${updates[k]!.length} values, update 0 has ${length}`);
    }
    total += n;
  }
  if (!Number.isFinite(total)) throw new RangeError('the total number of examples is not finite');
  return total;
}

/**
 * Accumulates sum_k n_k * u_k[start..end) into `acc[0..end-start)` in Float64, each update read
 * once. Updates are taken four at a time (then a pair, then one), so the accumulator is loaded
 * and stored once per four updates and each element access carries fewer of V8's bounds and
 * detached-buffer checks: about 1.6 times faster than one update at a time. The first updates
 * initialise the block, so the accumulator needs no clearing.
 */
function accumulateBlock(
  acc: Float64Array,
  updates: readonly Float32Array[],
  numExamples: readonly number[],
  start: number,
  end: number,
): void {
  const count = end - start;
  const updateCount = updates.length;
  let k: number;
  if (updateCount === 3) {
    // The common three-party round in one pass.
    const a = updates[0]!;
    const b = updates[1]!;
    const c = updates[2]!;
    const na = numExamples[0]!;
    const nb = numExamples[1]!;
    const nc = numExamples[2]!;
    for (let i = 0, j = start; i < count; i++, j++) acc[i] = na * a[j]! + nb * b[j]! + nc * c[j]!;
    return;
  }
  if (updateCount >= 4) {
    const a = updates[0]!;
    const b = updates[1]!;
    const c = updates[2]!;
    const d = updates[3]!;
    const na = numExamples[0]!;
    const nb = numExamples[1]!;
    const nc = numExamples[2]!;
    const nd = numExamples[3]!;
    for (let i = 0, j = start; i < count; i++, j++) acc[i] = na * a[j]! + nb * b[j]! + nc * c[j]! + nd * d[j]!;
    k = 4;
  } else {
    const a = updates[0]!;
    const na = numExamples[0]!;
    for (let i = 0, j = start; i < count; i++, j++) acc[i] = na * a[j]!;
    k = 1;
  }
  for (; k + 4 <= updateCount; k += 4) {
    const a = updates[k]!;
    const b = updates[k + 1]!;
    const c = updates[k + 2]!;
    const d = updates[k + 3]!;
    const na = numExamples[k]!;
    const nb = numExamples[k + 1]!;
    const nc = numExamples[k + 2]!;
    const nd = numExamples[k + 3]!;
    for (let i = 0, j = start; i < count; i++, j++) acc[i]! += na * a[j]! + nb * b[j]! + nc * c[j]! + nd * d[j]!;
  }
  if (k + 2 <= updateCount) {
    const a = updates[k]!;
    const b = updates[k + 1]!;
    const na = numExamples[k]!;
    const nb = numExamples[k + 1]!;
    for (let i = 0, j = start; i < count; i++, j++) acc[i]! += na * a[j]! + nb * b[j]!;
    k += 2;
  }
  if (k < updateCount) {
    const a = updates[k]!;
    const na = numExamples[k]!;
    for (let i = 0, j = start; i < count; i++, j++) acc[i]! += na * a[j]!;
  }
}

/**
 * Sample-weighted average sum_k (n_k / N) u_k with N = sum_k n_k, written as float32 (into `out`
 * when given; it may be one of the updates, as each block is read before it is written). Accumulates in Float64 and divides by N
 * once per element. Throws RangeError for no updates, different lengths, or counts <= 0.
 * Non-finite values are not checked here; they propagate (see `firstNonFinite`).
 */
export function weightedAverage(
  updates: readonly Float32Array[],
  numExamples: readonly number[],
  out?: Float32Array,
): Float32Array {
  return checkedWeightedAverage(updates, numExamples, out).average;
}

/**
 * `weightedAverage`, and whether every value of the float32 result is finite, found in the same
 * pass that writes it (a NaN or an infinity makes `x * 0` NaN) instead of a pass of its own.
 */
export function checkedWeightedAverage(
  updates: readonly Float32Array[],
  numExamples: readonly number[],
  out?: Float32Array,
): { average: Float32Array; finite: boolean } {
  const total = totalExamples(updates, numExamples);
  const length = updates[0]!.length;
  const result = out ?? new Float32Array(length);
  if (result.length !== length) throw new RangeError(`out has ${result.length} values, the updates ${length}`);
  if (updates.length <= 3) return fusedAverage(updates, numExamples, total, result);
  const acc = new Float64Array(Math.min(BLOCK, length));
  let check = 0;
  for (let start = 0; start < length; start += BLOCK) {
    const end = Math.min(start + BLOCK, length);
    accumulateBlock(acc, updates, numExamples, start, end);
    const count = end - start;
    for (let i = 0, j = start; i < count; i++, j++) {
      result[j] = acc[i]! / total;
      check += result[j]! * 0;
    }
  }
  return { average: result, finite: check === 0 };
}

/**
 * Up to three updates: each output value in one step, summed in Float64 registers, with no
 * accumulator pass (the usual round of a small federation).
 */
function fusedAverage(
  updates: readonly Float32Array[],
  numExamples: readonly number[],
  total: number,
  result: Float32Array,
): { average: Float32Array; finite: boolean } {
  const a = updates[0]!;
  const finite = fusedKernel(
    a,
    updates[1] ?? a,
    updates[2] ?? a,
    numExamples[0]!,
    updates.length > 1 ? numExamples[1]! : 0,
    updates.length > 2 ? numExamples[2]! : 0,
    total,
    result,
  );
  return { average: result, finite };
}

/**
 * The loop of fusedAverage, with every array a parameter of its own and the check made on the
 * rounded value in a register rather than read back from `result`: V8 compiles this about 1.6
 * times faster than the same loop reading through an array of updates.
 */
function fusedKernel(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  na: number,
  nb: number,
  nc: number,
  total: number,
  result: Float32Array,
): boolean {
  const length = result.length;
  let check = 0;
  for (let j = 0; j < length; j++) {
    const value = Math.fround((na * a[j]! + nb * b[j]! + nc * c[j]!) / total);
    result[j] = value;
    check += value * 0;
  }
  return check === 0;
}

/** As `weightedAverage`, but keeps the full Float64 result (for server optimisers that step from it). */
export function weightedAverage64(
  updates: readonly Float32Array[],
  numExamples: readonly number[],
  out?: Float64Array,
): Float64Array {
  const total = totalExamples(updates, numExamples);
  const length = updates[0]!.length;
  const result = out ?? new Float64Array(length);
  if (result.length !== length) throw new RangeError(`out has ${result.length} values, the updates ${length}`);
  for (let start = 0; start < length; start += BLOCK) {
    const end = Math.min(start + BLOCK, length);
    // Accumulate straight into the output block: it is Float64 already.
    const acc = result.subarray(start, end);
    accumulateBlock(acc, updates, numExamples, start, end);
    const count = end - start;
    for (let i = 0; i < count; i++) acc[i] = acc[i]! / total;
  }
  return result;
}

/** Element-wise a - b in Float64 (into `out` when given). Throws RangeError for different lengths. */
export function difference(a: Vector, b: Vector, out?: Float64Array): Float64Array {
  const length = a.length;
  if (b.length !== length) throw new RangeError(`cannot subtract ${b.length} values from ${length}`);
  const result = out ?? new Float64Array(length);
  if (result.length !== length) throw new RangeError(`out has ${result.length} values, the operands ${length}`);
  for (let i = 0; i < length; i++) result[i] = a[i]! - b[i]!;
  return result;
}

/** Index of the first NaN or infinite value, or -1 when every value is finite. */
export function firstNonFinite(values: Vector): number {
  const length = values.length;
  for (let i = 0; i < length; i++) {
    const value = values[i]!;
    // value - value is 0 for finite values and NaN for NaN and +-Infinity.
    if (value - value !== 0) return i;
  }
  return -1;
}

/** Euclidean norm, accumulated in Float64. */
export function l2Norm(values: Vector): number {
  let sum = 0;
  const length = values.length;
  for (let i = 0; i < length; i++) {
    const value = values[i]!;
    sum += value * value;
  }
  return Math.sqrt(sum);
}

/** Euclidean distance ||a - b||, accumulated in Float64. Throws RangeError for different lengths. */
export function l2Distance(a: Vector, b: Vector): number {
  const length = a.length;
  if (b.length !== length) throw new RangeError(`cannot compare ${length} values with ${b.length}`);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}
