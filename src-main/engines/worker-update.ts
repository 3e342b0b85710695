// What leaves a party after local training. Without protection: its trained weights and the
// algorithm's extra tensors (SCAFFOLD's Δc) as they are. Otherwise its update (trained minus
// global), clipped and noised for differential privacy and, with secure aggregation, bounded in
// norm here (the hub cannot see it to bound it) and masked together with its weight and the
// extra tensors weighted alike, so that the hub learns only their sums. A run that compresses its
// updates sends the update (never the weights) compressed, after any clipping and noise.
import { randomInt } from 'node:crypto';
import { TENSOR, tensorOf, type Tensors } from '../contract/tensors';
import type { Hyperparameters, Privacy } from '../contract/records';
import { encodeUpdate, type CompressionMemory, type CompressionSetting } from '../core/compression/update';
import { deriveSeed } from '../core/stats/random';
import { addGaussianNoise, clipToNorm, partyMechanism } from '../core/privacy/dp';
import type { SecAggClient } from '../core/privacy/secagg';

export interface TrainedUpdate {
  global: Float32Array;
  weights: Float32Array;
  numExamples: number;
  /** The algorithm's extra tensors, by name, in the order the hub expects them. */
  extras: ReadonlyArray<readonly [string, Float32Array]>;
}

/** How this round's update is compressed, and what the party keeps for the next round. */
export interface UpdateCompression {
  setting: CompressionSetting;
  memory: CompressionMemory;
  /** Seeds the 8-bit stochastic rounding of this round. */
  seed: number;
}

// Each run's compression memory (top-k's residual), kept in memory for as long as the run's
// state lives at this worker: a restarted worker starts again with no residual.
const memories = new WeakMap<object, { memory: CompressionMemory; seed: number }>();

/** The compression of a run's update for `round` (undefined: none); `run` is the run's own state. */
export function updateCompression(run: { hyperparameters: Hyperparameters }, round: number): UpdateCompression | undefined {
  const { compression, topkFraction } = run.hyperparameters;
  if (compression === 'none') return undefined;
  let kept = memories.get(run);
  if (!kept) {
    // A seed of its own per party, so the parties' rounding errors are independent and average out.
    kept = { memory: { residual: null }, seed: randomInt(2 ** 31 - 1) };
    memories.set(run, kept);
  }
  return { setting: { method: compression, topkFraction }, memory: kept.memory, seed: deriveSeed(kept.seed, round) };
}

/** The weights (or, compressed, the update) and extra tensors as trained: a run without DP or secure aggregation. */
export function plainUpdate(update: TrainedUpdate, compression?: UpdateCompression): Tensors {
  if (!compression) return { [TENSOR.weights]: tensorOf(update.weights), ...extrasOf(update) };
  const { global, weights } = update;
  const delta = new Float64Array(global.length);
  for (let index = 0; index < delta.length; index += 1) delta[index] = weights[index]! - global[index]!;
  return compressed(delta, update, compression);
}

function compressed(delta: Float64Array, update: TrainedUpdate, compression: UpdateCompression): Tensors {
  return { ...encodeUpdate(delta, compression.setting, compression.seed, compression.memory), ...extrasOf(update) };
}

function extrasOf(update: TrainedUpdate): Tensors {
  return Object.fromEntries(update.extras.map(([name, values]) => [name, tensorOf(values)]));
}

export interface Protection {
  privacy: Privacy;
  normBound: number | null;
  /** Applied after clipping and noise: post-processing, so differential privacy's accounting is unchanged. Never with secure aggregation. */
  compression?: UpdateCompression;
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
  if (protection.compression) return { tensors: compressed(delta, update, protection.compression) };
  const sent = new Float32Array(global.length);
  for (let index = 0; index < sent.length; index += 1) sent[index] = global[index]! + delta[index]!;
  return { tensors: { [TENSOR.weights]: tensorOf(sent), ...extrasOf(update) } };
}
