import { beforeAll, describe, expect, it } from 'vitest';
import { CohortError } from '../../../src-main/contract/errors';
import { selectBackend } from '../../../src-main/ml/backend';
import { buildModel, parameterCount } from '../../../src-main/ml/model';
import { tf } from '../../../src-main/ml/tf';
import { getFlatWeights, setFlatWeights, weightLayout } from '../../../src-main/ml/weights';

beforeAll(async () => {
  await selectBackend('cpu');
});

const shape = { inputSize: 5, outputSize: 1, target: 'binary' } as const;

describe('flat weights', () => {
  it('lays out model.getWeights() order: kernel then bias, layer by layer', () => {
    const model = buildModel({ kind: 'mlp', hidden: [4], activation: 'relu', dropout: 0 }, shape, 1);
    expect(weightLayout(model)).toEqual([
      { name: 'hidden_1/kernel', shape: [5, 4], size: 20, trainable: true },
      { name: 'hidden_1/bias', shape: [4], size: 4, trainable: true },
      { name: 'output/kernel', shape: [4, 1], size: 4, trainable: true },
      { name: 'output/bias', shape: [1], size: 1, trainable: true },
    ]);
    const flat = getFlatWeights(model);
    expect(flat).toHaveLength(parameterCount(model));
    // Same values, same order as getWeights().
    const expected = model.getWeights().flatMap((tensor) => Array.from(tensor.dataSync()));
    expect(Array.from(flat)).toEqual(expected);
    model.dispose();
  });

  it('round-trips set -> get exactly, and copies the caller\'s array', () => {
    const model = buildModel({ kind: 'mlp', hidden: [4], activation: 'relu', dropout: 0 }, shape, 1);
    const values = Float32Array.from({ length: parameterCount(model) }, (_, index) => Math.sin(index) * 0.5);
    setFlatWeights(model, values);
    expect(getFlatWeights(model)).toEqual(values);
    const copy = values.slice();
    values.fill(7);
    expect(getFlatWeights(model)).toEqual(copy);
    model.dispose();
  });

  it('throws on a length mismatch with both numbers, and on non-finite values', () => {
    const model = buildModel({ kind: 'logreg' }, shape, 1);
    expect(() => setFlatWeights(model, new Float32Array(5))).toThrow(/5 values but the model has 6 parameters/);
    try {
      setFlatWeights(model, new Float32Array(7));
    } catch (error) {
      expect(error).toBeInstanceOf(CohortError);
      expect((error as CohortError).details).toEqual({ got: 7, expected: 6 });
    }
    expect(() => setFlatWeights(model, Float32Array.of(0, 0, Number.NaN, 0, 0, 0))).toThrow(/weight 2 is not a finite number/);
    model.dispose();
  });

  it('puts non-trainable weights (BatchNormalization statistics) after the trainable ones', () => {
    const topology = {
      class_name: 'Sequential',
      config: { layers: [{ class_name: 'Dense', config: { units: 3 } }, { class_name: 'BatchNormalization', config: {} }, { class_name: 'Dense', config: { units: 1 } }] },
    };
    const model = buildModel({ kind: 'keras', topology }, shape, 1);
    const layout = weightLayout(model);
    expect(layout.map((segment) => segment.trainable)).toEqual([true, true, true, true, true, true, false, false]);
    expect(layout.slice(-2).map((segment) => segment.name.split('/').pop())).toEqual(['moving_mean', 'moving_variance']);
    model.dispose();
  });

  it('leaks no tensors', () => {
    const model = buildModel({ kind: 'mlp', hidden: [8, 8], activation: 'relu', dropout: 0 }, shape, 1);
    const before = tf.memory().numTensors;
    for (let round = 0; round < 20; round++) setFlatWeights(model, getFlatWeights(model).map((value) => value * 0.9));
    weightLayout(model);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
