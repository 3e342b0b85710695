import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/ml/backend';
import { buildModel, layerSummary } from '../../../src-main/ml/model';
import { loadModel, saveModel } from '../../../src-main/ml/model-io';
import { tf } from '../../../src-main/ml/tf';
import { LocalTrainer } from '../../../src-main/ml/trainer';
import { getFlatWeights } from '../../../src-main/ml/weights';
import { separable } from './data';

let root: string;

beforeAll(async () => {
  await selectBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'cohort-model-io-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const keras = {
  class_name: 'Sequential',
  config: {
    layers: [
      { class_name: 'Dense', config: { units: 6, activation: 'tanh' } },
      { class_name: 'BatchNormalization', config: {} },
      { class_name: 'Dropout', config: { rate: 0.1 } },
      { class_name: 'Dense', config: { units: 1 } },
    ],
  },
};

describe('saveModel / loadModel', () => {
  it('round-trips a trained model: same weights, same predictions, metadata kept', async () => {
    const data = separable(100, 5, 1);
    const model = buildModel({ kind: 'keras', topology: keras }, { inputSize: 5, outputSize: 1, target: 'binary' }, 1);
    const trainer = new LocalTrainer(model, 'binary', data);
    const trained = await trainer.fit(trainer.weights(), {
      epochs: 3, batchSize: 16, learningRate: 0.05, optimizer: 'adam', momentum: 0, l2: 0, mu: 0, seed: 1,
    });
    const expected = await trainer.predict(trained.weights, data.x, data.rows);

    const dir = path.join(root, 'nested', 'run-1', 'model');
    const files = await saveModel(model, dir, { run: 'run-1', round: 3, features: ['a', 'b'] });
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(files.weightBytes).toBe(getFlatWeights(model).length * 4);
    const json = JSON.parse(await readFile(files.modelJson, 'utf8'));
    expect(json).toMatchObject({
      format: 'layers-model',
      convertedBy: null,
      weightsManifest: [{ paths: ['weights.bin'] }],
      userDefinedMetadata: { run: 'run-1', round: 3, features: ['a', 'b'] },
    });
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v/);
    expect(json.modelTopology.class_name).toBe('Sequential');

    const loaded = await loadModel(dir);
    expect(loaded.metadata).toEqual({ run: 'run-1', round: 3, features: ['a', 'b'] });
    expect(getFlatWeights(loaded.model)).toEqual(trained.weights);
    expect(layerSummary(loaded.model)).toEqual(layerSummary(model));
    const again = new LocalTrainer(loaded.model, 'binary', data);
    expect(await again.predict(getFlatWeights(loaded.model), data.x, data.rows)).toEqual(expected);

    trainer.dispose();
    again.dispose();
    model.dispose();
    loaded.model.dispose();
  });

  it('overwrites in place, leaves no temporary files, and detects a weights file from another save', async () => {
    const dir = path.join(root, 'overwrite');
    const first = buildModel({ kind: 'logreg' }, { inputSize: 3, outputSize: 1, target: 'binary' }, 1);
    const second = buildModel({ kind: 'logreg' }, { inputSize: 3, outputSize: 1, target: 'binary' }, 2);
    await saveModel(first, dir, { n: 1 });
    const firstWeights = await readFile(path.join(dir, 'weights.bin'));
    await saveModel(second, dir, { n: 2 });
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadModel(dir);
    expect(loaded.metadata).toEqual({ n: 2 });
    expect(getFlatWeights(loaded.model)).toEqual(getFlatWeights(second));
    loaded.model.dispose();

    // As if a crash had happened between the two renames of a save.
    await writeFile(path.join(dir, 'weights.bin'), firstWeights);
    await expect(loadModel(dir)).rejects.toThrow(/incomplete: weights.bin does not match model.json/);
    first.dispose();
    second.dispose();
  });

  it('refuses a missing model, and a model.json with a forbidden layer or a path outside its folder', async () => {
    await expect(loadModel(path.join(root, 'nothing-here'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });

    const dir = path.join(root, 'tampered');
    const model = buildModel({ kind: 'logreg' }, { inputSize: 2, outputSize: 1, target: 'binary' }, 1);
    await saveModel(model, dir, {});
    model.dispose();
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));

    const lambda = structuredClone(json);
    lambda.modelTopology.config.layers.push({ class_name: 'Lambda', config: { name: 'evil' } });
    await writeFile(file, JSON.stringify(lambda));
    await expect(loadModel(dir)).rejects.toThrow(/"evil"\) has class Lambda, which is not allowed/);

    const escape = structuredClone(json);
    escape.weightsManifest[0].paths = ['../../etc/passwd'];
    await writeFile(file, JSON.stringify(escape));
    await expect(loadModel(dir)).rejects.toThrow(/must be a plain file name/);
  });

  it('leaks no tensors', async () => {
    const dir = path.join(root, 'leak');
    const model = buildModel({ kind: 'mlp', hidden: [4], activation: 'relu', dropout: 0 }, { inputSize: 3, outputSize: 1, target: 'binary' }, 1);
    const before = tf.memory().numTensors;
    await saveModel(model, dir, {});
    expect(tf.memory().numTensors).toBe(before);
    const loaded = await loadModel(dir);
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
