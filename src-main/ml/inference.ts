// Running a model on rows: the outputs (probabilities or standardised values) for each row,
// in batches, with every tensor disposed.
import { tf, type LayersModel } from './tf';

const BATCH_ROWS = 4096;

export function predictRows(model: LayersModel, x: Float32Array, rows: number, featureCount: number): Float32Array {
  const outputCount = Number(model.outputs[0]?.shape.at(-1) ?? 1);
  const out = new Float32Array(rows * outputCount);
  for (let start = 0; start < rows; start += BATCH_ROWS) {
    const count = Math.min(BATCH_ROWS, rows - start);
    const batch = tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(start * featureCount, (start + count) * featureCount), [count, featureCount]);
      return (model.predict(input) as tf.Tensor).dataSync() as Float32Array;
    });
    out.set(batch, start * outputCount);
  }
  return out;
}
