// The aggregates of columns held as cells in memory, one cell at a time: the reference for what
// the engine computes over files and queries (test/unit/datasource checks that both agree), and
// the way to profile small tables built in code.
import type { DataProfile } from '../../contract/data';
import { CompensatedSum } from '../stats/compensated-sum';
import { RunningMoments } from '../stats/moments';
import { MAX_TRACKED_LEVELS, nameLooksLikeIdentifier, profileTable, type ColumnAggregates, type ColumnOverrides, type FirstSeen } from './profile';
import { parseNumber } from './values';

export class CellAggregator {
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
      this.firstNonNumeric ??= { value: level, where: `line ${line}` };
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

  aggregates(): ColumnAggregates {
    const aggregates: ColumnAggregates = {
      name: this.name,
      position: this.position,
      count: this.count,
      missing: this.missing,
      numericCount: this.numericCount,
      integerValued: this.integerValued,
      min: this.min,
      max: this.max,
      sum: this.sum.value,
      sumSq: this.sumSq.value,
      mean: this.moments.mean,
      m2: this.moments.m2,
      levels: this.levels,
      levelsTruncated: this.levelsTruncated,
    };
    if (this.distinctNumbers) aggregates.numbersAllDistinct = !this.repeatedNumber;
    if (this.firstNonNumeric) aggregates.firstNonNumeric = this.firstNonNumeric;
    return aggregates;
  }
}

/** Profiles a whole table of cells: one aggregator per column, fed row by row. */
export class TableProfiler {
  private readonly columns: CellAggregator[];
  private rowCount = 0;

  constructor(header: readonly string[], isMissing: (cell: string) => boolean) {
    this.columns = header.map((name, index) => new CellAggregator(name, index + 1, isMissing));
  }

  pushRow(cells: readonly string[], line: number): void {
    this.rowCount += 1;
    for (let i = 0; i < this.columns.length; i += 1) this.columns[i]!.push(cells[i] ?? '', line);
  }

  get rows(): number {
    return this.rowCount;
  }

  finish(file: string, overrides: ColumnOverrides = {}, target?: string): DataProfile {
    return profileTable(file, this.rowCount, this.columns.map((column) => column.aggregates()), overrides, target);
  }
}
