// A round's fits sent to the sampled parties at once, each with the global weights, and their
// replies collected: the local weights of those that trained, a failure for each that did not.
import { FitReply, GRID } from '../../contract/grid';
import { floatTensor, TENSOR, tensorOf, type Tensor } from '../../contract/tensors';
import type { PartyRound } from '../../contract/results';
import { decodeUpdate } from '../../core/compression/update';
import type { Failure, FitInstruction, FitResult } from '../../core/strategies/types';
import { failureReasonOf } from '../run/dispatcher';
import type { PipelineHost, TrainedParty } from './update-pipeline';

export interface CollectedFits {
  results: FitResult[];
  failures: Failure[];
  parties: Record<string, PartyRound>;
  trained: TrainedParty[];
}

export async function collectFits(host: PipelineHost, round: number, instructions: readonly FitInstruction[], global: Float32Array): Promise<CollectedFits> {
  const configs = new Map(instructions.map((instruction) => [instruction.clientId, instruction.config]));
  const sent = { [TENSOR.weights]: tensorOf(global), ...strategyTensors(host, global.length) };
  const outcomes = await host.pool.dispatcher.dispatch([...configs.keys()], 'training', async (party) => {
    const channel = host.pool.channelOf(party);
    if (!channel?.isOpen) throw Object.assign(new Error('not connected'), { name: 'PeerClosedError' });
    const { body, tensors } = await channel.request(GRID.fit, { run: host.run, config: configs.get(party)! }, { schema: FitReply, tensors: sent, timeoutMs: host.timeoutMs() });
    // A compressed update is decoded back into weights (global + update), so the strategy sees weights as usual.
    const local = host.compression === 'none' ? floatTensor(tensors, TENSOR.weights) : decodeUpdate(tensors, host.compression, global);
    // The strategy's other tensors (SCAFFOLD's control change), each as long as the weights.
    const extra = Object.fromEntries(host.strategy.replyTensors.map((name) => [name, floatTensor(tensors, name, global.length)]));
    host.activity(party, 'trained', round);
    return { body, local, extra };
  });
  const collected: CollectedFits = { results: [], failures: [], parties: {}, trained: [] };
  for (const [party, outcome] of outcomes) {
    if (outcome.kind === 'ok') {
      const { body, local, extra } = outcome.value;
      collected.results.push({ clientId: party, weights: local, numExamples: body.numExamples, loss: body.loss, tensors: extra });
      collected.trained.push({ party, loss: body.loss, numExamples: body.numExamples, seconds: body.seconds, ...(body.validation ? { validation: body.validation } : {}) });
      collected.parties[party] = { ok: true, loss: body.loss, numExamples: body.numExamples, seconds: body.seconds };
    } else {
      const failure: Failure = { clientId: party, reason: failureReasonOf(outcome.kind), message: outcome.message };
      collected.failures.push(failure);
      collected.parties[party] = { ok: false, reason: failure.reason, message: failure.message };
      host.failed(round, failure);
    }
  }
  return collected;
}

/** The tensors the strategy sends beside the global weights (SCAFFOLD's server control). */
export function strategyTensors(host: Pick<PipelineHost, 'strategy'>, length: number): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(host.strategy.fitTensors(length)).map(([name, values]) => [name, tensorOf(values)]));
}
