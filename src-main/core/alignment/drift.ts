// Guards a trained alignment against files that would need a different one. A file used for
// evaluation or prediction must hold the same feature columns the party had at alignment time;
// a new column, or a missing one, is feature drift and is refused with the list of differences.
// (New category levels are not drift: they encode as all zeros and are reported.)
import type { Alignment } from '../../contract/data';
import { CohortError } from '../../contract/errors';

export interface DriftCheck {
  file: string;
  party: string;
  header: readonly string[];
  /** Columns the owner leaves out of this file's features. */
  excluded?: readonly string[];
  /** Evaluation needs the target; prediction does not. */
  needsTarget: boolean;
}

export function findDrift(alignment: Alignment, check: DriftCheck): string[] {
  const problems: string[] = [];
  const present = new Set(check.header);
  const excluded = new Set(check.excluded ?? []);
  const target = alignment.target.column;

  if (check.needsTarget && !present.has(target)) problems.push(`the target column "${target}" is missing`);

  const lacking = alignment.columns
    .filter((column) => !present.has(column.name) && !column.missingAt.includes(check.party))
    .map((column) => `"${column.name}"`);
  if (lacking.length > 0) {
    problems.push(`the model was trained with column${lacking.length === 1 ? '' : 's'} ${lacking.join(', ')}, which the file lacks`);
  }

  const known = new Set([...alignment.columns.map((column) => column.name), ...alignment.ignored, target]);
  const added = check.header.filter((name) => !known.has(name) && !excluded.has(name)).map((name) => `"${name}"`);
  if (added.length > 0) {
    problems.push(
      `the file has column${added.length === 1 ? '' : 's'} ${added.join(', ')} that the alignment does not know ` +
        '(exclude them, or align and train again)',
    );
  }
  return problems;
}

export function assertNoDrift(alignment: Alignment, check: DriftCheck): void {
  const problems = findDrift(alignment, check);
  if (problems.length > 0) {
    throw new CohortError('FEATURE_DRIFT', `${check.file}: feature drift: ${problems.join('; ')}`, { problems });
  }
}
