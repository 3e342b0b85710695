// A model's parameters as one flat Float32Array: what travels between parties and what the
// aggregation strategies average.
//
// Order (fixed, documented): model.weights, which is model.getWeights() order: first every
// trainable weight, layer by layer in the order the layers were added (for a Dense layer:
// kernel, row-major [inputs x units], then bias), then every non-trainable weight in the same
// layer order (e.g. BatchNormalization's moving mean and moving variance). Each weight's values
// are in TF.js's row-major order. weightLayout() describes the segments.
import { CohortError } from '../contract/errors';
import { type LayersModel, tf } from './tf';

export interface WeightSegment {
  /** e.g. "hidden_1/kernel": stable for a given model spec. */
  name: string;
  shape: number[];
  size: number;
  trainable: boolean;
}

export function weightLayout(model: LayersModel): WeightSegment[] {
  return model.weights.map((weight) => {
    const shape = weight.shape.map((size) => size ?? 0);
    return { name: weight.originalName, shape, size: shape.reduce((a, b) => a * b, 1), trainable: weight.trainable };
  });
}

export function weightCount(model: LayersModel): number {
  return weightLayout(model).reduce((total, segment) => total + segment.size, 0);
}

/** A copy of every weight, concatenated in the documented order. Creates no tensors. */
export function getFlatWeights(model: LayersModel): Float32Array {
  const flat = new Float32Array(weightCount(model));
  let offset = 0;
  for (const weight of model.weights) {
    // read() returns the variable itself (no new tensor); dataSync copies out of the backend
    // (or returns its array, which is copied by set()).
    const values = weight.read().dataSync();
    flat.set(values, offset);
    offset += values.length;
  }
  return flat;
}

/**
 * Replaces every weight with the values in `flat` (documented order). The values are copied:
 * the caller may reuse or transfer `flat` afterwards. Throws on a length mismatch or a value
 * that is not a finite number.
 */
export function setFlatWeights(model: LayersModel, flat: Float32Array): void {
  const layout = weightLayout(model);
  const expected = layout.reduce((total, segment) => total + segment.size, 0);
  checkFlatWeights(flat, expected);
  tf.tidy(() => {
    let offset = 0;
    model.weights.forEach((weight, index) => {
      const segment = layout[index] as WeightSegment;
      // slice(), not subarray(): the CPU backend would otherwise keep a view of the caller's array.
      weight.write(tf.tensor(flat.slice(offset, offset + segment.size), segment.shape, 'float32'));
      offset += segment.size;
    });
  });
}

/** Throws on a length mismatch or a value that is not a finite number. */
export function checkFlatWeights(flat: Float32Array, expected: number): void {
  if (flat.length !== expected) {
    throw new CohortError(
      'BAD_INPUT',
      `weight vector has ${flat.length} values but the model has ${expected} parameters`,
      { got: flat.length, expected },
    );
  }
  for (let index = 0; index < flat.length; index++) {
    if (!Number.isFinite(flat[index] as number)) {
      throw new CohortError('BAD_INPUT', `weight ${index} is not a finite number (${flat[index]})`, { index });
    }
  }
}
