// Reads the columns a model needs from a relation, typed, in chunks of rows: the engine streams
// its result, so only one chunk is ever held here. Numbers come as doubles (NaN = missing),
// booleans as 1 / 0, categories as level codes (-1 = missing) over one dictionary per scan.
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import type { LoadKind, Table, TableColumn } from '../../core/data/table';
import { GrowableFloat64, GrowableInt32 } from '../../core/data/table';
import { levelText } from './aggregate';
import { cellSql, trimmedSelect, type Relation } from './relation';

/** A value the requested kind cannot hold: its column, kind and 0-based row in the relation. */
export interface BadValue {
  column: string;
  kind: LoadKind;
  row: number;
}

export interface ScanRequest {
  kinds: Readonly<Record<string, LoadKind>>;
  missingTokens: readonly string[];
  /** Rows per chunk handed to onChunk. */
  chunkRows: number;
  /** Each chunk, in row order; `firstRow` is the 0-based row of its first row. */
  onChunk(table: Table, firstRow: number): void | Promise<void>;
}

export type ScanOutcome = { ok: true; rows: number } | { ok: false; bad: BadValue };

interface Sink {
  name: string;
  kind: LoadKind;
  push(value: unknown): boolean;
  take(): TableColumn;
}

export async function scanRelation(connection: DuckDBConnection, relation: Relation, request: ScanRequest): Promise<ScanOutcome> {
  const columns = relation.columns.filter((column) => request.kinds[column.name] !== undefined);
  const sinks: Sink[] = columns.map((column) => makeSink(column.name, request.kinds[column.name]!));
  const items = columns.map((column, i) => {
    const cell = cellSql(column, request.missingTokens);
    const kind = request.kinds[column.name]!;
    if (kind === 'categorical') return `${cell.level} AS v${i}`;
    const value = kind === 'numeric' ? cell.number : `CAST(${cell.boolean} AS DOUBLE)`;
    return `CASE WHEN ${cell.missing} THEN CAST('NaN' AS DOUBLE) ELSE ${value} END AS v${i}`;
  });
  // A scan of no columns still counts rows.
  const select = items.length > 0 ? items.join(', ') : '1 AS v';
  const result = await connection.stream(`SELECT ${select} FROM (${trimmedSelect(relation, columns)})`);

  let rows = 0;
  let pending = 0;
  let firstRow = 0;
  const flush = async (): Promise<void> => {
    if (pending === 0) return;
    const table: Table = { rows: pending, columns: new Map(sinks.map((sink) => [sink.name, sink.take()])) };
    await request.onChunk(table, firstRow);
    firstRow += pending;
    pending = 0;
  };
  for (;;) {
    const chunk: DuckDBDataChunk | null = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const count = chunk.rowCount;
    for (let c = 0; c < sinks.length; c += 1) {
      const vector = chunk.getColumnVector(c);
      const sink = sinks[c]!;
      for (let r = 0; r < count; r += 1) {
        if (!sink.push(vector.getItem(r))) return { ok: false, bad: { column: sink.name, kind: sink.kind, row: rows + r } };
      }
    }
    rows += count;
    pending += count;
    if (pending >= request.chunkRows) await flush();
  }
  await flush();
  return { ok: true, rows };
}

function makeSink(name: string, kind: LoadKind): Sink {
  if (kind === 'categorical') {
    let codes = new GrowableInt32();
    const dictionary = new Map<string, number>();
    const levels: string[] = [];
    return {
      name,
      kind,
      push(value) {
        if (value === null || value === undefined) {
          codes.push(-1);
          return true;
        }
        const level = levelText(value);
        let code = dictionary.get(level);
        if (code === undefined) {
          code = levels.length;
          dictionary.set(level, code);
          levels.push(level);
        }
        codes.push(code);
        return true;
      },
      take() {
        const column: TableColumn = { kind: 'categorical', codes: codes.finish(), levels: [...levels] };
        codes = new GrowableInt32();
        return column;
      },
    };
  }
  let values = new GrowableFloat64();
  return {
    name,
    kind,
    push(value) {
      // NULL: a value that is neither missing nor of the kind.
      if (value === null || value === undefined) return false;
      values.push(value as number);
      return true;
    },
    take() {
      const column: TableColumn = { kind: 'numeric', values: values.finish() };
      values = new GrowableFloat64();
      return column;
    },
  };
}

/** The trimmed text (or value) of one cell, for a message about it. */
export async function cellText(connection: DuckDBConnection, relation: Relation, column: string, row: number): Promise<string> {
  const found = relation.columns.find((candidate) => candidate.name === column);
  if (!found) return '';
  const reader = await connection.runAndReadAll(
    `SELECT ${cellSql(found, []).value} AS v FROM (${trimmedSelect(relation, [found])}) LIMIT 1 OFFSET ${row}`,
  );
  const value = reader.getRowObjectsJS()[0]?.['v'];
  return value === null || value === undefined ? '' : levelText(value);
}
