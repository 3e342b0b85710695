// Inspects a CSV file for its owner: inferred kinds and a summary per column, in one streaming
// pass. Nothing here leaves the machine.
import type { DataProfile } from '../contract/data';
import { DataFileError } from '../contract/errors';
import { TableProfiler, type ColumnOverrides } from '../core/data/profile';
import { DEFAULT_MISSING_TOKENS, missingMatcher, parseBoolean, parseNumber } from '../core/data/values';
import { readCsv, type CsvReadOptions } from './read-csv';
import { requireColumns } from './require-columns';

export interface InspectOptions extends CsvReadOptions {
  /** The project's target column: must exist. */
  target?: string;
  missingValues?: readonly string[];
  overrides?: ColumnOverrides;
}

export async function inspectCsv(path: string, options: InspectOptions = {}): Promise<DataProfile> {
  const file = options.displayName ?? path;
  const isMissing = missingMatcher(options.missingValues ?? DEFAULT_MISSING_TOKENS);
  const overrides = options.overrides ?? {};
  let profiler: TableProfiler | undefined;
  let checks: Array<(cells: readonly string[], line: number) => void> = [];

  await readCsv(
    path,
    {
      header(names) {
        requireColumns(file, names, options.target, overrides);
        profiler = new TableProfiler(names, isMissing);
        checks = declaredKindChecks(file, names, overrides, isMissing);
      },
      row(cells, line) {
        for (const check of checks) check(cells, line);
        profiler!.pushRow(cells, line);
      },
    },
    options,
  );
  return profiler!.finish(file, overrides, options.target);
}

/** A declared kind is a promise about every value: check it row by row, failing at the first miss. */
function declaredKindChecks(
  file: string,
  names: readonly string[],
  overrides: ColumnOverrides,
  isMissing: (cell: string) => boolean,
): Array<(cells: readonly string[], line: number) => void> {
  const checks: Array<(cells: readonly string[], line: number) => void> = [];
  for (const [name, kind] of Object.entries(overrides.kinds ?? {})) {
    const index = names.indexOf(name);
    if (kind === 'numeric') {
      checks.push((cells, line) => {
        const cell = cells[index]!;
        if (!isMissing(cell) && parseNumber(cell) === undefined) {
          throw notNumeric(file, line, index, name, cell);
        }
      });
    } else if (kind === 'boolean') {
      checks.push((cells, line) => {
        const cell = cells[index]!;
        if (!isMissing(cell) && parseBoolean(cell) === undefined) throw notBoolean(file, line, index, name, cell);
      });
    }
  }
  return checks;
}

export function notNumeric(file: string, line: number, index: number, name: string, cell: string): DataFileError {
  return new DataFileError(
    'NOT_NUMERIC',
    { file, line, column: index + 1, columnName: name },
    `expected a number (the column is numeric), found "${truncate(cell)}"`,
  );
}

export function notBoolean(file: string, line: number, index: number, name: string, cell: string): DataFileError {
  return new DataFileError(
    'NOT_BOOLEAN',
    { file, line, column: index + 1, columnName: name },
    `expected true/false, yes/no or 1/0 (the column is boolean), found "${truncate(cell)}"`,
  );
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
