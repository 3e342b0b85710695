// One round of the exact regression solver at the TTP: every party gets the coefficients and
// returns its sums of loss, gradient and curvature over its rows, divided by the round's total
// rows. Plain: each party's sums arrive and are added (float64 on the wire). With secure
// aggregation the sums travel masked and only their total is ever seen (secure-sum.ts).
import { GRID, SumsReply } from '../../contract/grid';
import { float64Tensor, TENSOR, tensorOf, uintTensor } from '../../contract/tensors';
import type { PartyRound } from '../../contract/results';
import { sumsLengthOf, type GlmSpec } from '../../core/glm/spec';
import { foldSecondWords, twoWordLengthOf } from '../../core/glm/precise-words';
import { addSums, sumsFromVector, type GlmSums } from '../../core/glm/sums';
import { fixedPointFor, SecAggError, type FixedPoint } from '../../core/privacy/secagg';
import { RunFailed } from '../run/cancellation';
import { failureReasonOf, outcomeKind } from '../run/dispatcher';
import type { TaskHost } from '../run/task-host';
import { secureSum } from './secure-sum';

export interface GatheredSums {
  /** The total of the sums of the parties in `summed`; null when none replied. */
  sums: GlmSums | null;
  summed: string[];
  parties: Record<string, PartyRound>;
  /** Secure aggregation's fixed-point encoding of the sums (null: plain float64). */
  encoding: FixedPoint | null;
}

export async function gatherSums(host: TaskHost, spec: GlmSpec, round: number, parties: readonly string[], theta: Float64Array, secure: boolean): Promise<GatheredSums> {
  const totalRows = Math.max(1, parties.reduce((sum, party) => sum + host.pool.trainRows(party), 0));
  const sent = { [TENSOR.coefficients]: tensorOf(theta) };
  const length = sumsLengthOf(spec);
  const records: Record<string, PartyRound> = {};
  const ok = (party: string, reply: SumsReply) => {
    records[party] = { ok: true, loss: reply.loss, numExamples: reply.numExamples, seconds: reply.seconds };
    host.activity(party, 'trained', round);
  };
  const failed = (party: string, kind: Parameters<typeof failureReasonOf>[0], message: string) => {
    records[party] = { ok: false, reason: failureReasonOf(kind), message };
    host.dropout(party, round, `its sums failed: ${message}`);
  };

  if (!secure) {
    const outcomes = await host.pool.dispatcher.dispatch(parties, 'training', async (party) => {
      const channel = host.pool.channelOf(party)!;
      const { body, tensors } = await channel.request(GRID.sums, { run: host.run, round, totalRows }, { schema: SumsReply, tensors: sent, timeoutMs: host.timeoutMs() });
      return { body, sums: sumsFromVector(spec, float64Tensor(tensors, TENSOR.sums, length), totalRows) };
    });
    let total: GlmSums | null = null;
    const summed: string[] = [];
    for (const [party, outcome] of outcomes) {
      if (outcome.kind !== 'ok') {
        failed(party, outcome.kind, outcome.message);
        continue;
      }
      ok(party, outcome.value.body);
      summed.push(party);
      if (total) addSums(total, outcome.value.sums);
      else total = outcome.value.sums;
    }
    return { sums: total, summed, parties: records, encoding: null };
  }

  if (parties.length < 2) throw new RunFailed(`round ${round}: secure aggregation needs at least 2 participants in a round, and only ${parties.length} could take part`);
  let clamped = 0;
  try {
    const encoding = fixedPointFor(parties.length);
    const words = twoWordLengthOf(spec);
    const { sum, survivors } = await secureSum<SumsReply>(
      {
        run: host.run,
        timeoutMs: host.timeoutMs(),
        channelOf: (party) => host.pool.channelOf(party),
        cancellation: host.cancellation,
        activity: (party, activity, message) => host.activity(party, activity, round, message),
        failed: (party, error) => failed(party, outcomeKind(error), (error as Error).message),
        leftAfterMasking: (party, error) => host.log.warn('a party left after sending its masked sums (they still count)', { run: host.run, party, error: (error as Error).message }),
      },
      round,
      'fit',
      parties,
      encoding,
      words,
      async (party, channel, secagg) => {
        host.activity(party, 'training', round);
        const { body, tensors } = await channel.request(GRID.sums, { run: host.run, round, totalRows, secagg }, { schema: SumsReply, tensors: sent, timeoutMs: host.timeoutMs() });
        clamped += body.clamped ?? 0;
        ok(party, body);
        return { masked: uintTensor(tensors, TENSOR.masked, words), reply: body };
      },
    );
    if (clamped > 0) host.log.warn('values were clamped to the fixed-point range of secure aggregation', { run: host.run, round, clamped });
    return { sums: sumsFromVector(spec, foldSecondWords(sum, spec, encoding.fractionalBits), totalRows), summed: survivors, parties: records, encoding };
  } catch (error) {
    if (error instanceof SecAggError) throw new RunFailed(`round ${round}: the sums could not be added securely: ${error.message}`);
    throw error;
  }
}
