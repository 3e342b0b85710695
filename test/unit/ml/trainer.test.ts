import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../src-main/contract/records';
import { selectBackend } from '../../../src-main/ml/backend';
import { buildModel, type TargetKind } from '../../../src-main/ml/model';
import { tf } from '../../../src-main/ml/tf';
import { type FitConfig, LocalTrainer, type TrainingData } from '../../../src-main/ml/trainer';
import { weightLayout } from '../../../src-main/ml/weights';
import { distance, linear, separable, threeClasses } from './data';

const trainers: LocalTrainer[] = [];

beforeAll(async () => {
  // CPU: the backend whose results the determinism test pins down.
  await selectBackend('cpu');
});

afterAll(() => {
  for (const trainer of trainers) {
    trainer.dispose();
    trainer.model.dispose();
  }
});

function trainer(spec: ModelSpec, data: TrainingData, target: TargetKind = 'binary', seed = 1): LocalTrainer {
  const model = buildModel(spec, { inputSize: data.featureCount, outputSize: data.outputCount, target }, seed);
  const created = new LocalTrainer(model, target, data);
  trainers.push(created);
  return created;
}

const base: FitConfig = { epochs: 1, batchSize: 16, learningRate: 0.1, optimizer: 'sgd', momentum: 0, l2: 0, mu: 0, seed: 42 };
const mlp: ModelSpec = { kind: 'mlp', hidden: [16, 8], activation: 'relu', dropout: 0 };

/** Squared L2 norm of the kernels (not biases) in a flat weight vector. */
function kernelNorm(local: LocalTrainer, weights: Float32Array): number {
  let offset = 0;
  let sum = 0;
  for (const segment of weightLayout(local.model)) {
    if (segment.name.endsWith('/kernel')) {
      for (let index = offset; index < offset + segment.size; index++) sum += (weights[index] as number) ** 2;
    }
    offset += segment.size;
  }
  return sum;
}

describe('LocalTrainer.fit', () => {
  it('reduces the loss on a small separable problem (200 rows)', async () => {
    const data = separable(200, 6, 1);
    const local = trainer({ kind: 'logreg' }, data);
    const initial = local.weights();
    const before = await local.evaluateLoss(initial, data.x, data.y, data.rows);
    const result = await local.fit(initial, { ...base, epochs: 20 });
    expect(result.numExamples).toBe(200);
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.loss).toBeLessThan(before * 0.5);
    const after = await local.evaluateLoss(result.weights, data.x, data.y, data.rows);
    expect(after).toBeLessThan(before * 0.5);
    // Accuracy on the training rows.
    const predicted = await local.predict(result.weights, data.x, data.rows);
    let correct = 0;
    predicted.forEach((p, row) => {
      if ((p >= 0.5 ? 1 : 0) === data.y[row]) correct += 1;
    });
    expect(correct / data.rows).toBeGreaterThan(0.9);
  });

  it('plain local training: repeated fits from their own weights keep improving', async () => {
    const data = separable(200, 6, 2);
    const local = trainer(mlp, data);
    let weights = local.weights();
    const losses: number[] = [];
    for (let round = 0; round < 4; round++) {
      const result = await local.fit(weights, { ...base, optimizer: 'adam', learningRate: 0.01, epochs: 3, seed: round });
      weights = result.weights;
      losses.push(result.loss);
    }
    expect(losses[3]).toBeLessThan(losses[0] as number);
  });

  it('is deterministic for the same seed (CPU backend), with dropout; another seed differs', async () => {
    const data = separable(150, 5, 3);
    const spec: ModelSpec = { kind: 'mlp', hidden: [8], activation: 'relu', dropout: 0.3 };
    const a = trainer(spec, data);
    const b = trainer(spec, data);
    const cfg: FitConfig = { ...base, epochs: 3, optimizer: 'adam', learningRate: 0.01, l2: 0.01, mu: 0.1, seed: 7 };
    const first = await a.fit(a.weights(), cfg);
    const second = await b.fit(b.weights(), cfg);
    expect(second.weights).toEqual(first.weights);
    expect(second.loss).toBe(first.loss);
    const again = await a.fit(a.weights().fill(0.01), cfg);
    const other = await b.fit(b.weights().fill(0.01), { ...cfg, seed: 8 });
    expect(other.weights).not.toEqual(again.weights);
  });

  it('FedProx: a large mu keeps the weights closer to the global ones than mu = 0', async () => {
    const data = separable(200, 6, 4);
    const local = trainer(mlp, data);
    const global = local.weights();
    const free = await local.fit(global, { ...base, epochs: 5, mu: 0 });
    const proximal = await local.fit(global, { ...base, epochs: 5, mu: 5 });
    const freeDistance = distance(free.weights, global);
    const proximalDistance = distance(proximal.weights, global);
    expect(proximalDistance).toBeLessThan(freeDistance * 0.5);
  });

  it('L2 shrinks the kernels', async () => {
    const data = separable(200, 6, 5);
    const local = trainer(mlp, data);
    const start = local.weights();
    const plain = await local.fit(start, { ...base, epochs: 5 });
    const penalised = await local.fit(start, { ...base, epochs: 5, l2: 0.5 });
    expect(kernelNorm(local, penalised.weights)).toBeLessThan(kernelNorm(local, plain.weights) * 0.8);
  });

  it('trains multiclass (softmax, categorical cross-entropy) and regression (mse, mae)', async () => {
    const classes = threeClasses(240, 6, 6);
    const multi = trainer({ kind: 'logreg' }, classes, 'multiclass');
    const start = multi.weights();
    const before = await multi.evaluateLoss(start, classes.x, classes.y, classes.rows);
    const trained = await multi.fit(start, { ...base, epochs: 15, optimizer: 'rmsprop', learningRate: 0.01 });
    expect(trained.loss).toBeLessThan(before * 0.6);
    const probabilities = await multi.predict(trained.weights, classes.x.subarray(0, 3 * 6), 3);
    expect(probabilities).toHaveLength(9);
    for (let row = 0; row < 3; row++) {
      expect((probabilities[row * 3] as number) + (probabilities[row * 3 + 1] as number) + (probabilities[row * 3 + 2] as number)).toBeCloseTo(1, 5);
    }

    const values = linear(200, 4, 7);
    const regression = trainer({ kind: 'logreg' }, values, 'regression');
    const initial = regression.weights();
    const mseBefore = await regression.evaluateLoss(initial, values.x, values.y, values.rows);
    const mse = await regression.fit(initial, { ...base, epochs: 30, momentum: 0.9, learningRate: 0.02 });
    expect(mse.loss).toBeLessThan(mseBefore * 0.05);
    const mae = await regression.fit(initial, { ...base, epochs: 30, learningRate: 0.05, loss: 'mae' });
    expect(mae.loss).toBeLessThan(0.2);
  });

  it('checks its inputs', async () => {
    const data = separable(20, 3, 8);
    const local = trainer({ kind: 'logreg' }, data);
    await expect(local.fit(new Float32Array(3), base)).rejects.toThrow(/3 values but the model has 4 parameters/);
    await expect(local.fit(local.weights(), { ...base, epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(local.predict(local.weights(), new Float32Array(5), 2)).rejects.toThrow(/x has 5 values, expected 2 rows x 3 features/);
    const model = buildModel({ kind: 'logreg' }, { inputSize: 4, outputSize: 1, target: 'binary' }, 1);
    expect(() => new LocalTrainer(model, 'binary', data)).toThrow(/takes 4 features/);
    const bad = { ...data, x: data.x.slice() };
    bad.x[4] = Number.NaN;
    expect(() => new LocalTrainer(model, 'binary', { ...bad, featureCount: 3 })).toThrow();
    model.dispose();
  });

  it('predicts in batches: more rows than one forward pass', async () => {
    const data = separable(10_000, 3, 9);
    const local = trainer({ kind: 'logreg' }, data);
    const weights = Float32Array.of(1, -2, 0.5, 0.1);
    const predicted = await local.predict(weights, data.x, data.rows);
    expect(predicted).toHaveLength(10_000);
    for (const row of [0, 4095, 4096, 9999]) {
      const [a, b, c] = [0, 1, 2].map((column) => data.x[row * 3 + column] as number);
      const expected = 1 / (1 + Math.exp(-((a as number) * 1 - (b as number) * 2 + (c as number) * 0.5 + 0.1)));
      expect(predicted[row]).toBeCloseTo(expected, 5);
    }
  });

  it('leaks no tensors over 50 fits (with every penalty, dropout, adam) and predictions', async () => {
    const data = separable(64, 4, 10);
    const local = trainer({ kind: 'mlp', hidden: [8], activation: 'relu', dropout: 0.2 }, data);
    let weights = local.weights();
    await local.fit(weights, base);
    const before = tf.memory().numTensors;
    for (let round = 0; round < 50; round++) {
      const optimizer = (['sgd', 'adam', 'rmsprop'] as const)[round % 3] as FitConfig['optimizer'];
      const result = await local.fit(weights, { ...base, optimizer, momentum: round % 2 ? 0.9 : 0, l2: 0.01, mu: 0.01, seed: round });
      weights = result.weights;
    }
    await local.predict(weights, data.x, data.rows);
    await local.evaluateLoss(weights, data.x, data.y, data.rows);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains Keras models with BatchNormalization, LayerNormalization and an L2 regulariser, leaking nothing', async () => {
    const topology = {
      class_name: 'Sequential',
      config: {
        layers: [
          { class_name: 'Dense', config: { units: 8, activation: 'relu', kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } } } },
          { class_name: 'BatchNormalization', config: { axis: -1 } },
          { class_name: 'Dropout', config: { rate: 0.1, seed: 5 } },
          { class_name: 'Dense', config: { units: 4, activation: 'elu' } },
          { class_name: 'LayerNormalization', config: {} },
          { class_name: 'Dense', config: { units: 1 } },
          { class_name: 'Activation', config: { activation: 'linear' } },
        ],
      },
    };
    const data = separable(200, 6, 13);
    const local = trainer({ kind: 'keras', topology }, data);
    const start = local.weights();
    const before = await local.evaluateLoss(start, data.x, data.y, data.rows);
    // The L2 regulariser is one of the model's losses, which fit() adds to the objective.
    expect(tf.tidy(() => local.model.calculateLosses().length)).toBe(1);
    const tensors = tf.memory().numTensors;
    let weights = start;
    for (let round = 0; round < 5; round++) {
      weights = (await local.fit(weights, { ...base, epochs: 2, optimizer: 'adam', learningRate: 0.01, mu: 0.01, seed: round })).weights;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await local.evaluateLoss(weights, data.x, data.y, data.rows)).toBeLessThan(before);
    // The BatchNormalization statistics (non-trainable, last in the vector) moved too.
    expect(weights.subarray(-16)).not.toEqual(start.subarray(-16));
    // The Dropout layer's own seed is restored after each fit.
    expect(local.model.layers[2]?.getConfig().seed).toBe(5);
  });

  it('dispose() frees the data tensors of the TF.js path; the dense path makes none', () => {
    const data = separable(10, 2, 11);
    const model = buildModel({ kind: 'logreg' }, { inputSize: 2, outputSize: 1, target: 'binary' }, 1);
    const before = tf.memory().numTensors;
    const local = new LocalTrainer(model, 'binary', data, { engine: 'tfjs' });
    expect(tf.memory().numTensors).toBe(before + 2);
    local.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const dense = new LocalTrainer(model, 'binary', data);
    expect(dense.engine).toMatch(/^dense-/);
    expect(tf.memory().numTensors).toBe(before);
    dense.dispose();
    model.dispose();
  });
});

describe('LocalTrainer on WASM', () => {
  it('trains the same problem on the WASM backend', async () => {
    expect((await selectBackend('wasm')).backend).toBe('wasm');
    const data = separable(200, 6, 12);
    const local = trainer(mlp, data);
    const start = local.weights();
    const before = await local.evaluateLoss(start, data.x, data.y, data.rows);
    const tensors = tf.memory().numTensors;
    const result = await local.fit(start, { ...base, epochs: 10, optimizer: 'adam', learningRate: 0.01, l2: 0.001, mu: 0.01 });
    expect(result.loss).toBeLessThan(before * 0.5);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
