// Writes rows of cells as a CSV file, atomically (temporary file, then rename).
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

export async function writeCsv(path: string, records: Iterable<ReadonlyArray<string | number>>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.partial`;
  await pipeline(Readable.from(records), stringify(), createWriteStream(temporary, { mode: 0o600 }));
  await rename(temporary, path);
}
