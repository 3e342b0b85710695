// Dense symmetric positive-definite algebra for the exact regression solver: the curvature
// matrices are small (one row and column per coefficient), so a Cholesky factorisation in
// float64 is exact enough and fast. Packed storage keeps the upper triangle row by row, which
// is what parties send: n(n+1)/2 values instead of n².

/** Values in the packed upper triangle of an n x n symmetric matrix. */
export function packedLength(n: number): number {
  return (n * (n + 1)) / 2;
}

/** Index of (i, j), i <= j, in the packed upper triangle. */
export function packedIndex(n: number, i: number, j: number): number {
  return i * n - (i * (i - 1)) / 2 + (j - i);
}

/** The full n x n row-major matrix of a packed upper triangle. */
export function unpack(packed: ArrayLike<number>, n: number): Float64Array {
  if (packed.length !== packedLength(n)) throw new RangeError(`a packed ${n} x ${n} matrix has ${packedLength(n)} values, not ${packed.length}`);
  const full = new Float64Array(n * n);
  let k = 0;
  for (let i = 0; i < n; i += 1) {
    for (let j = i; j < n; j += 1) {
      const value = packed[k++]!;
      full[i * n + j] = value;
      full[j * n + i] = value;
    }
  }
  return full;
}

/**
 * The lower Cholesky factor L (A = L Lᵀ) of a row-major symmetric matrix, or null when A is
 * not positive definite (to working precision).
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j += 1) {
    let diagonal = a[j * n + j]!;
    for (let k = 0; k < j; k += 1) diagonal -= l[j * n + k]! ** 2;
    if (!(diagonal > 0) || !Number.isFinite(diagonal)) return null;
    const root = Math.sqrt(diagonal);
    l[j * n + j] = root;
    for (let i = j + 1; i < n; i += 1) {
      let value = a[i * n + j]!;
      for (let k = 0; k < j; k += 1) value -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = value / root;
    }
  }
  return l;
}

/** Solves L Lᵀ x = b for x. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let value = b[i]!;
    for (let k = 0; k < i; k += 1) value -= l[i * n + k]! * y[k]!;
    y[i] = value / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i -= 1) {
    let value = y[i]!;
    for (let k = i + 1; k < n; k += 1) value -= l[k * n + i]! * x[k]!;
    x[i] = value / l[i * n + i]!;
  }
  return x;
}

/** The inverse of L Lᵀ, row-major. */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  const inverse = new Float64Array(n * n);
  const unit = new Float64Array(n);
  for (let column = 0; column < n; column += 1) {
    unit.fill(0);
    unit[column] = 1;
    const solved = choleskySolve(l, n, unit);
    for (let row = 0; row < n; row += 1) inverse[row * n + column] = solved[row]!;
  }
  return inverse;
}
