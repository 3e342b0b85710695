// Writes rows of cells as a CSV file, atomically (temporary file, then rename). Every CSV Cohort
// writes goes through here, so every cell is made safe to open in a spreadsheet (no formulas).
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { spreadsheetSafe } from '../core/data/spreadsheet-safe';

export async function writeCsv(path: string, records: Iterable<ReadonlyArray<string | number>>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.partial`;
  await pipeline(Readable.from(safeRecords(records)), stringify(), createWriteStream(temporary, { mode: 0o600 }));
  await rename(temporary, path);
}

function* safeRecords(records: Iterable<ReadonlyArray<string | number>>): Generator<Array<string | number>> {
  for (const record of records) yield record.map(spreadsheetSafe);
}
