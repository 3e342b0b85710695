// Reads the columns a model needs from a relation through the engine: all at once into a Table
// (small data), or chunk by chunk (data that need not fit in memory). A value that does not fit
// its column's kind stops the read, and the source names it precisely.
import type { LoadKind, Table, TableColumn } from '../core/data/table';
import { DEFAULT_MISSING_TOKENS } from '../core/data/values';
import { withConnection } from './engine/duckdb';
import type { Relation } from './engine/relation';
import { scanRelation, type BadValue } from './engine/scan';

export interface LoadedTable {
  header: string[];
  table: Table;
}

export interface ScanHooks {
  /** The engine failed: throw the precise error. */
  explainFailure(error: unknown): Promise<never>;
  /** A value does not fit its kind: throw the precise error. */
  explainBadValue(bad: BadValue): Promise<never>;
}

export interface ChunkOptions {
  missingValues?: readonly string[];
  /** Rows per chunk. */
  chunkRows: number;
  onChunk(table: Table, firstRow: number): void | Promise<void>;
}

/** Streams the named columns (those the relation has) in chunks of rows; returns the header and row count. */
export async function scanSource(
  relation: Relation,
  kinds: Readonly<Record<string, LoadKind>>,
  options: ChunkOptions,
  hooks: ScanHooks,
): Promise<{ header: string[]; rows: number }> {
  const header = relation.columns.map((column) => column.name);
  let outcome;
  try {
    outcome = await withConnection((connection) =>
      scanRelation(connection, relation, {
        kinds,
        missingTokens: options.missingValues ?? DEFAULT_MISSING_TOKENS,
        chunkRows: options.chunkRows,
        onChunk: options.onChunk,
      }),
    );
  } catch (error) {
    return hooks.explainFailure(error);
  }
  if (!outcome.ok) return hooks.explainBadValue(outcome.bad);
  return { header, rows: outcome.rows };
}

/** Loads the named columns whole: columns the source lacks are simply absent (the caller decides whether that is drift). */
export async function loadSource(
  relation: Relation,
  kinds: Readonly<Record<string, LoadKind>>,
  options: { missingValues?: readonly string[] },
  hooks: ScanHooks,
): Promise<LoadedTable> {
  const chunks: Table[] = [];
  const { header, rows } = await scanSource(
    relation,
    kinds,
    { ...options, chunkRows: Number.MAX_SAFE_INTEGER, onChunk: (table) => void chunks.push(table) },
    hooks,
  );
  const table: Table = chunks[0] ?? { rows, columns: new Map() };
  if (chunks.length === 0) {
    for (const column of relation.columns) {
      const kind = kinds[column.name];
      if (kind === undefined) continue;
      const empty: TableColumn = kind === 'categorical' ? { kind, codes: new Int32Array(0), levels: [] } : { kind: 'numeric', values: new Float64Array(0) };
      table.columns.set(column.name, empty);
    }
  }
  return { header, table };
}
