// Secure aggregation of a round's updates (secure-sum.ts): each sampled party receives the
// global weights with the shares addressed to it, trains, and returns its update weighted,
// (with DP: clipped and noised,) masked; the TTP unmasks only the sum. Without DP the update
// is weighted by rows / total rows and the total weight is the vector's last element; with DP
// every update weighs 1 and the mean is over the parties sampled.
import { FitReply, GRID } from '../../contract/grid';
import { TENSOR, tensorOf, uintTensor } from '../../contract/tensors';
import type { PartyRound } from '../../contract/results';
import { fixedPointFor, SecAggError } from '../../core/privacy/secagg';
import type { FitInstruction } from '../../core/strategies/types';
import { RunFailed } from '../run/cancellation';
import { failureReasonOf, outcomeKind } from '../run/dispatcher';
import { strategyTensors } from './collect-fits';
import { secureSum } from './secure-sum';
import type { PipelineHost, RoundTraining, TrainedParty, UpdatePipeline } from './update-pipeline';

export class SecureAggregationPipeline implements UpdatePipeline {
  readonly kind = 'secure-aggregation' as const;
  encoding: { fractionalBits: number; range: number } | null = null;

  constructor(private readonly host: PipelineHost) {}

  async train(round: number, instructions: readonly FitInstruction[], global: Float32Array): Promise<RoundTraining> {
    const { host } = this;
    if (instructions.length < 2) {
      throw new RunFailed(`round ${round}: secure aggregation needs at least 2 participants in a round, and only ${instructions.length} could take part`);
    }
    const parties = instructions.map((instruction) => instruction.clientId).sort();
    const configOf = new Map(instructions.map((instruction) => [instruction.clientId, instruction.config]));
    const records: Record<string, PartyRound> = {};
    const failures: Array<{ clientId: string; reason: ReturnType<typeof failureReasonOf>; message: string }> = [];
    // Training rows of the parties that shared keys, for the weights (known before anyone trains).
    const totalExamples = () => Math.max(1, parties.reduce((sum, party) => sum + host.pool.trainRows(party), 0));
    // The masked vector: the weighted update, its weight, then each of the strategy's tensors, weighted alike.
    const extras = host.strategy.replyTensors;
    const sent = { [TENSOR.weights]: tensorOf(global), ...strategyTensors(host, global.length) };
    const length = global.length * (1 + extras.length) + 1;
    let clamped = 0;
    try {
      const encoding = fixedPointFor(parties.length);
      const { sum, survivors, replies } = await secureSum(
        {
          run: host.run,
          timeoutMs: host.timeoutMs(),
          channelOf: (party) => host.pool.channelOf(party),
          cancellation: host.cancellation,
          activity: (party, activity, message) => host.activity(party, activity, round, message),
          failed: (party, error) => {
            const failure = { clientId: party, reason: failureReasonOf(outcomeKind(error)), message: (error as Error).message };
            host.activity(party, 'failed', round, failure.message);
            failures.push(failure);
            records[party] = { ok: false, reason: failure.reason, message: failure.message };
            host.failed(round, failure);
          },
          leftAfterMasking: (party, error) => {
            host.activity(party, 'failed', round, (error as Error).message);
            host.leftAfterMasking(party, round, (error as Error).message);
          },
        },
        round,
        'fit',
        parties,
        encoding,
        length,
        async (party, channel, secagg) => {
          host.activity(party, 'training', round);
          const { body, tensors } = await channel.request(
            GRID.fit,
            { run: host.run, config: configOf.get(party)!, secagg: { ...secagg, totalExamples: totalExamples() } },
            { timeoutMs: host.timeoutMs(), schema: FitReply, tensors: sent },
          );
          const masked = uintTensor(tensors, TENSOR.masked, length);
          clamped += body.clamped ?? 0;
          host.activity(party, 'trained', round);
          return { masked, reply: body };
        },
      );
      this.encoding = encoding;
      if (clamped > 0) host.warn('values were clamped to the fixed-point range of secure aggregation', { run: host.run, round, clamped });
      // With DP every update weighs 1 and the mean is over the parties sampled (a fixed
      // denominator, as DP-FedAvg); without, the weights were rows / total and sum to the survivors'.
      const denominator = host.privacy.dp === 'off' ? sum[global.length]! : parties.length;
      if (!(denominator > 0)) throw new SecAggError(`the unmasked weights sum to ${denominator}`);
      const mean = new Float32Array(global.length);
      for (let index = 0; index < mean.length; index += 1) mean[index] = global[index]! + sum[index]! / denominator;
      const trained: TrainedParty[] = [...replies].map(([party, body]) => ({ party, loss: body.loss, numExamples: body.numExamples, seconds: body.seconds, ...(body.validation ? { validation: body.validation } : {}) }));
      trained.sort((a, b) => (a.party < b.party ? -1 : 1));
      for (const party of trained) records[party.party] = { ok: true, loss: party.loss, numExamples: party.numExamples, seconds: party.seconds };
      // Each extra tensor's mean, weighted as the update's.
      const meanTensors = Object.fromEntries(
        extras.map((name, index) => {
          const start = global.length + 1 + index * global.length;
          return [name, Float64Array.from(sum.subarray(start, start + global.length), (value) => value / denominator)];
        }),
      );
      return { outcome: host.strategy.aggregateMean(round, global, mean, survivors, failures, meanTensors), parties: records, trained };
    } catch (error) {
      if (error instanceof SecAggError) throw new RunFailed(`round ${round}: ${error.message}`);
      throw error;
    }
  }
}

