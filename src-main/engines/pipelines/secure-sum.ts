// The TTP's side of one secure summation (core/privacy/secagg): it relays keys and encrypted
// shares between the parties, sends each its task with the shares addressed to it, receives
// masked vectors, and asks the survivors for the shares that remove the masks. It learns the
// sum of the vectors and nothing else. Used for the updates of a training round and for the
// tables of an evaluation (`purpose` keeps the two apart within one round).
//   advertise -> share keys -> task (masked) -> unmask -> sum
// A party lost before it masked is left out of the sum (its pairwise masks are rebuilt from its
// shares); one lost after it masked still counts. Fewer than the threshold at any stage: the
// sum is refused (SecAggError).
import { GRID, SecAggAdvertisement, SecAggShareReply, SecAggUnmaskReply, type SecAggPurpose, type SecAggSetup } from '../../contract/grid';
import type { PartyActivity } from '../../contract/results';
import { decodeFixedPoint, SecAggServer, secAggThreshold, type FixedPoint } from '../../core/privacy/secagg';
import type { Channel } from '../ports';
import type { Cancellation } from '../run/cancellation';

export interface SecureSumHost {
  run: string;
  timeoutMs: number;
  channelOf(party: string): Channel | undefined;
  cancellation: Cancellation;
  activity(party: string, activity: PartyActivity, message?: string): void;
  /** A party lost before its masked vector arrived. */
  failed(party: string, error: unknown): void;
  /** A party lost after its masked vector arrived: its vector still counts. */
  leftAfterMasking(party: string, error: unknown): void;
}

/** The masked step of the summation: the party does its task and masks its vector. */
export type MaskedStep<R> = (party: string, channel: Channel, secagg: { ciphertexts: Record<string, string> }) => Promise<{ masked: Uint32Array; reply: R }>;

export interface SecureSumResult<R> {
  /** The decoded sum of the survivors' vectors. */
  sum: Float64Array;
  /** The parties whose vectors are in the sum. */
  survivors: string[];
  replies: Map<string, R>;
  encoding: FixedPoint;
}

export async function secureSum<R>(
  host: SecureSumHost,
  round: number,
  purpose: SecAggPurpose,
  parties: readonly string[],
  encoding: FixedPoint,
  length: number,
  step: MaskedStep<R>,
): Promise<SecureSumResult<R>> {
  const sorted = [...parties].sort();
  const setup: SecAggSetup = { run: host.run, round, purpose, parties: sorted, threshold: secAggThreshold(sorted.length), encoding, length };
  const server = new SecAggServer(setup);
  const ask = async <T>(party: string, work: (channel: Channel) => Promise<T>): Promise<T | undefined> => {
    const channel = host.channelOf(party);
    try {
      if (!channel?.isOpen) throw Object.assign(new Error('not connected'), { name: 'PeerClosedError' });
      return await host.cancellation.race(work(channel));
    } catch (error) {
      host.cancellation.check();
      host.failed(party, error);
      return undefined;
    }
  };
  const options = { timeoutMs: host.timeoutMs };

  await Promise.all(
    sorted.map((party) =>
      ask(party, async (channel) => {
        const { body } = await channel.request(GRID.secaggAdvertise, setup, { ...options, schema: SecAggAdvertisement });
        server.addAdvertisement(party, body);
      }),
    ),
  );
  const keys = server.keys();

  await Promise.all(
    Object.keys(keys).map((party) =>
      ask(party, async (channel) => {
        const { body } = await channel.request(GRID.secaggShare, { run: host.run, round, purpose, keys }, { ...options, schema: SecAggShareReply });
        server.addShares(party, body.ciphertexts);
      }),
    ),
  );

  const replies = new Map<string, R>();
  await Promise.all(
    server.sharers().map((party) =>
      ask(party, async (channel) => {
        const { masked, reply } = await step(party, channel, { ciphertexts: server.sharesFor(party) });
        server.addMaskedUpdate(party, masked);
        replies.set(party, reply);
      }),
    ),
  );

  const { survivors, dropped } = server.unmaskRequest();
  await Promise.all(
    survivors.map(async (party) => {
      const channel = host.channelOf(party);
      try {
        if (!channel?.isOpen) throw new Error('not connected');
        const { body } = await host.cancellation.race(
          channel.request(GRID.secaggUnmask, { run: host.run, round, purpose, survivors, dropped }, { ...options, schema: SecAggUnmaskReply }),
        );
        server.addUnmaskShares(party, body.shares);
      } catch (error) {
        host.cancellation.check();
        host.leftAfterMasking(party, error);
      }
    }),
  );
  const { sum } = await server.sum();
  return { sum: decodeFixedPoint(sum, encoding), survivors, replies, encoding };
}
