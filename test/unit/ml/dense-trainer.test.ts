// The dense fast path against TF.js: which models take it, its WebAssembly kernels against their
// JavaScript twins (bit for bit), and whole fits against the TF.js loop on the same model, data
// and seed (same initial weights, losses and trained weights within float32 tolerance), for
// every optimizer, L2, FedProx, dropout, activation and loss.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../src-main/contract/records';
import { selectBackend } from '../../../src-main/ml/backend';
import { jsKernels } from '../../../src-main/ml/dense/js-kernels';
import { densePlan } from '../../../src-main/ml/dense/plan';
import { hasWasmSimd, wasmKernels, webAssembly, type DenseKernels } from '../../../src-main/ml/dense/wasm-kernels';
import { buildModel, type TargetKind } from '../../../src-main/ml/model';
import { type FitConfig, LocalTrainer, type TrainingData } from '../../../src-main/ml/trainer';
import { linear, separable, threeClasses } from './data';

const disposables: Array<{ dispose(): void }> = [];
beforeAll(async () => {
  expect((await selectBackend('wasm')).backend).toBe('wasm');
});
afterAll(() => {
  for (const item of disposables) item.dispose();
});

function model(spec: ModelSpec, data: TrainingData, target: TargetKind, seed = 1) {
  const built = buildModel(spec, { inputSize: data.featureCount, outputSize: data.outputCount, target }, seed);
  disposables.push(built);
  return built;
}

const mlp = (activation: 'relu' | 'tanh' | 'sigmoid', dropout = 0): ModelSpec => ({ kind: 'mlp', hidden: [16, 8], activation, dropout });
const keras = (layers: unknown[]): ModelSpec => ({ kind: 'keras', topology: { class_name: 'Sequential', config: { layers } } });

describe('which models take the dense path', () => {
  const data = separable(20, 5, 1);
  it('takes presets and Keras stacks of Dense, Dropout and Activation layers', () => {
    for (const spec of [{ kind: 'logreg' } as ModelSpec, mlp('relu', 0.2), mlp('tanh'), keras([{ class_name: 'Dense', config: { units: 4, use_bias: false } }, { class_name: 'Dense', config: { units: 1 } }, { class_name: 'Activation', config: { activation: 'sigmoid' } }])]) {
      const plan = densePlan(model(spec, data, 'binary'));
      expect(plan, JSON.stringify(spec)).not.toHaveProperty('unsupported');
    }
  });

  it('leaves other models to TF.js, saying why', () => {
    const cases: Array<[ModelSpec, RegExp]> = [
      [keras([{ class_name: 'Dense', config: { units: 4 } }, { class_name: 'BatchNormalization', config: {} }, { class_name: 'Dense', config: { units: 1 } }]), /BatchNormalization/],
      [keras([{ class_name: 'Dense', config: { units: 4, kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } } } }, { class_name: 'Dense', config: { units: 1 } }]), /has a regulariser/],
      [{ kind: 'mlp', hidden: [4], activation: 'elu', dropout: 0 }, /uses the elu activation/],
    ];
    for (const [spec, reason] of cases) {
      const built = model(spec, data, 'binary');
      expect((densePlan(built) as { unsupported: string }).unsupported).toMatch(reason);
      const trainer = new LocalTrainer(built, 'binary', data);
      disposables.push(trainer);
      expect(trainer.engine).toBe('tfjs');
    }
  });
});

describe.skipIf(!hasWasmSimd())('the WebAssembly SIMD kernels', () => {
  /** The same random memory contents, for both kernels. */
  function twins(): { simd: DenseKernels; js: DenseKernels; a: Float32Array; b: Float32Array } {
    const one = new webAssembly!.Memory({ initial: 16 });
    const two = new webAssembly!.Memory({ initial: 16 });
    const a = new Float32Array(one.buffer);
    const b = new Float32Array(two.buffer);
    let state = 7;
    for (let i = 0; i < a.length; i++) {
      state = (state * 1_103_515_245 + 12_345) >>> 0;
      a[i] = b[i] = state / 2 ** 32 - 0.5;
    }
    return { simd: wasmKernels(one)!, js: jsKernels(two), a, b };
  }

  it('compute the same bits as the JavaScript kernels, tiles, edges and strides alike', () => {
    const shapes: Array<[number, number, number, boolean]> = [[1, 1, 1, false], [7, 13, 5, false], [64, 64, 50, false], [9, 3, 4, true], [50, 64, 37, true], [5, 17, 64, false], [1, 64, 33, false]];
    for (const [m, n, k, transposed] of shapes) {
      for (const [accumulate, relu] of [[0, 0], [1, 0], [1, 1], [0, 1]] as const) {
        const { simd, js, a, b } = twins();
        const args = [m, n, k, 0, transposed ? 1 : k, transposed ? m : 1, 40_000, n, 80_000, n + 3, accumulate, relu] as const;
        simd.gemm(...args);
        js.gemm(...args);
        expect(a.subarray(20_000, 20_000 + m * (n + 3)), `${m}x${n}x${k} ${transposed ? 'Aᵀ' : 'A'} acc ${accumulate} relu ${relu}`).toEqual(b.subarray(20_000, 20_000 + m * (n + 3)));
      }
    }
    const { simd, js, a, b } = twins();
    simd.reluMask(400, 8_000, 1_003);
    js.reluMask(400, 8_000, 1_003);
    simd.axpy(1_001, -0.05, 40_000, 60_000);
    js.axpy(1_001, -0.05, 40_000, 60_000);
    const rows = [5, 0, 9, 3, 3, 1, 8];
    new Int32Array(a.buffer, 100_000, rows.length).set(rows);
    new Int32Array(b.buffer, 100_000, rows.length).set(rows);
    simd.gather(100_000, rows.length, 13, 120_000, 140_000);
    js.gather(100_000, rows.length, 13, 120_000, 140_000);
    expect(a.subarray(0, 40_000)).toEqual(b.subarray(0, 40_000));
    expect(Array.from(a.subarray(35_000, 35_000 + 13))).toEqual(Array.from(a.subarray(30_000 + 5 * 13, 30_000 + 6 * 13)));
  });
});

interface Case {
  name: string;
  spec: ModelSpec;
  data: TrainingData;
  target: TargetKind;
  cfg: Partial<FitConfig>;
}

const binary = separable(300, 7, 3);
const base: FitConfig = { epochs: 3, batchSize: 32, learningRate: 0.05, optimizer: 'sgd', momentum: 0, l2: 0, mu: 0, seed: 5 };
const CASES: Case[] = [
  { name: 'logistic regression, SGD', spec: { kind: 'logreg' }, data: binary, target: 'binary', cfg: {} },
  { name: 'MLP relu, SGD with momentum, L2 and FedProx', spec: mlp('relu'), data: binary, target: 'binary', cfg: { momentum: 0.9, l2: 0.01, mu: 0.1 } },
  { name: 'MLP tanh with dropout, Adam', spec: mlp('tanh', 0.3), data: binary, target: 'binary', cfg: { optimizer: 'adam', learningRate: 0.01 } },
  { name: 'MLP sigmoid, RMSProp with momentum', spec: mlp('sigmoid'), data: binary, target: 'binary', cfg: { optimizer: 'rmsprop', learningRate: 0.01, momentum: 0.5 } },
  { name: 'MLP relu with dropout, softmax over three classes, Adam', spec: mlp('relu', 0.2), data: threeClasses(240, 6, 4), target: 'multiclass', cfg: { optimizer: 'adam', learningRate: 0.01, l2: 0.001 } },
  { name: 'regression, mean squared error, batch larger than the data', spec: mlp('relu'), data: linear(50, 4, 5), target: 'regression', cfg: { batchSize: 64, learningRate: 0.1 } },
  { name: 'regression, mean absolute error', spec: mlp('tanh'), data: linear(200, 4, 6), target: 'regression', cfg: { loss: 'mae', learningRate: 0.01 } },
  {
    name: 'batches of 600 rows, trained in slices of 256, with dropout and Adam',
    spec: mlp('relu', 0.3),
    data: separable(1500, 7, 8),
    target: 'binary',
    cfg: { batchSize: 600, optimizer: 'adam', learningRate: 0.01, l2: 0.01 },
  },
  {
    name: 'Keras: Dense without bias, Activation layers, Dropout',
    spec: keras([{ class_name: 'Dense', config: { units: 12, use_bias: false } }, { class_name: 'Activation', config: { activation: 'relu' } }, { class_name: 'Dropout', config: { rate: 0.25 } }, { class_name: 'Dense', config: { units: 1 } }]),
    data: binary,
    target: 'binary',
    cfg: { mu: 0.5 },
  },
];

describe('the dense path against TF.js', () => {
  for (const testCase of CASES) {
    it(`trains the same model: ${testCase.name}`, async () => {
      const cfg = { ...base, ...testCase.cfg };
      const fast = new LocalTrainer(model(testCase.spec, testCase.data, testCase.target), testCase.target, testCase.data);
      const reference = new LocalTrainer(model(testCase.spec, testCase.data, testCase.target), testCase.target, testCase.data, { engine: 'tfjs' });
      const portable = new LocalTrainer(model(testCase.spec, testCase.data, testCase.target), testCase.target, testCase.data, { engine: 'dense-javascript' });
      disposables.push(fast, reference, portable);
      expect(fast.engine).toBe(hasWasmSimd() ? 'dense-wasm-simd' : 'dense-javascript');
      expect(reference.engine).toBe('tfjs');
      expect(portable.engine).toBe('dense-javascript');
      // Same initial weights from the same seed.
      const start = reference.weights();
      expect(fast.weights()).toEqual(start);

      const expected = await reference.fit(start, cfg);
      const got = await fast.fit(start, cfg);
      const javascript = await portable.fit(start, cfg);
      expect(got.engine).toBe(fast.engine);
      // The JavaScript kernels give the very same bits as the SIMD ones.
      expect(javascript.weights).toEqual(got.weights);
      expect(javascript.loss).toBe(got.loss);

      let moved = 0;
      let differs = 0;
      for (let i = 0; i < start.length; i++) {
        moved = Math.max(moved, Math.abs(expected.weights[i]! - start[i]!));
        differs = Math.max(differs, Math.abs(got.weights[i]! - expected.weights[i]!));
      }
      expect(moved).toBeGreaterThan(0.01);
      // Only the order of float32 sums differs.
      expect(differs).toBeLessThan(1e-4 * Math.max(1, moved));
      expect(got.loss).toBeCloseTo(expected.loss, 5);
      expect(got.numExamples).toBe(expected.numExamples);

      // And a second fit from the first one's weights (the next round) stays together.
      const expectedNext = await reference.fit(expected.weights, { ...cfg, seed: cfg.seed + 1 });
      const gotNext = await fast.fit(got.weights, { ...cfg, seed: cfg.seed + 1 });
      expect(gotNext.loss).toBeCloseTo(expectedNext.loss, 4);
    });
  }

  it('adds a gradient correction (SCAFFOLD) to every step, the same on both paths, and counts the steps', async () => {
    const spec = mlp('relu');
    const fast = new LocalTrainer(model(spec, binary, 'binary'), 'binary', binary);
    const reference = new LocalTrainer(model(spec, binary, 'binary'), 'binary', binary, { engine: 'tfjs' });
    disposables.push(fast, reference);
    const start = reference.weights();
    const correction = Float32Array.from(start, (_value, index) => ((index % 7) - 3) * 0.05);
    // One step over the whole data: exactly the plain step moved by -learningRate * correction.
    const oneStep = { ...base, epochs: 1, batchSize: binary.rows };
    for (const trainer of [fast, reference]) {
      const plain = await trainer.fit(start, oneStep);
      const corrected = await trainer.fit(start, { ...oneStep, correction: correction.slice() });
      expect(corrected.steps).toBe(1);
      for (let i = 0; i < start.length; i++) expect(corrected.weights[i]).toBeCloseTo(plain.weights[i]! - oneStep.learningRate * correction[i]!, 5);
    }
    // Many steps: the two paths stay together; K = epochs x batches per epoch.
    const expected = await reference.fit(start, { ...base, correction: correction.slice() });
    const got = await fast.fit(start, { ...base, correction: correction.slice() });
    expect(got.steps).toBe(base.epochs * Math.ceil(binary.rows / base.batchSize));
    expect(expected.steps).toBe(got.steps);
    let differs = 0;
    for (let i = 0; i < start.length; i++) differs = Math.max(differs, Math.abs(got.weights[i]! - expected.weights[i]!));
    expect(differs).toBeLessThan(1e-4);
    await expect(fast.fit(start, { ...base, correction: new Float32Array(3) })).rejects.toThrow(/weight vector has 3 values/);
  });

  it('refuses bad global weights exactly as the TF.js path does', async () => {
    const fast = new LocalTrainer(model({ kind: 'logreg' }, binary, 'binary'), 'binary', binary);
    disposables.push(fast);
    await expect(fast.fit(new Float32Array(3), base)).rejects.toThrow('weight vector has 3 values but the model has 8 parameters');
    const bad = fast.weights();
    bad[2] = Number.NaN;
    await expect(fast.fit(bad, base)).rejects.toThrow('weight 2 is not a finite number (NaN)');
    await expect(fast.fit(fast.weights(), { ...base, batchSize: 0 })).rejects.toThrow('batchSize must be a positive integer');
  });
});
