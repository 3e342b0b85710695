// Plain FedAvg-style rounds: every party's local weights reach the TTP; the strategy sees each.
import { collectFits } from './collect-fits';
import type { PipelineHost, RoundTraining, UpdatePipeline } from './update-pipeline';
import type { FitInstruction } from '../../core/strategies/types';

export class PlainPipeline implements UpdatePipeline {
  readonly kind = 'plain' as const;
  readonly encoding = null;

  constructor(private readonly host: PipelineHost) {}

  async train(round: number, instructions: readonly FitInstruction[], global: Float32Array): Promise<RoundTraining> {
    const { results, failures, parties, trained } = await collectFits(this.host, round, instructions, global);
    return { outcome: this.host.strategy.aggregateFit(round, global, results, failures), parties, trained };
  }
}
