// The minimum cell count of statistical disclosure control: no figure that leaves a party
// describes fewer than k of its rows. DataSHIELD (nfilter.tab, nfilter.subset) and NVIDIA
// FLARE's federated statistics (min_count) apply the same rule; 5 is the usual default.

export const DEFAULT_MIN_CELL_COUNT = 5;
/** The lowest threshold an owner may set: below 2 the rule protects nothing. */
export const LOWEST_MIN_CELL_COUNT = 2;

/**
 * The level that stands for every level a party holds on fewer than k rows: they are merged
 * locally and only this name leaves. Parenthesised so that it reads as a bucket, not a value.
 */
export const OTHER_LEVEL = '(other)';

/** A count may leave on its own when it is 0 or at least k (1..k-1 would single out a few rows). */
export function disclosable(count: number, k: number): boolean {
  return count === 0 || count >= k;
}
