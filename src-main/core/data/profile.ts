// Profiles columns one cell at a time (so files stream) and infers each column's kind:
// numeric, categorical, boolean, identifier-like (left out of the features by default) or empty.
import type { ColumnKind } from '../../contract/records';
import type { ColumnProfile, DataProfile } from '../../contract/data';
import { applyColumnRules, type DisclosureChoices } from '../disclosure/column-rules';
import { CompensatedSum } from '../stats/compensated-sum';
import { populationStd, RunningMoments } from '../stats/moments';
import { looksBoolean, parseBoolean, parseNumber, sortLevels } from './values';

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

interface FirstSeen {
  value: string;
  line: number;
}

export class ColumnProfiler {
  private count = 0;
  private missing = 0;
  private numericCount = 0;
  private integerValued = true;
  private min = Infinity;
  private max = -Infinity;
  private readonly sum = new CompensatedSum();
  private readonly sumSq = new CompensatedSum();
  private readonly moments = new RunningMoments();
  private readonly levels = new Map<string, number>();
  private levelsTruncated = false;
  private firstNonNumeric: FirstSeen | undefined;
  // Only for columns named like identifiers: are all the numbers distinct?
  private readonly distinctNumbers: Set<number> | undefined;
  private repeatedNumber = false;

  constructor(
    readonly name: string,
    readonly position: number,
    private readonly isMissing: (cell: string) => boolean,
  ) {
    this.distinctNumbers = nameLooksLikeIdentifier(name) ? new Set() : undefined;
  }

  push(cell: string, line: number): void {
    if (this.isMissing(cell)) {
      this.missing += 1;
      return;
    }
    this.count += 1;
    const level = cell.trim();
    const seen = this.levels.get(level);
    if (seen !== undefined) this.levels.set(level, seen + 1);
    else if (this.levels.size < MAX_TRACKED_LEVELS) this.levels.set(level, 1);
    else this.levelsTruncated = true;

    const value = parseNumber(level);
    if (value === undefined) {
      this.firstNonNumeric ??= { value: level, line };
      return;
    }
    this.numericCount += 1;
    if (!Number.isInteger(value)) this.integerValued = false;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sum.add(value);
    this.sumSq.add(value * value);
    this.moments.add(value);
    if (this.distinctNumbers) {
      if (this.distinctNumbers.has(value)) this.repeatedNumber = true;
      else this.distinctNumbers.add(value);
    }
  }

  /** The first value that is not a number, for "not numeric" errors on declared-numeric columns. */
  get firstNonNumericValue(): FirstSeen | undefined {
    return this.firstNonNumeric;
  }

  private inferKind(): { kind: ColumnKind; note?: string } {
    if (this.count === 0) return { kind: 'empty', note: 'every value is missing' };
    const allNumeric = this.numericCount === this.count;
    const distinct = this.levels.size;
    const allDistinct = !this.levelsTruncated && distinct === this.count;
    if (!this.levelsTruncated && looksBoolean(this.levels.keys())) return { kind: 'boolean' };
    if (allNumeric) {
      if (this.distinctNumbers && this.integerValued && !this.repeatedNumber) {
        return { kind: 'identifier', note: 'distinct whole numbers in a column named like an identifier' };
      }
      return { kind: 'numeric' };
    }
    if (nameLooksLikeIdentifier(this.name) && allDistinct) {
      return { kind: 'identifier', note: 'distinct values in a column named like an identifier' };
    }
    const mostlyNumeric = this.numericCount >= 0.9 * this.count;
    if (mostlyNumeric && this.firstNonNumeric) {
      const { value, line } = this.firstNonNumeric;
      const bad = this.count - this.numericCount;
      const kind: ColumnKind = this.levelsTruncated || allDistinct ? 'identifier' : 'categorical';
      return {
        kind,
        note:
          `mostly numbers, but ${bad} value${bad === 1 ? ' is' : 's are'} not (first: "${value}" on line ${line}); ` +
          'fix the file or declare the column numeric to see every problem',
      };
    }
    if (this.levelsTruncated) {
      return { kind: 'identifier', note: `more than ${MAX_TRACKED_LEVELS} distinct values: an identifier or free text` };
    }
    if (allDistinct && this.count >= MIN_ROWS_FOR_UNIQUE_IDENTIFIER) {
      return { kind: 'identifier', note: 'every value is different: looks like an identifier' };
    }
    return { kind: 'categorical' };
  }

  /** The column's profile; a target column always keeps its levels (its labels). */
  finish(overrides: ColumnOverrides = {}, isTarget = false): ColumnProfile {
    const inferred = this.inferKind();
    const declared = overrides.kinds?.[this.name];
    const kind = declared ?? inferred.kind;
    const excludedByUser = overrides.exclude?.includes(this.name) ?? false;
    const excluded = !isTarget && (excludedByUser || kind === 'identifier' || kind === 'empty');
    const profile: ColumnProfile = {
      name: this.name,
      position: this.position,
      kind,
      excluded,
      count: this.count,
      missing: this.missing,
      distinct: this.levels.size,
    };
    const note = declared && declared !== inferred.kind
      ? `declared ${declared}; the values look ${inferred.kind}`
      : excludedByUser
        ? 'excluded by the data owner'
        : inferred.note;
    if (note !== undefined) profile.note = note;
    if (this.levelsTruncated) profile.levelsTruncated = true;

    if (kind === 'numeric' && this.numericCount > 0) {
      profile.numeric = this.numericSummary();
    } else if (kind === 'boolean') {
      profile.levels = this.sortedLevels();
      profile.numeric = this.booleanSummary();
    } else if (kind === 'categorical') {
      profile.levels = this.sortedLevels();
    }
    // A numeric target may hold class labels (0-9, say); keep them unless it is clearly continuous.
    if (isTarget && profile.levels === undefined && !this.levelsTruncated && this.levels.size <= MAX_NUMERIC_LABELS) {
      profile.levels = this.sortedLevels();
    }
    return applyColumnRules(profile, isTarget, overrides);
  }

  private numericSummary(): NonNullable<ColumnProfile['numeric']> {
    const { mean, m2 } = this.moments;
    return { min: this.min, max: this.max, mean, std: populationStd(this.moments), sum: this.sum.value, sumSq: this.sumSq.value, m2 };
  }

  private booleanSummary(): NonNullable<ColumnProfile['numeric']> {
    let trues = 0;
    for (const [level, n] of this.levels) if (parseBoolean(level) === 1) trues += n;
    const falses = this.count - trues;
    return {
      min: falses > 0 ? 0 : 1,
      max: trues > 0 ? 1 : 0,
      mean: trues / this.count,
      std: Math.sqrt((trues / this.count) * (falses / this.count)),
      sum: trues,
      sumSq: trues,
      m2: (trues * falses) / this.count,
    };
  }

  private sortedLevels(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const level of sortLevels(this.levels.keys())) out[level] = this.levels.get(level) ?? 0;
    return out;
  }
}

/** Profiles a whole table of cells: one profiler per column, fed row by row. */
export class TableProfiler {
  private readonly columns: ColumnProfiler[];
  private rowCount = 0;

  constructor(header: readonly string[], isMissing: (cell: string) => boolean) {
    this.columns = header.map((name, index) => new ColumnProfiler(name, index + 1, isMissing));
  }

  pushRow(cells: readonly string[], line: number): void {
    this.rowCount += 1;
    for (let i = 0; i < this.columns.length; i += 1) this.columns[i]!.push(cells[i] ?? '', line);
  }

  get rows(): number {
    return this.rowCount;
  }

  column(name: string): ColumnProfiler | undefined {
    return this.columns.find((column) => column.name === name);
  }

  finish(file: string, overrides: ColumnOverrides = {}, target?: string): DataProfile {
    const profile: DataProfile = {
      file,
      rows: this.rowCount,
      columns: this.columns.map((column) => column.finish(overrides, column.name === target)),
    };
    if (target !== undefined) profile.target = target;
    return profile;
  }
}
