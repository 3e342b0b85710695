// A participant's side of the secure sums of one run: fresh keys for each (round, purpose) —
// a round's updates ("fit") and an evaluation's tables ("evaluate") — checked against what its
// owner approved: the run must use secure aggregation (for updates), the round's parties must be
// among the approved roster, the threshold more than half the round, and every other party's
// keys signed by the identity key the roster gives for it. Its own keys it signs.
import type { z } from 'zod';
import type { SecAggPurpose, SecAggSetup, SecAggShareRequest, SecAggUnmaskRequest } from '../contract/grid';
import { CohortError } from '../contract/errors';
import { verifyEd25519 } from '../core/crypto/keys';
import { advertisementBytes, SecAggClient, secAggThreshold, type Advertisement } from '../core/privacy/secagg';
import type { RunPlan } from '../core/authority/plan';

export class WorkerSecAgg {
  private readonly clients = new Map<SecAggPurpose, SecAggClient>();

  constructor(
    private readonly party: string,
    private readonly hubKey: string,
    private readonly plan: RunPlan,
    private readonly sign: (data: Buffer) => string,
  ) {}

  /** A new secure sum: fresh keys, checked against the approved plan, signed. */
  advertise(setup: SecAggSetup): Advertisement & { signature: string } {
    if (setup.purpose === 'fit' && !this.plan.hyperparameters.privacy.secureAggregation) {
      throw new CohortError('INSTRUCTION_REFUSED', 'this run does not use secure aggregation');
    }
    const parties = [...setup.parties].sort();
    if (new Set(parties).size !== parties.length) throw new CohortError('INSTRUCTION_REFUSED', 'the round lists a party twice');
    if (this.plan.roster.length > 0) {
      const known = new Set(this.plan.roster.map((party) => party.id));
      const strangers = parties.filter((party) => !known.has(party));
      if (strangers.length > 0) throw new CohortError('INSTRUCTION_REFUSED', `the round lists ${strangers.join(', ')}, who are not among the run's approved participants`);
    }
    if (setup.threshold < secAggThreshold(parties.length) || setup.threshold > parties.length) {
      throw new CohortError('INSTRUCTION_REFUSED', `a threshold of ${setup.threshold} for ${parties.length} parties is refused (at least ${secAggThreshold(parties.length)})`);
    }
    const client = new SecAggClient({ ...setup, parties }, this.party);
    this.clients.set(setup.purpose, client);
    const advertisement = client.advertisement();
    return { ...advertisement, signature: this.sign(advertisementBytes(this.context(setup.run, setup.round, setup.purpose), this.party, advertisement)) };
  }

  /**
   * The other parties' keys, relayed by the hub: each must be signed by the identity key the
   * approved roster gives for its party, else the hub could stand in for one of them.
   */
  async share(request: z.infer<typeof SecAggShareRequest>): Promise<Record<string, string>> {
    const client = this.client(request.round, request.purpose);
    const keysOf = new Map(this.plan.roster.map((party) => [party.id, party.key]));
    const context = this.context(request.run, request.round, request.purpose);
    const keys: Record<string, Advertisement> = {};
    for (const [party, { signature, ...advertisement }] of Object.entries(request.keys)) {
      const key = keysOf.get(party);
      if (!key || !verifyEd25519(key, advertisementBytes(context, party, advertisement), signature)) {
        throw new CohortError('INSTRUCTION_REFUSED', `the keys relayed for ${party} are not signed by the identity key this party approved for ${party}`);
      }
      keys[party] = advertisement;
    }
    return client.shareKeys(keys);
  }

  unmask(request: z.infer<typeof SecAggUnmaskRequest>): Record<string, string> {
    return this.client(request.round, request.purpose).unmaskShares(request.survivors, request.dropped);
  }

  /** The client of the secure sum under way for this round and purpose. */
  client(round: number, purpose: SecAggPurpose): SecAggClient {
    const client = this.clients.get(purpose);
    if (!client || client.setup.round !== round) throw new CohortError('INSTRUCTION_REFUSED', `no secure aggregation under way for round ${round}`);
    return client;
  }

  /**
   * The number of parties whose noise shares this party counts on to add up to the full noise:
   * the round's threshold, but never more than the approved roster allows, so a hub that pads
   * a round with parties of its own cannot shrink this party's share.
   */
  noiseShareParties(client: SecAggClient): number {
    const roster = this.plan.roster.length;
    return roster >= 2 ? Math.min(client.setup.threshold, secAggThreshold(roster)) : client.setup.threshold;
  }

  private context(run: string, round: number, purpose: SecAggPurpose) {
    return { hubKey: this.hubKey, run, round, purpose };
  }
}
