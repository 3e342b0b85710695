// Per-round client sampling: which of the available clients train in a round. The choice is
// pseudo-random but reproducible: it depends only on (seed, round) and on the *set* of available
// clients, never on the order in which they connected.
import { mix32, mulberry32 } from '../stats/random';

/** One 32-bit PRNG seed from (seed, round), so neighbouring rounds get unrelated streams. */
export function roundSeed(seed: number, round: number): number {
  return mix32(mix32(seed) ^ Math.imul(mix32(round) + 0x9e3779b9, 0x27d4eb2f));
}

/**
 * How many of `available` clients to sample: `fractionFit` of them rounded up, at least
 * `minClients`, at most all of them. (A product such as 0.3 * 10 = 3.0000000000000004 is not
 * rounded up to 4.)
 */
export function sampleSize(available: number, fractionFit: number, minClients: number): number {
  if (available <= 0) return 0;
  const wanted = Math.max(1, minClients, Math.ceil(fractionFit * available - 1e-9));
  return Math.min(available, wanted);
}

/** The ids in code-unit order with duplicates removed: the same list however they arrived. */
function canonicalOrder(ids: readonly string[]): string[] {
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.filter((id, index) => index === 0 || id !== sorted[index - 1]);
}

export interface SamplingOptions {
  /** Fraction of the available clients to sample, in (0, 1]; rounded up. */
  fractionFit: number;
  /** The least number to sample; when fewer are available, all of them are returned. */
  minClients: number;
  seed: number;
}

/**
 * The clients that train in `round`, in code-unit order: `sampleSize(...)` of the distinct
 * available ids, chosen by a partial Fisher-Yates shuffle driven by mulberry32 seeded with
 * (seed, round). If fewer than `minClients` are available, all of them are returned (the round
 * is then refused when it is aggregated).
 */
export function sampleClients(round: number, available: readonly string[], options: SamplingOptions): string[] {
  const ids = canonicalOrder(available);
  const count = sampleSize(ids.length, options.fractionFit, options.minClients);
  if (count >= ids.length) return ids;
  const random = mulberry32(roundSeed(options.seed, round));
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (ids.length - i));
    const chosen = ids[j]!;
    ids[j] = ids[i]!;
    ids[i] = chosen;
  }
  return canonicalOrder(ids.slice(0, count));
}
