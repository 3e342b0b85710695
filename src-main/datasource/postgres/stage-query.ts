// Runs a participant's query on its PostgreSQL server and stages the result in the engine, in
// batches through a server-side cursor: memory holds one batch, the engine spills what does not
// fit. Numbers and booleans keep their types; everything else arrives as the server's text.
import Cursor from 'pg-cursor';
import type { DuckDBAppender } from '@duckdb/node-api';
import { CohortError } from '../../contract/errors';
import { sqlName, withConnection } from '../engine/duckdb';
import type { Relation, ValueType } from '../engine/relation';
import { PgSession, queryFailure, type PgSettings } from './client';

/** Rows fetched from the server at a time. */
const BATCH_ROWS = 5000;
/** Beyond this many rows, quartiles are approximate. */
const LARGE_ROWS = 200_000;

// PostgreSQL type oids read as numbers and booleans.
const NUMBER_TYPES = new Set([20, 21, 23, 26, 700, 701, 1700]);
const BOOLEAN_TYPE = 16;

export interface StageOptions {
  /** Stops the query (the server is asked to cancel it) and the staging. */
  signal?: AbortSignal;
  /** Rows staged so far, after every batch. */
  onProgress?: (rows: number) => void;
  /** Stop after this many rows (a preview). */
  limit?: number;
}

export interface StagedQuery {
  relation: Relation;
  rows: number;
  /** Drops the staged table. */
  release(): Promise<void>;
}

let staged = 0;

interface Field {
  name: string;
  dataTypeID: number;
}

function readBatch(cursor: Cursor, rows: number): Promise<{ rows: unknown[][]; fields: Field[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(rows, (error, batch, result) => {
      if (error) reject(error);
      else resolve({ rows: batch as unknown[][], fields: (result?.fields ?? []) as Field[] });
    });
  });
}

function typeOf(field: Field): ValueType {
  if (NUMBER_TYPES.has(field.dataTypeID)) return 'number';
  if (field.dataTypeID === BOOLEAN_TYPE) return 'boolean';
  return 'text';
}

const ENGINE_TYPES: Record<ValueType, string> = { number: 'DOUBLE', boolean: 'BOOLEAN', text: 'VARCHAR' };

function append(appender: DuckDBAppender, type: ValueType, value: unknown): void {
  if (value === null || value === undefined) return appender.appendNull();
  const text = String(value);
  if (type === 'number') return appender.appendDouble(Number(text));
  if (type === 'boolean') return appender.appendBoolean(text === 't' || text === 'true');
  return appender.appendVarchar(text);
}

export async function stageQuery(settings: PgSettings, query: string, options: StageOptions = {}): Promise<StagedQuery> {
  if (options.signal?.aborted) throw cancelled();
  const session = await PgSession.open(settings);
  const onAbort = () => void session.cancel();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const table = `cohort_staged_${process.pid}_${++staged}`;
  let created = false;
  try {
    const cursor = session.client.query(new Cursor(query, [], { rowMode: 'array' }));
    const result = await withConnection(async (connection) => {
      let first: { rows: unknown[][]; fields: Field[] };
      try {
        first = await readBatch(cursor, Math.min(BATCH_ROWS, options.limit ?? BATCH_ROWS));
      } catch (error) {
        throw session.wasCancelled ? cancelled() : queryFailure(error);
      }
      const fields = first.fields;
      checkNames(fields);
      const types = fields.map(typeOf);
      await connection.run(
        `CREATE TABLE ${sqlName(table)} (${fields.map((field, i) => `${sqlName(field.name)} ${ENGINE_TYPES[types[i]!]}`).join(', ')})`,
      );
      created = true;
      const appender = await connection.createAppender(table);
      let rows = 0;
      let batch = first.rows;
      try {
        for (;;) {
          for (const row of batch) {
            for (let c = 0; c < types.length; c += 1) append(appender, types[c]!, row[c]);
            appender.endRow();
          }
          rows += batch.length;
          appender.flushSync();
          options.onProgress?.(rows);
          if (options.signal?.aborted || session.wasCancelled) throw cancelled();
          const wanted = Math.min(BATCH_ROWS, (options.limit ?? Infinity) - rows);
          if (batch.length === 0 || wanted <= 0) break;
          try {
            batch = (await readBatch(cursor, wanted)).rows;
          } catch (error) {
            throw session.wasCancelled ? cancelled() : queryFailure(error);
          }
          if (batch.length === 0) break;
        }
      } finally {
        appender.closeSync();
      }
      return { fields, types, rows };
    });
    await cursor.close().catch(() => undefined);
    const relation: Relation = {
      from: sqlName(table),
      columns: result.fields.map((field, i) => ({ name: field.name, type: result.types[i]! })),
      rowNumber: 'rowid + 1',
      large: result.rows > LARGE_ROWS,
    };
    return { relation, rows: result.rows, release: () => dropTable(table) };
  } catch (error) {
    if (created) await dropTable(table).catch(() => undefined);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await session.close();
  }
}

function dropTable(table: string): Promise<void> {
  return withConnection(async (connection) => {
    await connection.run(`DROP TABLE IF EXISTS ${sqlName(table)}`);
  });
}

function checkNames(fields: readonly Field[]): void {
  if (fields.length === 0) throw new CohortError('QUERY_FAILED', 'the query returns no columns: it must be a SELECT');
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field.name)) {
      throw new CohortError('QUERY_FAILED', `the query returns two columns named "${field.name}": name them apart (… AS other_name)`);
    }
    seen.add(field.name);
  }
}

function cancelled(): CohortError {
  return new CohortError('CANCELLED', 'the query was cancelled');
}
