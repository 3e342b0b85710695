// A matrix product in WebAssembly SIMD, assembled here byte by byte (no toolchain): TF.js's own
// kernels pay a fixed cost per operation that dominates small dense networks, and JavaScript
// cannot use the CPU's vector unit. One function, register-blocked:
//
//   gemm(m, n, k, a, aRow, aCol, b, ldb, c, ldc, accumulate, relu)
//   C[i][j] = [relu] (sum_t A[i*aRow + t*aCol] * B[t*ldb + j] [+ C[i][j]])      i < m, j < n, t < k
//
// Pointers are byte offsets into the shared memory; strides count floats. A's two strides make
// the same code serve A·B (aRow = k, aCol = 1) and Aᵀ·B (aRow = 1, aCol = lda). Each tile holds
// ROWS x (4 * VECTORS) results in registers while t runs, then adds or stores them; narrower
// tiles and a scalar loop finish the edges. Sums run in the same order (t ascending) for every
// element, in float32, like a plain loop. With `relu`, results below zero are stored as zero
// (a Dense layer's bias-add and ReLU, fused into the store).
//
// 4 x 8 tiles measured fastest (about 25 GMAC/s on the benchmark's shapes): larger ones need
// more than the 16 vector registers of x86-64 and spill, and so does splatting A's value again
// for each vector instead of once per row (8-10 GMAC/s).

import { F32, flat, I32, op, V128, type WasmFunction } from './wasm-encoding';

const ROWS = 4;
const VECTORS = 2;

// Parameters.
const M = 0, N = 1, K = 2, A = 3, A_ROW = 4, A_COL = 5, B = 6, LDB = 7, C = 8, LDC = 9, ACC = 10, RELU = 11;
const PARAMS = 12;
// i32 locals.
const I = PARAMS, J = PARAMS + 1, T = PARAMS + 2, AP = PARAMS + 3, BP = PARAMS + 4, CP = PARAMS + 5;
const A_STEP = PARAMS + 6, B_STEP = PARAMS + 7, A_ROW_BYTES = PARAMS + 8, C_ROW_BYTES = PARAMS + 9;
const ROW_PTR = PARAMS + 10; // ROWS of them
const I32_LOCALS = 10 + ROWS;
// f32 accumulator for the scalar edge.
const SUM = PARAMS + I32_LOCALS;
// v128 locals: accumulators, then B's vectors.
const ACCS = SUM + 1;
const BVEC = ACCS + ROWS * VECTORS;
const SPLAT = BVEC + VECTORS;
const V128_LOCALS = ROWS * VECTORS + VECTORS + 1;

/**
 * One tile of `rows` x `vectors`*4 results at row I, column J: accumulate over t, then write.
 * Row pointers: ROW_PTR+r = A + (I + r) * aRow bytes; BP = B + J*4; CP = C + (I*ldc + J)*4.
 */
function tile(rows: number, vectors: number): number[] {
  const code: number[][] = [];
  for (let r = 0; r < rows; r++) {
    code.push(op.get(A), op.get(I), op.i32(r), op.add, op.get(A_ROW_BYTES), op.mul, op.add, op.set(ROW_PTR + r));
  }
  code.push(op.get(B), op.get(J), op.i32(2), op.shl, op.add, op.set(BP));
  for (let index = 0; index < rows * vectors; index++) code.push(op.v128Zero, op.set(ACCS + index));
  // for (t = k; t > 0; t--)
  code.push(op.get(K), op.set(T), op.block, op.get(T), op.eqz, op.brIf(0), op.loop);
  for (let v = 0; v < vectors; v++) code.push(op.get(BP), op.v128Load(16 * v), op.set(BVEC + v));
  for (let r = 0; r < rows; r++) {
    // A[i+r][t] in all four lanes, once for all the row's vectors.
    code.push(op.get(ROW_PTR + r), op.loadSplat(), op.set(SPLAT));
    for (let v = 0; v < vectors; v++) {
      const acc = ACCS + r * vectors + v;
      code.push(op.get(acc), op.get(SPLAT), op.get(BVEC + v), op.f32x4Mul, op.f32x4Add, op.set(acc));
    }
    code.push(op.get(ROW_PTR + r), op.get(A_STEP), op.add, op.set(ROW_PTR + r));
  }
  code.push(op.get(BP), op.get(B_STEP), op.add, op.set(BP));
  code.push(op.get(T), op.i32(1), op.sub, op.tee(T), op.brIf(0), op.end, op.end);
  // Write: C (+)= accumulators.
  code.push(op.get(C), op.get(I), op.get(C_ROW_BYTES), op.mul, op.add, op.get(J), op.i32(2), op.shl, op.add, op.set(CP));
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vectors; v++) {
      const acc = ACCS + r * vectors + v;
      const offset = 16 * v;
      // if (accumulate) acc += C[...]
      code.push(op.get(ACC), op.if, op.get(acc), op.get(CP), op.v128Load(offset), op.f32x4Add, op.set(acc), op.end);
      code.push(op.get(RELU), op.if, op.get(acc), op.v128Zero, op.f32x4Max, op.set(acc), op.end);
      code.push(op.get(CP), op.get(acc), op.v128Store(offset));
    }
    if (r < rows - 1) code.push(op.get(CP), op.get(C_ROW_BYTES), op.add, op.set(CP));
  }
  return flat(...code);
}

/** for (J = start; J + width <= N; J += width) tile(rows, vectors) — J continues from where it is. */
function columnLoop(rows: number, vectors: number): number[] {
  const width = 4 * vectors;
  return flat(
    op.block,
    op.loop,
    op.get(J), op.i32(width), op.add, op.get(N), op.gtS, op.brIf(1), // J + width > N: done
    tile(rows, vectors),
    op.get(J), op.i32(width), op.add, op.set(J),
    op.br(0),
    op.end,
    op.end,
  );
}

/** The scalar edge: columns J..N-1 of `rows` rows starting at I. */
function scalarColumns(rows: number): number[] {
  const code: number[][] = [];
  code.push(op.block, op.loop, op.get(J), op.get(N), op.geS, op.brIf(1));
  for (let r = 0; r < rows; r++) {
    // SUM = sum_t A[(I+r)*aRow + t*aCol] * B[t*ldb + J]
    code.push(op.f32Zero, op.set(SUM));
    code.push(op.get(A), op.get(I), op.i32(r), op.add, op.get(A_ROW_BYTES), op.mul, op.add, op.set(AP));
    code.push(op.get(B), op.get(J), op.i32(2), op.shl, op.add, op.set(BP));
    code.push(op.get(K), op.set(T), op.block, op.get(T), op.eqz, op.brIf(0), op.loop);
    code.push(op.get(SUM), op.get(AP), op.f32Load(), op.get(BP), op.f32Load(), op.f32Mul, op.f32Add, op.set(SUM));
    code.push(op.get(AP), op.get(A_STEP), op.add, op.set(AP), op.get(BP), op.get(B_STEP), op.add, op.set(BP));
    code.push(op.get(T), op.i32(1), op.sub, op.tee(T), op.brIf(0), op.end, op.end);
    // C[(I+r)*ldc + J] (+)= SUM
    code.push(op.get(C), op.get(I), op.i32(r), op.add, op.get(C_ROW_BYTES), op.mul, op.add, op.get(J), op.i32(2), op.shl, op.add, op.set(CP));
    code.push(op.get(ACC), op.if, op.get(SUM), op.get(CP), op.f32Load(), op.f32Add, op.set(SUM), op.end);
    code.push(op.get(RELU), op.if, op.get(SUM), op.f32Zero, op.f32Max, op.set(SUM), op.end);
    code.push(op.get(CP), op.get(SUM), op.f32Store());
  }
  code.push(op.get(J), op.i32(1), op.add, op.set(J), op.br(0), op.end, op.end);
  return flat(...code);
}

/** All columns of `rows` rows at I: wide tiles, one-vector tiles, then scalars. */
function rowBlock(rows: number): number[] {
  return flat(op.i32(0), op.set(J), columnLoop(rows, VECTORS), ...(VECTORS > 1 ? [columnLoop(rows, 1)] : []), scalarColumns(rows));
}

function gemmBody(): number[] {
  return flat(
    // Byte strides.
    op.get(A_COL), op.i32(2), op.shl, op.set(A_STEP),
    op.get(LDB), op.i32(2), op.shl, op.set(B_STEP),
    op.get(A_ROW), op.i32(2), op.shl, op.set(A_ROW_BYTES),
    op.get(LDC), op.i32(2), op.shl, op.set(C_ROW_BYTES),
    op.i32(0), op.set(I),
    // Blocks of ROWS rows.
    op.block, op.loop,
    op.get(I), op.i32(ROWS), op.add, op.get(M), op.gtS, op.brIf(1), // I + ROWS > M: done
    rowBlock(ROWS),
    op.get(I), op.i32(ROWS), op.add, op.set(I),
    op.br(0),
    op.end, op.end,
    // Then one row at a time.
    op.block, op.loop,
    op.get(I), op.get(M), op.geS, op.brIf(1),
    rowBlock(1),
    op.get(I), op.i32(1), op.add, op.set(I),
    op.br(0),
    op.end, op.end,
    op.end,
  );
}

/** gemm(m, n, k, a, aRow, aCol, b, ldb, c, ldc, accumulate, relu). */
export function gemmFunction(): WasmFunction {
  return {
    name: 'gemm',
    params: new Array<number>(PARAMS).fill(I32),
    locals: [
      [I32_LOCALS, I32],
      [1, F32],
      [V128_LOCALS, V128],
    ],
    body: gemmBody(),
  };
}
