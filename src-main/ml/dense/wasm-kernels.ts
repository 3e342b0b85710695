// The dense trainer's kernels in WebAssembly SIMD, over one memory shared with JavaScript:
// the matrix product (wasm-gemm.ts), ReLU's gradient mask, y += a*x (the SGD step) and the
// gathering of a mini-batch's rows.
// Pointers are byte offsets (16-byte aligned for speed, not for correctness); counts are floats.
import { gemmFunction } from './wasm-gemm';
import { F32, flat, I32, moduleBytes, op, V128, type WasmFunction } from './wasm-encoding';

export interface DenseKernels {
  /** See wasm-gemm.ts. Flags are 0 or 1. */
  gemm(m: number, n: number, k: number, a: number, aRow: number, aCol: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, relu: number): void;
  /** g[i] = y[i] > 0 ? g[i] : 0 (the gradient through a ReLU whose output is y). */
  reluMask(g: number, y: number, count: number): void;
  /** y[i] = alpha * x[i] + y[i]. */
  axpy(count: number, alpha: number, x: number, y: number): void;
  /** Copies rows: for r < count, dst row r = src row indices[r] (rows of `width` floats; indices are int32). */
  gather(indices: number, count: number, width: number, src: number, dst: number): void;
}

/** The part of the WebAssembly API used here (the project's Node typings do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

export const webAssembly = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Moves pointer local `at` past `count` floats rounded down to whole vectors: sets local `end`. */
const vectorEnd = (at: number, count: number, end: number) => flat(op.get(count), op.i32(-4), op.and, op.i32(2), op.shl, op.get(at), op.add, op.set(end));
/** Then past the remaining floats. */
const scalarEnd = (count: number, end: number) => flat(op.get(count), op.i32(3), op.and, op.i32(2), op.shl, op.get(end), op.add, op.set(end));
const advance = (local: number, bytes: number) => flat(op.get(local), op.i32(bytes), op.add, op.set(local));
/** while (local `at` < local `end`) { body } */
const until = (at: number, end: number, body: number[]) => flat(op.block, op.loop, op.get(at), op.get(end), op.geS, op.brIf(1), body, op.br(0), op.end, op.end);

function reluMaskFunction(): WasmFunction {
  const G = 0, Y = 1, COUNT = 2, END = 3;
  return {
    name: 'reluMask',
    params: [I32, I32, I32],
    locals: [[1, I32]],
    body: flat(
      vectorEnd(G, COUNT, END),
      until(G, END, flat(
        op.get(G), op.get(G), op.v128Load(), op.get(Y), op.v128Load(), op.v128Zero, op.f32x4Gt, op.v128And, op.v128Store(),
        advance(G, 16), advance(Y, 16),
      )),
      scalarEnd(COUNT, END),
      until(G, END, flat(
        op.get(G), op.get(G), op.f32Load(), op.f32Zero, op.get(Y), op.f32Load(), op.f32Zero, op.f32Gt, op.select, op.f32Store(),
        advance(G, 4), advance(Y, 4),
      )),
      op.end,
    ),
  };
}

function axpyFunction(): WasmFunction {
  const COUNT = 0, ALPHA = 1, X = 2, Y = 3, END = 4, SPLAT = 5;
  return {
    name: 'axpy',
    params: [I32, F32, I32, I32],
    locals: [[1, I32], [1, V128]],
    body: flat(
      op.get(ALPHA), op.f32x4Splat, op.set(SPLAT),
      vectorEnd(Y, COUNT, END),
      until(Y, END, flat(
        op.get(Y), op.get(SPLAT), op.get(X), op.v128Load(), op.f32x4Mul, op.get(Y), op.v128Load(), op.f32x4Add, op.v128Store(),
        advance(X, 16), advance(Y, 16),
      )),
      scalarEnd(COUNT, END),
      until(Y, END, flat(
        op.get(Y), op.get(ALPHA), op.get(X), op.f32Load(), op.f32Mul, op.get(Y), op.f32Load(), op.f32Add, op.f32Store(),
        advance(X, 4), advance(Y, 4),
      )),
      op.end,
    ),
  };
}

function gatherFunction(): WasmFunction {
  const INDICES = 0, COUNT = 1, WIDTH = 2, SRC = 3, DST = 4, END = 5, FROM = 6, ROW_END = 7, ROW_BYTES = 8;
  return {
    name: 'gather',
    params: [I32, I32, I32, I32, I32],
    locals: [[4, I32]],
    body: flat(
      op.get(WIDTH), op.i32(2), op.shl, op.set(ROW_BYTES),
      op.get(COUNT), op.i32(2), op.shl, op.get(INDICES), op.add, op.set(END),
      until(INDICES, END, flat(
        // FROM = SRC + indices[r] * rowBytes; copy vectors, then the remaining floats.
        op.get(SRC), op.get(INDICES), op.i32Load(), op.get(ROW_BYTES), op.mul, op.add, op.set(FROM),
        vectorEnd(DST, WIDTH, ROW_END),
        until(DST, ROW_END, flat(op.get(DST), op.get(FROM), op.v128Load(), op.v128Store(), advance(DST, 16), advance(FROM, 16))),
        scalarEnd(WIDTH, ROW_END),
        until(DST, ROW_END, flat(op.get(DST), op.get(FROM), op.f32Load(), op.f32Store(), advance(DST, 4), advance(FROM, 4))),
        advance(INDICES, 4),
      )),
      op.end,
    ),
  };
}

let bytes: Uint8Array | undefined;
function kernelBytes(): Uint8Array {
  bytes ??= moduleBytes([gemmFunction(), reluMaskFunction(), axpyFunction(), gatherFunction()]);
  return bytes;
}

/** Whether this JavaScript engine runs WebAssembly SIMD (it validates the kernels). */
export function hasWasmSimd(): boolean {
  return webAssembly?.validate(kernelBytes()) ?? false;
}

/** The SIMD kernels over `memory`, or null where WebAssembly SIMD is not available. */
export function wasmKernels(memory: WasmMemory): DenseKernels | null {
  if (!webAssembly || !hasWasmSimd()) return null;
  const { exports } = new webAssembly.Instance(new webAssembly.Module(kernelBytes()), { env: { memory } });
  return exports as unknown as DenseKernels;
}
