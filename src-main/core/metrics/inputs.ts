// Checks shared by the metric functions, and the probability clipping of the log losses.
import { CohortError } from '../../contract/errors';

/** Probabilities are clipped to [EPSILON, 1 - EPSILON] before a log loss takes their logarithm. */
export const PROBABILITY_EPSILON = 1e-7;

export function clipProbability(p: number): number {
  return p < PROBABILITY_EPSILON ? PROBABILITY_EPSILON : p > 1 - PROBABILITY_EPSILON ? 1 - PROBABILITY_EPSILON : p;
}

/** The number of rows, after checking that there are some and that the arrays agree on it. */
export function rowCount(what: string, first: { length: number }, second: { length: number }, perRow = 1): number {
  const n = first.length;
  if (second.length !== n * perRow) {
    const expected = perRow === 1 ? `${n}` : `${n} x ${perRow} = ${n * perRow}`;
    throw new CohortError('BAD_INPUT', `${what}: ${n} true values but ${second.length} predicted values (expected ${expected})`);
  }
  if (n === 0) throw new CohortError('NO_ROWS', `${what}: there are no rows to evaluate`);
  return n;
}

export function badValue(what: string, name: string, row: number, value: number, expected: string): CohortError {
  return new CohortError('BAD_INPUT', `${what}: ${name} at row ${row} is ${value}, expected ${expected}`, { row, value });
}
