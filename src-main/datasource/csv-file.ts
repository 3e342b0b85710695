// A CSV file as the engine reads it. Cohort's reader (read-csv.ts) checks the file and its header
// and gives the engine the column names; the engine reads the rows. The engine counts no lines
// and forgives some faults (a stray quote), so whenever it fails, or a value breaks a rule, the
// reader reads the file again to name the exact line and column: the slow path is only taken
// for a file that is wrong, or for a note that names a line.
import { stat } from 'node:fs/promises';
import { DataFileError } from '../contract/errors';
import type { FirstSeen } from '../core/data/profile';
import type { LoadKind } from '../core/data/table';
import { missingMatcher, parseBoolean, parseNumber } from '../core/data/values';
import { engineMessage, sqlName, sqlString } from './engine/duckdb';
import type { Relation } from './engine/relation';
import { DEFAULT_MAX_FILE_BYTES, readCsv, type CsvReadOptions } from './read-csv';

/** Beyond this size, quartiles are approximate (exact ones would hold every value). */
const LARGE_FILE_BYTES = 64 * 1024 ** 2;

class HeaderRead extends Error {}

export interface CsvFile {
  path: string;
  /** How the file is named in messages. */
  file: string;
  header: string[];
  relation: Relation;
  options: CsvReadOptions;
}

/** Checks the file (exists, size, encoding of its start) and its header; the relation for the engine. */
export async function openCsvFile(path: string, options: CsvReadOptions = {}): Promise<CsvFile> {
  const file = options.displayName ?? path;
  const delimiter = options.delimiter ?? ',';
  let header: string[] = [];
  let headerLine = 1;
  try {
    await readCsv(
      path,
      {
        header(names, line) {
          header = [...names];
          headerLine = line;
          throw new HeaderRead();
        },
        row() {},
      },
      options,
    );
  } catch (error) {
    if (!(error instanceof HeaderRead)) throw error;
  }
  const size = (await stat(path)).size;
  const columns = `{${header.map((name) => `${sqlString(name)}: 'VARCHAR'`).join(', ')}}`;
  const relation: Relation = {
    from:
      `read_csv(${sqlString(path)}, header = true, skip = ${headerLine - 1}, auto_detect = false, columns = ${columns}, ` +
      `delim = ${sqlString(delimiter)}, quote = '"', escape = '"', allow_quoted_nulls = false, strict_mode = true, null_padding = false)`,
    columns: header.map((name) => ({ name, type: 'text' as const })),
    large: size > LARGE_FILE_BYTES,
  };
  // In a one-column file a blank line reads as a row of NULL (a quoted "" reads as ''): the
  // reader skips blank lines, and so must the engine.
  if (header.length === 1) relation.where = `${sqlName(header[0]!)} IS NOT NULL`;
  return { path, file, header, relation, options: { ...options, maxBytes: options.maxBytes ?? DEFAULT_MAX_FILE_BYTES } };
}

/** A check of one cell against a kind, as the reader applies it row by row. */
export interface CellCheck {
  column: string;
  kind: LoadKind;
}

export interface LocateRequest {
  /** Cells that must be numbers / booleans (missing tokens aside): the first that is not fails. */
  checks?: readonly CellCheck[];
  /** Columns whose first non-number (and its line) is wanted. */
  firstNonNumeric?: readonly string[];
  missingValues: readonly string[];
}

/**
 * Reads the whole file with Cohort's reader, failing with its precise error (syntax, encoding,
 * ragged rows, a value that breaks a check), and finds the first non-number of some columns.
 */
export async function locateInCsv(csv: CsvFile, request: LocateRequest): Promise<Map<string, FirstSeen>> {
  const isMissing = missingMatcher(request.missingValues);
  const found = new Map<string, FirstSeen>();
  const checks = (request.checks ?? []).map((check) => ({ ...check, index: csv.header.indexOf(check.column) })).filter((check) => check.index >= 0);
  const wanted = (request.firstNonNumeric ?? []).map((name) => ({ name, index: csv.header.indexOf(name) })).filter((column) => column.index >= 0);
  await readCsv(
    csv.path,
    {
      header() {},
      row(cells, line) {
        for (const check of checks) {
          const cell = cells[check.index]!;
          if (isMissing(cell) || check.kind === 'categorical') continue;
          if (check.kind === 'numeric' && parseNumber(cell) === undefined) throw notNumeric(csv.file, line, check.index, check.column, cell);
          if (check.kind === 'boolean' && parseBoolean(cell) === undefined) throw notBoolean(csv.file, line, check.index, check.column, cell);
        }
        for (const column of wanted) {
          if (found.has(column.name)) continue;
          const cell = cells[column.index]!;
          if (!isMissing(cell) && parseNumber(cell) === undefined) found.set(column.name, { value: cell.trim(), where: `line ${line}` });
        }
      },
    },
    csv.options,
  );
  return found;
}

/** The engine failed on this file: the reader says precisely why, else the engine's words are passed on. */
export async function explainCsvFailure(csv: CsvFile, error: unknown, request: LocateRequest): Promise<never> {
  if (error instanceof DataFileError) throw error;
  await locateInCsv(csv, request);
  throw new DataFileError('CSV_SYNTAX', { file: csv.file }, engineMessage(error));
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

export function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
