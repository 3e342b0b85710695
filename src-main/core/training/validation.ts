// The validation split each party holds out of its own train rows (never its evaluate rows):
// the federation's early stopping and best-round choice look at the global model's loss on
// these rows, so the evaluate data stays unseen until the final report.
import { deriveSeed, shuffledIndices } from '../stats/random';

/** The share of a party's train rows held out for validation. */
export const VALIDATION_FRACTION = 0.15;
/** Fewer validation rows than this say too little to be worth keeping out of training. */
export const MIN_VALIDATION_ROWS = 5;

/**
 * How many of `rows` train rows a party holds out: 15 %, or none when that would be fewer than
 * the minimum cell count (its loss could not be sent) or than a handful of rows.
 */
export function validationRowCount(rows: number, minCellCount: number): number {
  const held = Math.floor(rows * VALIDATION_FRACTION);
  // Training keeps at least as many rows as it gives away.
  if (held < Math.max(MIN_VALIDATION_ROWS, minCellCount) || rows - held < held) return 0;
  return held;
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
 * none held out). Rows in files (spooled) are not split: they are too many to need it here.
 */
export function splitValidation<T extends SplittableRows>(data: T, seed: number, minCellCount: number): { train: T; validation: T | null } {
  const count = data.spool || !data.y ? 0 : validationRowCount(data.rows, minCellCount);
  if (count === 0) return { train: data, validation: null };
  const order = shuffledIndices(data.rows, deriveSeed(seed, 0x7a11d));
  const held = Array.from(order.subarray(0, count)).sort((a, b) => a - b);
  const heldSet = new Set(held);
  const kept: number[] = [];
  for (let row = 0; row < data.rows; row += 1) if (!heldSet.has(row)) kept.push(row);
  return { train: pick(data, kept), validation: pick(data, held) };
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
