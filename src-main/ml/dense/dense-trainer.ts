// Local training of dense networks without TF.js's per-operation machinery: every buffer of a
// step (weights, gradients, activations, the mini-batch) lives in one WebAssembly memory, the
// matrix products run in the SIMD kernel (wasm-gemm.ts), the rest in tight loops over float32
// arrays. Same maths as LocalTrainer's TF.js loop: same seeded shuffles and dropout masks, same
// losses, L2 and FedProx terms, same optimizer updates; only the order of float32 sums differs.
import { CohortError } from '../../contract/errors';
import seedrandom from 'seedrandom';
import { deriveSeed, shuffledIndices } from '../../core/stats/random';
import { activate, activationGradient, dropout, lossGradient, type LossName } from './elementwise';
import { jsKernels } from './js-kernels';
import { flatOptimizer, type OptimizerSettings } from './optimizers';
import type { DensePlan, DenseStep } from './plan';
import { type DenseKernels, hasWasmSimd, type WasmMemory, wasmKernels, webAssembly } from './wasm-kernels';

export interface DenseFitConfig extends OptimizerSettings {
  epochs: number;
  batchSize: number;
  l2: number;
  mu: number;
  seed: number;
  loss: LossName;
  /** Added to every gradient at every step (SCAFFOLD's c - c_i); every weight here is trainable. */
  correction?: Float32Array;
}

export interface DenseFitResult {
  weights: Float32Array;
  loss: number;
  steps: number;
}

/** Which kernel runs the matrix products. */
export type DenseKernel = 'wasm-simd' | 'javascript';

const PAGE_BYTES = 65_536;
/**
 * Rows per pass through the network: a larger mini-batch runs in slices of this many rows whose
 * gradients add up (the same sum, in another order), so a slice's activations stay in cache.
 */
const SLICE_ROWS = 256;

/** Float offsets into one memory, 16-byte aligned (for the SIMD loads). */
class Arena {
  private top = 0;
  take(floats: number): number {
    const at = this.top;
    this.top += Math.ceil(floats / 4) * 4;
    return at;
  }
  get floats(): number {
    return this.top;
  }
}

interface Buffers {
  batch: number;
  memory: WasmMemory;
  heap: Float32Array;
  kernels: DenseKernels;
  /** The whole training x (rows x inputs), copied in once: batches are gathered inside the memory. */
  data: number;
  /** The epoch's shuffled row order (int32). */
  order: number;
  params: number;
  grads: number;
  input: number;
  /** Per step: its output and the gradient with respect to it (rows x width), and a dropout's multipliers. */
  outputs: number[];
  gradients: number[];
  masks: number[];
  /** A kernel transposed (units x inputs), for the gradient with respect to a layer's input. */
  transposed: number;
  /** `batch` ones: the bias gradient is onesᵀ·dz. */
  ones: number;
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class DenseTrainer {
  private buffers: Buffers | null = null;
  /** The current slice's targets, in batch order (the loss reads them from here). */
  private batchTargets = new Float32Array(0);
  readonly kernel: DenseKernel;
  /** The Dropout layers' indices, in order. */
  private readonly dropoutIndices: number[];

  constructor(
    private readonly plan: DensePlan,
    private readonly x: Float32Array,
    private readonly y: Float32Array,
    private readonly rows: number,
    kernel: DenseKernel = 'wasm-simd',
  ) {
    this.kernel = kernel === 'wasm-simd' && hasWasmSimd() ? 'wasm-simd' : 'javascript';
    this.dropoutIndices = plan.steps.flatMap((step) => (step.kind === 'dropout' ? [step.index] : []));
  }

  async fit(global: Float32Array, cfg: DenseFitConfig): Promise<DenseFitResult> {
    const { plan, rows } = this;
    const batchSize = Math.min(cfg.batchSize, rows);
    const slice = Math.min(batchSize, SLICE_ROWS);
    const buffers = this.prepare(slice);
    const { heap } = buffers;
    const count = plan.parameterCount;
    const params = heap.subarray(buffers.params, buffers.params + count);
    const grads = heap.subarray(buffers.grads, buffers.grads + count);
    params.set(global);
    const anchors = cfg.mu > 0 ? global.slice() : null;
    const optimizer = flatOptimizer(cfg, count);
    // Plain SGD (w = -lr*g + w) in one SIMD pass.
    const sgd = cfg.optimizer === 'sgd' && cfg.momentum === 0 ? Math.fround(-cfg.learningRate) : null;
    const steps = plan.steps;
    let lastEpochLoss = Number.NaN;
    let stepsTaken = 0;
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const order = shuffledIndices(rows, deriveSeed(cfg.seed, epoch));
      new Int32Array(buffers.memory.buffer, buffers.order * 4, rows).set(order);
      const lastEpoch = epoch === cfg.epochs - 1;
      let lossSum = 0;
      for (let start = 0, batch = 0; start < rows; start += batchSize, batch++) {
        const size = Math.min(batchSize, rows - start);
        // Each Dropout layer's mask for the batch: one stream, drawn slice after slice.
        const randoms = this.dropoutIndices.map((index) => seedrandom.alea(String(deriveSeed(cfg.seed, epoch, batch, index))));
        let loss = 0;
        for (let offset = 0; offset < size; offset += slice) {
          const part = Math.min(slice, size - offset);
          this.gather(buffers, order, start + offset, part);
          this.forward(buffers, part, randoms);
          const last = steps.length - 1;
          loss += lossGradient(heap, buffers.outputs[last]!, this.batchTargets, buffers.gradients[last]!, part, size, plan.outputs, cfg.loss, lastEpoch);
          this.backward(buffers, part, offset > 0);
        }
        if (lastEpoch) lossSum += loss * size;
        this.penalties(params, grads, cfg, anchors);
        if (sgd !== null) buffers.kernels.axpy(count, sgd, buffers.grads * 4, buffers.params * 4);
        else optimizer.step(params, grads);
        stepsTaken += 1;
      }
      if (lastEpoch) lastEpochLoss = lossSum / rows;
      // Let timers and messages run between epochs.
      await nextTick();
    }
    return { weights: params.slice(), loss: lastEpochLoss, steps: stepsTaken };
  }

  /** Copies the batch's rows (in shuffled order) into the input buffer and the targets array. */
  private gather(buffers: Buffers, order: Int32Array, start: number, size: number): void {
    const outputs = this.plan.outputs;
    if (this.batchTargets.length < buffers.batch * outputs) this.batchTargets = new Float32Array(buffers.batch * outputs);
    const { y, batchTargets } = this;
    buffers.kernels.gather((buffers.order + start) * 4, size, this.plan.inputs, buffers.data * 4, buffers.input * 4);
    for (let r = 0; r < size; r++) {
      const row = order[start + r]!;
      for (let j = 0; j < outputs; j++) batchTargets[r * outputs + j] = y[row * outputs + j]!;
    }
  }

  private forward(buffers: Buffers, size: number, randoms: Array<() => number>): void {
    const { heap, kernels } = buffers;
    let inputAt = buffers.input;
    let width = this.plan.inputs;
    this.plan.steps.forEach((step, index) => {
      const out = buffers.outputs[index]!;
      if (step.kind === 'dropout') {
        dropout(heap, inputAt, out, buffers.masks[index]!, size * width, step.rate, randoms[step.index]!);
      } else {
        // z = x·W (+ b): rows start as the bias, the product is added to them (sum + bias, as TF.js).
        const p = buffers.params;
        if (step.bias !== null) {
          const bias = heap.subarray(p + step.bias, p + step.bias + step.units);
          for (let r = 0; r < size; r++) heap.set(bias, out + r * step.units);
        }
        const relu = step.activation === 'relu' ? 1 : 0;
        kernels.gemm(size, step.units, step.inputs, inputAt * 4, step.inputs, 1, (p + step.kernel) * 4, step.units, out * 4, step.units, step.bias === null ? 0 : 1, relu);
        if (!relu) activate(heap, out, size, step.units, step.activation);
        width = step.units;
      }
      inputAt = out;
    });
  }

  /** Gradients of the slice's rows; `accumulate`: added to the batch's earlier slices'. */
  private backward(buffers: Buffers, size: number, accumulate: boolean): void {
    const { heap, kernels } = buffers;
    const steps = this.plan.steps;
    const firstDense = steps.findIndex((step) => step.kind === 'dense');
    for (let index = steps.length - 1; index >= firstDense; index--) {
      const step = steps[index]!;
      const gradient = buffers.gradients[index]!;
      const inputAt = index === 0 ? buffers.input : buffers.outputs[index - 1]!;
      const inputGradient = index === 0 ? -1 : buffers.gradients[index - 1]!;
      if (step.kind === 'dropout') {
        const mask = buffers.masks[index]!;
        for (let i = 0, n = size * step.width; i < n; i++) heap[inputGradient + i] = heap[gradient + i]! * heap[mask + i]!;
        continue;
      }
      if (step.activation === 'relu') kernels.reluMask(gradient * 4, buffers.outputs[index]! * 4, size * step.units);
      else activationGradient(heap, buffers.outputs[index]!, gradient, size, step.units, step.activation);
      this.denseGradients(buffers, step, size, inputAt, gradient, accumulate ? 1 : 0);
      // The gradient with respect to the layer's input, if a layer before it has weights.
      if (index > firstDense) {
        const kernel = buffers.params + step.kernel;
        const transposed = buffers.transposed;
        for (let i = 0; i < step.inputs; i++) {
          for (let j = 0; j < step.units; j++) heap[transposed + j * step.inputs + i] = heap[kernel + i * step.units + j]!;
        }
        kernels.gemm(size, step.inputs, step.units, gradient * 4, step.units, 1, transposed * 4, step.inputs, inputGradient * 4, step.inputs, 0, 0);
      }
    }
  }

  /** dW = xᵀ·dz, db = onesᵀ·dz (the column sums). */
  private denseGradients(buffers: Buffers, step: DenseStep, size: number, inputAt: number, gradient: number, accumulate: number): void {
    const { kernels } = buffers;
    const g = buffers.grads;
    kernels.gemm(step.inputs, step.units, size, inputAt * 4, 1, step.inputs, gradient * 4, step.units, (g + step.kernel) * 4, step.units, accumulate, 0);
    if (step.bias !== null) kernels.gemm(1, step.units, size, buffers.ones * 4, 0, 1, gradient * 4, step.units, (g + step.bias) * 4, step.units, accumulate, 0);
  }

  /** L2 on kernels (l2/2 * sum w^2), FedProx (mu/2 * ||w - w_global||^2) and a linear correction: their gradients added. */
  private penalties(params: Float32Array, grads: Float32Array, cfg: DenseFitConfig, anchors: Float32Array | null): void {
    const f = Math.fround;
    const { correction } = cfg;
    if (correction) {
      for (let i = 0; i < params.length; i++) grads[i] = f(grads[i]! + correction[i]!);
    }
    if (cfg.l2 > 0) {
      const half = f(cfg.l2 / 2);
      for (const [start, end] of this.plan.kernels) {
        for (let i = start; i < end; i++) grads[i] = grads[i]! + f(half * f(2 * params[i]!));
      }
    }
    if (anchors) {
      const half = f(cfg.mu / 2);
      for (let i = 0; i < params.length; i++) grads[i] = grads[i]! + f(half * f(2 * f(params[i]! - anchors[i]!)));
    }
  }

  /** The memory and buffers for this batch size (kept while the batch size stays the same). */
  private prepare(batch: number): Buffers {
    if (this.buffers?.batch === batch) return this.buffers;
    const { plan } = this;
    const arena = new Arena();
    const data = arena.take(this.rows * plan.inputs);
    const order = arena.take(this.rows);
    const params = arena.take(plan.parameterCount);
    const grads = arena.take(plan.parameterCount);
    const input = arena.take(batch * plan.inputs);
    const outputs: number[] = [];
    const gradients: number[] = [];
    const masks: number[] = [];
    let widest = 0;
    for (const step of plan.steps) {
      const width = step.kind === 'dense' ? step.units : step.width;
      outputs.push(arena.take(batch * width));
      gradients.push(arena.take(batch * width));
      masks.push(step.kind === 'dropout' ? arena.take(batch * width) : -1);
      if (step.kind === 'dense') widest = Math.max(widest, step.inputs * step.units);
    }
    const transposed = arena.take(widest);
    const ones = arena.take(batch);
    if (!webAssembly) throw new CohortError('INTERNAL', 'WebAssembly is not available');
    const memory = new webAssembly.Memory({ initial: Math.ceil((arena.floats * 4) / PAGE_BYTES) + 1 });
    const kernels = (this.kernel === 'wasm-simd' ? wasmKernels(memory) : null) ?? jsKernels(memory);
    const heap = new Float32Array(memory.buffer);
    heap.fill(1, ones, ones + batch);
    heap.set(this.x, data);
    this.buffers = { batch, memory, heap, kernels, data, order, params, grads, input, outputs, gradients, masks, transposed, ones };
    return this.buffers;
  }
}
