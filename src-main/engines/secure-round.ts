// One training round under secure aggregation (see core/privacy/secagg): the TTP relays keys
// and encrypted shares between the round's parties, sends each the global weights with the
// shares addressed to it, receives masked updates, and asks the survivors for the shares that
// remove the masks. It learns the sum of the (weighted) updates and nothing else.
//   advertise -> share keys -> fit (masked) -> unmask -> sum
// A party lost before it masked is left out of the sum (its pairwise masks are rebuilt from its
// shares); one lost after it masked still counts. Fewer than the threshold at any stage: the
// round is refused.
import {
  FitReply,
  GRID,
  SecAggAdvertisement,
  SecAggShareReply,
  SecAggUnmaskReply,
  type FitConfig,
  type SecAggSetup,
} from '../contract/grid';
import type { PartyActivity } from '../contract/results';
import type { Privacy } from '../contract/records';
import { decodeFixedPoint, fixedPointFor, SecAggServer, secAggThreshold } from '../core/privacy/secagg';
import type { Channel } from './ports';

/** What the round needs from the run that drives it. */
export interface SecureRoundHost {
  run: string;
  timeoutMs: number;
  privacy: Privacy;
  channelOf(party: string): Channel | undefined;
  trainRowsOf(party: string): number;
  withCancel<T>(work: Promise<T>): Promise<T>;
  activity(party: string, activity: PartyActivity, message?: string): void;
  /** A party lost at some stage: recorded as a failure of the round. */
  failed(party: string, error: unknown): void;
  /** A party lost after its masked update arrived: its update still counts. */
  leftAfterMasking(party: string, error: unknown): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface TrainedParty {
  party: string;
  loss: number;
  numExamples: number;
  seconds: number;
}

export interface SecureRoundResult {
  /** The mean of the contributors' local weights (global + mean update). */
  mean: Float32Array;
  contributors: string[];
  trained: TrainedParty[];
  encoding: { fractionalBits: number; range: number };
}

export async function secureFitRound(
  host: SecureRoundHost,
  round: number,
  instructions: ReadonlyArray<{ clientId: string; config: FitConfig }>,
  global: Float32Array,
): Promise<SecureRoundResult> {
  const parties = instructions.map((instruction) => instruction.clientId).sort();
  const setup: SecAggSetup = {
    run: host.run,
    round,
    parties,
    threshold: secAggThreshold(parties.length),
    encoding: fixedPointFor(parties.length),
    length: global.length + 1,
  };
  const server = new SecAggServer(setup);
  const configOf = new Map(instructions.map((instruction) => [instruction.clientId, instruction.config]));
  const ask = async <T>(party: string, work: (channel: Channel) => Promise<T>): Promise<T | undefined> => {
    const channel = host.channelOf(party);
    try {
      if (!channel?.isOpen) throw Object.assign(new Error('not connected'), { name: 'PeerClosedError' });
      return await host.withCancel(work(channel));
    } catch (error) {
      host.failed(party, error);
      return undefined;
    }
  };
  const options = { timeoutMs: host.timeoutMs };

  await Promise.all(
    parties.map((party) =>
      ask(party, async (channel) => {
        host.activity(party, 'training');
        const { body } = await channel.request(GRID.secaggAdvertise, setup, { ...options, schema: SecAggAdvertisement });
        server.addAdvertisement(party, body);
      }),
    ),
  );
  const keys = server.keys();

  await Promise.all(
    Object.keys(keys).map((party) =>
      ask(party, async (channel) => {
        const { body } = await channel.request(GRID.secaggShare, { run: host.run, round, keys }, { ...options, schema: SecAggShareReply });
        server.addShares(party, body.ciphertexts);
      }),
    ),
  );

  const sharers = server.sharers();
  const totalExamples = Math.max(1, sharers.reduce((sum, party) => sum + host.trainRowsOf(party), 0));
  const trained: TrainedParty[] = [];
  let clamped = 0;
  await Promise.all(
    sharers.map((party) => {
      const secagg = { ciphertexts: server.sharesFor(party), totalExamples };
      return ask(party, async (channel) => {
        const { body, tensors } = await channel.request(
          GRID.fit,
          { run: host.run, config: configOf.get(party)!, secagg },
          { ...options, schema: FitReply, tensors: [global] },
        );
        const [masked] = tensors;
        if (!masked || tensors.length !== 1) throw new Error('replied without exactly one masked tensor');
        server.addMaskedUpdate(party, new Uint32Array(masked.buffer, masked.byteOffset, masked.length));
        clamped += body.clamped ?? 0;
        trained.push({ party, loss: body.loss, numExamples: body.numExamples, seconds: body.seconds });
        host.activity(party, 'trained');
      });
    }),
  );
  if (clamped > 0) host.warn('values were clamped to the fixed-point range of secure aggregation', { run: host.run, round, clamped });

  const { survivors, dropped } = server.unmaskRequest();
  await Promise.all(
    survivors.map(async (party) => {
      const channel = host.channelOf(party);
      try {
        if (!channel?.isOpen) throw new Error('not connected');
        const { body } = await host.withCancel(
          channel.request(GRID.secaggUnmask, { run: host.run, round, survivors, dropped }, { ...options, schema: SecAggUnmaskReply }),
        );
        server.addUnmaskShares(party, body.shares);
      } catch (error) {
        host.leftAfterMasking(party, error);
      }
    }),
  );
  const { sum } = await server.sum();
  const decoded = decodeFixedPoint(sum, setup.encoding);
  // With DP every update weighs 1 and the mean is over the parties sampled (a fixed
  // denominator, as DP-FedAvg); without, the weights were rows / total and sum to the survivors'.
  const denominator = host.privacy.dp === 'off' ? decoded[global.length]! : parties.length;
  if (!(denominator > 0)) throw new Error(`the unmasked weights sum to ${denominator}`);
  const mean = new Float32Array(global.length);
  for (let index = 0; index < mean.length; index += 1) mean[index] = global[index]! + decoded[index]! / denominator;
  trained.sort((a, b) => (a.party < b.party ? -1 : 1));
  return { mean, contributors: survivors, trained, encoding: setup.encoding };
}
