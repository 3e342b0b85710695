// A matrix product in WebAssembly SIMD, assembled here byte by byte (no toolchain): TF.js's own
// kernels pay a fixed cost per operation that dominates small dense networks, and JavaScript
// cannot use the CPU's vector unit. One function, register-blocked:
//
//   gemm(m, n, k, a, aRow, aCol, b, ldb, c, ldc, accumulate)
//   C[i][j] (+)= sum_t A[i*aRow + t*aCol] * B[t*ldb + j]      i < m, j < n, t < k
//
// Pointers are byte offsets into the shared memory; strides count floats. A's two strides make
// the same code serve A·B (aRow = k, aCol = 1) and Aᵀ·B (aRow = 1, aCol = lda). Each tile holds
// ROWS x (4 * VECTORS) results in registers while t runs, then adds or stores them; narrower
// tiles and a scalar loop finish the edges. Sums run in the same order (t ascending) for every
// element, in float32, as TF.js's CPU kernels do.

const ROWS = 4;
const VECTORS = 2;

// --- encoding -------------------------------------------------------------------------------

function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

function sleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    if ((rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (char) => char.charCodeAt(0))];

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** The handful of instructions the kernel needs. Alignment hints are 4 bytes (f32). */
const op = {
  get: (index: number) => [0x20, ...uleb(index)],
  set: (index: number) => [0x21, ...uleb(index)],
  tee: (index: number) => [0x22, ...uleb(index)],
  i32: (value: number) => [0x41, ...sleb(value)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  shl: [0x74],
  gtS: [0x4a],
  geS: [0x4e],
  eqz: [0x45],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  f32Add: [0x92],
  f32Mul: [0x94],
  f32Zero: [0x43, 0, 0, 0, 0],
  v128Load: (offset = 0) => [0xfd, ...uleb(0x00), 2, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, ...uleb(0x0b), 2, ...uleb(offset)],
  loadSplat: (offset = 0) => [0xfd, ...uleb(0x09), 2, ...uleb(offset)],
  v128Zero: [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
};

// --- the function ---------------------------------------------------------------------------

// Parameters.
const M = 0, N = 1, K = 2, A = 3, A_ROW = 4, A_COL = 5, B = 6, LDB = 7, C = 8, LDC = 9, ACC = 10;
const PARAMS = 11;
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
const V128_LOCALS = ROWS * VECTORS + VECTORS;

const flat = (...parts: number[][]): number[] => parts.flat();

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
    // A[i+r][t] is splatted again for each vector (a cached load): fewer live registers.
    for (let v = 0; v < vectors; v++) {
      const acc = ACCS + r * vectors + v;
      code.push(op.get(acc), op.get(ROW_PTR + r), op.loadSplat(), op.get(BVEC + v), op.f32x4Mul, op.f32x4Add, op.set(acc));
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

/** The module's bytes: imports env.memory, exports gemm. */
export function gemmModuleBytes(): Uint8Array {
  const funcType = [0x60, ...vector(new Array<number>(PARAMS).fill(I32).map((type) => [type])), 0];
  const types = section(1, vector([funcType]));
  const imports = section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]));
  const functions = section(3, vector([uleb(0)]));
  const exports = section(7, vector([[...name('gemm'), 0x00, ...uleb(0)]]));
  const locals = vector([
    [...uleb(I32_LOCALS), I32],
    [...uleb(1), F32],
    [...uleb(V128_LOCALS), V128],
  ]);
  const body = [...locals, ...gemmBody()];
  const code = section(10, vector([[...uleb(body.length), ...body]]));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...functions, ...exports, ...code]);
}

export type Gemm = (m: number, n: number, k: number, a: number, aRow: number, aCol: number, b: number, ldb: number, c: number, ldc: number, accumulate: number) => void;

/** The SIMD kernel over `memory`, or null where WebAssembly SIMD is not available. */
export function wasmGemm(memory: WebAssembly.Memory): Gemm | null {
  const bytes = gemmModuleBytes();
  if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports['gemm'] as Gemm;
}
