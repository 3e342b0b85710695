// Streams a CSV file row by row through csv-parse: the text is never held whole in memory.
// Every problem becomes a DataFileError naming the file, the line and, where it can, the column.
// The engine reads CSV files far faster, but counts no lines: this reader reads the header, and
// when the engine finds a problem it reads the file again to say exactly where (csv-file.ts).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { DataFileError, type ErrorCode } from '../contract/errors';
import { parseNumber } from '../core/data/values';
import { InvalidUtf8Error, Utf8Decoder } from './utf8-decoder';

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 ** 3;

export interface CsvReadOptions {
  /** Files larger than this are refused before reading. */
  maxBytes?: number;
  delimiter?: string;
  /** How the file is named in errors (defaults to the path as given). */
  displayName?: string;
}

export interface CsvVisitor {
  /** Called once with the validated column names and the line they are on; may throw to stop reading. */
  header(names: readonly string[], line: number): void;
  /** Called for each data row with exactly as many cells as the header; lines are 1-based. */
  row(cells: readonly string[], line: number): void;
}

export interface CsvReadResult {
  header: string[];
  rows: number;
}

interface ParsedRecord {
  cells: string[];
  /** The 1-based physical line the record starts on. */
  line: number;
}

/**
 * Numbers records by the physical line they start on. csv-parse's own info.lines is the line a
 * record ends on, and it counts a quoted CRLF as two lines, so every line number after a quoted
 * line break in a CRLF file would be off. This runs as the parser's on_record hook, so it is up
 * to date when the parser fails, whatever the consumer has read by then.
 */
class LineCounter {
  /** The line the last record ended on. */
  private lastLine = 0;
  /** Empty lines csv-parse had skipped up to the last record. */
  private skipped = 0;

  readonly onRecord = (cells: string[], info: { empty_lines: number }): ParsedRecord => {
    const line = this.nextStart(info.empty_lines);
    this.skipped = info.empty_lines;
    this.lastLine = line + lineBreaks(cells);
    return { cells, line };
  };

  /** The line the next record starts on, given csv-parse's count of empty lines skipped so far. */
  nextStart(emptyLines: number): number {
    return this.lastLine + 1 + Math.max(0, emptyLines - this.skipped);
  }
}

function lineBreaks(cells: readonly string[]): number {
  let breaks = 0;
  for (const cell of cells) {
    if (cell.includes('\n') || cell.includes('\r')) breaks += cell.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return breaks;
}

export async function readCsv(path: string, visitor: CsvVisitor, options: CsvReadOptions = {}): Promise<CsvReadResult> {
  const file = options.displayName ?? path;
  const delimiter = options.delimiter ?? ',';
  await checkFile(path, file, options.maxBytes ?? DEFAULT_MAX_FILE_BYTES);

  let header: string[] | undefined;
  let rows = 0;
  // What a check or the visitor threw: on Node 20 the pipeline may reject with an AbortError from
  // its own clean-up instead (nodejs/node#62089).
  let stopped: unknown;
  const lines = new LineCounter();
  const parserOptions: Options<ParsedRecord, string[]> = {
    bom: true,
    delimiter,
    on_record: lines.onRecord,
    relax_column_count: true,
    skip_empty_lines: true,
  };
  // csv-parse's overloads accept an on_record that changes the record type only with `columns`.
  const parser = parse(parserOptions as unknown as Options);

  try {
    await pipeline(
      createReadStream(path, { highWaterMark: 1 << 20 }),
      new Utf8Decoder(),
      parser,
      async (records: AsyncIterable<ParsedRecord>) => {
        for await (const { cells: record, line } of records) {
          try {
            if (header === undefined) {
              header = checkHeader(record, file, line);
              visitor.header(header, line);
              continue;
            }
            if (record.length !== header.length) {
              // A short or long row would shift the columns of every value after it: refuse it
              // rather than guess which cells are missing.
              throw new DataFileError(
                'RAGGED_ROW',
                { file, line },
                `expected ${header.length} fields as in the header, found ${record.length}` +
                  (record.length === 1 ? ' (is the delimiter right?)' : ''),
              );
            }
            rows += 1;
            visitor.row(record, line);
          } catch (error) {
            stopped = error;
            throw error;
          }
        }
      },
    );
  } catch (error) {
    throw toDataFileError(stopped ?? error, file, header, delimiter, lines);
  }

  if (header === undefined) {
    throw new DataFileError('NO_HEADER', { file }, 'no header row: the file holds only blank lines');
  }
  if (rows === 0) throw new DataFileError('NO_ROWS', { file }, 'has a header but no data rows');
  return { header, rows };
}

/** Refuses a missing, empty, folder or oversize file with its own error. */
export async function checkFile(path: string, file: string, maxBytes: number): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new DataFileError('FILE_NOT_FOUND', { file }, 'is a folder, not a file');
    size = info.size;
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFileError('FILE_NOT_FOUND', { file }, 'no such file');
    if (code === 'EACCES') throw new DataFileError('FILE_NOT_FOUND', { file }, 'cannot be read (permission denied)');
    throw error;
  }
  if (size === 0) throw new DataFileError('FILE_EMPTY', { file }, 'the file is empty');
  if (size > maxBytes) {
    throw new DataFileError(
      'FILE_TOO_LARGE',
      { file },
      `the file is ${formatBytes(size)}, over the limit of ${formatBytes(maxBytes)} (raise it with --max-file-size)`,
    );
  }
}

function checkHeader(record: string[], file: string, line: number): string[] {
  const names = record.map((name) => name.trim());
  if (names.length > 0 && names.every((name) => name !== '' && parseNumber(name) !== undefined)) {
    throw new DataFileError(
      'NO_HEADER',
      { file, line },
      'the first row holds only numbers; Cohort needs a header row that names the columns',
    );
  }
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const column = index + 1;
    if (name === '') {
      throw new DataFileError('EMPTY_COLUMN_NAME', { file, line, column }, 'this header cell is empty; every column needs a name');
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new DataFileError(
        'DUPLICATE_COLUMN',
        { file, line, column, columnName: name },
        `duplicate column name, also used by column ${first}`,
      );
    }
    seen.set(name, column);
  });
  return names;
}

function toDataFileError(
  error: unknown,
  file: string,
  header: string[] | undefined,
  delimiter: string,
  lines: LineCounter,
): unknown {
  if (error instanceof DataFileError) return error;
  if (error instanceof InvalidUtf8Error) {
    const location: { file: string; line: number; column?: number; columnName?: string } = { file, line: error.line };
    // The decoder refuses a whole read chunk, so in a small file the parser never saw the header.
    const names = header ?? headerFrom(error.firstLine, delimiter);
    if (error.linePrefix !== undefined && names !== undefined) {
      const column = columnAt(error.linePrefix.toString('utf8'), delimiter);
      location.column = column;
      const name = names[column - 1];
      if (name !== undefined) location.columnName = name;
    }
    const utf16 = error.line === 1 && error.linePrefix?.length === 0 && (error.byte === 0xff || error.byte === 0xfe);
    const byte = error.byte === undefined ? '' : ` (byte 0x${error.byte.toString(16).toUpperCase().padStart(2, '0')})`;
    const problem = utf16
      ? 'the file is UTF-16; save it as UTF-8'
      : `not valid UTF-8${byte}; save the file as UTF-8 (for example "CSV UTF-8" in a spreadsheet program)`;
    return new DataFileError('INVALID_UTF8', location, problem);
  }
  if (error instanceof CsvError) {
    // The record being parsed when it failed starts right after the last one that was complete.
    const emptyLines = error['empty_lines'];
    const location = typeof emptyLines === 'number' ? { file, line: lines.nextStart(emptyLines) } : { file };
    return new DataFileError('CSV_SYNTAX' satisfies ErrorCode, location, describeCsvError(error));
  }
  return error;
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed: a double quote (") is missing';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return 'a stray double quote ("): quotes inside a field must be doubled ("") and the field quoted';
    default:
      return error.message;
  }
}

/** The column names in the bytes of the header line, or undefined if they do not parse. */
function headerFrom(line: Buffer | undefined, delimiter: string): string[] | undefined {
  if (line === undefined) return undefined;
  try {
    const [names] = parseSync(line.toString('utf8'), { bom: true, delimiter, relax_column_count: true }) as string[][];
    return names?.map((name) => name.trim());
  } catch {
    return undefined;
  }
}

/** 1-based CSV column in which the end of `prefix` (the start of a line) falls. */
function columnAt(prefix: string, delimiter: string): number {
  let column = 1;
  let quoted = false;
  for (let i = 0; i < prefix.length; i += 1) {
    const char = prefix[i];
    if (char === '"') quoted = !quoted;
    else if (!quoted && prefix.startsWith(delimiter, i)) column += 1;
  }
  return column;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
