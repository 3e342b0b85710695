// Local training: our own loop over mini-batches (not model.fit), so FedProx's proximal term,
// L2, seeded shuffles and stateless clients are exactly what the run's hyperparameters say.
//
//   minimise  dataLoss(batch) + l2/2 * sum(kernel^2) + mu/2 * sum((w - w_global)^2) [+ layer regularisers]
//
// with a fresh optimizer per fit. Calling fit() repeatedly with its own returned weights is plain
// (centralised) local training.
import type { Hyperparameters } from '../contract/records';
import { CohortError } from '../contract/errors';
import type { TargetKind } from './keras';
import { deriveSeed, shuffledIndices } from '../core/stats/random';
import { type LayersModel, tf } from './tf';
import { getFlatWeights, setFlatWeights, weightCount } from './weights';
import { SpooledBlocks } from './spooled-blocks';

export type LossName = Hyperparameters['loss'];
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
}

export interface FitResult {
  weights: Float32Array;
  /** Mean data loss (no penalties) per example over the last epoch's batches. */
  loss: number;
  numExamples: number;
  seconds: number;
}

const EPSILON = 1e-7;
/** Rows per forward pass in predict / evaluateLoss. */
const INFERENCE_BATCH = 4096;

type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** The loss a target trains with when the run says 'auto'. */
export function resolveLoss(loss: LossName | undefined, target: TargetKind): Exclude<LossName, 'auto'> {
  if (loss && loss !== 'auto') return loss;
  return target === 'binary' ? 'binaryCrossentropy' : target === 'multiclass' ? 'categoricalCrossentropy' : 'mse';
}

/** Mean over examples, from probabilities (as Keras does with from_logits=False). */
const LOSSES: Record<Exclude<LossName, 'auto'>, LossFunction> = {
  binaryCrossentropy: (y, p) => {
    const q = tf.clipByValue(p, EPSILON, 1 - EPSILON);
    const perElement = tf.add(tf.mul(y, tf.log(q)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))));
    return tf.neg(tf.mean(perElement)) as tf.Scalar;
  },
  categoricalCrossentropy: (y, p) => {
    const q = tf.clipByValue(tf.div(p, tf.sum(p, -1, true)), EPSILON, 1 - EPSILON);
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(q)), -1))) as tf.Scalar;
  },
  mse: (y, p) => tf.mean(tf.squaredDifference(y, p)) as tf.Scalar,
  mae: (y, p) => tf.mean(tf.abs(tf.sub(y, p))) as tf.Scalar,
};

function makeOptimizer(cfg: FitConfig): tf.Optimizer {
  switch (cfg.optimizer) {
    case 'sgd':
      return cfg.momentum > 0 ? tf.train.momentum(cfg.learningRate, cfg.momentum) : tf.train.sgd(cfg.learningRate);
    case 'adam':
      return tf.train.adam(cfg.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(cfg.learningRate, 0.9, cfg.momentum);
    default:
      throw new CohortError('BAD_INPUT', `unknown optimizer ${JSON.stringify(cfg.optimizer)}`);
  }
}

/**
 * optimizer.dispose(), plus the learning-rate scalar that TF.js's MomentumOptimizer.dispose()
 * forgets (it does not call SGDOptimizer's dispose): one leaked tensor per fit otherwise.
 */
function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const rate = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (rate && !rate.isDisposed) rate.dispose();
}

function checkFitConfig(cfg: FitConfig): void {
  const problems: string[] = [];
  if (!Number.isInteger(cfg.epochs) || cfg.epochs < 1) problems.push(`epochs must be a positive integer (${cfg.epochs})`);
  if (!Number.isInteger(cfg.batchSize) || cfg.batchSize < 1) problems.push(`batchSize must be a positive integer (${cfg.batchSize})`);
  if (!(cfg.learningRate > 0)) problems.push(`learningRate must be positive (${cfg.learningRate})`);
  for (const key of ['momentum', 'l2', 'mu'] as const) {
    if (!(cfg[key] >= 0)) problems.push(`${key} must be zero or more (${cfg[key]})`);
  }
  if (!Number.isInteger(cfg.seed)) problems.push(`seed must be an integer (${cfg.seed})`);
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

/**
 * Trains and evaluates one model on one party's data. The data tensors are created once, from
 * copies of the arrays given, and kept until dispose(). The model stays the caller's.
 */
export class LocalTrainer {
  readonly featureCount: number;
  readonly outputCount: number;
  readonly rows: number;
  private x: tf.Tensor2D | null;
  private y: tf.Tensor2D | null;
  /** Spooled train rows, read a block at a time (instead of x and y). */
  private readonly blocks: SpooledBlocks | undefined;
  private disposed = false;

  constructor(
    readonly model: LayersModel,
    readonly target: TargetKind,
    data: TrainingData,
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
      this.blocks = new SpooledBlocks(data.spool, data.rows, data.featureCount, data.outputCount);
      this.x = null;
      this.y = null;
      return;
    }
    checkData(data, data.featureCount, data.outputCount, 'training data');
    // Copies: the CPU backend would otherwise keep (and see changes to) the caller's arrays.
    this.x = tf.tensor2d(data.x.slice(), [data.rows, data.featureCount], 'float32');
    this.y = tf.tensor2d(data.y.slice(), [data.rows, data.outputCount], 'float32');
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
   * optimizer minimising data loss + L2 + FedProx proximal term. Deterministic for a seed on a
   * given backend. Leaves no tensors behind.
   */
  async fit(global: Float32Array, cfg: FitConfig): Promise<FitResult> {
    this.checkOpen();
    checkFitConfig(cfg);
    const started = performance.now();
    setFlatWeights(this.model, global);

    const trainable = this.model.trainableWeights;
    const variables = trainable.map((weight) => weight.read() as tf.Variable);
    const kernels = trainable.filter((weight) => /(^|\/)kernel$/.test(weight.originalName)).map((weight) => weight.read());
    // The global weights, as constants for the whole fit (assign() gives the variables new
    // data, so these clones keep the starting values).
    const anchors = cfg.mu > 0 ? variables.map((variable) => tf.clone(variable)) : [];
    const lossFn = LOSSES[resolveLoss(cfg.loss, this.target)];
    const { l2, mu } = cfg;
    const dropouts = this.model.layers.filter((layer) => layer.getClassName() === 'Dropout');
    const dropoutSeeds = dropouts.map((layer) => (layer as unknown as { seed?: number }).seed);
    const batchSize = Math.min(cfg.batchSize, this.rows);
    const optimizer = makeOptimizer(cfg);
    let lastEpochLoss = Number.NaN;

    /** One optimizer step on the rows `indices` of (x, y); returns the batch's mean data loss. */
    const step = (x: tf.Tensor2D, y: tf.Tensor2D, indices: Int32Array, epoch: number, batch: number): tf.Scalar => {
      // A fresh seed per batch: TF.js draws a fixed seed's dropout mask anew on every call,
      // which would otherwise repeat the same mask on every batch.
      dropouts.forEach((layer, index) => {
        (layer as unknown as { seed?: number }).seed = deriveSeed(cfg.seed, epoch, batch, index);
      });
      return tf.tidy(() => {
        const rows = tf.tensor1d(indices, 'int32');
        const xb = tf.gather(x, rows);
        const yb = tf.gather(y, rows);
        let kept: tf.Scalar | null = null;
        optimizer.minimize(
          () => {
            const predicted = this.model.apply(xb, { training: true }) as tf.Tensor;
            const loss = lossFn(yb, predicted);
            // A kept clone: minimize() disposes what f returns, which may be `loss` itself.
            kept = tf.keep(tf.clone(loss));
            let total: tf.Scalar = loss;
            if (l2 > 0 && kernels.length > 0) {
              total = tf.add(total, tf.mul(l2 / 2, tf.addN(kernels.map((kernel) => tf.sum(tf.square(kernel))))));
            }
            if (mu > 0) {
              const distances = variables.map((variable, index) => tf.sum(tf.squaredDifference(variable, anchors[index] as tf.Tensor)));
              total = tf.add(total, tf.mul(mu / 2, tf.addN(distances)));
            }
            for (const penalty of this.model.calculateLosses()) total = tf.add(total, penalty);
            return total;
          },
          false,
          variables,
        );
        return kept as unknown as tf.Scalar;
      });
    };

    try {
      for (let epoch = 0; epoch < cfg.epochs; epoch++) {
        const lastEpoch = epoch === cfg.epochs - 1;
        let lossSum = 0;
        const batches = (x: tf.Tensor2D, y: tf.Tensor2D, order: Int32Array, firstBatch: number): number => {
          let batch = firstBatch;
          for (let start = 0; start < order.length; start += batchSize, batch++) {
            const indices = order.subarray(start, Math.min(start + batchSize, order.length));
            const dataLoss = step(x, y, indices, epoch, batch);
            if (lastEpoch) lossSum += (dataLoss.dataSync()[0] as number) * indices.length;
            dataLoss.dispose();
          }
          return batch;
        };
        if (this.blocks) {
          // Rows on disk: blocks in a seeded order, each shuffled within; one block in memory.
          let batch = 0;
          for await (const block of this.blocks.shuffled(deriveSeed(cfg.seed, epoch))) {
            const x = tf.tensor2d(block.x, [block.rows, this.featureCount], 'float32');
            const y = tf.tensor2d(block.y, [block.rows, this.outputCount], 'float32');
            try {
              batch = batches(x, y, shuffledIndices(block.rows, deriveSeed(cfg.seed, epoch, block.index + 1)), batch);
            } finally {
              x.dispose();
              y.dispose();
            }
            await nextTick();
          }
        } else {
          const { x, y } = this.tensors();
          batches(x, y, shuffledIndices(this.rows, deriveSeed(cfg.seed, epoch)), 0);
        }
        if (lastEpoch) lastEpochLoss = lossSum / this.rows;
        // Let timers and messages run between epochs.
        await nextTick();
      }
    } finally {
      dropouts.forEach((layer, index) => {
        (layer as unknown as { seed?: number }).seed = dropoutSeeds[index];
      });
      disposeOptimizer(optimizer);
      tf.dispose(anchors);
    }
    return {
      weights: getFlatWeights(this.model),
      loss: lastEpochLoss,
      numExamples: this.rows,
      seconds: (performance.now() - started) / 1000,
    };
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

  /** Frees the data tensors. The model is the caller's to dispose. */
  dispose(): void {
    this.disposed = true;
    this.x?.dispose();
    this.y?.dispose();
    this.x = null;
    this.y = null;
  }

  private checkOpen(): void {
    if (this.disposed) throw new CohortError('INTERNAL', 'this trainer has been disposed');
  }

  private tensors(): { x: tf.Tensor2D; y: tf.Tensor2D } {
    if (!this.x || !this.y) throw new CohortError('INTERNAL', 'this trainer has been disposed');
    return { x: this.x, y: this.y };
  }
}
