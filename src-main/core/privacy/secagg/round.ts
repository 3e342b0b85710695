// What the parties of one secure-aggregation round agree on before any key is made.
import type { FixedPoint } from './fixed-point';

export interface SecAggRound {
  run: string;
  round: number;
  /** The parties sampled for the round, sorted: the order decides who adds and who subtracts a pair's mask. */
  parties: readonly string[];
  /** How many parties must remain to unmask: more than half of the round, and at least 2. */
  threshold: number;
  encoding: FixedPoint;
  /** Ring elements per masked vector (the update's values, then its weight). */
  length: number;
}

/** What each party publishes (through the TTP) at the start of a round. */
export interface Advertisement {
  /** X25519 key to encrypt the shares sent to this party. */
  encryptionKey: string;
  /** X25519 key that, with each other party's, makes the pair's shared mask. */
  maskKey: string;
  /** sha256 of the self-mask seed, so the seed rebuilt from shares can be checked. */
  selfMaskCommitment: string;
}

/** More than half of the round's parties, and at least 2 (a sum of one update is that update). */
export function secAggThreshold(parties: number): number {
  return Math.max(2, Math.floor(parties / 2) + 1);
}

export class SecAggError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecAggError';
  }
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((item) => set.has(item));
}
