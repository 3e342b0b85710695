// The seam for kinds of data: today tabular CSV files; image folders (a folder per class) and
// others plug in here by implementing DataSource. Callers ask for a source by path and never
// depend on the format.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { DataProfile } from '../contract/data';
import { CohortError } from '../contract/errors';
import type { LoadKind } from '../core/data/table';
import { inspectCsv, type InspectOptions } from './inspect-csv';
import { loadCsv, type LoadedCsv, type LoadOptions } from './load-csv';

export interface DataSource {
  readonly format: 'csv';
  /** Kinds and a summary per column, for the data owner; nothing leaves the machine. */
  inspect(options?: InspectOptions): Promise<DataProfile>;
  /** The named columns, typed, as the alignment needs them. */
  load(kinds: Readonly<Record<string, LoadKind>>, options?: LoadOptions): Promise<LoadedCsv>;
}

class CsvSource implements DataSource {
  readonly format = 'csv' as const;

  constructor(private readonly path: string) {}

  inspect(options: InspectOptions = {}): Promise<DataProfile> {
    return inspectCsv(this.path, options);
  }

  load(kinds: Readonly<Record<string, LoadKind>>, options: LoadOptions = {}): Promise<LoadedCsv> {
    return loadCsv(this.path, kinds, options);
  }
}

/** The data source for a path; a clear error for what Cohort cannot read yet. */
export async function openDataSource(path: string): Promise<DataSource> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) {
    throw new CohortError('BAD_INPUT', `${path} is a folder: image folders are not supported yet; register a CSV file`);
  }
  const extension = extname(path).toLowerCase();
  if (extension !== '.csv' && extension !== '.txt' && extension !== '') {
    throw new CohortError('BAD_INPUT', `${path}: Cohort reads CSV files (.csv), not ${extension} files`);
  }
  return new CsvSource(path);
}
