// Every way a data file can be wrong must end in a DataFileError with a stable code and a
// location a person can act on (file, line, column), and the message must say the same.
// Also the encodings and layouts that are fine: BOM, CRLF, quoted commas, multi-byte characters
// split across read chunks, and the missing-value tokens.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFileError, type ErrorCode, type FileLocation } from '../../../src-main/contract/errors';
import { inspectCsv } from '../../../src-main/datasource/inspect-csv';
import { loadCsv } from '../../../src-main/datasource/load-csv';
import { readCsv } from '../../../src-main/datasource/read-csv';

const CHUNK = 1 << 20; // the reader's read size: 1 MiB

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-csv-errors-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `content` to a fresh file in the temp dir and returns its path. */
async function csv(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The DataFileError the promise rejects with (fails the test if it resolves or rejects otherwise). */
async function failure(promise: Promise<unknown>): Promise<DataFileError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a DataFileError, but it succeeded with ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(DataFileError);
  return outcome.error as DataFileError;
}

/** Asserts the code, the exact location, and that the message starts with that location. */
async function expectFailure(promise: Promise<unknown>, code: ErrorCode, location: FileLocation): Promise<DataFileError> {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  expect(error.location).toEqual(location);
  expect(error.details).toEqual(location);
  let prefix = location.file;
  if (location.line !== undefined) prefix += `, line ${location.line}`;
  if (location.column !== undefined) {
    prefix += `, column ${location.column}`;
    if (location.columnName !== undefined) prefix += ` ("${location.columnName}")`;
  }
  expect(error.message.startsWith(`${prefix}: `), `message "${error.message}" should start with "${prefix}: "`).toBe(true);
  return error;
}

/** Reads a file through inspectCsv, loadCsv and the bare reader, which must all agree. */
function everyReader(path: string): Array<[string, () => Promise<unknown>]> {
  return [
    ['readCsv', () => readCsv(path, { header() {}, row() {} })],
    ['inspectCsv', () => inspectCsv(path)],
    ['loadCsv', () => loadCsv(path, {})],
  ];
}

describe('the file itself', () => {
  it('a missing file is FILE_NOT_FOUND', async () => {
    const path = join(dir, 'no-such-file.csv');
    for (const [, read] of everyReader(path)) {
      const error = await expectFailure(read(), 'FILE_NOT_FOUND', { file: path });
      expect(error.message).toBe(`${path}: no such file`);
    }
  });

  it('a folder is FILE_NOT_FOUND and says it is a folder', async () => {
    const path = join(dir, 'a-folder.csv');
    await mkdir(path);
    const error = await expectFailure(inspectCsv(path), 'FILE_NOT_FOUND', { file: path });
    expect(error.message).toBe(`${path}: is a folder, not a file`);
  });

  it('an empty file is FILE_EMPTY', async () => {
    const path = await csv('empty.csv', '');
    for (const [, read] of everyReader(path)) {
      const error = await expectFailure(read(), 'FILE_EMPTY', { file: path });
      expect(error.message).toBe(`${path}: the file is empty`);
    }
  });

  it('a file over the size limit is FILE_TOO_LARGE, giving both sizes', async () => {
    const path = await csv('big.csv', `a,b\n${'1,2\n'.repeat(62)}`); // 4 + 62 * 4 = 252 bytes
    let error = await expectFailure(inspectCsv(path, { maxBytes: 100 }), 'FILE_TOO_LARGE', { file: path });
    expect(error.message).toBe(`${path}: the file is 252 bytes, over the limit of 100 bytes (raise it with --max-file-size)`);

    const bigger = await csv('bigger.csv', `a,b\n${'10,20\n'.repeat(1000)}`); // 6004 bytes
    error = await expectFailure(loadCsv(bigger, { a: 'numeric' }, { maxBytes: 2048 }), 'FILE_TOO_LARGE', { file: bigger });
    expect(error.message).toContain('the file is 5.9 KB, over the limit of 2.0 KB');

    // At the limit exactly is fine.
    await expect(inspectCsv(path, { maxBytes: 252 })).resolves.toMatchObject({ rows: 62 });
  });

  it('errors name the file by its display name when one is given', async () => {
    const path = await csv('display.csv', 'a,b\n1,2\n3\n');
    await expectFailure(inspectCsv(path, { displayName: 'site-a.csv' }), 'RAGGED_ROW', { file: 'site-a.csv', line: 3 });
  });
});

describe('the header', () => {
  it('a file of only blank lines has NO_HEADER', async () => {
    for (const [name, content] of [
      ['blank-lf.csv', '\n\n\n'],
      ['blank-crlf.csv', '\r\n\r\n'],
    ] as const) {
      const path = await csv(name, content);
      const error = await expectFailure(inspectCsv(path), 'NO_HEADER', { file: path });
      expect(error.message).toBe(`${path}: no header row: the file holds only blank lines`);
    }
  });

  it('a first row of only numbers is NO_HEADER on line 1', async () => {
    const path = await csv('numbers.csv', '1,2.5,-3\n4,5,6\n');
    const error = await expectFailure(inspectCsv(path), 'NO_HEADER', { file: path, line: 1 });
    expect(error.message).toContain('the first row holds only numbers');
  });

  it('a header after blank lines is found, and its line is counted', async () => {
    const path = await csv('late-numbers.csv', '\n\n7,8\n1,2\n');
    await expectFailure(inspectCsv(path), 'NO_HEADER', { file: path, line: 3 });
  });

  it('an empty header cell is EMPTY_COLUMN_NAME with its column', async () => {
    const path = await csv('empty-name.csv', 'age,,bp\n1,2,3\n');
    const error = await expectFailure(inspectCsv(path), 'EMPTY_COLUMN_NAME', { file: path, line: 1, column: 2 });
    expect(error.message).toBe(`${path}, line 1, column 2: this header cell is empty; every column needs a name`);

    const spaces = await csv('blank-name.csv', 'age,bp,  \n1,2,3\n');
    await expectFailure(loadCsv(spaces, {}), 'EMPTY_COLUMN_NAME', { file: spaces, line: 1, column: 3 });
  });

  it('a repeated column name is DUPLICATE_COLUMN naming the column and both positions', async () => {
    const path = await csv('duplicate.csv', 'id,age,sex,age\n1,2,m,3\n');
    const error = await expectFailure(inspectCsv(path), 'DUPLICATE_COLUMN', {
      file: path,
      line: 1,
      column: 4,
      columnName: 'age',
    });
    expect(error.message).toBe(`${path}, line 1, column 4 ("age"): duplicate column name, also used by column 2`);

    // Names are compared after trimming.
    const padded = await csv('duplicate-padded.csv', 'sex, sex \nm,f\n');
    await expectFailure(inspectCsv(padded), 'DUPLICATE_COLUMN', { file: padded, line: 1, column: 2, columnName: 'sex' });
  });

  it('a missing target is TARGET_MISSING and the message lists the columns', async () => {
    const path = await csv('no-target.csv', 'age,sex,label\n1,m,yes\n');
    const error = await expectFailure(inspectCsv(path, { target: 'outcome' }), 'TARGET_MISSING', { file: path, line: 1 });
    expect(error.message).toBe(`${path}, line 1: the target column "outcome" is not in the header (columns: age, sex, label)`);
  });
});

describe('rows', () => {
  it('a short row and a long row are RAGGED_ROW on their line', async () => {
    const short = await csv('short.csv', 'a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11\n');
    let error = await expectFailure(inspectCsv(short), 'RAGGED_ROW', { file: short, line: 4 });
    expect(error.message).toBe(`${short}, line 4: expected 3 fields as in the header, found 2`);

    const long = await csv('long.csv', 'a,b,c\n1,2,3\n4,5,6,7\n');
    error = await expectFailure(loadCsv(long, { a: 'numeric' }), 'RAGGED_ROW', { file: long, line: 3 });
    expect(error.message).toBe(`${long}, line 3: expected 3 fields as in the header, found 4`);

    const semicolons = await csv('semicolons.csv', 'a,b,c\n1;2;3\n');
    error = await expectFailure(inspectCsv(semicolons), 'RAGGED_ROW', { file: semicolons, line: 2 });
    expect(error.message).toContain('found 1 (is the delimiter right?)');
  });

  it('counts physical lines, not records, when quoted fields span lines', async () => {
    // Lines 2-3 are one record whose second field holds a newline, line 5 is blank, the short row is line 6.
    const lf = await csv('multiline-lf.csv', 'a,b,c\n1,"first\nsecond",3\n4,5,6\n\n7,8\n');
    await expectFailure(inspectCsv(lf), 'RAGGED_ROW', { file: lf, line: 6 });

    const crlf = await csv('multiline-crlf.csv', 'a,b,c\r\n1,"first\r\nsecond",3\r\n4,5,6\r\n7,8\r\n');
    await expectFailure(inspectCsv(crlf), 'RAGGED_ROW', { file: crlf, line: 5 });

    // Two quoted line breaks in earlier records, then a long row.
    const two = await csv('multiline-two.csv', 'a,b\r\n"x\r\ny",1\r\n"p\r\nq\r\nr",2\r\n3,4,5\r\n');
    await expectFailure(loadCsv(two, { b: 'numeric' }), 'RAGGED_ROW', { file: two, line: 7 });
  });

  it('a ragged row that itself spans lines is reported on the line where it starts', async () => {
    const path = await csv('multiline-self.csv', 'a,b,c\n1,2,3\n"note\nmore",5\n6,7,8\n');
    await expectFailure(inspectCsv(path), 'RAGGED_ROW', { file: path, line: 3 });
  });

  it('an unclosed quote is CSV_SYNTAX on the line where the quoted field starts', async () => {
    const path = await csv('unclosed.csv', 'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,11,12\n');
    const error = await expectFailure(inspectCsv(path), 'CSV_SYNTAX', { file: path, line: 3 });
    expect(error.message).toBe(`${path}, line 3: a quoted field is never closed: a double quote (") is missing`);

    const crlf = await csv('unclosed-crlf.csv', 'a,b\r\n"x\r\ny",1\r\n\r\n2,"3\r\n4,5\r\n');
    await expectFailure(loadCsv(crlf, {}), 'CSV_SYNTAX', { file: crlf, line: 5 });
  });

  it('a stray quote inside a field is CSV_SYNTAX on its line', async () => {
    const path = await csv('stray.csv', 'a,b,c\n1,2,3\n4,5"x,6\n7,8,9\n');
    const error = await expectFailure(inspectCsv(path), 'CSV_SYNTAX', { file: path, line: 3 });
    expect(error.message).toContain('a stray double quote (")');
  });

  it('a header but no data rows is NO_ROWS', async () => {
    const path = await csv('header-only.csv', 'a,b\n\n');
    await expectFailure(inspectCsv(path), 'NO_ROWS', { file: path });
  });
});

describe('declared kinds', () => {
  const content = 'id,age,bp,smoker\n1,34,120,yes\n2,NA,131.5,no\n3,51,,no\n4,47,12O,yes\n5,60,140,maybe\n';

  it('a non-number in a column declared numeric is NOT_NUMERIC at its line and column (inspectCsv)', async () => {
    const path = await csv('not-numeric.csv', content);
    const error = await expectFailure(inspectCsv(path, { overrides: { kinds: { bp: 'numeric' } } }), 'NOT_NUMERIC', {
      file: path,
      line: 5,
      column: 3,
      columnName: 'bp',
    });
    expect(error.message).toBe(`${path}, line 5, column 3 ("bp"): expected a number (the column is numeric), found "12O"`);
  });

  it('a non-number in a column loaded as numeric is NOT_NUMERIC at its line and column (loadCsv)', async () => {
    const path = await csv('not-numeric-load.csv', content);
    const error = await expectFailure(loadCsv(path, { age: 'numeric', bp: 'numeric' }), 'NOT_NUMERIC', {
      file: path,
      line: 5,
      column: 3,
      columnName: 'bp',
    });
    expect(error.message).toContain('found "12O"');
  });

  it('line numbers of NOT_NUMERIC stay exact after blank lines and multi-line fields', async () => {
    const path = await csv('not-numeric-late.csv', 'note,x\r\n"a\r\nb",1\r\n\r\nc,2\r\n"d, e",1e3\r\nf,"1,5"\r\n');
    const error = await expectFailure(loadCsv(path, { x: 'numeric' }), 'NOT_NUMERIC', {
      file: path,
      line: 7,
      column: 2,
      columnName: 'x',
    });
    expect(error.message).toContain('found "1,5"');
  });

  it('a non-boolean in a boolean column is NOT_BOOLEAN', async () => {
    const path = await csv('not-boolean.csv', content);
    const location = { file: path, line: 6, column: 4, columnName: 'smoker' };
    let error = await expectFailure(inspectCsv(path, { overrides: { kinds: { smoker: 'boolean' } } }), 'NOT_BOOLEAN', location);
    expect(error.message).toBe(
      `${path}, line 6, column 4 ("smoker"): expected true/false, yes/no or 1/0 (the column is boolean), found "maybe"`,
    );
    error = await expectFailure(loadCsv(path, { smoker: 'boolean' }), 'NOT_BOOLEAN', location);
    expect(error.message).toContain('found "maybe"');
  });

  it('long bad values are shortened in the message', async () => {
    const value = 'x'.repeat(60);
    const path = await csv('long-value.csv', `n\n1\n${value}\n`);
    const error = await expectFailure(loadCsv(path, { n: 'numeric' }), 'NOT_NUMERIC', { file: path, line: 3, column: 1, columnName: 'n' });
    expect(error.message).toContain(`found "${'x'.repeat(40)}…"`);
  });
});

describe('encodings', () => {
  it('a Latin-1 byte is INVALID_UTF8 with its line, column and column name', async () => {
    const path = await csv(
      'latin1.csv',
      Buffer.concat([Buffer.from('id,city,n\n1,Paris,3\n2,Lyon,4\n3,Orl'), Buffer.from([0xe9]), Buffer.from('ans,5\n4,Nice,6\n')]),
    );
    for (const [, read] of everyReader(path)) {
      const error = await expectFailure(read(), 'INVALID_UTF8', { file: path, line: 4, column: 2, columnName: 'city' });
      expect(error.message).toBe(
        `${path}, line 4, column 2 ("city"): not valid UTF-8 (byte 0xE9); save the file as UTF-8 (for example "CSV UTF-8" in a spreadsheet program)`,
      );
    }
  });

  it('counts columns past quoted delimiters when locating an invalid byte', async () => {
    const path = await csv(
      'latin1-quoted.csv',
      Buffer.concat([Buffer.from('"a,b",c,d\n"x, y","p,q",caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    await expectFailure(inspectCsv(path), 'INVALID_UTF8', { file: path, line: 2, column: 3, columnName: 'd' });

    // With a BOM and CRLF line endings too.
    const crlf = await csv(
      'latin1-crlf.csv',
      Buffer.concat([Buffer.from('\uFEFFid,"the city",n\r\n1,Paris,3\r\n2,Orl'), Buffer.from([0xe9]), Buffer.from('ans,5\r\n')]),
    );
    await expectFailure(loadCsv(crlf, {}), 'INVALID_UTF8', { file: crlf, line: 3, column: 2, columnName: 'the city' });
  });

  it('an invalid byte far beyond the first read chunk still gets its exact line and column', async () => {
    const path = join(dir, 'latin1-late.csv');
    const out = createWriteStream(path);
    out.write('id,city,n\n');
    let bytes = 10;
    for (let line = 2; line <= 60_000; line += 1) {
      if (line === 50_000) {
        expect(bytes).toBeGreaterThan(CHUNK); // the bad byte is well past the first 1 MiB chunk
        out.write(Buffer.concat([Buffer.from(`${line},Orl`), Buffer.from([0xe9]), Buffer.from('ans,5\n')]));
      } else {
        const text = `${line},Villeurbanne,${(line % 997) + 0.5}\n`;
        bytes += text.length;
        if (!out.write(text)) await once(out, 'drain');
      }
    }
    out.end();
    await once(out, 'finish');
    for (const [, read] of everyReader(path)) {
      await expectFailure(read(), 'INVALID_UTF8', { file: path, line: 50_000, column: 2, columnName: 'city' });
    }
  });

  it('an invalid byte in the header line is INVALID_UTF8 on line 1', async () => {
    const path = await csv('latin1-header.csv', Buffer.concat([Buffer.from('id,caf'), Buffer.from([0xe9]), Buffer.from('\n1,2\n')]));
    const error = await failure(inspectCsv(path));
    expect(error.code).toBe('INVALID_UTF8');
    expect(error.location).toMatchObject({ file: path, line: 1 });
  });

  it('a UTF-16 file is INVALID_UTF8 and the message says UTF-16', async () => {
    const path = await csv('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('age,sex\r\n34,f\r\n', 'utf16le')]));
    const error = await expectFailure(inspectCsv(path), 'INVALID_UTF8', { file: path, line: 1 });
    expect(error.message).toBe(`${path}, line 1: the file is UTF-16; save it as UTF-8`);
  });

  it('a file that ends inside a multi-byte character is INVALID_UTF8 on its last line', async () => {
    const path = await csv('truncated.csv', Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xe2, 0x82])]));
    await expectFailure(inspectCsv(path), 'INVALID_UTF8', { file: path, line: 3, column: 2, columnName: 'b' });
  });

  it('strips a UTF-8 BOM from the first column name', async () => {
    const path = await csv('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('age,sex\n34,f\n51,m\n')]));
    const profile = await inspectCsv(path, { target: 'age' });
    expect(profile.columns.map((column) => column.name)).toEqual(['age', 'sex']);
    const { header, table } = await loadCsv(path, { age: 'numeric' });
    expect(header).toEqual(['age', 'sex']);
    expect([...(table.columns.get('age') as { values: Float64Array }).values]).toEqual([34, 51]);
  });

  it('reads CRLF line endings without carriage returns in names or values', async () => {
    const path = await csv('crlf.csv', 'age,sex\r\n34,f\r\n51,m\r\n47,f\r\n');
    const profile = await inspectCsv(path);
    expect(profile.rows).toBe(3);
    expect(profile.columns.map((column) => column.name)).toEqual(['age', 'sex']);
    expect(profile.columns[1]!.levels).toEqual({ f: 2, m: 1 });
    const { table } = await loadCsv(path, { sex: 'categorical' });
    expect(table.columns.get('sex')).toEqual({ kind: 'categorical', codes: Int32Array.from([0, 1, 0]), levels: ['f', 'm'] });
    expect(table.rows).toBe(3);
  });

  it('keeps commas, quotes and line breaks inside quoted fields', async () => {
    const path = await csv('quoted.csv', 'name,"notes, free text",n\n"Smith, John","said ""hi""",1\n"Doe, Jane","two\nlines",2\n');
    const profile = await inspectCsv(path);
    expect(profile.columns.map((column) => column.name)).toEqual(['name', 'notes, free text', 'n']);
    expect(profile.columns[0]!.levels).toEqual({ 'Doe, Jane': 1, 'Smith, John': 1 });
    const { table } = await loadCsv(path, { 'notes, free text': 'categorical', n: 'numeric' });
    expect(table.columns.get('notes, free text')).toMatchObject({ levels: ['said "hi"', 'two\nlines'] });
    expect(table.rows).toBe(2);
  });

  it('a valid multi-byte character split across the 1 MiB read chunks is not an error', async () => {
    // "€" is 3 bytes (E2 82 AC) and starts one byte before the chunk boundary; "😀" is 4 bytes
    // (F0 9F 98 80) and straddles the next boundary two and two.
    let id = 0;
    /** Appends lines of `id,plain` and then an unfinished `id,xxx…` line, up to `upTo` bytes. */
    const fillTo = (text: string, upTo: number): string => {
      const wide = Buffer.byteLength(text) - text.length; // bytes beyond one per character so far
      while (text.length + wide < upTo - 40) text += `${++id},plain\n`;
      const start = `${++id},`;
      return text + start + 'x'.repeat(upTo - wide - text.length - start.length);
    };
    let text = fillTo('id,label\n', CHUNK - 1);
    expect(Buffer.byteLength(text)).toBe(CHUNK - 1);
    text = fillTo(`${text}€\n`, 2 * CHUNK - 2);
    expect(Buffer.byteLength(text)).toBe(2 * CHUNK - 2);
    text += '😀\n9,last\n';
    const path = await csv('split-char.csv', text);

    const profile = await inspectCsv(path);
    const rows = text.split('\n').length - 2;
    expect(profile.rows).toBe(rows);
    const { table } = await loadCsv(path, { label: 'categorical' });
    const levels = (table.columns.get('label') as { levels: string[] }).levels;
    expect(levels.filter((level) => level.endsWith('€'))).toHaveLength(1);
    expect(levels.filter((level) => level.endsWith('😀'))).toHaveLength(1);
    expect(levels.filter((level) => level.includes('\uFFFD'))).toHaveLength(0);
  });
});

describe('missing values', () => {
  it("counts '', NA, NaN, ?, null in any case and with surrounding spaces as missing", async () => {
    const cells = ['1', '', 'NA', 'na', ' NaN ', 'nan', '?', ' ? ', 'null', 'NULL', 'Null ', '2', '  ', '3'];
    const path = await csv('missing.csv', `x,y\n${cells.map((cell, i) => `"${cell}",${i}`).join('\n')}\n`);
    const profile = await inspectCsv(path);
    expect(profile.columns[0]).toMatchObject({ name: 'x', kind: 'numeric', count: 3, missing: 11 });
    expect(profile.columns[0]!.numeric).toMatchObject({ min: 1, max: 3, mean: 2 });

    // Declared numeric: missing tokens are not errors, and load as NaN.
    await expect(inspectCsv(path, { overrides: { kinds: { x: 'numeric' } } })).resolves.toMatchObject({ rows: cells.length });
    const { table } = await loadCsv(path, { x: 'numeric' });
    const values = [...(table.columns.get('x') as { values: Float64Array }).values];
    expect(values.map((value) => (Number.isNaN(value) ? 'NaN' : value))).toEqual(
      cells.map((cell) => (['1', '2', '3'].includes(cell) ? Number(cell) : 'NaN')),
    );

    // Categorical: missing is code -1.
    const categorical = await loadCsv(path, { x: 'categorical' });
    expect(categorical.table.columns.get('x')).toEqual({
      kind: 'categorical',
      codes: Int32Array.from(cells.map((cell) => (cell === '1' ? 0 : cell === '2' ? 1 : cell === '3' ? 2 : -1))),
      levels: ['1', '2', '3'],
    });
  });

  it('other words are values, not missing', async () => {
    const path = await csv('not-missing.csv', 'x\nnone\nN/A\n-\nnull value\n');
    const profile = await inspectCsv(path);
    expect(profile.columns[0]).toMatchObject({ count: 4, missing: 0 });
  });

  it('uses the missing tokens given instead of the defaults', async () => {
    const path = await csv('custom-missing.csv', 'x\n1\n-\nNA\n');
    const profile = await inspectCsv(path, { missingValues: ['-'] });
    expect(profile.columns[0]).toMatchObject({ count: 2, missing: 1 });
    await expectFailure(loadCsv(path, { x: 'numeric' }, { missingValues: ['-'] }), 'NOT_NUMERIC', {
      file: path,
      line: 4,
      column: 1,
      columnName: 'x',
    });
  });
});
