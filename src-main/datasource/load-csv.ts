// Loads the columns a model needs into a typed Table, checking each value against the kind the
// column must have (the alignment's kind), and failing at the first value that does not fit.
import type { LoadKind, Table, TableColumn } from '../core/data/table';
import { GrowableFloat64, GrowableInt32 } from '../core/data/table';
import { DEFAULT_MISSING_TOKENS, missingMatcher, parseBoolean, parseNumber } from '../core/data/values';
import { notBoolean, notNumeric } from './inspect-csv';
import { readCsv, type CsvReadOptions } from './read-csv';

export interface LoadOptions extends CsvReadOptions {
  missingValues?: readonly string[];
}

export interface LoadedCsv {
  header: string[];
  table: Table;
}

interface ColumnSink {
  push(cell: string, line: number): void;
  finish(): TableColumn;
}

/**
 * Loads the named columns; columns the file lacks are simply absent from the table (the caller
 * decides whether that is drift), and other columns are skipped without being stored.
 */
export async function loadCsv(path: string, kinds: Readonly<Record<string, LoadKind>>, options: LoadOptions = {}): Promise<LoadedCsv> {
  const file = options.displayName ?? path;
  const isMissing = missingMatcher(options.missingValues ?? DEFAULT_MISSING_TOKENS);
  const sinks: Array<[index: number, name: string, sink: ColumnSink]> = [];
  const lines = new GrowableInt32();

  const { header, rows } = await readCsv(
    path,
    {
      header(names) {
        names.forEach((name, index) => {
          const kind = kinds[name];
          if (kind !== undefined) sinks.push([index, name, makeSink(kind, file, index, name, isMissing)]);
        });
      },
      row(cells, line) {
        lines.push(line);
        for (const [index, , sink] of sinks) sink.push(cells[index]!, line);
      },
    },
    options,
  );
  const columns = new Map<string, TableColumn>();
  for (const [, name, sink] of sinks) columns.set(name, sink.finish());
  return { header, table: { rows, lines: lines.finish(), columns } };
}

function makeSink(kind: LoadKind, file: string, index: number, name: string, isMissing: (cell: string) => boolean): ColumnSink {
  if (kind === 'categorical') {
    const codes = new GrowableInt32();
    const levels = new Map<string, number>();
    return {
      push(cell) {
        if (isMissing(cell)) return codes.push(-1);
        const level = cell.trim();
        let code = levels.get(level);
        if (code === undefined) {
          code = levels.size;
          levels.set(level, code);
        }
        codes.push(code);
      },
      finish: () => ({ kind: 'categorical', codes: codes.finish(), levels: [...levels.keys()] }),
    };
  }
  const values = new GrowableFloat64();
  const parse = kind === 'numeric' ? parseNumber : parseBoolean;
  const fail = kind === 'numeric' ? notNumeric : notBoolean;
  return {
    push(cell, line) {
      if (isMissing(cell)) return values.push(Number.NaN);
      const value = parse(cell);
      if (value === undefined) throw fail(file, line, index, name, cell);
      values.push(value);
    },
    finish: () => ({ kind: 'numeric', values: values.finish() }),
  };
}
