import { beforeAll, describe, expect, it } from 'vitest';
import { CohortError } from '../../../src-main/contract/errors';
import type { ModelSpec } from '../../../src-main/contract/records';
import { selectBackend } from '../../../src-main/ml/backend';
import { ALLOWED_LAYERS, buildModel, layerSummary, parameterCount } from '../../../src-main/ml/model';
import { type LayersModel, tf, tfl } from '../../../src-main/ml/tf';
import { getFlatWeights } from '../../../src-main/ml/weights';

const binary30 = { inputSize: 30, outputSize: 1, target: 'binary' } as const;

function outputActivationOf(model: LayersModel): string {
  const last = model.layers[model.layers.length - 1];
  return String(last?.getConfig().activation);
}

function inputSizeOf(model: LayersModel): number | null {
  const shape = model.inputs[0]?.shape;
  return shape?.[shape.length - 1] ?? null;
}

function outputSizeOf(model: LayersModel): number | null {
  const shape = model.outputs[0]?.shape;
  return shape?.[shape.length - 1] ?? null;
}

function expectBadInput(action: () => unknown, ...fragments: string[]): CohortError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CohortError);
  const error = caught as CohortError;
  expect(error.code).toBe('BAD_INPUT');
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}

/** What tf.keras 2.x `model.to_json()` writes (snake_case, InputLayer, L2 regulariser, BN axis list). */
const KERAS2_JSON = {
  class_name: 'Sequential',
  config: {
    name: 'sequential',
    layers: [
      {
        class_name: 'InputLayer',
        config: { batch_input_shape: [null, 10], dtype: 'float32', sparse: false, ragged: false, name: 'dense_input' },
      },
      {
        class_name: 'Dense',
        config: {
          name: 'dense',
          trainable: true,
          dtype: 'float32',
          batch_input_shape: [null, 10],
          units: 16,
          activation: 'relu',
          use_bias: true,
          kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
          bias_initializer: { class_name: 'Zeros', config: {} },
          kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } },
          bias_regularizer: null,
          activity_regularizer: null,
          kernel_constraint: null,
          bias_constraint: null,
        },
      },
      { class_name: 'Dropout', config: { name: 'dropout', trainable: true, dtype: 'float32', rate: 0.2, noise_shape: null, seed: null } },
      {
        class_name: 'BatchNormalization',
        config: {
          name: 'batch_normalization',
          trainable: true,
          dtype: 'float32',
          axis: [1],
          momentum: 0.99,
          epsilon: 0.001,
          center: true,
          scale: true,
          beta_initializer: { class_name: 'Zeros', config: {} },
          gamma_initializer: { class_name: 'Ones', config: {} },
          moving_mean_initializer: { class_name: 'Zeros', config: {} },
          moving_variance_initializer: { class_name: 'Ones', config: {} },
          beta_regularizer: null,
          gamma_regularizer: null,
          beta_constraint: null,
          gamma_constraint: null,
        },
      },
      {
        class_name: 'Dense',
        config: {
          name: 'dense_1',
          trainable: true,
          dtype: 'float32',
          units: 3,
          activation: 'softmax',
          use_bias: true,
          kernel_initializer: 'glorot_uniform',
          bias_initializer: 'zeros',
        },
      },
    ],
  },
  keras_version: '2.12.0',
  backend: 'tensorflow',
};

/** What Keras 3 `model.to_json()` writes (module keys, dtype policies, batch_shape, build_config). */
const KERAS3_JSON = {
  module: 'keras',
  class_name: 'Sequential',
  config: {
    name: 'sequential',
    trainable: true,
    dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
    layers: [
      {
        module: 'keras.layers',
        class_name: 'InputLayer',
        config: { batch_shape: [null, 8], dtype: 'float32', sparse: false, name: 'input_layer' },
        registered_name: null,
      },
      {
        module: 'keras.layers',
        class_name: 'Dense',
        config: {
          name: 'dense',
          trainable: true,
          dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
          units: 32,
          activation: 'tanh',
          use_bias: true,
          kernel_initializer: { module: 'keras.initializers', class_name: 'HeNormal', config: { seed: null }, registered_name: null },
          bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
          kernel_regularizer: null,
          bias_regularizer: null,
          kernel_constraint: null,
          bias_constraint: null,
          lora_rank: null,
        },
        build_config: { input_shape: [null, 8] },
      },
      {
        module: 'keras.layers',
        class_name: 'LayerNormalization',
        config: { name: 'layer_normalization', trainable: true, dtype: 'float32', axis: [-1], epsilon: 0.001, center: true, scale: true, rms_scaling: false },
        registered_name: null,
      },
      {
        module: 'keras.layers',
        class_name: 'Dense',
        config: { name: 'dense_1', trainable: true, dtype: 'float32', units: 1, activation: 'linear', use_bias: true },
        registered_name: null,
      },
      { module: 'keras.layers', class_name: 'Activation', config: { name: 'activation', trainable: true, activation: 'relu' }, registered_name: null },
    ],
    build_input_shape: [null, 8],
  },
  registered_name: null,
  build_config: { input_shape: [null, 8] },
};

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('presets', () => {
  it('logreg is one Dense layer: 30 inputs, binary = 31 parameters, sigmoid output', () => {
    const model = buildModel({ kind: 'logreg' }, binary30, 1);
    expect(parameterCount(model)).toBe(31);
    expect(model.layers).toHaveLength(1);
    expect(outputActivationOf(model)).toBe('sigmoid');
    model.dispose();
  });

  it('logreg multiclass has outputSize units and softmax; regression is linear', () => {
    const multi = buildModel({ kind: 'logreg' }, { inputSize: 30, outputSize: 4, target: 'multiclass' }, 1);
    expect(parameterCount(multi)).toBe(30 * 4 + 4);
    expect(outputActivationOf(multi)).toBe('softmax');
    const regression = buildModel({ kind: 'logreg' }, { inputSize: 5, outputSize: 1, target: 'regression' }, 1);
    expect(parameterCount(regression)).toBe(6);
    expect(outputActivationOf(regression)).toBe('linear');
    multi.dispose();
    regression.dispose();
  });

  it('mlp [64, 32] on 30 inputs: (30*64+64) + (64*32+32) + (32+1) = 4097 parameters', () => {
    const model = buildModel({ kind: 'mlp', hidden: [64, 32], activation: 'relu', dropout: 0 }, binary30, 1);
    expect(parameterCount(model)).toBe(30 * 64 + 64 + (64 * 32 + 32) + (32 + 1));
    expect(layerSummary(model)).toEqual([
      { name: 'hidden_1', className: 'Dense', outputShape: [64], params: 1984 },
      { name: 'hidden_2', className: 'Dense', outputShape: [32], params: 2080 },
      { name: 'output', className: 'Dense', outputShape: [1], params: 33 },
    ]);
    expect(model.layers[0]?.getConfig().activation).toBe('relu');
    model.dispose();
  });

  it('mlp with dropout adds a Dropout after each hidden layer; multiclass outputs', () => {
    const spec: ModelSpec = { kind: 'mlp', hidden: [16, 8, 4], activation: 'tanh', dropout: 0.25 };
    const model = buildModel(spec, { inputSize: 7, outputSize: 3, target: 'multiclass' }, 1);
    expect(layerSummary(model).map((layer) => layer.className)).toEqual([
      'Dense', 'Dropout', 'Dense', 'Dropout', 'Dense', 'Dropout', 'Dense',
    ]);
    expect(model.layers[1]?.getConfig().rate).toBe(0.25);
    expect(parameterCount(model)).toBe(7 * 16 + 16 + (16 * 8 + 8) + (8 * 4 + 4) + (4 * 3 + 3));
    expect(outputActivationOf(model)).toBe('softmax');
    model.dispose();
  });

  it('the same seed gives the same initial weights; another seed does not', () => {
    const spec: ModelSpec = { kind: 'mlp', hidden: [8, 8], activation: 'relu', dropout: 0 };
    const [a, b, c] = [5, 5, 6].map((seed) => buildModel(spec, binary30, seed));
    const [wa, wb, wc] = [a, b, c].map((model) => getFlatWeights(model as LayersModel));
    expect(wa).toEqual(wb);
    expect(wa).not.toEqual(wc);
    // Layers get their own streams: the two hidden layers' first weights differ.
    expect(wa?.[0]).not.toBe(wa?.[30 * 8 + 8]);
    for (const model of [a, b, c]) model?.dispose();
  });

  it('refuses a bad shape', () => {
    expectBadInput(() => buildModel({ kind: 'logreg' }, { inputSize: 0, outputSize: 1, target: 'binary' }, 1), 'inputSize');
    expectBadInput(() => buildModel({ kind: 'logreg' }, { inputSize: 3, outputSize: 2, target: 'binary' }, 1), 'one output');
  });
});

describe('Keras / TF.js JSON', () => {
  it('takes a TF.js model.toJSON() round trip and fixes input, output units and output activation', () => {
    const original = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 12, activation: 'relu', inputShape: [4] }),
        tfl.layers.dense({ units: 5, activation: 'relu' }),
      ],
    });
    const topology = original.toJSON(null, false) as Record<string, unknown>;
    original.dispose();
    const model = buildModel({ kind: 'keras', topology }, { inputSize: 9, outputSize: 1, target: 'binary' }, 3);
    expect(inputSizeOf(model)).toBe(9);
    expect(outputSizeOf(model)).toBe(1);
    expect(outputActivationOf(model)).toBe('sigmoid');
    expect(parameterCount(model)).toBe(9 * 12 + 12 + 12 + 1);
    model.dispose();

    // The same as a TF.js model.json: { modelTopology }.
    const wrapped = buildModel({ kind: 'keras', topology: { modelTopology: topology } }, { inputSize: 2, outputSize: 1, target: 'regression' }, 3);
    expect(inputSizeOf(wrapped)).toBe(2);
    expect(outputActivationOf(wrapped)).toBe('linear');
    wrapped.dispose();
  });

  it('takes Keras 2 snake_case JSON (InputLayer, Dropout, BatchNormalization, L2) and resizes it', () => {
    const model = buildModel({ kind: 'keras', topology: KERAS2_JSON }, { inputSize: 30, outputSize: 1, target: 'binary' }, 1);
    expect(inputSizeOf(model)).toBe(30);
    expect(outputSizeOf(model)).toBe(1);
    expect(outputActivationOf(model)).toBe('sigmoid');
    expect(layerSummary(model).map((layer) => layer.className)).toEqual(['Dense', 'Dropout', 'BatchNormalization', 'Dense']);
    // Dense 30x16+16, BN 4x16 (gamma, beta, moving mean, moving variance), Dense 16+1.
    expect(parameterCount(model)).toBe(30 * 16 + 16 + 4 * 16 + 17);
    // The L2 regulariser survived (as TF.js's L1L2).
    expect(model.layers[0]?.getConfig().kernelRegularizer).toMatchObject({ className: 'L1L2', config: { l2: 0.01 } });
    model.dispose();
  });

  it('takes Keras 3 JSON and applies the output activation once, in the final Activation layer', () => {
    const model = buildModel({ kind: 'keras', topology: KERAS3_JSON }, { inputSize: 12, outputSize: 4, target: 'multiclass' }, 1);
    expect(inputSizeOf(model)).toBe(12);
    expect(outputSizeOf(model)).toBe(4);
    const classes = layerSummary(model).map((layer) => layer.className);
    expect(classes).toEqual(['Dense', 'LayerNormalization', 'Dense', 'Activation']);
    expect(model.layers[2]?.getConfig().activation).toBe('linear');
    expect(outputActivationOf(model)).toBe('softmax');
    const output = (model.predict(tf.ones([2, 12])) as tf.Tensor).arraySync() as number[][];
    for (const row of output) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('older Keras: config is the layer list itself', () => {
    const topology = { class_name: 'Sequential', config: [{ class_name: 'Dense', config: { units: 3, input_dim: 100 } }] };
    const model = buildModel({ kind: 'keras', topology }, binary30, 1);
    expect(inputSizeOf(model)).toBe(30);
    expect(parameterCount(model)).toBe(31);
    model.dispose();
  });

  it('seeds Keras initialisers: the same seed gives the same weights', () => {
    const shape = { inputSize: 30, outputSize: 1, target: 'binary' } as const;
    const a = buildModel({ kind: 'keras', topology: KERAS2_JSON }, shape, 9);
    const b = buildModel({ kind: 'keras', topology: KERAS2_JSON }, shape, 9);
    const c = buildModel({ kind: 'keras', topology: KERAS2_JSON }, shape, 10);
    expect(getFlatWeights(a)).toEqual(getFlatWeights(b));
    expect(getFlatWeights(a)).not.toEqual(getFlatWeights(c));
    for (const model of [a, b, c]) model.dispose();
  });

  it('refuses a Lambda layer, naming it and listing the allowed classes', () => {
    const topology = {
      class_name: 'Sequential',
      config: {
        layers: [
          { class_name: 'Dense', config: { name: 'dense', units: 4, batch_input_shape: [null, 3] } },
          { class_name: 'Lambda', config: { name: 'sneaky', function: ['4wEAAAAAAAAA...', null, null], function_type: 'lambda' } },
          { class_name: 'Dense', config: { name: 'out', units: 1 } },
        ],
      },
    };
    const error = expectBadInput(
      () => buildModel({ kind: 'keras', topology }, binary30, 1),
      'layer 2 ("sneaky")',
      'Lambda',
      ALLOWED_LAYERS.join(', '),
    );
    expect(error.details).toMatchObject({ layer: 'sneaky', className: 'Lambda' });
  });

  it('refuses custom classes and functional models', () => {
    const custom = { class_name: 'Sequential', config: { layers: [{ class_name: 'MyAttention', config: { name: 'attn' } }] } };
    expectBadInput(() => buildModel({ kind: 'keras', topology: custom }, binary30, 1), 'MyAttention', 'not allowed');
    const functional = {
      class_name: 'Functional',
      config: { name: 'model', layers: [], input_layers: [['input_1', 0, 0]], output_layers: [['dense', 0, 0]] },
    };
    expectBadInput(() => buildModel({ kind: 'keras', topology: functional }, binary30, 1), 'functional models are not accepted', 'Sequential');
    expectBadInput(() => buildModel({ kind: 'keras', topology: { ...functional, class_name: 'Model' } }, binary30, 1), 'functional');
  });

  it('refuses models it cannot adapt: no Dense layer, layers after the output, bad configs', () => {
    const noDense = { class_name: 'Sequential', config: { layers: [{ class_name: 'Flatten', config: {} }] } };
    expectBadInput(() => buildModel({ kind: 'keras', topology: noDense }, binary30, 1), 'no Dense layer');
    const normAfter = {
      class_name: 'Sequential',
      config: { layers: [{ class_name: 'Dense', config: { units: 2 } }, { class_name: 'BatchNormalization', config: {} }] },
    };
    expectBadInput(() => buildModel({ kind: 'keras', topology: normAfter }, binary30, 1), 'not BatchNormalization');
    const badActivation = {
      class_name: 'Sequential',
      config: { layers: [{ class_name: 'Dense', config: { units: 2, activation: 'no_such_thing' } }, { class_name: 'Dense', config: { units: 1 } }] },
    };
    expectBadInput(() => buildModel({ kind: 'keras', topology: badActivation }, binary30, 1), 'layer 1', 'cannot be built');
    expectBadInput(() => buildModel({ kind: 'keras', topology: { class_name: 'Sequential', config: { layers: [] } } }, binary30, 1), 'no layers');
  });
});
