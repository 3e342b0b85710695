// Profiles a relation with the engine, for any source: aggregates by the engine, kinds and
// summaries by core's rules. What only the source can say precisely (the line of a bad value in
// a CSV file, a row elsewhere) comes from its `locate` hook.
import type { DataProfile } from '../contract/data';
import { DataFileError } from '../contract/errors';
import { needsFirstNonNumeric, profileTable, type ColumnOverrides, type FirstSeen } from '../core/data/profile';
import { DEFAULT_MISSING_TOKENS } from '../core/data/values';
import { aggregateRelation } from './engine/aggregate';
import { withConnection } from './engine/duckdb';
import type { Relation } from './engine/relation';
import type { CellCheck } from './csv-file';
import { requireColumns } from './require-columns';

export interface ProfileOptions {
  /** The project's target column: must exist. */
  target?: string;
  missingValues?: readonly string[];
  overrides?: ColumnOverrides;
}

export interface ProfileHooks {
  /** How the source is named in messages and in the profile. */
  file: string;
  /** The header's line (CSV), or null for tables and queries. */
  headerLine: number | null;
  /** What an empty source is told: "has a header but no data rows". */
  noRows: string;
  /** Count cells holding quotes, so that the source can check them (CSV). */
  countQuotes: boolean;
  /** The engine failed: throw the precise error. */
  explainFailure(error: unknown, checks: readonly CellCheck[]): Promise<never>;
  /**
   * Something needs the source's own reading: values breaking `checks` (throw at the first),
   * quoted cells to verify (CSV), and the first non-number of some columns (return them).
   */
  locate(request: { checks: readonly CellCheck[]; firstNonNumeric: readonly string[]; quotes: boolean }): Promise<Map<string, FirstSeen>>;
}

export async function profileRelation(relation: Relation, options: ProfileOptions, hooks: ProfileHooks): Promise<DataProfile> {
  const overrides = options.overrides ?? {};
  const header = relation.columns.map((column) => column.name);
  requireColumns(hooks.file, header, options.target, overrides, hooks.headerLine);
  const declared = Object.entries(overrides.kinds ?? {});
  const checks: CellCheck[] = declared
    .filter(([, kind]) => kind === 'numeric' || kind === 'boolean')
    .map(([column, kind]) => ({ column, kind: kind as CellCheck['kind'] }));
  const request = {
    missingTokens: options.missingValues ?? DEFAULT_MISSING_TOKENS,
    numericChecks: checks.filter((check) => check.kind === 'numeric').map((check) => check.column),
    booleanChecks: checks.filter((check) => check.kind === 'boolean').map((check) => check.column),
    needLevels: [...(options.target === undefined ? [] : [options.target]), ...declared.filter(([, kind]) => kind === 'categorical').map(([name]) => name)],
    countQuotes: hooks.countQuotes,
  };
  let result;
  try {
    result = await withConnection((connection) => aggregateRelation(connection, relation, request));
  } catch (error) {
    return hooks.explainFailure(error, checks);
  }
  const broken = checks.filter((check) => ((check.kind === 'numeric' ? result.badNumbers : result.badBooleans).get(check.column) ?? 0) > 0);
  const unnamed = result.columns.filter(needsFirstNonNumeric).map((column) => column.name);
  const quotes = result.cellsWithQuotes > 0;
  if (broken.length > 0 || unnamed.length > 0 || quotes) {
    const found = await hooks.locate({ checks: broken, firstNonNumeric: unnamed, quotes });
    for (const column of result.columns) {
      const first = found.get(column.name);
      if (first) column.firstNonNumeric = first;
    }
  }
  if (result.rows === 0) throw new DataFileError('NO_ROWS', { file: hooks.file }, hooks.noRows);
  return profileTable(hooks.file, result.rows, result.columns, overrides, options.target);
}
