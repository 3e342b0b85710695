// Kind inference and column summaries, through inspectCsv on small files, checked against
// values computed by hand.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnProfile, DataProfile } from '../../../src-main/contract/data';
import { CohortError, DataFileError } from '../../../src-main/contract/errors';
import { nameLooksLikeIdentifier } from '../../../src-main/core/data/profile';
import { inspectCsv, type InspectOptions } from '../../../src-main/datasource/inspect-csv';

let dir: string;
let files = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-profile-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes columns (name -> cells, all the same length) as a CSV and inspects it. */
async function inspectColumns(columns: Record<string, readonly string[]>, options: InspectOptions = {}): Promise<DataProfile> {
  const names = Object.keys(columns);
  const rows = columns[names[0]!]!.length;
  const lines = [names.join(',')];
  for (let row = 0; row < rows; row += 1) lines.push(names.map((name) => columns[name]![row]).join(','));
  const path = join(dir, `file-${++files}.csv`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return inspectCsv(path, options);
}

function column(profile: DataProfile, name: string): ColumnProfile {
  const found = profile.columns.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no column ${name} in the profile`);
  return found;
}

const range = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));

describe('kind inference', () => {
  it('numbers are numeric, words are categorical', async () => {
    const profile = await inspectColumns({
      age: ['34', '51.5', '-2', '1e2', '.5'],
      ward: ['north', 'south', 'north', 'east', 'south'],
    });
    expect(profile.rows).toBe(5);
    expect(column(profile, 'age')).toMatchObject({ kind: 'numeric', excluded: false, position: 1 });
    expect(column(profile, 'ward')).toMatchObject({ kind: 'categorical', excluded: false, position: 2 });
    expect(column(profile, 'age').note).toBeUndefined();
  });

  it('decimal commas, hex and Infinity are not numbers', async () => {
    const profile = await inspectColumns({ x: ['1', '0x1A', 'Infinity', '1 000'] });
    expect(column(profile, 'x').kind).toBe('categorical');
  });

  it('yes/no, true/false and 0/1 are boolean, in any case', async () => {
    const profile = await inspectColumns({
      smoker: ['yes', 'no', 'Yes', 'no', 'YES'],
      alive: ['true', 'FALSE', 'True', 'false', 'true'],
      flag: ['0', '1', '1', '0', '1'],
      tf: ['t', 'f', 'T', 't', 'f'],
    });
    for (const name of ['smoker', 'alive', 'flag', 'tf']) {
      expect(column(profile, name), name).toMatchObject({ kind: 'boolean', excluded: false });
    }
  });

  it('a constant "1" or "0" column is numeric, a constant "yes" is boolean', async () => {
    const profile = await inspectColumns({
      one: ['1', '1', '1', '1'],
      zero: ['0', '0', '0', '0'],
      always: ['yes', 'yes', 'yes', 'yes'],
    });
    expect(column(profile, 'one').kind).toBe('numeric');
    expect(column(profile, 'zero').kind).toBe('numeric');
    expect(column(profile, 'always').kind).toBe('boolean');
  });

  it('two booleans from different pairs are not boolean', async () => {
    const profile = await inspectColumns({ mixed: ['yes', 'false', 'yes', 'false'] });
    expect(column(profile, 'mixed').kind).toBe('categorical');
  });

  it('distinct whole numbers in a column named like an identifier are an identifier, and excluded', async () => {
    const profile = await inspectColumns({
      patient_id: ['101', '102', '205', '103', '999'],
      PatientID: ['7', '3', '5', '1', '2'],
      sample_id: ['1', '2', '2', '3', '4'], // repeated: a number after all
      record_id: ['1.5', '2.5', '3.5', '4.5', '5.5'], // not whole numbers
      age: ['30', '31', '32', '33', '34'], // distinct integers, but not named like an identifier
    });
    for (const name of ['patient_id', 'PatientID']) {
      expect(column(profile, name), name).toMatchObject({
        kind: 'identifier',
        excluded: true,
        note: 'distinct whole numbers in a column named like an identifier',
      });
    }
    expect(column(profile, 'sample_id')).toMatchObject({ kind: 'numeric', excluded: false });
    expect(column(profile, 'record_id')).toMatchObject({ kind: 'numeric', excluded: false });
    expect(column(profile, 'age')).toMatchObject({ kind: 'numeric', excluded: false });
  });

  it('distinct strings in a column named like an identifier are an identifier', async () => {
    const profile = await inspectColumns({ mrn: ['A17', 'B22', 'C09'], ward: ['a', 'b', 'c'] });
    expect(column(profile, 'mrn')).toMatchObject({
      kind: 'identifier',
      excluded: true,
      note: 'distinct values in a column named like an identifier',
    });
    expect(column(profile, 'ward').kind).toBe('categorical');
  });

  it('recognises identifier names and leaves ordinary names alone', () => {
    for (const name of ['id', 'ID', 'uuid', 'mrn', 'patient_id', 'PatientID', 'record-no', 'subject nr', 'visit.uuid', 'caseId']) {
      expect(nameLooksLikeIdentifier(name), name).toBe(true);
    }
    // Words that merely end in "id" are not identifiers: only camelCase "Id" counts.
    for (const name of ['idea', 'valid', 'age', 'keyboard', 'patient', 'grid', 'thyroid', 'lipid', 'covid', 'steroid', 'Fluid']) {
      expect(nameLooksLikeIdentifier(name), name).toBe(false);
    }
  });

  it('a measurement whose name ends in "id" stays numeric', async () => {
    const profile = await inspectColumns({ thyroid: ['12', '15', '9', '21'], lipid: ['a1', 'b2', 'c3', 'd4'] });
    expect(column(profile, 'thyroid')).toMatchObject({ kind: 'numeric', excluded: false });
    expect(column(profile, 'lipid')).toMatchObject({ kind: 'categorical', excluded: false });
  });

  it('20 or more distinct strings are an identifier; fewer are categorical', async () => {
    const profile = await inspectColumns({
      code: range(20, (i) => `c${i}`),
      few: [...range(19, (i) => `c${i}`), 'c0'],
    });
    expect(column(profile, 'code')).toMatchObject({
      kind: 'identifier',
      excluded: true,
      note: 'every value is different: looks like an identifier',
      distinct: 20,
    });
    // Categorical, but 19 levels in 20 rows would single patients out: left out by the disclosure rules.
    expect(column(profile, 'few')).toMatchObject({ kind: 'categorical', excluded: true, distinct: 19 });
    expect(column(profile, 'few').note).toMatch(/19 distinct in 20 rows/);

    const nineteen = await inspectColumns({ code: range(19, (i) => `c${i}`) });
    expect(column(nineteen, 'code').kind).toBe('categorical');
  });

  it('a column of only missing values is empty, and excluded', async () => {
    const profile = await inspectColumns({ x: ['1', '2', '3', '4'], notes: ['', 'NA', '?', 'null'] });
    expect(column(profile, 'notes')).toEqual({
      name: 'notes',
      position: 2,
      kind: 'empty',
      excluded: true,
      note: 'every value is missing',
      count: 0,
      missing: 4,
      distinct: 0,
    });
  });

  it('a mostly-numeric column with a typo gets a note naming the value and its line', async () => {
    const bp = ['120', '130', '120', '125', '130', '12O', '140', '120', '135', '130'];
    const profile = await inspectColumns({ bp });
    const bpProfile = column(profile, 'bp');
    expect(bpProfile.kind).toBe('categorical');
    expect(bpProfile.note).toBe(
      'mostly numbers, but 1 value is not (first: "12O" on line 7); fix the file or declare the column numeric to see every problem',
    );
  });

  it('counts every non-number in the note but names the first', async () => {
    const values = range(28, (i) => String(100 + (i % 7)));
    values[9] = 'n/a';
    values[20] = 'unknown';
    const profile = await inspectColumns({ hr: values });
    expect(column(profile, 'hr').note).toBe(
      'mostly numbers, but 2 values are not (first: "n/a" on line 11); fix the file or declare the column numeric to see every problem',
    );
  });
});

describe('overrides', () => {
  const columns = {
    flag: ['0', '1', '1', '0'],
    age: ['30', '40', '50', '60'],
    ward: ['a', 'b', 'a', 'b'],
  };

  it('a declared kind replaces the inferred one and says what the values look like', async () => {
    const profile = await inspectColumns(columns, { overrides: { kinds: { flag: 'numeric', age: 'categorical' } } });
    expect(column(profile, 'flag')).toMatchObject({
      kind: 'numeric',
      excluded: false,
      note: 'declared numeric; the values look boolean',
      numeric: { min: 0, max: 1, mean: 0.5, std: 0.5, sum: 2, sumSq: 2 },
    });
    expect(column(profile, 'flag').levels).toBeUndefined();
    expect(column(profile, 'age')).toMatchObject({
      kind: 'categorical',
      note: 'declared categorical; the values look numeric',
      levels: { '30': 1, '40': 1, '50': 1, '60': 1 },
    });
    expect(column(profile, 'age').numeric).toBeUndefined();
  });

  it('declaring the inferred kind adds no note', async () => {
    const profile = await inspectColumns(columns, { overrides: { kinds: { ward: 'categorical' } } });
    expect(column(profile, 'ward').note).toBeUndefined();
  });

  it('declaring a column an identifier excludes it', async () => {
    const profile = await inspectColumns(columns, { overrides: { kinds: { ward: 'identifier' } } });
    expect(column(profile, 'ward')).toMatchObject({ kind: 'identifier', excluded: true });
  });

  it('an excluded column keeps its kind and says why it is excluded', async () => {
    const profile = await inspectColumns(columns, { overrides: { exclude: ['age'] } });
    expect(column(profile, 'age')).toMatchObject({ kind: 'numeric', excluded: true, note: 'excluded by the data owner' });
    expect(column(profile, 'ward').excluded).toBe(false);
  });

  it('the target is never excluded', async () => {
    const profile = await inspectColumns(
      { patient_id: ['1', '2', '3', '4'], ward: ['a', 'b', 'a', 'b'] },
      { target: 'patient_id', overrides: { exclude: ['ward'] } },
    );
    expect(profile.target).toBe('patient_id');
    expect(column(profile, 'patient_id')).toMatchObject({ kind: 'identifier', excluded: false });
    expect(column(profile, 'patient_id').levels).toEqual({ '1': 1, '2': 1, '3': 1, '4': 1 });
  });

  it('an override naming an unknown column is a clear error', async () => {
    for (const overrides of [{ kinds: { agee: 'numeric' as const } }, { exclude: ['agee'] }]) {
      const error: unknown = await inspectColumns(columns, { overrides }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CohortError);
      expect(error).not.toBeInstanceOf(DataFileError);
      expect((error as CohortError).code).toBe('BAD_INPUT');
      expect((error as CohortError).message).toMatch(/file-\d+\.csv: no column named "agee" \(columns: flag, age, ward\)$/);
    }
  });

  it('a declared numeric column fails at its first non-number instead of guessing', async () => {
    const error: unknown = await inspectColumns(
      { bp: ['120', '130', '12O', 'x'] },
      { overrides: { kinds: { bp: 'numeric' } } },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataFileError);
    expect(error).toMatchObject({ code: 'NOT_NUMERIC', location: { line: 4, column: 1, columnName: 'bp' } });
  });
});

describe('summaries', () => {
  it('numeric: count, missing, distinct, min, max, mean, population std and sums', async () => {
    // 2 4 4 4 5 5 7 9: sum 40, mean 5, squares 232, variance 232/8 - 25 = 4, std 2.
    // (In a one-column file an empty cell is a blank line, which is skipped, so use tokens.)
    const profile = await inspectColumns({ x: ['2', '4', 'NA', '4', '4', '5', ' ? ', '5', '7', '9'] });
    expect(column(profile, 'x')).toEqual({
      name: 'x',
      position: 1,
      kind: 'numeric',
      excluded: false,
      count: 8,
      missing: 2,
      distinct: 5,
      // m2 = 8 x variance 4; quartiles interpolated between order statistics (positions 1.75, 3.5, 5.25 of 0..7).
      numeric: { min: 2, max: 9, mean: 5, std: 2, sum: 40, sumSq: 232, m2: 32, quartiles: [4, 4.5, 5.5] },
    });
  });

  it('numeric with decimals and negatives', async () => {
    // -1.5 0.5 2.5 4.5: sum 6, mean 1.5, squares 2.25+0.25+6.25+20.25 = 29, variance 29/4 - 2.25 = 5, std √5.
    const profile = await inspectColumns({ x: ['-1.5', '0.5', '2.5', '4.5'] });
    const numeric = column(profile, 'x').numeric!;
    expect(numeric).toMatchObject({ min: -1.5, max: 4.5, mean: 1.5, sum: 6, sumSq: 29 });
    expect(numeric.std).toBeCloseTo(Math.sqrt(5), 12);
  });

  it('categorical: level counts, trimmed, sorted, missing left out', async () => {
    const profile = await inspectColumns({ ward: ['north', ' south', 'north ', 'NA', 'east', 'north', 'null', 'South'] });
    const ward = column(profile, 'ward');
    expect(ward).toMatchObject({ kind: 'categorical', count: 6, missing: 2, distinct: 4 });
    expect(ward.levels).toEqual({ South: 1, east: 1, north: 3, south: 1 });
    expect(Object.keys(ward.levels!)).toEqual(['South', 'east', 'north', 'south']);
    expect(ward.numeric).toBeUndefined();
  });

  it('levels that look like numbers sort numerically', async () => {
    const profile = await inspectColumns({ grade: ['10', '9', '2', '10', 'x'] }, { overrides: { kinds: { grade: 'categorical' } } });
    expect(Object.keys(column(profile, 'grade').levels!)).toEqual(['2', '9', '10', 'x']);
    expect(column(profile, 'grade').levels).toEqual({ '2': 1, '9': 1, '10': 2, x: 1 });
  });

  it('boolean: level counts and the share of true values as 0/1', async () => {
    // yes yes no yes no: 3 true of 5, mean 0.6, variance 0.6 - 0.36 = 0.24.
    const profile = await inspectColumns({ smoker: ['yes', 'yes', 'no', 'NA', 'yes', 'no'] });
    const smoker = column(profile, 'smoker');
    expect(smoker).toMatchObject({ kind: 'boolean', count: 5, missing: 1, distinct: 2, levels: { no: 2, yes: 3 } });
    expect(smoker.numeric).toMatchObject({ min: 0, max: 1, sum: 3, sumSq: 3 });
    expect(smoker.numeric!.mean).toBeCloseTo(0.6, 15);
    expect(smoker.numeric!.std).toBeCloseTo(Math.sqrt(0.24), 15);

    const always = await inspectColumns({ alive: ['true', 'true'] });
    expect(column(always, 'alive').numeric).toMatchObject({ min: 1, max: 1, mean: 1, std: 0, sum: 2 });
  });

  it('a numeric target with few values keeps its labels', async () => {
    const profile = await inspectColumns({ x: ['1', '2', '3', '4'], grade: ['3', '1', '3', '2'] }, { target: 'grade' });
    expect(column(profile, 'grade')).toMatchObject({ kind: 'numeric', levels: { '1': 1, '2': 1, '3': 2 } });
    expect(column(profile, 'x').levels).toBeUndefined();
  });
});
