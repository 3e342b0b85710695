// Sources that are tables rather than text: Parquet files and staged query results. Their
// values come typed, rows are numbered (no lines to count), and every error names the row.
import type { DataProfile } from '../contract/data';
import { DataFileError } from '../contract/errors';
import type { FirstSeen } from '../core/data/profile';
import type { LoadKind } from '../core/data/table';
import { DEFAULT_MISSING_TOKENS } from '../core/data/values';
import { levelText } from './engine/aggregate';
import { engineMessage, withConnection } from './engine/duckdb';
import { cellSql, trimmedSelect, type Relation } from './engine/relation';
import { cellText } from './engine/scan';
import type { CellCheck } from './csv-file';
import { truncate } from './csv-file';
import { loadSource, scanSource, type ChunkOptions, type LoadedTable, type ScanHooks } from './load-source';
import { profileRelation, type ProfileOptions } from './profile-source';

export interface TableSourceOptions {
  /** How the source is named in messages. */
  file: string;
  /** The error code and words for an engine failure (a corrupt file, a query the engine refused). */
  failureCode: 'BAD_INPUT' | 'QUERY_FAILED';
  noRows: string;
}

export function profileTable(relation: Relation, options: ProfileOptions, source: TableSourceOptions): Promise<DataProfile> {
  const missingValues = options.missingValues ?? DEFAULT_MISSING_TOKENS;
  return profileRelation(relation, options, {
    file: source.file,
    headerLine: null,
    noRows: source.noRows,
    countQuotes: false,
    explainFailure: (error) => Promise.reject(engineFailure(source, error)),
    locate: async ({ checks, firstNonNumeric }) => {
      await throwFirstBad(relation, source.file, checks, missingValues);
      return firstNonNumbers(relation, firstNonNumeric, missingValues);
    },
  });
}

export function loadTable(
  relation: Relation,
  kinds: Readonly<Record<string, LoadKind>>,
  options: { missingValues?: readonly string[] },
  source: TableSourceOptions,
): Promise<LoadedTable> {
  return loadSource(relation, kinds, options, tableHooks(relation, source));
}

export function scanTable(
  relation: Relation,
  kinds: Readonly<Record<string, LoadKind>>,
  options: ChunkOptions,
  source: TableSourceOptions,
): Promise<{ header: string[]; rows: number }> {
  return scanSource(relation, kinds, options, tableHooks(relation, source));
}

function tableHooks(relation: Relation, source: TableSourceOptions): ScanHooks {
  return {
    explainFailure: (error) => Promise.reject(engineFailure(source, error)),
    async explainBadValue(bad) {
      const value = await withConnection((connection) => cellText(connection, relation, bad.column, bad.row));
      throw badValue(source.file, relation, { column: bad.column, kind: bad.kind }, bad.row + 1, value);
    },
  };
}

function engineFailure(source: TableSourceOptions, error: unknown): unknown {
  if (error instanceof DataFileError) return error;
  return new DataFileError(source.failureCode, { file: source.file }, engineMessage(error));
}

function badValue(file: string, relation: Relation, check: CellCheck, row: number, value: string): DataFileError {
  const column = relation.columns.findIndex((candidate) => candidate.name === check.column) + 1;
  const location = { file, row, column, columnName: check.column };
  return check.kind === 'boolean'
    ? new DataFileError('NOT_BOOLEAN', location, `expected true/false, yes/no or 1/0 (the column is boolean), found "${truncate(value)}"`)
    : new DataFileError('NOT_NUMERIC', location, `expected a number (the column is numeric), found "${truncate(value)}"`);
}

/** Throws for the first row (in row order) where a checked value does not fit its kind. */
async function throwFirstBad(relation: Relation, file: string, checks: readonly CellCheck[], missingValues: readonly string[]): Promise<void> {
  if (checks.length === 0 || relation.rowNumber === undefined) return;
  const columns = relation.columns.filter((column) => checks.some((check) => check.column === column.name));
  const flags = columns.map((column, i) => {
    const cell = cellSql(column, missingValues);
    const kind = checks.find((check) => check.column === column.name)!.kind;
    return `(NOT ${cell.missing} AND (${kind === 'boolean' ? cell.boolean : cell.number}) IS NULL) AS __bad${i}`;
  });
  const sql =
    `SELECT * FROM (SELECT *, ${flags.join(', ')} FROM (${trimmedSelect(relation, columns, [`${relation.rowNumber} AS __row`])})) ` +
    `WHERE ${columns.map((_, i) => `__bad${i}`).join(' OR ')} ORDER BY __row LIMIT 1`;
  const row = await withConnection(async (connection) => (await connection.runAndReadAll(sql)).getRowObjectsJS()[0]);
  if (!row) return;
  const index = columns.findIndex((_, i) => row[`__bad${i}`] === true);
  const column = columns[Math.max(0, index)]!;
  const check = checks.find((candidate) => candidate.column === column.name)!;
  const cell = row[column.name];
  throw badValue(file, relation, check, Number(row['__row']), cell === null || cell === undefined ? '' : levelText(cell));
}

/** The first non-number of each column, with its row. */
async function firstNonNumbers(relation: Relation, names: readonly string[], missingValues: readonly string[]): Promise<Map<string, FirstSeen>> {
  const found = new Map<string, FirstSeen>();
  if (names.length === 0 || relation.rowNumber === undefined) return found;
  const columns = relation.columns.filter((column) => names.includes(column.name));
  const items = columns.map((column, i) => {
    const cell = cellSql(column, missingValues);
    const bad = `NOT ${cell.missing} AND (${cell.number}) IS NULL`;
    return `arg_min(${cell.value}, __row) FILTER (WHERE ${bad}) AS v${i}, min(__row) FILTER (WHERE ${bad}) AS r${i}`;
  });
  const sql = `SELECT ${items.join(', ')} FROM (${trimmedSelect(relation, columns, [`${relation.rowNumber} AS __row`])})`;
  const row = await withConnection(async (connection) => (await connection.runAndReadAll(sql)).getRowObjectsJS()[0]);
  columns.forEach((column, i) => {
    const value = row?.[`v${i}`];
    if (value !== null && value !== undefined) found.set(column.name, { value: levelText(value), where: `row ${Number(row![`r${i}`])}` });
  });
  return found;
}
