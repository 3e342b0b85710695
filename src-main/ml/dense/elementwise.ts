// The element-wise parts of a dense network's training step, written as TF.js computes them
// (same formulas, float32 storage): activations and their gradients, dropout masks drawn from
// the same seeded generator TF.js uses, and the losses with their clipping.
import type { ActivationName } from './plan';

const EPSILON = 1e-7;
const f = Math.fround;

/** In place over heap[at .. at + rows*width): y = activation(z). */
export function activate(heap: Float32Array, at: number, rows: number, width: number, activation: ActivationName): void {
  const end = at + rows * width;
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let i = at; i < end; i++) if (!(heap[i]! > 0)) heap[i] = 0;
      return;
    case 'sigmoid':
      for (let i = at; i < end; i++) heap[i] = 1 / (1 + Math.exp(-heap[i]!));
      return;
    case 'tanh':
      for (let i = at; i < end; i++) heap[i] = Math.tanh(heap[i]!);
      return;
    case 'softmax':
      for (let row = at; row < end; row += width) {
        let max = -Infinity;
        for (let j = 0; j < width; j++) max = Math.max(max, heap[row + j]!);
        let sum = 0;
        for (let j = 0; j < width; j++) {
          const e = f(Math.exp(heap[row + j]! - max));
          heap[row + j] = e;
          sum += e;
        }
        for (let j = 0; j < width; j++) heap[row + j] = heap[row + j]! / sum;
      }
  }
}

/** In place: g (at gAt) becomes dL/dz, given the activation's output y (at yAt). */
export function activationGradient(heap: Float32Array, yAt: number, gAt: number, rows: number, width: number, activation: ActivationName): void {
  const count = rows * width;
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < count; i++) if (!(heap[yAt + i]! > 0)) heap[gAt + i] = 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < count; i++) {
        const y = heap[yAt + i]!;
        heap[gAt + i] = heap[gAt + i]! * f(y * f(1 - y));
      }
      return;
    case 'tanh':
      for (let i = 0; i < count; i++) {
        const y = heap[yAt + i]!;
        heap[gAt + i] = f(1 - f(y * y)) * heap[gAt + i]!;
      }
      return;
    case 'softmax':
      for (let row = 0; row < count; row += width) {
        let dot = 0;
        for (let j = 0; j < width; j++) dot += f(heap[gAt + row + j]! * heap[yAt + row + j]!);
        for (let j = 0; j < width; j++) {
          const y = heap[yAt + row + j]!;
          heap[gAt + row + j] = f(heap[gAt + row + j]! * y) - f(dot) * y;
        }
      }
  }
}

/**
 * TF.js's dropout: multiplier = floor(u + keep) / keep with u drawn, one per element in
 * row-major order, by seedrandom's alea from the batch's seed (its decimal string), as TF.js's
 * randomUniform draws them. Writes the multipliers at `maskAt` and out = in * multiplier.
 */
export function dropout(heap: Float32Array, inAt: number, outAt: number, maskAt: number, count: number, rate: number, random: () => number): void {
  const keep = f(1 - rate);
  const kept = f(1 / keep);
  for (let i = 0; i < count; i++) {
    const multiplier = Math.floor(f(f(random()) + keep)) === 0 ? 0 : kept;
    heap[maskAt + i] = multiplier;
    heap[outAt + i] = heap[inAt + i]! * multiplier;
  }
}

export type LossName = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'mse' | 'mae';

/**
 * Writes dLoss/dp at `gAt` for a slice of `rows` predictions p (at pAt) and targets y (row-major,
 * rows x width) of a batch of `batchRows`, the loss being the mean over the batch (as in
 * losses.ts); returns this slice's share of that mean when `withValue` (else NaN).
 */
export function lossGradient(heap: Float32Array, pAt: number, y: Float32Array, gAt: number, rows: number, batchRows: number, width: number, loss: LossName, withValue: boolean): number {
  const count = rows * width;
  const batchCount = batchRows * width;
  const low = f(EPSILON);
  const high = f(1 - EPSILON);
  let total = 0;
  switch (loss) {
    case 'binaryCrossentropy': {
      const scale = 1 / batchCount;
      for (let i = 0; i < count; i++) {
        const p = heap[pAt + i]!;
        const t = y[i]!;
        const q = p < low ? low : p > high ? high : p;
        if (withValue) total += t * Math.log(q) + (1 - t) * Math.log(1 - q);
        // Clipping passes the gradient only where p lies inside [low, high].
        heap[gAt + i] = p >= low && p <= high ? -(t / q - (1 - t) / (1 - q)) * scale : 0;
      }
      return withValue ? -total / batchCount : Number.NaN;
    }
    case 'categoricalCrossentropy': {
      const scale = 1 / batchRows;
      for (let row = 0; row < count; row += width) {
        let sum = 0;
        for (let j = 0; j < width; j++) sum += heap[pAt + row + j]!;
        const s = f(sum);
        // dL/dr through the clip, then through r = p / s.
        let dot = 0;
        for (let j = 0; j < width; j++) {
          const p = heap[pAt + row + j]!;
          const r = f(p / s);
          const q = r < low ? low : r > high ? high : r;
          const t = y[row + j]!;
          if (withValue) total += t * Math.log(q);
          const dr = r >= low && r <= high ? (-t / q) * scale : 0;
          heap[gAt + row + j] = dr;
          dot += dr * p;
        }
        for (let j = 0; j < width; j++) heap[gAt + row + j] = heap[gAt + row + j]! / s - dot / (s * s);
      }
      return withValue ? -total / batchRows : Number.NaN;
    }
    case 'mse': {
      const scale = 2 / batchCount;
      for (let i = 0; i < count; i++) {
        const difference = heap[pAt + i]! - y[i]!;
        if (withValue) total += difference * difference;
        heap[gAt + i] = difference * scale;
      }
      return withValue ? total / batchCount : Number.NaN;
    }
    case 'mae': {
      const scale = 1 / batchCount;
      for (let i = 0; i < count; i++) {
        const difference = y[i]! - heap[pAt + i]!;
        if (withValue) total += Math.abs(difference);
        // TF.js's |x|' is 1 for x > 0 and -1 otherwise; p enters as -p.
        heap[gAt + i] = difference > 0 ? -scale : scale;
      }
      return withValue ? total / batchCount : Number.NaN;
    }
  }
}
