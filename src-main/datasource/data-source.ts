// The seam for kinds of data. A source is a file (CSV, Parquet) or a query's result (PostgreSQL,
// staged into the engine: datasource/postgres); the engine profiles it, previews it and streams
// its rows. Callers ask for a source and never depend on its format. Image folders and others
// plug in here by implementing DataSource.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { DataProfile } from '../contract/data';
import { CohortError } from '../contract/errors';
import type { LoadKind } from '../core/data/table';
import { withConnection } from './engine/duckdb';
import { previewRelation, type Preview } from './engine/preview';
import type { Relation } from './engine/relation';
import { inspectCsv, type InspectOptions } from './inspect-csv';
import { loadCsv, scanCsv, type LoadOptions } from './load-csv';
import type { ChunkOptions, LoadedTable } from './load-source';
import { openCsvFile } from './csv-file';
import { openParquetFile } from './parquet-file';
import type { PgSettings } from './postgres/client';
import { stageQuery, type StagedQuery, type StageOptions } from './postgres/stage-query';
import { loadTable, profileTable, scanTable, type TableSourceOptions } from './table-source';

export type SourceFormat = 'csv' | 'parquet' | 'postgres';

export interface DataSource {
  readonly format: SourceFormat;
  /** How the source is named to its owner: the path as given, or the query's description. */
  readonly name: string;
  /** Kinds and a summary per column, for the data owner; nothing leaves the machine. */
  inspect(options?: InspectOptions): Promise<DataProfile>;
  /** The columns and the first rows, as text. */
  preview(count?: number): Promise<Preview>;
  /** The named columns, typed, as the alignment needs them. */
  load(kinds: Readonly<Record<string, LoadKind>>, options?: LoadOptions): Promise<LoadedTable>;
  /** The same in chunks of rows, so that no party's data has to fit in memory. */
  scan(kinds: Readonly<Record<string, LoadKind>>, options: ChunkOptions & LoadOptions): Promise<{ header: string[]; rows: number }>;
  /** Frees what the source holds in the engine (a staged query result). */
  close(): Promise<void>;
}

class CsvSource implements DataSource {
  readonly format = 'csv' as const;

  constructor(
    private readonly path: string,
    readonly name: string,
  ) {}

  inspect(options: InspectOptions = {}): Promise<DataProfile> {
    return inspectCsv(this.path, { displayName: this.name, ...options });
  }

  async preview(count = 10): Promise<Preview> {
    const csv = await openCsvFile(this.path, { displayName: this.name });
    return withConnection((connection) => previewRelation(connection, csv.relation, count));
  }

  load(kinds: Readonly<Record<string, LoadKind>>, options: LoadOptions = {}): Promise<LoadedTable> {
    return loadCsv(this.path, kinds, { displayName: this.name, ...options });
  }

  scan(kinds: Readonly<Record<string, LoadKind>>, options: ChunkOptions & LoadOptions): Promise<{ header: string[]; rows: number }> {
    return scanCsv(this.path, kinds, { displayName: this.name, ...options });
  }

  async close(): Promise<void> {}
}

/** A source the engine reads as a table: a Parquet file, or a staged query result. */
export class TableSource implements DataSource {
  constructor(
    readonly format: SourceFormat,
    readonly name: string,
    private readonly open: (options: { maxBytes?: number }) => Promise<Relation>,
    private readonly messages: Omit<TableSourceOptions, 'file'>,
    private readonly release: () => Promise<void> = async () => {},
  ) {}

  private options(displayName?: string): TableSourceOptions {
    return { file: displayName ?? this.name, ...this.messages };
  }

  async inspect(options: InspectOptions = {}): Promise<DataProfile> {
    return profileTable(await this.open(options), options, this.options(options.displayName));
  }

  async preview(count = 10): Promise<Preview> {
    const relation = await this.open({});
    return withConnection((connection) => previewRelation(connection, relation, count));
  }

  async load(kinds: Readonly<Record<string, LoadKind>>, options: LoadOptions = {}): Promise<LoadedTable> {
    return loadTable(await this.open(options), kinds, options, this.options(options.displayName));
  }

  async scan(kinds: Readonly<Record<string, LoadKind>>, options: ChunkOptions & LoadOptions): Promise<{ header: string[]; rows: number }> {
    return scanTable(await this.open(options), kinds, options, this.options(options.displayName));
  }

  close(): Promise<void> {
    return this.release();
  }
}

const CSV_EXTENSIONS = ['.csv', '.txt', ''];

/** The data source for a file; a clear error for what Cohort cannot read yet. */
export async function openDataSource(path: string, displayName: string = path): Promise<DataSource> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) {
    throw new CohortError('BAD_INPUT', `${path} is a folder: image folders are not supported yet; register a CSV or Parquet file`);
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.parquet' || extension === '.parq') {
    return new TableSource('parquet', displayName, async (options) => (await openParquetFile(path, { displayName, ...options })).relation, {
      failureCode: 'BAD_INPUT',
      noRows: 'the file holds no rows',
    });
  }
  if (!CSV_EXTENSIONS.includes(extension)) {
    throw new CohortError('BAD_INPUT', `${path}: Cohort reads CSV (.csv) and Parquet (.parquet) files, not ${extension} files`);
  }
  return new CsvSource(path, displayName);
}

export interface QuerySourceOptions extends StageOptions {
  /** How the query is named to its owner, e.g. `query on "Hospital warehouse"`. */
  name: string;
}

/**
 * A read-only query on a PostgreSQL server: run once, on first use, and staged in the engine
 * until the source is closed. Profiling, preview and loading then read the staged rows.
 */
export function openQuerySource(settings: PgSettings, query: string, options: QuerySourceOptions): DataSource {
  let staging: Promise<StagedQuery> | undefined;
  const { name, ...stage } = options;
  return new TableSource(
    'postgres',
    name,
    async () => (await (staging ??= stageQuery(settings, query, stage))).relation,
    { failureCode: 'QUERY_FAILED', noRows: 'the query returned no rows' },
    async () => {
      const current = staging;
      staging = undefined;
      if (current) await (await current.catch(() => undefined))?.release();
    },
  );
}
