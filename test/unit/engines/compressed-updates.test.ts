import { describe, expect, it } from 'vitest';
import { Hyperparameters } from '../../../src-main/contract/records';
import { TENSOR, type Tensors } from '../../../src-main/contract/tensors';
import { decodeUpdate } from '../../../src-main/core/compression/update';
import { mulberry32 } from '../../../src-main/core/stats/random';
import { plainUpdate, protectedUpdate, updateCompression, type TrainedUpdate } from '../../../src-main/engines/worker-update';

function trained(length: number, seed: number, global?: Float32Array): TrainedUpdate {
  const random = mulberry32(seed);
  const base = global ?? Float32Array.from({ length }, () => random() * 4 - 2);
  return { global: base, weights: Float32Array.from(base, (value) => value + (random() - 0.5) * 0.2), numExamples: 10, extras: [] };
}

const bytes = (tensors: Tensors) => Object.values(tensors).reduce((total, tensor) => total + tensor.data.byteLength, 0);

describe('compressed updates, from the worker to the hub', () => {
  it('send no weights, only the compressed update, which the hub turns back into weights within each method\'s error', () => {
    const update = trained(1000, 1);
    const step = (method: 'float16' | 'int8') => {
      const run = { hyperparameters: Hyperparameters.parse({ compression: method }) };
      const tensors = plainUpdate(update, updateCompression(run, 1));
      expect(tensors[TENSOR.weights]).toBeUndefined();
      return { tensors, weights: decodeUpdate(tensors, method, update.global) };
    };
    const half = step('float16');
    expect(bytes(half.tensors)).toBe(2000);
    const int8 = step('int8');
    expect(bytes(int8.tensors)).toBe(1004);
    const scale = int8.tensors[TENSOR.updateScale]!.data[0]!;
    for (let index = 0; index < 1000; index += 1) {
      const delta = update.weights[index]! - update.global[index]!;
      // float16 rounds the update (relative 2^-11); adding it back to the float32 global rounds once more.
      expect(Math.abs(half.weights[index]! - update.weights[index]!)).toBeLessThanOrEqual(Math.abs(delta) * 2 ** -11 + 2 ** -22);
      expect(Math.abs(int8.weights[index]! - update.weights[index]!)).toBeLessThanOrEqual(scale + 2 ** -22);
    }
  });

  it('top-k keeps its residual per run across rounds, so over rounds everything is sent', () => {
    const run = { hyperparameters: Hyperparameters.parse({ compression: 'topk', topkFraction: 0.1 }) };
    const first = trained(100, 2);
    const firstTensors = plainUpdate(first, updateCompression(run, 1));
    expect(firstTensors[TENSOR.updateIndices]!.data.length).toBe(10);
    expect(bytes(firstTensors)).toBe(80);
    const sentFirst = decodeUpdate(firstTensors, 'topk', new Float32Array(100));
    // A second round with no change at all still sends what the first round held back.
    const still = { ...first, weights: first.global };
    const sentSecond = decodeUpdate(plainUpdate(still, updateCompression(run, 2)), 'topk', new Float32Array(100));
    let newlySent = 0;
    for (let index = 0; index < 100; index += 1) if (sentSecond[index] !== 0) newlySent += 1;
    expect(newlySent).toBe(10);
    for (let index = 0; index < 100; index += 1) if (sentSecond[index] !== 0) expect(sentFirst[index]).toBe(0);
    // Another run starts with no residual.
    const other = { hyperparameters: Hyperparameters.parse({ compression: 'topk', topkFraction: 0.1 }) };
    expect(Array.from(decodeUpdate(plainUpdate(still, updateCompression(other, 2)), 'topk', new Float32Array(100))).every((value) => value === 0)).toBe(true);
  });

  it('with local differential privacy, compresses the clipped and noised update', () => {
    const hyperparameters = Hyperparameters.parse({ compression: 'float16', privacy: { dp: 'local', clip: 0.5, noiseMultiplier: 0.01 } });
    const update = trained(500, 3);
    const { tensors } = protectedUpdate(update, { privacy: hyperparameters.privacy, normBound: null, compression: updateCompression({ hyperparameters }, 1)! });
    expect(Object.keys(tensors)).toEqual([TENSOR.updateHalf]);
    const weights = decodeUpdate(tensors, 'float16', update.global);
    let squared = 0;
    for (let index = 0; index < 500; index += 1) squared += (weights[index]! - update.global[index]!) ** 2;
    // Clipped to 0.5, plus noise of standard deviation 0.005 per value (about 0.11 over 500 values).
    expect(Math.sqrt(squared)).toBeLessThan(0.5 + 0.25);
    expect(Math.sqrt(squared)).toBeGreaterThan(0.4);
  });

  it('the hub refuses tensors that do not match the run\'s compression', () => {
    const global = new Float32Array(10);
    const run = { hyperparameters: Hyperparameters.parse({ compression: 'int8' }) };
    const tensors = plainUpdate(trained(10, 4, global), updateCompression(run, 1));
    expect(() => decodeUpdate(tensors, 'float16', global)).toThrow(/"update.f16" tensor is missing/);
    expect(() => decodeUpdate(tensors, 'int8', new Float32Array(11))).toThrow(/holds 10 values, not 11/);
    expect(() => decodeUpdate({ [TENSOR.updateIndices]: { dtype: 'uint32', shape: [1], data: Uint32Array.of(99) }, [TENSOR.updateValues]: { dtype: 'float32', shape: [1], data: Float32Array.of(1) } }, 'topk', global)).toThrow(/below 10/);
    expect(updateCompression({ hyperparameters: Hyperparameters.parse({}) }, 1)).toBeUndefined();
  });
});
