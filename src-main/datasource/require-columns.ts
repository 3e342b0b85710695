import { CohortError, DataFileError } from '../contract/errors';
import type { ColumnOverrides } from '../core/data/profile';

/** The target and every column named in overrides must exist in the header. */
export function requireColumns(
  file: string,
  header: readonly string[],
  target: string | undefined,
  overrides: ColumnOverrides = {},
  /** Where the header is: line 1 of a CSV file; a table or a query has no line. */
  headerLine: number | null = 1,
): void {
  if (target !== undefined && !header.includes(target)) {
    throw new DataFileError(
      'TARGET_MISSING',
      headerLine === null ? { file } : { file, line: headerLine },
      headerLine === null
        ? `the target column "${target}" is not among its columns (${listNames(header)})`
        : `the target column "${target}" is not in the header (columns: ${listNames(header)})`,
    );
  }
  const named = [...Object.keys(overrides.kinds ?? {}), ...(overrides.exclude ?? [])];
  const unknown = named.filter((name) => !header.includes(name));
  if (unknown.length > 0) {
    throw new CohortError(
      'BAD_INPUT',
      `${file}: no column named ${unknown.map((name) => `"${name}"`).join(', ')} (columns: ${listNames(header)})`,
    );
  }
}

function listNames(header: readonly string[]): string {
  const shown = header.slice(0, 12).join(', ');
  return header.length > 12 ? `${shown}, … ${header.length - 12} more` : shown;
}
