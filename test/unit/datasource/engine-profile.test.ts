// The engine's profile of real clinical files equals the reference: the same rules applied to
// the same cells one at a time in memory (core/data/cell-aggregates.ts). And a Parquet copy of a
// file profiles as the CSV does, its values now typed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataProfile } from '../../../src-main/contract/data';
import { TableProfiler } from '../../../src-main/core/data/profile';
import { missingMatcher } from '../../../src-main/core/data/values';
import { openDataSource } from '../../../src-main/datasource/data-source';
import { withConnection } from '../../../src-main/datasource/engine/duckdb';
import { inspectCsv } from '../../../src-main/datasource/inspect-csv';
import { readCsv } from '../../../src-main/datasource/read-csv';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/clinical');
const FILES: Array<[file: string, target: string]> = [
  ['lung.csv', 'status'],
  ['pbc.csv', 'outcome'],
  ['infert.csv', 'case'],
  ['airquality.csv', 'Ozone'],
];

async function reference(path: string, target: string): Promise<DataProfile> {
  let profiler: TableProfiler | undefined;
  await readCsv(path, {
    header: (names) => {
      profiler = new TableProfiler(names, missingMatcher());
    },
    row: (cells, line) => profiler!.pushRow(cells, line),
  });
  return profiler!.finish(path, {}, target);
}

/** The profile with its sums rounded to 12 significant digits (the engine adds in another order). */
function comparable(profile: DataProfile) {
  return profile.columns.map(({ numeric, ...column }) => ({
    ...column,
    ...(numeric
      ? { numeric: Object.fromEntries(Object.entries(numeric).filter(([key]) => key !== 'quartiles').map(([key, value]) => [key, Number((value as number).toPrecision(12))])) }
      : {}),
  }));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-engine-profile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the engine profiles real clinical files as the reference does', () => {
  for (const [file, target] of FILES) {
    it(file, async () => {
      const path = join(FIXTURES, file);
      const engine = await inspectCsv(path, { target });
      const expected = await reference(path, target);
      expect(engine.rows).toBe(expected.rows);
      expect(comparable(engine)).toEqual(comparable(expected));
      for (const column of engine.columns) {
        if (column.kind !== 'numeric' || !column.numeric) continue;
        const [q1, median, q3] = column.numeric.quartiles!;
        expect(column.numeric.min).toBeLessThanOrEqual(q1);
        expect(q1).toBeLessThanOrEqual(median);
        expect(median).toBeLessThanOrEqual(q3);
        expect(q3).toBeLessThanOrEqual(column.numeric.max);
      }
    });
  }

  it('names the first non-number of a mostly-numeric column by its line, as the reader counts it', async () => {
    // With only "?" missing, an empty cell is a value that is not a number.
    const profile = await inspectCsv(join(FIXTURES, 'airquality.csv'), { missingValues: ['?'] });
    const ozone = profile.columns.find((column) => column.name === 'Ozone')!;
    // 37 of 153 are empty, over 10 %: categorical, with too many levels to disclose as categories.
    expect(ozone).toMatchObject({ kind: 'categorical', count: 153, missing: 0, excluded: true });
    expect(ozone.note).toMatch(/68 distinct values for 153 rows/);
    const solar = profile.columns.find((column) => column.name === 'Solar.R')!;
    // 7 of 153 are empty: mostly numbers, and the note names the first one and its line.
    // Its many distinct values as categories would also single patients out: said after.
    expect(solar.note).toMatch(/^mostly numbers, but 7 values are not \(first: "" on line 6\); fix the file or declare the column numeric to see every problem; left out because/);
    const reference = await (async () => {
      let profiler: TableProfiler | undefined;
      await readCsv(join(FIXTURES, 'airquality.csv'), { header: (names) => void (profiler = new TableProfiler(names, missingMatcher(['?']))), row: (cells, line) => profiler!.pushRow(cells, line) });
      return profiler!.finish('x');
    })();
    expect(reference.columns[1]!.note).toBe(solar.note);
  });
});

describe('Parquet', () => {
  it('a Parquet copy of a file profiles as the CSV does, typed', async () => {
    const csv = join(FIXTURES, 'pbc.csv');
    const parquet = join(dir, 'pbc.parquet');
    await withConnection(async (connection) => {
      await connection.run(`COPY (SELECT * FROM read_csv('${csv}', nullstr = 'NA')) TO '${parquet}' (FORMAT parquet)`);
    });
    const source = await openDataSource(parquet);
    expect(source.format).toBe('parquet');
    const fromParquet = await source.inspect({ target: 'outcome' });
    const fromCsv = await inspectCsv(csv, { target: 'outcome' });
    expect(comparable(fromParquet)).toEqual(comparable({ ...fromCsv, file: parquet }));
    const preview = await source.preview(2);
    expect(preview.header).toEqual(fromCsv.columns.map((column) => column.name));
    expect(preview.rows[0]!.slice(0, 3)).toEqual(['1', '58.7652292950034', 'f']);
    const { table } = await source.load({ bili: 'numeric', sex: 'categorical' });
    expect(table.rows).toBe(418);
    expect((table.columns.get('bili') as { values: Float64Array }).values[0]).toBe(14.5);
  });

  it('refuses a file that is not Parquet with a clear error', async () => {
    const path = join(FIXTURES, 'lung.csv');
    const { copyFile } = await import('node:fs/promises');
    await copyFile(path, join(dir, 'fake.parquet'));
    await expect((await openDataSource(join(dir, 'fake.parquet'))).inspect()).rejects.toThrow(/fake\.parquet: not a readable Parquet file/);
  });
});
