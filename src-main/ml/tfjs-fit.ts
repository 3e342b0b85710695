// Local training through TF.js ops (any model the app accepts): our own loop over mini-batches,
// not model.fit, so FedProx's proximal term, L2, seeded shuffles and stateless clients are
// exactly what the run's hyperparameters say:
//
//   minimise  dataLoss(batch) + l2/2 * sum(kernel^2) + mu/2 * sum((w - w_global)^2)
//             [+ <correction, w>] [+ layer regularisers]
//
// with a fresh optimizer per fit. Dense networks take the faster path in dense/ instead.
import { CohortError } from '../contract/errors';
import { deriveSeed, shuffledIndices } from '../core/stats/random';
import type { TargetKind } from './keras';
import { LOSSES, resolveLoss } from './losses';
import { type LayersModel, tf } from './tf';
import type { FitConfig } from './trainer';
import type { SpooledBlocks } from './spooled-blocks';
import { getFlatWeights, setFlatWeights } from './weights';

/** Where the rows come from: tensors in memory, or blocks read from files one at a time. */
export type FitRows =
  | { kind: 'tensors'; x: tf.Tensor2D; y: tf.Tensor2D; rows: number }
  | { kind: 'blocks'; blocks: SpooledBlocks; rows: number; featureCount: number; outputCount: number };

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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

/**
 * Trains `model` from `global` on the rows; returns its weights and the last epoch's mean data
 * loss. Deterministic for a seed on a given backend. Leaves no tensors behind.
 */
export async function tfjsFit(model: LayersModel, target: TargetKind, data: FitRows, global: Float32Array, cfg: FitConfig): Promise<{ weights: Float32Array; loss: number; steps: number }> {
  const { rows } = data;
  setFlatWeights(model, global);

  const trainable = model.trainableWeights;
  const variables = trainable.map((weight) => weight.read() as tf.Variable);
  const kernels = trainable.filter((weight) => /(^|\/)kernel$/.test(weight.originalName)).map((weight) => weight.read());
  // The global weights, as constants for the whole fit (assign() gives the variables new
  // data, so these clones keep the starting values).
  const anchors = cfg.mu > 0 ? variables.map((variable) => tf.clone(variable)) : [];
  const corrections = cfg.correction ? correctionTensors(cfg.correction, variables) : [];
  const lossFn = LOSSES[resolveLoss(cfg.loss, target)];
  const { l2, mu } = cfg;
  const dropouts = model.layers.filter((layer) => layer.getClassName() === 'Dropout');
  const dropoutSeeds = dropouts.map((layer) => (layer as unknown as { seed?: number }).seed);
  const batchSize = Math.min(cfg.batchSize, rows);
  const optimizer = makeOptimizer(cfg);
  let lastEpochLoss = Number.NaN;
  let steps = 0;

  /** One optimizer step on the rows `indices` of (x, y); returns the batch's mean data loss. */
  const step = (x: tf.Tensor2D, y: tf.Tensor2D, indices: Int32Array, epoch: number, batch: number): tf.Scalar => {
    // A fresh seed per batch: TF.js draws a fixed seed's dropout mask anew on every call,
    // which would otherwise repeat the same mask on every batch.
    dropouts.forEach((layer, index) => {
      (layer as unknown as { seed?: number }).seed = deriveSeed(cfg.seed, epoch, batch, index);
    });
    return tf.tidy(() => {
      const picked = tf.tensor1d(indices, 'int32');
      const xb = tf.gather(x, picked);
      const yb = tf.gather(y, picked);
      let kept: tf.Scalar | null = null;
      optimizer.minimize(
        () => {
          const predicted = model.apply(xb, { training: true }) as tf.Tensor;
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
          if (corrections.length > 0) {
            // Its gradient is the correction itself.
            total = tf.add(total, tf.addN(variables.map((variable, index) => tf.sum(tf.mul(variable, corrections[index] as tf.Tensor)))));
          }
          for (const penalty of model.calculateLosses()) total = tf.add(total, penalty);
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
          steps += 1;
          if (lastEpoch) lossSum += (dataLoss.dataSync()[0] as number) * indices.length;
          dataLoss.dispose();
        }
        return batch;
      };
      if (data.kind === 'blocks') {
        // Rows on disk: blocks in a seeded order, each shuffled within; one block in memory.
        let batch = 0;
        for await (const block of data.blocks.shuffled(deriveSeed(cfg.seed, epoch))) {
          const x = tf.tensor2d(block.x, [block.rows, data.featureCount], 'float32');
          const y = tf.tensor2d(block.y, [block.rows, data.outputCount], 'float32');
          try {
            batch = batches(x, y, shuffledIndices(block.rows, deriveSeed(cfg.seed, epoch, block.index + 1)), batch);
          } finally {
            x.dispose();
            y.dispose();
          }
          await nextTick();
        }
      } else {
        batches(data.x, data.y, shuffledIndices(rows, deriveSeed(cfg.seed, epoch)), 0);
      }
      if (lastEpoch) lastEpochLoss = lossSum / rows;
      // Let timers and messages run between epochs.
      await nextTick();
    }
  } finally {
    dropouts.forEach((layer, index) => {
      (layer as unknown as { seed?: number }).seed = dropoutSeeds[index];
    });
    disposeOptimizer(optimizer);
    tf.dispose(anchors);
    tf.dispose(corrections);
  }
  return { weights: getFlatWeights(model), loss: lastEpochLoss, steps };
}

/** The flat correction cut into one constant per trainable variable (they come first in the flat order). */
function correctionTensors(correction: Float32Array, variables: readonly tf.Variable[]): tf.Tensor[] {
  let offset = 0;
  return variables.map((variable) => {
    const size = variable.size;
    const tensor = tf.tensor(correction.slice(offset, offset + size), variable.shape, 'float32');
    offset += size;
    return tensor;
  });
}
