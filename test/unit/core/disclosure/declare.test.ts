// The declaration a party sends under its minimum cell count k: computed from a real profile of
// the rows, with every rule checked against hand-counted values.
import { describe, expect, it } from 'vitest';
import { declareProfile, frequentLevels } from '../../../../src-main/core/data/declare';
import { TableProfiler } from '../../../../src-main/core/data/profile';
import { missingMatcher } from '../../../../src-main/core/data/values';
import { OTHER_LEVEL } from '../../../../src-main/core/disclosure/threshold';

function declare(header: string[], rows: string[][], target: string, k: number, task: 'classify' | 'regress' = 'classify') {
  const profiler = new TableProfiler(header, missingMatcher());
  rows.forEach((row, index) => profiler.pushRow(row, index + 2));
  return declareProfile('north', profiler.finish('north.csv', { minCellCount: k }, target), task, k);
}

const wards = ['A', 'A', 'A', 'A', 'A', 'A', 'B', 'B', 'B', 'B', 'B', 'C', 'C', 'D'];

describe('a declaration under the minimum cell count', () => {
  it('merges categories held by fewer than k rows into one "(other)" level, and sends no level counts', () => {
    const rows = wards.map((ward, index) => [ward, index % 2 === 0 ? 'yes' : 'no']);
    const declaration = declare(['ward', 'outcome'], rows, 'outcome', 5);
    const ward = declaration.columns.find((column) => column.name === 'ward')!;
    expect(ward.levels).toEqual([OTHER_LEVEL, 'A', 'B']);
    expect(JSON.stringify(ward)).not.toMatch(/"C"|"D"/);
    expect(ward).not.toHaveProperty('labelCounts');
  });

  it('keeps every level when all are held by at least k rows, and adds no "(other)"', () => {
    expect(frequentLevels({ A: 6, B: 5 }, 5)).toEqual(['A', 'B']);
    expect(frequentLevels({ A: 6, B: 4 }, 5)).toEqual([OTHER_LEVEL, 'A']);
    expect(frequentLevels({ A: 1 }, 5)).toEqual([OTHER_LEVEL]);
  });

  it('sends every label of the target, and their counts only when none of them is 1..k-1', () => {
    const outcomes = ['died', 'died', 'alive', 'alive', 'alive', 'alive', 'alive', 'alive'];
    const declaration = declare(['age', 'status'], outcomes.map((status, index) => [String(40 + index), status]), 'status', 5);
    const status = declaration.columns.find((column) => column.name === 'status')!;
    expect(status.levels).toEqual(['alive', 'died']);
    // {alive: 6} alone would tell died = 8 - 6.
    expect(status).not.toHaveProperty('labelCounts');
    const balanced = [...outcomes, 'died', 'died', 'died'];
    const counted = declare(['age', 'status'], balanced.map((label, index) => [String(40 + index), label]), 'status', 5);
    expect(counted.columns.find((column) => column.name === 'status')!.labelCounts).toEqual({ alive: 6, died: 5 });
  });

  it('does not tell a missing count of 1..k-1: those values are declared as filled at the party\'s own mean', () => {
    // 10 rows, 2 missing: values 1..8 (sum 36, mean 4.5, m2 42).
    const rows = Array.from({ length: 10 }, (_, index) => [index < 8 ? String(index + 1) : '', index % 2 ? 'y' : 'n']);
    const lab = declare(['lab', 'outcome'], rows, 'outcome', 5).columns.find((column) => column.name === 'lab')!;
    expect(lab).toMatchObject({ count: 10, missing: 0, sum: 36 + 2 * 4.5, m2: 42 });
    expect(lab.sumSq).toBeCloseTo(204 + 2 * 4.5 ** 2, 9);
    // Five missing may be told.
    const many = rows.map((row, index) => [index >= 5 ? '' : row[0]!, row[1]!]);
    expect(declare(['lab', 'outcome'], many, 'outcome', 5).columns.find((column) => column.name === 'lab')).toMatchObject({ count: 5, missing: 5, sum: 15 });
  });

  it('sends no sums for a numeric column with fewer than k values: it counts as empty', () => {
    const rows = Array.from({ length: 8 }, (_, index) => [index < 3 ? String(100 + index) : 'NA', String(index), index % 2 ? 'y' : 'n']);
    const declaration = declare(['rare_lab', 'age', 'outcome'], rows, 'outcome', 5);
    expect(declaration.columns.find((column) => column.name === 'rare_lab')).toEqual({ name: 'rare_lab', kind: 'empty', excluded: false, count: 0, missing: 8 });
    expect(declaration.columns.find((column) => column.name === 'age')).toMatchObject({ count: 8, sum: 28 });
  });

  it('sends no sums for a boolean whose true or false count is 1..k-1 (the sum would be that count)', () => {
    const rows = Array.from({ length: 10 }, (_, index) => [index < 2 ? 'yes' : 'no', String(index), index % 2 ? 'y' : 'n']);
    const smoker = declare(['smoker', 'age', 'outcome'], rows, 'outcome', 5).columns.find((column) => column.name === 'smoker')!;
    expect(smoker.kind).toBe('boolean');
    expect(smoker.sum).toBeUndefined();
    const balanced = declare(['smoker', 'age', 'outcome'], rows.map((row, index) => [index < 5 ? 'yes' : 'no', row[1]!, row[2]!]), 'outcome', 5);
    expect(balanced.columns.find((column) => column.name === 'smoker')!.sum).toBe(5);
  });

  it('tells no count of 1..k-1 for an excluded column either', () => {
    const rows = Array.from({ length: 10 }, (_, index) => [index < 3 ? `Name${index}` : '', String(index), index % 2 ? 'y' : 'n']);
    const surname = declare(['surname', 'age', 'outcome'], rows, 'outcome', 5).columns.find((column) => column.name === 'surname')!;
    expect(surname).toEqual({ name: 'surname', kind: expect.any(String), excluded: true, count: 0, missing: 10 });
  });

  it('refuses a file with fewer than k rows', () => {
    expect(() => declare(['age', 'outcome'], [['1', 'y'], ['2', 'n'], ['3', 'y']], 'outcome', 5)).toThrow(/3 rows, fewer than the minimum cell count 5/);
  });
});
