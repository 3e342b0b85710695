// Turns a local profile into the declaration a party sends for alignment: the schema and
// aggregate statistics only. Identifier-like and excluded columns send their name and kind,
// never their values; a regression target sends its sums, never its values.
import type { DataProfile, DeclaredStats, PartyDeclaration } from '../../contract/data';
import type { Task } from '../../contract/records';

export function declareProfile(party: string, profile: DataProfile, task: Task): PartyDeclaration {
  const columns = profile.columns.map((column): DeclaredStats => {
    const declared: DeclaredStats = {
      name: column.name,
      kind: column.kind,
      excluded: column.excluded,
      count: column.count,
      missing: column.missing,
    };
    const isTarget = column.name === profile.target;
    if (column.excluded && !isTarget) return declared;
    const numericLike = column.kind === 'numeric' || column.kind === 'boolean';
    if (column.numeric && numericLike && !(isTarget && task === 'classify')) {
      declared.sum = column.numeric.sum;
      declared.sumSq = column.numeric.sumSq;
      declared.m2 = column.numeric.m2;
    }
    const labels = isTarget && task === 'classify';
    if (column.levels && (column.kind === 'categorical' || column.kind === 'boolean' || labels)) {
      if (!isTarget || labels) declared.levels = Object.keys(column.levels);
    }
    if (labels && column.levels && !column.levelsTruncated) declared.labelCounts = { ...column.levels };
    return declared;
  });
  return { party, rows: profile.rows, columns };
}
