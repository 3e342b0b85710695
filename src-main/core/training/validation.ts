// The validation split each party holds out of its own train rows (never its evaluate rows):
// the federation's early stopping and best-round choice look at the global model's loss on
// these rows, so the evaluate data stays unseen until the final report.
import { deriveSeed, shuffledIndices } from '../stats/random';

/** The share of a party's train rows held out for validation. */
export const VALIDATION_FRACTION = 0.15;
/** Fewer validation rows than this say too little to be worth keeping out of training. */
export const MIN_VALIDATION_ROWS = 5;

/** At most this share of a party's train rows is held out (the floor of a few rows may need more than 15 %). */
export const MAX_VALIDATION_FRACTION = 0.25;

/**
 * How many of `rows` train rows a party holds out: 15 %, and at least a handful of rows and
 * the minimum cell count (fewer could not be sent); none when that would take more than a
 * quarter of its rows (a party too small to spare them).
 */
export function validationRowCount(rows: number, minCellCount: number): number {
  const held = Math.max(Math.floor(rows * VALIDATION_FRACTION), MIN_VALIDATION_ROWS, minCellCount);
  return held > rows * MAX_VALIDATION_FRACTION ? 0 : held;
}

/** Row-major rows the split can take apart (an encoded dataset, or pooled rows). */
export interface SplittableRows {
  rows: number;
  x: Float32Array;
  y?: Float32Array;
  featureCount: number;
  outputCount: number;
  spool?: unknown;
  sourceRows?: Int32Array;
}

/**
 * A seeded split of encoded train rows into the rows trained on and the rows held out (null:
 * none held out). With `classes` (classification) each class gives its share, so the held-out
 * rows have the party's label mix even when its file is sorted by label. Rows in files
 * (spooled) are not split: they are too many to need it here.
 */
export function splitValidation<T extends SplittableRows>(data: T, seed: number, minCellCount: number, classes = false): { train: T; validation: T | null } {
  const count = data.spool || !data.y ? 0 : validationRowCount(data.rows, minCellCount);
  if (count === 0) return { train: data, validation: null };
  const strata = classes ? byClass(data.y!, data.rows, data.outputCount) : [Array.from({ length: data.rows }, (_, row) => row)];
  const shares = apportion(strata.map((rows) => rows.length), count);
  const held: number[] = [];
  strata.forEach((rows, index) => {
    const order = shuffledIndices(rows.length, deriveSeed(seed, 0x7a11d, index));
    for (let pick = 0; pick < shares[index]!; pick += 1) held.push(rows[order[pick]!]!);
  });
  held.sort((a, b) => a - b);
  const heldSet = new Set(held);
  const kept: number[] = [];
  for (let row = 0; row < data.rows; row += 1) if (!heldSet.has(row)) kept.push(row);
  return { train: pick(data, kept), validation: pick(data, held) };
}

/** The rows of each class (a one-hot target's column, or a 0/1 target's value), in row order. */
function byClass(y: Float32Array, rows: number, outputCount: number): number[][] {
  const strata = new Map<number, number[]>();
  for (let row = 0; row < rows; row += 1) {
    let label = 0;
    if (outputCount === 1) label = y[row]! >= 0.5 ? 1 : 0;
    else for (let output = 1; output < outputCount; output += 1) if (y[row * outputCount + output]! > y[row * outputCount + label]!) label = output;
    let stratum = strata.get(label);
    if (!stratum) strata.set(label, (stratum = []));
    stratum.push(row);
  }
  return [...strata.entries()].sort(([a], [b]) => a - b).map(([, stratum]) => stratum);
}

/** `total` shared out in proportion to `sizes` (largest remainders), never more than a size. */
function apportion(sizes: readonly number[], total: number): number[] {
  const all = sizes.reduce((sum, size) => sum + size, 0);
  const exact = sizes.map((size) => (size * total) / all);
  const shares = exact.map(Math.floor);
  const byRemainder = exact.map((value, index) => [value - Math.floor(value), index] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  let left = total - shares.reduce((sum, share) => sum + share, 0);
  for (const [, index] of byRemainder) {
    if (left === 0) break;
    if (shares[index]! < sizes[index]!) {
      shares[index]! += 1;
      left -= 1;
    }
  }
  return shares;
}

function pick<T extends SplittableRows>(data: T, rows: readonly number[]): T {
  const { featureCount, outputCount } = data;
  const x = new Float32Array(rows.length * featureCount);
  const y = new Float32Array(rows.length * outputCount);
  const sourceRows = new Int32Array(rows.length);
  rows.forEach((row, index) => {
    x.set(data.x.subarray(row * featureCount, (row + 1) * featureCount), index * featureCount);
    y.set(data.y!.subarray(row * outputCount, (row + 1) * outputCount), index * outputCount);
    sourceRows[index] = data.sourceRows ? data.sourceRows[row]! : row;
  });
  return { ...data, rows: rows.length, x, y, ...(data.sourceRows ? { sourceRows } : {}) };
}

/** One party's validation loss of a global model: the mean loss and the rows it is over. */
export interface ValidationLoss {
  loss: number;
  rows: number;
}

/** The row-weighted mean of the parties' validation losses (null: none reported). */
export function pooledValidationLoss(parts: ReadonlyArray<ValidationLoss | undefined>): ValidationLoss | null {
  let rows = 0;
  let sum = 0;
  for (const part of parts) {
    if (!part || part.rows <= 0 || !Number.isFinite(part.loss)) continue;
    rows += part.rows;
    sum += part.loss * part.rows;
  }
  return rows === 0 ? null : { loss: sum / rows, rows };
}

/** The best round so far by validation loss, and when to stop (patience rounds without improvement). */
export interface StoppingRule {
  patience: number;
  minDelta: number;
}

export interface BestRound {
  round: number;
  loss: number;
}

/**
 * Folds round `round`'s validation loss into the best so far: the new best (or the same), and
 * whether training should stop (the best is `patience` rounds old).
 */
export function trackBest(best: BestRound | undefined, round: number, loss: number, rule: StoppingRule): { best: BestRound; improved: boolean; stop: boolean } {
  if (!best || loss < best.loss - rule.minDelta) return { best: { round, loss }, improved: true, stop: false };
  return { best, improved: false, stop: round - best.round >= rule.patience };
}
