// The training thread, end to end: a real worker thread loading the TypeScript sources.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CohortError } from '../../src-main/contract/errors';
import { selectBackend } from '../../src-main/ml/backend';
import { loadModel } from '../../src-main/ml/model-io';
import { TrainingClient } from '../../src-main/ml/training-client';
import type { FitConfig } from '../../src-main/ml/trainer';
import { getFlatWeights } from '../../src-main/ml/weights';
import { PROJECT_ROOT } from '../support/cli';
import { separable } from '../unit/ml/data';

const shape = { inputSize: 8, outputSize: 1, target: 'binary' } as const;
const cfg: FitConfig = { epochs: 3, batchSize: 32, learningRate: 0.01, optimizer: 'adam', momentum: 0, l2: 0.001, mu: 0.01, seed: 1 };

let root: string;
const clients: TrainingClient[] = [];

async function started(options: Parameters<typeof TrainingClient.start>[0] = {}): Promise<TrainingClient> {
  const client = await TrainingClient.start(options);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'cohort-ml-thread-'));
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await rm(root, { recursive: true, force: true });
});

describe('TrainingClient', () => {
  it('init, fit, predict, evaluate, save and close, with arrays transferred', async () => {
    const client = await started();
    const train = separable(400, 8, 1);
    const evaluate = separable(100, 8, 2);
    const evaluateCopy = { x: evaluate.x.slice(), y: evaluate.y.slice() };
    const trainX = train.x;

    const init = await client.init({ spec: { kind: 'mlp', hidden: [16, 8], activation: 'relu', dropout: 0 }, shape, seed: 3, train, evaluate });
    expect(init.backend.backend).toBe('wasm');
    expect(init.backend.tried[0]).toMatchObject({ name: 'tensorflow' });
    expect(init.backend.tried[0]?.error).toBeTruthy();
    expect(init.parameterCount).toBe(8 * 16 + 16 + 16 * 8 + 8 + 9);
    expect(init.weights).toHaveLength(init.parameterCount);
    expect(init.layers.map((layer) => layer.name)).toEqual(['hidden_1', 'hidden_2', 'output']);
    // Transferred, not copied: the caller's arrays are detached.
    expect(trainX.byteLength).toBe(0);
    expect((await client.backend())?.backend).toBe('wasm');

    const global = init.weights.slice();
    const initialLoss = await client.evaluateLoss(init.weights.slice(), 'train');
    const memory = await client.memory();
    const first = await client.fit(global, cfg);
    expect(global.byteLength).toBe(0);
    expect(first.weights).toHaveLength(init.parameterCount);
    expect(first.numExamples).toBe(400);
    expect(first.loss).toBeLessThan(initialLoss);
    const second = await client.fit(first.weights.slice(), cfg);
    expect(second.loss).toBeLessThan(first.loss);
    expect((await client.memory()).numTensors).toBe(memory.numTensors);

    const onTrain = await client.predict(second.weights.slice(), 'train');
    expect(onTrain).toHaveLength(400);
    const onEvaluate = await client.predict(second.weights.slice(), 'evaluate');
    const onRows = await client.predict(second.weights.slice(), { x: evaluateCopy.x.slice(), rows: 100 });
    expect(onRows).toEqual(onEvaluate);
    for (const p of onEvaluate) expect(p).toBeGreaterThanOrEqual(0);
    const evaluateLoss = await client.evaluateLoss(second.weights.slice(), 'evaluate');
    const rowsLoss = await client.evaluateLoss(second.weights.slice(), { ...evaluateCopy, rows: 100 });
    expect(rowsLoss).toBeCloseTo(evaluateLoss, 6);

    // Saved in the thread, loaded in this thread: the same weights and predictions.
    const dir = path.join(root, 'saved');
    const saved = await client.saveModel(second.weights.slice(), dir, { round: 2 });
    expect(saved.modelJson).toBe(path.join(dir, 'model.json'));
    await selectBackend('wasm');
    const loaded = await loadModel(dir);
    expect(loaded.metadata).toEqual({ round: 2 });
    expect(getFlatWeights(loaded.model)).toEqual(second.weights);
    loaded.model.dispose();

    await client.close();
    await expect(client.fit(second.weights, cfg)).rejects.toThrow(/closed/);
    await client.close();
  });

  it('returns thread errors as rejections with the original message and code', async () => {
    const client = await started({ backend: 'cpu' });
    await expect(client.fit(new Float32Array(3), cfg)).rejects.toThrow(/no model yet: call init\(\) first/);
    const init = await client.init({ spec: { kind: 'logreg' }, shape, seed: 1, train: separable(50, 8, 3) });
    expect(init.backend.backend).toBe('cpu');
    const error = await client.fit(new Float32Array(5), cfg).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CohortError);
    expect((error as CohortError).code).toBe('BAD_INPUT');
    expect((error as CohortError).message).toBe('weight vector has 5 values but the model has 9 parameters');
    await expect(client.predict(init.weights.slice(), 'evaluate')).rejects.toThrow(/no evaluation data was given to init/);
    const lambda = { class_name: 'Sequential', config: { layers: [{ class_name: 'Lambda', config: { name: 'f' } }] } };
    await expect(client.init({ spec: { kind: 'keras', topology: lambda }, shape, seed: 1, train: separable(10, 8, 4) })).rejects.toThrow(
      /class Lambda, which is not allowed/,
    );
    // Still usable after errors.
    expect((await client.fit(init.weights, { ...cfg, epochs: 1 })).weights).toHaveLength(9);
  });

  it('keeps the event loop responsive during a long fit, and rejects pending calls if the thread dies', async () => {
    const client = await started();
    const train = separable(20_000, 30, 5);
    const init = await client.init({
      spec: { kind: 'mlp', hidden: [64, 32], activation: 'relu', dropout: 0 },
      shape: { inputSize: 30, outputSize: 1, target: 'binary' },
      seed: 1,
      train,
    });
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks += 1;
    }, 10);
    const started_ = performance.now();
    const result = await client.fit(init.weights.slice(), { ...cfg, epochs: 20, l2: 0, mu: 0 });
    const elapsed = performance.now() - started_;
    clearInterval(timer);
    const rowsPerSecond = Math.round((20 * 20_000) / result.seconds);
    console.info(`fit: 20 epochs x 20,000 rows, MLP [64, 32], batch 32, ${result.engine}: ${result.seconds.toFixed(2)} s, ${rowsPerSecond} rows/s`);
    expect(elapsed).toBeGreaterThan(1000);
    expect(maxGap).toBeLessThan(150);
    expect(ticks).toBeGreaterThan(elapsed / 10 / 3);

    // The thread dies mid-fit: the pending call rejects, and so does every later one.
    const pending = client.fit(init.weights.slice(), { ...cfg, epochs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await (client as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(pending).rejects.toThrow(/training thread exited/);
    await expect(client.backend()).rejects.toThrow(/training thread exited/);
  });

  it('loads TypeScript in the thread when the main thread registered tsx with register(), as bin/cohort.js does, and does not keep the process alive', () => {
    const script = `
      import { register } from 'tsx/esm/api';
      register();
      const { TrainingClient } = await import('./src-main/ml/training-client.ts');
      const client = await TrainingClient.start({ backend: 'wasm' });
      const rows = 64;
      const x = new Float32Array(rows * 2).map((_, i) => (i % 7) / 7 - 0.5);
      const y = new Float32Array(rows).map((_, i) => i % 2);
      const init = await client.init({ spec: { kind: 'logreg' }, shape: { inputSize: 2, outputSize: 1, target: 'binary' }, seed: 1, train: { x, y, rows, featureCount: 2, outputCount: 1 } });
      const fit = await client.fit(init.weights, { epochs: 1, batchSize: 8, learningRate: 0.1, optimizer: 'sgd', momentum: 0, l2: 0, mu: 0, seed: 1 });
      // TF.js runs in the thread only: the main thread never loads it.
      const { createRequire } = await import('node:module');
      const tfInMain = Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('@tensorflow'));
      process.stdout.write(JSON.stringify({ backend: init.backend.backend, weights: fit.weights.length, tfInMain }));
      // No close(): an idle thread must not keep the process alive.
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ backend: 'wasm', weights: 3, tfInMain: false });
  });
});

describe('hundreds of rounds', () => {
  it('keep the thread\'s memory flat: no tensor and no byte more after 300 fit + evaluate cycles', async () => {
    const client = await started();
    const init = await client.init({ spec: { kind: 'mlp', hidden: [16], activation: 'relu', dropout: 0.1 }, shape, seed: 5, train: separable(120, 8, 7), evaluate: separable(40, 8, 8) });
    let weights = init.weights;
    const round = async () => {
      const fit = await client.fit(weights, { ...cfg, epochs: 1, optimizer: 'sgd', momentum: 0.9 });
      await client.predict(fit.weights.slice(), 'evaluate');
      weights = fit.weights;
    };
    for (let i = 0; i < 20; i += 1) await round(); // warm up caches and lazily created kernels
    const before = await client.memory();
    for (let i = 0; i < 300; i += 1) await round();
    const after = await client.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  }, 120_000);
});
