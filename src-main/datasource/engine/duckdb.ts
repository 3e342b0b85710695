// The embedded analytical engine (DuckDB): one in-process instance, in memory, with a memory
// limit and a private spill folder, so a table larger than memory is still profiled and read in
// chunks. Only this folder talks to DuckDB; the rest of datasource/ builds SQL and reads results.
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface EngineSettings {
  /** DuckDB's memory_limit, e.g. "1GB". */
  memoryLimit: string;
  threads: number;
  /** Where DuckDB spills what does not fit in memory. */
  spillDirectory: string;
}

let settings: EngineSettings = {
  memoryLimit: process.env['COHORT_ENGINE_MEMORY'] ?? '1GB',
  threads: 2,
  spillDirectory: join(tmpdir(), `cohort-engine-${process.pid}`),
};
let instance: Promise<DuckDBInstance> | undefined;

/** Changes the engine's settings; only before its first use. */
export function configureEngine(changes: Partial<EngineSettings>): void {
  if (instance) throw new Error('the engine is already running: configure it before the first query');
  settings = { ...settings, ...changes };
}

function start(): Promise<DuckDBInstance> {
  mkdirSync(settings.spillDirectory, { recursive: true, mode: 0o700 });
  // What spilled is patient data: gone when the process ends.
  const spill = settings.spillDirectory;
  process.once('exit', () => rmSync(spill, { recursive: true, force: true }));
  return DuckDBInstance.create(':memory:', {
    memory_limit: settings.memoryLimit,
    threads: String(settings.threads),
    temp_directory: settings.spillDirectory,
    // Rows come back in file order: rows are matched to their lines and predictions to their rows.
    preserve_insertion_order: 'true',
    // Nothing is ever downloaded: the engine's built-in readers (CSV, Parquet) are all it uses.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
}

/** Runs `work` on a fresh connection to the engine, closing it afterwards. */
export async function withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  instance ??= start();
  const connection = await (await instance).connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
  }
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A SQL identifier (any column name a file may hold). */
export function sqlName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The first line of an engine error, without its "Invalid Input Error: " style prefix. */
export function engineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).replace(/^[A-Za-z ]+ Error: /, '');
}
