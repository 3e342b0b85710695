// Local training and evaluation of one model on one party's data. Fitting takes the dense fast
// path (dense/: WebAssembly SIMD, no per-operation overhead) for stacks of Dense and Dropout
// layers, and TF.js ops (tfjs-fit.ts) for everything else; both minimise
//
//   dataLoss(batch) + l2/2 * sum(kernel^2) + mu/2 * sum((w - w_global)^2) [+ <correction, w>]
//
// with the same seeded shuffles, dropout masks and optimizer updates, from a fresh optimizer
// per fit. Calling fit() repeatedly with its own returned weights is plain (centralised) local
// training. Prediction and evaluation run through TF.js.
import type { Hyperparameters } from '../contract/records';
import { CohortError } from '../contract/errors';
import { DenseTrainer, type DenseKernel } from './dense/dense-trainer';
import { densePlan } from './dense/plan';
import type { TargetKind } from './keras';
import { LOSSES, type LossName, resolveLoss } from './losses';
import { type LayersModel, tf } from './tf';
import { tfjsFit } from './tfjs-fit';
import { SpooledBlocks } from './spooled-blocks';
import { checkFlatWeights, getFlatWeights, setFlatWeights, weightCount } from './weights';

export { resolveLoss };
export type { LossName };
export type OptimizerName = Hyperparameters['optimizer'];

/** Row-major data in the aligned feature space. */
export interface TrainingData {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  featureCount: number;
  outputCount: number;
  /** Rows too many for memory: x and y are empty and the rows are in these float32 files. */
  spool?: { xPath: string; yPath: string };
}

export interface FitConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** SGD momentum (0: plain SGD); RMSProp's momentum. */
  momentum: number;
  /** L2 penalty on kernels (not biases): l2/2 * sum(w^2). */
  l2: number;
  /** FedProx proximal weight: mu/2 * ||w - w_global||^2 over the trainable weights. */
  mu: number;
  seed: number;
  loss?: LossName;
  /**
   * A constant added to the gradient of every trainable weight at every step (flat, in the
   * weights' order; SCAFFOLD's c - c_i). Non-trainable weights ignore it.
   */
  correction?: Float32Array;
}

export interface FitResult {
  weights: Float32Array;
  /** Optimizer steps taken (mini-batches over all epochs): SCAFFOLD's K. */
  steps: number;
  /** Mean data loss (no penalties) per example over the last epoch's batches. */
  loss: number;
  numExamples: number;
  seconds: number;
  /** Which path trained. */
  engine: TrainingEngine;
}

/** Rows per forward pass in predict / evaluateLoss. */
const INFERENCE_BATCH = 4096;

function checkFitConfig(cfg: FitConfig): void {
  const problems: string[] = [];
  if (!Number.isInteger(cfg.epochs) || cfg.epochs < 1) problems.push(`epochs must be a positive integer (${cfg.epochs})`);
  if (!Number.isInteger(cfg.batchSize) || cfg.batchSize < 1) problems.push(`batchSize must be a positive integer (${cfg.batchSize})`);
  if (!(cfg.learningRate > 0)) problems.push(`learningRate must be positive (${cfg.learningRate})`);
  for (const key of ['momentum', 'l2', 'mu'] as const) {
    if (!(cfg[key] >= 0)) problems.push(`${key} must be zero or more (${cfg[key]})`);
  }
  if (!Number.isInteger(cfg.seed)) problems.push(`seed must be an integer (${cfg.seed})`);
  if (cfg.correction && !cfg.correction.every(Number.isFinite)) problems.push('the gradient correction holds a value that is not a finite number');
  if (problems.length > 0) throw new CohortError('BAD_INPUT', `bad training settings: ${problems.join('; ')}`);
}

/** Checks the sizes of row-major data and that every value is a finite number. */
export function checkData(data: { x: Float32Array; y?: Float32Array; rows: number }, featureCount: number, outputCount: number, what: string): void {
  const { x, y, rows } = data;
  if (!Number.isInteger(rows) || rows < 0) throw new CohortError('BAD_INPUT', `${what}: rows must be a non-negative integer (${rows})`);
  if (x.length !== rows * featureCount) {
    throw new CohortError('BAD_INPUT', `${what}: x has ${x.length} values, expected ${rows} rows x ${featureCount} features = ${rows * featureCount}`);
  }
  if (y && y.length !== rows * outputCount) {
    throw new CohortError('BAD_INPUT', `${what}: y has ${y.length} values, expected ${rows} rows x ${outputCount} outputs = ${rows * outputCount}`);
  }
  for (const [name, values, width] of [['x', x, featureCount], ['y', y, outputCount]] as const) {
    if (!values) continue;
    for (let index = 0; index < values.length; index++) {
      if (!Number.isFinite(values[index] as number)) {
        throw new CohortError('BAD_INPUT', `${what}: ${name} is not a finite number at row ${Math.floor(index / width) + 1}`);
      }
    }
  }
}

function modelSizes(model: LayersModel): { inputs: number; outputs: number } {
  const input = model.inputs[0]?.shape;
  const output = model.outputs[0]?.shape;
  return { inputs: Number(input?.[input.length - 1] ?? NaN), outputs: Number(output?.[output.length - 1] ?? NaN) };
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const DENSE_MAX_DATA_BYTES = 2 ** 31;

/** How fit() trains: the dense fast path (with its kernel), or TF.js ops. */
export type TrainingEngine = `dense-${DenseKernel}` | 'tfjs';

export interface TrainerOptions {
  /** auto: the dense fast path where the model allows it (default: COHORT_TRAINING_ENGINE, else auto). */
  engine?: 'auto' | 'tfjs' | 'dense-javascript';
}

/**
 * Trains and evaluates one model on one party's data. The data tensors are created once, from
 * copies of the arrays given, and kept until dispose(). The model stays the caller's.
 */
export class LocalTrainer {
  readonly featureCount: number;
  readonly outputCount: number;
  readonly rows: number;
  /** The path fit() takes. */
  readonly engine: TrainingEngine;
  /** Copies of the training data (the caller may reuse its arrays). */
  private data: { x: Float32Array; y: Float32Array } | null;
  /** TF.js tensors of the data, for the TF.js path. */
  private tensorsMade: { x: tf.Tensor2D; y: tf.Tensor2D } | null = null;
  private readonly dense: DenseTrainer | null;
  /** Spooled train rows, read a block at a time (instead of x and y in memory). */
  private readonly blocks: SpooledBlocks | undefined;
  private disposed = false;

  constructor(
    readonly model: LayersModel,
    readonly target: TargetKind,
    data: TrainingData,
    options: TrainerOptions = {},
  ) {
    const sizes = modelSizes(model);
    if (sizes.inputs !== data.featureCount || sizes.outputs !== data.outputCount) {
      throw new CohortError(
        'BAD_INPUT',
        `the model takes ${sizes.inputs} features and gives ${sizes.outputs} outputs, ` +
          `but the data has ${data.featureCount} features and ${data.outputCount} outputs`,
      );
    }
    if (data.rows === 0) throw new CohortError('NO_ROWS', 'no rows to train on');
    this.featureCount = data.featureCount;
    this.outputCount = data.outputCount;
    this.rows = data.rows;
    if (data.spool) {
      // Rows on disk train through TF.js, a block at a time.
      this.blocks = new SpooledBlocks(data.spool, data.rows, data.featureCount, data.outputCount);
      this.data = null;
      this.dense = null;
      this.engine = 'tfjs';
      return;
    }
    checkData(data, data.featureCount, data.outputCount, 'training data');
    this.data = { x: data.x.slice(), y: data.y.slice() };
    const wanted = options.engine ?? engineFromEnvironment();
    // The dense path keeps x in one WebAssembly memory (at most 4 GB): very large data goes through TF.js.
    const fits = data.rows * data.featureCount * 4 <= DENSE_MAX_DATA_BYTES;
    const plan = wanted === 'tfjs' || !fits ? null : densePlan(model);
    this.dense = plan && !('unsupported' in plan) ? new DenseTrainer(plan, this.data.x, this.data.y, data.rows, wanted === 'dense-javascript' ? 'javascript' : 'wasm-simd') : null;
    this.engine = this.dense ? `dense-${this.dense.kernel}` : 'tfjs';
    if (!this.dense) this.tensorsMade = this.makeTensors(this.data);
  }

  /** The model's current weights (after construction: its seeded initial weights). */
  weights(): Float32Array {
    return getFlatWeights(this.model);
  }

  parameterCount(): number {
    return weightCount(this.model);
  }

  /**
   * Local training from `global`: each epoch a seeded shuffle, then mini-batches through a fresh
   * optimizer minimising data loss + L2 + FedProx proximal term. Deterministic for a seed and
   * engine (and, through TF.js, backend).
   */
  async fit(global: Float32Array, cfg: FitConfig): Promise<FitResult> {
    this.checkOpen();
    checkFitConfig(cfg);
    const started = performance.now();
    const loss = resolveLoss(cfg.loss, this.target);
    let result: { weights: Float32Array; loss: number; steps: number };
    if (cfg.correction) checkFlatWeights(cfg.correction, weightCount(this.model));
    if (this.dense) {
      checkFlatWeights(global, weightCount(this.model));
      result = await this.dense.fit(global, { ...cfg, loss });
    } else if (this.blocks) {
      const rows = { kind: 'blocks' as const, blocks: this.blocks, rows: this.rows, featureCount: this.featureCount, outputCount: this.outputCount };
      result = await tfjsFit(this.model, this.target, rows, global, { ...cfg, loss });
    } else {
      this.tensorsMade ??= this.makeTensors(this.data!);
      result = await tfjsFit(this.model, this.target, { kind: 'tensors', ...this.tensorsMade, rows: this.rows }, global, { ...cfg, loss });
    }
    return { ...result, numExamples: this.rows, seconds: (performance.now() - started) / 1000, engine: this.engine };
  }

  /** Outputs for `rows` rows of x (row-major rows x outputCount): probabilities or values. */
  async predict(weights: Float32Array, x: Float32Array, rows: number): Promise<Float32Array> {
    this.checkOpen();
    checkData({ x, rows }, this.featureCount, this.outputCount, 'prediction data');
    setFlatWeights(this.model, weights);
    const out = new Float32Array(rows * this.outputCount);
    for (let start = 0; start < rows; start += INFERENCE_BATCH) {
      const end = Math.min(start + INFERENCE_BATCH, rows);
      const predicted = tf.tidy(() => {
        const input = tf.tensor2d(x.subarray(start * this.featureCount, end * this.featureCount), [end - start, this.featureCount]);
        return this.model.apply(input, { training: false }) as tf.Tensor;
      });
      out.set(predicted.dataSync(), start * this.outputCount);
      predicted.dispose();
      if (end < rows) await nextTick();
    }
    return out;
  }

  /** Mean data loss per example (no penalties) of `weights` on the given rows. */
  async evaluateLoss(weights: Float32Array, x: Float32Array, y: Float32Array, rows: number, loss?: LossName): Promise<number> {
    this.checkOpen();
    checkData({ x, y, rows }, this.featureCount, this.outputCount, 'evaluation data');
    if (rows === 0) return Number.NaN;
    setFlatWeights(this.model, weights);
    const lossFn = LOSSES[resolveLoss(loss, this.target)];
    let sum = 0;
    for (let start = 0; start < rows; start += INFERENCE_BATCH) {
      const end = Math.min(start + INFERENCE_BATCH, rows);
      const value = tf.tidy(() => {
        const input = tf.tensor2d(x.subarray(start * this.featureCount, end * this.featureCount), [end - start, this.featureCount]);
        const target = tf.tensor2d(y.subarray(start * this.outputCount, end * this.outputCount), [end - start, this.outputCount]);
        return lossFn(target, this.model.apply(input, { training: false }) as tf.Tensor);
      });
      sum += (value.dataSync()[0] as number) * (end - start);
      value.dispose();
      if (end < rows) await nextTick();
    }
    return sum / rows;
  }

  /** Frees the data and its tensors. The model is the caller's to dispose. */
  dispose(): void {
    if (this.tensorsMade) tf.dispose([this.tensorsMade.x, this.tensorsMade.y]);
    this.tensorsMade = null;
    this.data = null;
    this.disposed = true;
  }

  private makeTensors(data: { x: Float32Array; y: Float32Array }): { x: tf.Tensor2D; y: tf.Tensor2D } {
    return { x: tf.tensor2d(data.x, [this.rows, this.featureCount], 'float32'), y: tf.tensor2d(data.y, [this.rows, this.outputCount], 'float32') };
  }

  private checkOpen(): void {
    if (this.disposed) throw new CohortError('INTERNAL', 'this trainer has been disposed');
  }
}

/** COHORT_TRAINING_ENGINE=tfjs forces the TF.js path (to compare, or to work around a problem). */
function engineFromEnvironment(): TrainerOptions['engine'] {
  const value = process.env['COHORT_TRAINING_ENGINE'];
  return value === 'tfjs' || value === 'dense-javascript' ? value : 'auto';
}
