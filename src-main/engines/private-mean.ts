// The mean update of a round under differential privacy without secure aggregation: the TTP
// sees each update, clips it (again: the worker already did) and, for central DP, adds the
// Gaussian noise to the sum before dividing by the number of parties sampled.
import type { Privacy } from '../contract/records';
import { addGaussianNoise, centralNoiseStd, clipToNorm } from '../core/privacy/dp';

export function privateMean(global: Float32Array, locals: readonly Float32Array[], privacy: Privacy, sampled: number): Float32Array {
  const sum = new Float64Array(global.length);
  const update = new Float64Array(global.length);
  for (const local of locals) {
    for (let index = 0; index < update.length; index += 1) update[index] = local[index]! - global[index]!;
    clipToNorm(update, privacy.clip);
    for (let index = 0; index < sum.length; index += 1) sum[index]! += update[index]!;
  }
  addGaussianNoise(sum, centralNoiseStd(privacy));
  const mean = new Float32Array(global.length);
  for (let index = 0; index < mean.length; index += 1) mean[index] = global[index]! + sum[index]! / sampled;
  return mean;
}
