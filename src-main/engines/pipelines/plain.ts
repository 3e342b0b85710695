// Plain rounds: every party's local weights reach the TTP, which bounds each update's norm
// (when the run sets a bound) and lets the strategy see each: the only pipeline where robust
// aggregators (median, trimmed mean, Krum) can work.
import { collectFits } from './collect-fits';
import type { PipelineHost, RoundTraining, UpdatePipeline } from './update-pipeline';
import type { FitInstruction } from '../../core/strategies/types';
import { clipToNorm } from '../../core/privacy/dp';

/** The local weights moved back so that the update (local - global) has at most norm `bound`. */
export function boundedUpdate(global: Float32Array, local: Float32Array, bound: number): Float32Array {
  if (local.length !== global.length) return local; // the strategy refuses it, with the reason
  const update = new Float64Array(global.length);
  for (let index = 0; index < update.length; index += 1) update[index] = local[index]! - global[index]!;
  clipToNorm(update, bound);
  return Float32Array.from(update, (value, index) => global[index]! + value);
}

export class PlainPipeline implements UpdatePipeline {
  readonly kind = 'plain' as const;
  readonly encoding = null;

  constructor(private readonly host: PipelineHost) {}

  async train(round: number, instructions: readonly FitInstruction[], global: Float32Array): Promise<RoundTraining> {
    const { results, failures, parties, trained } = await collectFits(this.host, round, instructions, global);
    const bound = this.host.normBound;
    const bounded = bound === null ? results : results.map((result) => ({ ...result, weights: boundedUpdate(global, result.weights, bound) }));
    return { outcome: this.host.strategy.aggregateFit(round, global, bounded, failures), parties, trained };
  }
}
