// Seeded synthetic data for the ML tests: the same seed always gives the same rows.
import { mulberry32 } from '../../../src-main/core/stats/random';
import type { TrainingData } from '../../../src-main/ml/trainer';

/** Binary labels from a fixed hyperplane (linearly separable), features uniform in [-1, 1]. */
export function separable(rows: number, featureCount: number, seed: number): TrainingData {
  const random = mulberry32(seed);
  const x = new Float32Array(rows * featureCount);
  const y = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    let score = 0;
    for (let column = 0; column < featureCount; column++) {
      const value = random() * 2 - 1;
      x[row * featureCount + column] = value;
      score += value * ((column % 3) - 1 + 0.5);
    }
    y[row] = score > 0 ? 1 : 0;
  }
  return { x, y, rows, featureCount, outputCount: 1 };
}

/** Three classes by which of three fixed directions scores highest; one-hot targets. */
export function threeClasses(rows: number, featureCount: number, seed: number): TrainingData {
  const random = mulberry32(seed);
  const x = new Float32Array(rows * featureCount);
  const y = new Float32Array(rows * 3);
  for (let row = 0; row < rows; row++) {
    const scores = [0, 0, 0];
    for (let column = 0; column < featureCount; column++) {
      const value = random() * 2 - 1;
      x[row * featureCount + column] = value;
      scores[column % 3] = (scores[column % 3] as number) + value;
    }
    const best = scores.indexOf(Math.max(...scores));
    y[row * 3 + best] = 1;
  }
  return { x, y, rows, featureCount, outputCount: 3 };
}

/** y = a fixed linear function of x plus a little noise. */
export function linear(rows: number, featureCount: number, seed: number): TrainingData {
  const random = mulberry32(seed);
  const x = new Float32Array(rows * featureCount);
  const y = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    let value = 0.3;
    for (let column = 0; column < featureCount; column++) {
      const feature = random() * 2 - 1;
      x[row * featureCount + column] = feature;
      value += feature * (column + 1) * 0.2;
    }
    y[row] = value + (random() - 0.5) * 0.05;
  }
  return { x, y, rows, featureCount, outputCount: 1 };
}

export function distance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += ((a[index] as number) - (b[index] as number)) ** 2;
  return Math.sqrt(sum);
}
