// Client-level differential privacy for FedAvg-style training (McMahan et al. 2018, "Learning
// differentially private recurrent language models"): each party's update (its local weights
// minus the global ones) is clipped to L2 norm C, and Gaussian noise of standard deviation
// sigma * C is added to the sum of the clipped updates:
//   central, plain       the TTP adds the noise to the sum it computes
//   central, secure agg. each of the round's parties adds noise of variance (sigma C)^2 / t to
//                        its own update, t being the unmasking threshold: any t or more
//                        survivors' noises sum to at least the full variance, and the TTP
//                        never sees an update without its share of noise
//   local                each party adds the full sigma * C to its own update (each update is
//                        private on its own, at a larger cost in accuracy)
// With DP on, updates are averaged with equal weights over the parties sampled for the round:
// sample weighting would let a large party's update exceed the sensitivity C.
import { randomFillSync } from 'node:crypto';
import type { Privacy } from '../../contract/records';

export function l2Norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) sum += values[index]! * values[index]!;
  return Math.sqrt(sum);
}

/** Scales `values` in place so their L2 norm is at most `clip`; returns the norm before clipping. */
export function clipToNorm(values: Float32Array | Float64Array, clip: number): number {
  const norm = l2Norm(values);
  if (norm > clip) {
    const scale = clip / norm;
    for (let index = 0; index < values.length; index += 1) values[index]! *= scale;
  }
  return norm;
}

/** Uniform doubles in (0, 1) from the operating system's CSPRNG (53 random bits each). */
function uniforms(count: number): Float64Array {
  const words = new Uint32Array(count * 2);
  randomFillSync(words);
  const out = new Float64Array(count);
  for (let index = 0; index < count; index += 1) {
    // 27 + 26 bits -> a 53-bit integer, shifted to the open interval by half a step.
    out[index] = ((words[2 * index]! >>> 5) * 67108864 + (words[2 * index + 1]! >>> 6) + 0.5) / 9007199254740992;
  }
  return out;
}

/** Adds independent N(0, std^2) noise to each value, in place (Box-Muller over CSPRNG uniforms). */
export function addGaussianNoise(values: Float32Array | Float64Array, std: number): void {
  if (std === 0) return;
  if (!(std > 0) || !Number.isFinite(std)) throw new RangeError(`the noise's standard deviation must be a finite number >= 0, not ${std}`);
  const u = uniforms(values.length + (values.length % 2));
  for (let index = 0; index < values.length; index += 2) {
    const radius = std * Math.sqrt(-2 * Math.log(u[index]!));
    const angle = 2 * Math.PI * u[index + 1]!;
    values[index]! += radius * Math.cos(angle);
    if (index + 1 < values.length) values[index + 1]! += radius * Math.sin(angle);
  }
}

/** What a party does to its update before it leaves: clip it, then add this much noise. */
export interface PartyMechanism {
  /** L2 clipping norm (null: no clipping, DP off). */
  clip: number | null;
  /** Standard deviation of the noise each value gets (0: none). */
  noiseStd: number;
  /** 'uniform' with DP (weight 1 each), else 'examples' (weighted by training rows). */
  weighting: 'examples' | 'uniform';
}

export function partyMechanism(privacy: Privacy, threshold: number | null): PartyMechanism {
  const { dp, clip, noiseMultiplier } = privacy;
  if (dp === 'off') return { clip: null, noiseStd: 0, weighting: 'examples' };
  if (dp === 'local') return { clip, noiseStd: noiseMultiplier * clip, weighting: 'uniform' };
  if (privacy.secureAggregation) {
    if (threshold === null || threshold < 1) throw new RangeError('central DP with secure aggregation needs the unmasking threshold');
    return { clip, noiseStd: (noiseMultiplier * clip) / Math.sqrt(threshold), weighting: 'uniform' };
  }
  return { clip, noiseStd: 0, weighting: 'uniform' };
}

/** The noise the TTP adds to the sum itself: only with central DP and no secure aggregation. */
export function centralNoiseStd(privacy: Privacy): number {
  return privacy.dp === 'central' && !privacy.secureAggregation ? privacy.noiseMultiplier * privacy.clip : 0;
}
