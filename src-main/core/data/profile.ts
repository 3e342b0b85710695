// Infers each column's kind (numeric, categorical, boolean, identifier-like or empty) and builds
// its summary from aggregates: counts, numeric sums and moments, level counts (capped). The
// aggregates come from the analytical engine for files and queries (datasource/engine), or from
// CellAggregator for cells held in memory; the rules are the same whichever computed them.
import type { ColumnKind } from '../../contract/records';
import type { ColumnProfile, DataProfile } from '../../contract/data';
import { applyColumnRules, type DisclosureChoices } from '../disclosure/column-rules';
import { looksBoolean, parseBoolean, sortLevels } from './values';

export { CellAggregator, TableProfiler } from './cell-aggregates';

/** Beyond this many distinct values a column is not treated as categorical. */
export const MAX_TRACKED_LEVELS = 1000;

/** A numeric target with more distinct values than this is continuous, not class labels. */
export const MAX_NUMERIC_LABELS = 100;

/** Below this many values, "every value is different" is not evidence of an identifier. */
const MIN_ROWS_FOR_UNIQUE_IDENTIFIER = 20;

// Names such as id, uuid, mrn, patient_id, PatientID, record-no.
const IDENTIFIER_NAME =
  /^(id|uuid|guid|mrn|key|index)$|[_\s.-](id|uuid|guid|mrn|key)$|^(patient|record|sample|subject|case)[_\s.-]?(id|no|nr|number)$/i;
// camelCase (visitId, PatientID) is told by its case, so this one must not ignore case: else
// "valid", "thyroid" or "lipid" would look like identifiers.
const CAMEL_CASE_IDENTIFIER_NAME = /[a-z](Id|ID|Uuid|UUID)$/;

export function nameLooksLikeIdentifier(name: string): boolean {
  const trimmed = name.trim();
  return IDENTIFIER_NAME.test(trimmed) || CAMEL_CASE_IDENTIFIER_NAME.test(trimmed);
}

/** What a data owner may override about a column's inferred kind, and the disclosure choices. */
export interface ColumnOverrides extends DisclosureChoices {
  /** Declared kinds, by column name. */
  kinds?: Record<string, ColumnKind>;
  /** Columns to leave out of the features whatever their kind. */
  exclude?: readonly string[];
}

/** Where a value sits, as its owner would look for it: "line 12" in a CSV file, "row 12" elsewhere. */
export interface FirstSeen {
  value: string;
  where: string;
}

/**
 * Everything the rules need to know about one column. Values are cells after trimming; a cell
 * is numeric when it is plain decimal notation (values.ts, parseNumber); levels are the distinct
 * non-missing values with their counts, at most MAX_TRACKED_LEVELS of them.
 */
export interface ColumnAggregates {
  name: string;
  /** 1-based position in the source. */
  position: number;
  /** Non-missing values. */
  count: number;
  missing: number;
  /** Non-missing values that are numbers. */
  numericCount: number;
  /** Every number is a whole number (true when there are none). */
  integerValued: boolean;
  /** Over the numbers only: min, max, compensated sums, mean and sum of squared deviations. */
  min: number;
  max: number;
  sum: number;
  sumSq: number;
  mean: number;
  m2: number;
  /** Quartiles of the numbers, where the engine computed them. */
  quartiles?: [number, number, number];
  levels: ReadonlyMap<string, number>;
  /** More distinct values than MAX_TRACKED_LEVELS: `levels` holds only some of them. */
  levelsTruncated: boolean;
  /** Only for columns named like identifiers: no number occurs twice. */
  numbersAllDistinct?: boolean;
  /** The first value that is not a number, where the column is mostly numbers (see needsFirstNonNumeric). */
  firstNonNumeric?: FirstSeen;
}

/** Whether the rules will name the first non-number of this column (so a source must find it). */
export function needsFirstNonNumeric(aggregates: Pick<ColumnAggregates, 'count' | 'numericCount'>): boolean {
  return aggregates.numericCount < aggregates.count && aggregates.numericCount >= 0.9 * aggregates.count;
}

export function inferKind(column: ColumnAggregates): { kind: ColumnKind; note?: string } {
  if (column.count === 0) return { kind: 'empty', note: 'every value is missing' };
  const allNumeric = column.numericCount === column.count;
  const distinct = column.levels.size;
  const allDistinct = !column.levelsTruncated && distinct === column.count;
  if (!column.levelsTruncated && looksBoolean(column.levels.keys())) return { kind: 'boolean' };
  const identifierName = nameLooksLikeIdentifier(column.name);
  if (allNumeric) {
    if (identifierName && column.integerValued && column.numbersAllDistinct === true) {
      return { kind: 'identifier', note: 'distinct whole numbers in a column named like an identifier' };
    }
    return { kind: 'numeric' };
  }
  if (identifierName && allDistinct) {
    return { kind: 'identifier', note: 'distinct values in a column named like an identifier' };
  }
  if (needsFirstNonNumeric(column)) {
    const bad = column.count - column.numericCount;
    const kind: ColumnKind = column.levelsTruncated || allDistinct ? 'identifier' : 'categorical';
    const first = column.firstNonNumeric ? ` (first: "${column.firstNonNumeric.value}" on ${column.firstNonNumeric.where})` : '';
    return {
      kind,
      note:
        `mostly numbers, but ${bad} value${bad === 1 ? ' is' : 's are'} not${first}; ` +
        'fix the file or declare the column numeric to see every problem',
    };
  }
  if (column.levelsTruncated) {
    return { kind: 'identifier', note: `more than ${MAX_TRACKED_LEVELS} distinct values: an identifier or free text` };
  }
  if (allDistinct && column.count >= MIN_ROWS_FOR_UNIQUE_IDENTIFIER) {
    return { kind: 'identifier', note: 'every value is different: looks like an identifier' };
  }
  return { kind: 'categorical' };
}

/** The column's profile; a target column always keeps its levels (its labels). */
export function profileColumn(column: ColumnAggregates, overrides: ColumnOverrides = {}, isTarget = false): ColumnProfile {
  const inferred = inferKind(column);
  const declared = overrides.kinds?.[column.name];
  const kind = declared ?? inferred.kind;
  const excludedByUser = overrides.exclude?.includes(column.name) ?? false;
  const excluded = !isTarget && (excludedByUser || kind === 'identifier' || kind === 'empty');
  const profile: ColumnProfile = {
    name: column.name,
    position: column.position,
    kind,
    excluded,
    count: column.count,
    missing: column.missing,
    distinct: column.levelsTruncated ? MAX_TRACKED_LEVELS : column.levels.size,
  };
  const note = declared && declared !== inferred.kind
    ? `declared ${declared}; the values look ${inferred.kind}`
    : excludedByUser
      ? 'excluded by the data owner'
      : inferred.note;
  if (note !== undefined) profile.note = note;
  if (column.levelsTruncated) profile.levelsTruncated = true;

  if (kind === 'numeric' && column.numericCount > 0) {
    profile.numeric = numericSummary(column);
  } else if (kind === 'boolean') {
    profile.levels = sortedLevels(column.levels);
    profile.numeric = booleanSummary(column);
  } else if (kind === 'categorical') {
    profile.levels = sortedLevels(column.levels);
  }
  // A numeric target may hold class labels (0-9, say); keep them unless it is clearly continuous.
  if (isTarget && profile.levels === undefined && !column.levelsTruncated && column.levels.size <= MAX_NUMERIC_LABELS) {
    profile.levels = sortedLevels(column.levels);
  }
  return applyColumnRules(profile, isTarget, overrides);
}

/** A whole table's profile from its columns' aggregates. */
export function profileTable(
  file: string,
  rows: number,
  columns: readonly ColumnAggregates[],
  overrides: ColumnOverrides = {},
  target?: string,
): DataProfile {
  const profile: DataProfile = {
    file,
    rows,
    columns: columns.map((column) => profileColumn(column, overrides, column.name === target)),
  };
  if (target !== undefined) profile.target = target;
  return profile;
}

function numericSummary(column: ColumnAggregates): NonNullable<ColumnProfile['numeric']> {
  const { min, max, mean, m2, sum, sumSq, numericCount } = column;
  const summary: NonNullable<ColumnProfile['numeric']> = { min, max, mean, std: Math.sqrt(Math.max(0, m2) / numericCount), sum, sumSq, m2 };
  if (column.quartiles) summary.quartiles = column.quartiles;
  return summary;
}

function booleanSummary(column: ColumnAggregates): NonNullable<ColumnProfile['numeric']> {
  let trues = 0;
  for (const [level, n] of column.levels) if (parseBoolean(level) === 1) trues += n;
  const falses = column.count - trues;
  return {
    min: falses > 0 ? 0 : 1,
    max: trues > 0 ? 1 : 0,
    mean: trues / column.count,
    std: Math.sqrt((trues / column.count) * (falses / column.count)),
    sum: trues,
    sumSq: trues,
    m2: (trues * falses) / column.count,
  };
}

function sortedLevels(levels: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const level of sortLevels(levels.keys())) out[level] = levels.get(level) ?? 0;
  return out;
}
