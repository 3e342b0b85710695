// The same kernels as wasm-kernels.ts in plain JavaScript, for engines without WebAssembly SIMD:
// same arguments (byte offsets, float counts), same summation order, float32 rounding after
// every multiply and add, so both give the same bits.
import type { DenseKernels, WasmMemory } from './wasm-kernels';

export function jsKernels(memory: WasmMemory): DenseKernels {
  const f = Math.fround;
  const heap = () => new Float32Array(memory.buffer);
  return {
    gemm(m, n, k, a, aRow, aCol, b, ldb, c, ldc, accumulate, relu) {
      const h = heap();
      const a0 = a >> 2;
      const b0 = b >> 2;
      const c0 = c >> 2;
      for (let i = 0; i < m; i++) {
        const rowA = a0 + i * aRow;
        const rowC = c0 + i * ldc;
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let t = 0, pa = rowA, pb = b0 + j; t < k; t++, pa += aCol, pb += ldb) sum = f(sum + f(h[pa]! * h[pb]!));
          if (accumulate) sum = f(sum + h[rowC + j]!);
          h[rowC + j] = relu && !(sum > 0) ? 0 : sum;
        }
      }
    },
    reluMask(g, y, count) {
      const h = heap();
      for (let i = 0, gi = g >> 2, yi = y >> 2; i < count; i++) if (!(h[yi + i]! > 0)) h[gi + i] = 0;
    },
    axpy(count, alpha, x, y) {
      const h = heap();
      const a = f(alpha);
      for (let i = 0, xi = x >> 2, yi = y >> 2; i < count; i++) h[yi + i] = f(a * h[xi + i]!) + h[yi + i]!;
    },
    gather(indices, count, width, src, dst) {
      const h = heap();
      const rows = new Int32Array(memory.buffer, indices, count);
      for (let r = 0; r < count; r++) {
        const from = (src >> 2) + rows[r]! * width;
        h.copyWithin((dst >> 2) + r * width, from, from + width);
      }
    },
  };
}
