// What leaves a party after local training. Without protection: its trained weights and the
// algorithm's extra tensors (SCAFFOLD's Δc) as they are. Otherwise its update (trained minus
// global), clipped and noised for differential privacy and, with secure aggregation, bounded in
// norm here (the hub cannot see it to bound it) and masked together with its weight and the
// extra tensors weighted alike, so that the hub learns only their sums.
import { TENSOR, tensorOf, type Tensors } from '../contract/tensors';
import type { Privacy } from '../contract/records';
import { addGaussianNoise, clipToNorm, partyMechanism } from '../core/privacy/dp';
import type { SecAggClient } from '../core/privacy/secagg';

export interface TrainedUpdate {
  global: Float32Array;
  weights: Float32Array;
  numExamples: number;
  /** The algorithm's extra tensors, by name, in the order the hub expects them. */
  extras: ReadonlyArray<readonly [string, Float32Array]>;
}

/** The weights and extra tensors as trained: a run without DP or secure aggregation. */
export function plainUpdate(update: TrainedUpdate): Tensors {
  return { [TENSOR.weights]: tensorOf(update.weights), ...Object.fromEntries(update.extras.map(([name, values]) => [name, tensorOf(values)])) };
}

export interface Protection {
  privacy: Privacy;
  normBound: number | null;
  /** This round's secure sum, with the total examples the hub announced and the parties sharing the noise. */
  secagg?: { client: SecAggClient; totalExamples: number; noiseShareParties: number };
}

/** The update clipped, noised and (with secure aggregation) masked; `clamped` counts values outside the fixed-point range. */
export function protectedUpdate(update: TrainedUpdate, protection: Protection): { tensors: Tensors; clamped?: number } {
  const { privacy, secagg } = protection;
  const mechanism = partyMechanism(privacy, secagg ? secagg.noiseShareParties : null);
  const { global, weights } = update;
  const delta = new Float64Array(global.length);
  for (let index = 0; index < delta.length; index += 1) delta[index] = weights[index]! - global[index]!;
  if (mechanism.clip !== null) clipToNorm(delta, mechanism.clip);
  if (secagg && protection.normBound !== null) clipToNorm(delta, protection.normBound);
  addGaussianNoise(delta, mechanism.noiseStd);
  if (secagg) {
    const weight = mechanism.weighting === 'uniform' ? 1 : Math.min(1, update.numExamples / secagg.totalExamples);
    const extra = [weight, ...update.extras.flatMap(([, values]) => Array.from(values, (value) => value * weight))];
    const { masked, clamped } = secagg.client.maskUpdate(delta, weight, extra);
    return { tensors: { [TENSOR.masked]: tensorOf(masked) }, clamped };
  }
  const sent = new Float32Array(global.length);
  for (let index = 0; index < sent.length; index += 1) sent[index] = global[index]! + delta[index]!;
  return { tensors: { [TENSOR.weights]: tensorOf(sent), ...Object.fromEntries(update.extras.map(([name, values]) => [name, tensorOf(values)])) } };
}
