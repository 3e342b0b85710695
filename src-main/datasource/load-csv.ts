// Loads the columns a model needs from a CSV file into a typed Table, through the engine,
// checking each value against the kind the column must have (the alignment's kind) and failing
// at the first value that does not fit, named by its line and column.
import { DataFileError } from '../contract/errors';
import type { LoadKind, Table } from '../core/data/table';
import { DEFAULT_MISSING_TOKENS } from '../core/data/values';
import { explainCsvFailure, locateInCsv, openCsvFile, type CellCheck, type CsvFile } from './csv-file';
import { loadSource, scanSource, type ChunkOptions, type LoadedTable, type ScanHooks } from './load-source';
import type { CsvReadOptions } from './read-csv';

export interface LoadOptions extends CsvReadOptions {
  missingValues?: readonly string[];
}

export type LoadedCsv = LoadedTable;

function csvHooks(csv: CsvFile, kinds: Readonly<Record<string, LoadKind>>, missingValues: readonly string[]): ScanHooks {
  const checks: CellCheck[] = Object.entries(kinds).map(([column, kind]) => ({ column, kind }));
  return {
    explainFailure: (error) => explainCsvFailure(csv, error, { checks, missingValues }),
    async explainBadValue(bad) {
      await locateInCsv(csv, { checks, missingValues });
      // The reader found nothing wrong where the engine did: say what the engine saw.
      throw new DataFileError('CSV_SYNTAX', { file: csv.file, column: csv.header.indexOf(bad.column) + 1, columnName: bad.column }, `data row ${bad.row + 1} holds a value that is not ${bad.kind}`);
    },
  };
}

/**
 * Loads the named columns; columns the file lacks are simply absent from the table (the caller
 * decides whether that is drift), and other columns are not read.
 */
export async function loadCsv(path: string, kinds: Readonly<Record<string, LoadKind>>, options: LoadOptions = {}): Promise<LoadedCsv> {
  const csv = await openCsvFile(path, options);
  const missingValues = options.missingValues ?? DEFAULT_MISSING_TOKENS;
  return loadSource(csv.relation, kinds, { missingValues }, csvHooks(csv, kinds, missingValues));
}

/** The same, chunk by chunk: the file never has to fit in memory. */
export async function scanCsv(
  path: string,
  kinds: Readonly<Record<string, LoadKind>>,
  options: LoadOptions & Omit<ChunkOptions, 'missingValues'>,
): Promise<{ header: string[]; rows: number }> {
  const csv = await openCsvFile(path, options);
  const missingValues = options.missingValues ?? DEFAULT_MISSING_TOKENS;
  return scanSource(csv.relation, kinds, { ...options, missingValues }, csvHooks(csv, kinds, missingValues));
}

export type { Table };
