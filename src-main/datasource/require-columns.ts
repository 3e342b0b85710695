import { CohortError, DataFileError } from '../contract/errors';
import type { ColumnOverrides } from '../core/data/profile';

/** The target and every column named in overrides must exist in the header. */
export function requireColumns(
  file: string,
  header: readonly string[],
  target: string | undefined,
  overrides: ColumnOverrides = {},
): void {
  if (target !== undefined && !header.includes(target)) {
    throw new DataFileError(
      'TARGET_MISSING',
      { file, line: 1 },
      `the target column "${target}" is not in the header (columns: ${listNames(header)})`,
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
