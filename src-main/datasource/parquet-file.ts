// A Parquet file, read by the engine: typed columns, row groups read as needed, rows numbered
// by their place in the file.
import { DataFileError } from '../contract/errors';
import { engineMessage, sqlString, withConnection } from './engine/duckdb';
import { valueTypeOf, type Relation } from './engine/relation';
import { checkFile, DEFAULT_MAX_FILE_BYTES } from './read-csv';

/** Beyond this many rows, quartiles are approximate. */
const LARGE_ROWS = 200_000;

export interface ParquetOptions {
  maxBytes?: number;
  displayName?: string;
}

export async function openParquetFile(path: string, options: ParquetOptions = {}): Promise<{ file: string; relation: Relation }> {
  const file = options.displayName ?? path;
  await checkFile(path, file, options.maxBytes ?? DEFAULT_MAX_FILE_BYTES);
  const from = `read_parquet(${sqlString(path)}, file_row_number = true)`;
  try {
    return await withConnection(async (connection) => {
      const described = (await connection.runAndReadAll(`DESCRIBE SELECT * EXCLUDE (file_row_number) FROM ${from}`)).getRowObjectsJS();
      const rows = Number((await connection.runAndReadAll(`SELECT count(*) AS n FROM ${from}`)).getRowObjectsJS()[0]?.['n'] ?? 0);
      const relation: Relation = {
        from,
        columns: described.map((row) => ({ name: String(row['column_name']), type: valueTypeOf(String(row['column_type'])) })),
        rowNumber: 'file_row_number + 1',
        large: rows > LARGE_ROWS,
      };
      return { file, relation };
    });
  } catch (error) {
    throw new DataFileError('BAD_INPUT', { file }, `not a readable Parquet file: ${engineMessage(error)}`);
  }
}
