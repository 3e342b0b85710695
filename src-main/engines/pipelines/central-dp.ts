// Central differential privacy without secure aggregation: the TTP sees each party's update,
// clips it (again: the party already did) and adds Gaussian noise to their sum before dividing
// by the number of parties sampled (a fixed denominator, as DP-FedAvg); the strategy sees the
// noisy mean only.
import { addGaussianNoise, centralNoiseStd, clipToNorm } from '../../core/privacy/dp';
import type { FitInstruction } from '../../core/strategies/types';
import { collectFits } from './collect-fits';
import type { PipelineHost, RoundTraining, UpdatePipeline } from './update-pipeline';

export class CentralDpPipeline implements UpdatePipeline {
  readonly kind = 'central-dp' as const;
  readonly encoding = null;

  constructor(private readonly host: PipelineHost) {}

  async train(round: number, instructions: readonly FitInstruction[], global: Float32Array): Promise<RoundTraining> {
    const { results, failures, parties, trained } = await collectFits(this.host, round, instructions, global);
    const wrong = results.find((result) => result.weights.length !== global.length);
    if (wrong) return { outcome: { ok: false, reason: `client ${wrong.clientId} returned ${wrong.weights.length} weights, but the model has ${global.length}` }, parties, trained };
    // The clip bounds each update's norm; a tighter norm bound applies on top.
    const privacy = this.host.normBound === null ? this.host.privacy : { ...this.host.privacy, clip: Math.min(this.host.privacy.clip, this.host.normBound) };
    const mean = noisyMean(global, results.map((result) => result.weights), privacy, instructions.length);
    return { outcome: this.host.strategy.aggregateMean(round, global, mean, results.map((result) => result.clientId), failures), parties, trained };
  }
}

export function noisyMean(global: Float32Array, locals: readonly Float32Array[], privacy: Parameters<typeof centralNoiseStd>[0], sampled: number): Float32Array {
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
