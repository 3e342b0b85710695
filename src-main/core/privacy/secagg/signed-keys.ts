// Each party signs the keys it advertises for a round with its long-term identity key, over
// everything that places them (the hub, the run, the round, the party): a hub that relays keys
// cannot swap in its own (to sit between two parties and learn their pairwise mask), nor
// replay a party's keys in another round, run or grid. Each party checks every other party's
// signature against the identity key the approved roster gives for that party.
import type { Advertisement } from './round';

export interface KeyContext {
  hubKey: string;
  run: string;
  round: number;
  /** A round's updates, or an evaluation's tables. */
  purpose: string;
}

/** The bytes a party signs for its advertisement. */
export function advertisementBytes(context: KeyContext, party: string, advertisement: Advertisement): Buffer {
  return Buffer.from(
    ['cohort secure-aggregation keys v1', context.hubKey, context.run, String(context.round), context.purpose, party, advertisement.encryptionKey, advertisement.maskKey, advertisement.selfMaskCommitment].join('\u0000'),
  );
}
