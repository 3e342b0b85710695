// Turns a local profile into the declaration a party sends for alignment: the schema and
// aggregate statistics only, under the owner's minimum cell count k:
// - a file of fewer than k rows declares nothing (it is refused);
// - identifier-like and excluded columns send their name and kind, never their values;
// - a numeric column with fewer than k values sends no sums (it counts as empty here);
// - a boolean whose true or false count is 1..k-1 sends no sums (they would be that count);
// - categories held by fewer than k rows are merged into one "(other)" level: only the names
//   of levels with at least k rows leave, and never their counts;
// - a column's missing count of 1..k-1 is not told (rows minus it would be its count, so the
//   count becomes the rows): the party's few missing values are declared as if filled with its
//   own mean, which keeps the pooled mean exact and shifts the pooled spread by under k/rows;
// - the target's labels all leave (the union needs them), their counts only when none of them
//   is 1..k-1 (one hidden count would be the rows minus the others);
// - a regression target sends its sums, never its values.
import type { DataProfile, DeclaredStats, PartyDeclaration } from '../../contract/data';
import { CohortError } from '../../contract/errors';
import type { Task } from '../../contract/records';
import { disclosable, OTHER_LEVEL } from '../disclosure/threshold';
import { sortLevels } from './values';

export function declareProfile(party: string, profile: DataProfile, task: Task, minCellCount: number): PartyDeclaration {
  if (profile.rows < minCellCount) {
    throw new CohortError('TOO_FEW_ROWS', `the train data has ${profile.rows} rows, fewer than the minimum cell count ${minCellCount}: nothing is declared`);
  }
  const columns = profile.columns.map((column): DeclaredStats => {
    const declared: DeclaredStats = {
      name: column.name,
      kind: column.kind,
      excluded: column.excluded,
      count: column.count,
      missing: column.missing,
    };
    const isTarget = column.name === profile.target;
    const fewMissing = !disclosable(column.missing, minCellCount);
    if (fewMissing) {
      declared.count = profile.rows;
      declared.missing = 0;
    }
    if (!isTarget && column.count < minCellCount && column.count > 0) {
      // Too few values to describe: declared like a column with none.
      return { ...declared, ...(column.excluded ? {} : { kind: 'empty' as const }), count: 0, missing: profile.rows };
    }
    if (column.excluded && !isTarget) return declared;
    const labels = isTarget && task === 'classify';
    const numericLike = column.kind === 'numeric' || column.kind === 'boolean';
    if (column.numeric && numericLike && !labels) {
      const trues = column.kind === 'boolean' ? column.numeric.sum : undefined;
      const smallCell = trues !== undefined && !(disclosable(trues, minCellCount) && disclosable(column.count - trues, minCellCount));
      if (!smallCell) {
        const { sum, sumSq, m2 } = column.numeric;
        Object.assign(declared, fewMissing ? filledAtMean({ sum, sumSq, m2 }, column.count, column.missing) : { sum, sumSq, m2 });
      }
    }
    if (labels && column.levels) {
      declared.levels = Object.keys(column.levels);
      const counts = Object.values(column.levels);
      if (!column.levelsTruncated && counts.every((count) => disclosable(count, minCellCount))) declared.labelCounts = { ...column.levels };
    } else if (column.levels && column.kind === 'boolean') {
      declared.levels = Object.keys(column.levels);
    } else if (column.levels && column.kind === 'categorical' && !isTarget) {
      declared.levels = frequentLevels(column.levels, minCellCount, column.levelsTruncated ?? false);
    }
    return declared;
  });
  return { party, rows: profile.rows, columns };
}

/** A column's sums with its `missing` values counted at its own mean: same mean and m2, more rows. */
function filledAtMean(stats: { sum: number; sumSq: number; m2: number }, count: number, missing: number): { sum: number; sumSq: number; m2: number } {
  const mean = count === 0 ? 0 : stats.sum / count;
  return { sum: stats.sum + missing * mean, sumSq: stats.sumSq + missing * mean * mean, m2: stats.m2 };
}

/** The levels held by at least k rows, and "(other)" when some were rarer. */
export function frequentLevels(levels: Readonly<Record<string, number>>, minCellCount: number, truncated = false): string[] {
  const kept = new Set<string>();
  // Levels beyond those tracked were not counted: they are rare or unknown, so "(other)".
  let rare = truncated;
  for (const [level, count] of Object.entries(levels)) {
    if (count >= minCellCount) kept.add(level);
    else if (count > 0) rare = true;
  }
  if (rare) kept.add(OTHER_LEVEL);
  return sortLevels(kept);
}
