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

  it('sends every label of the target, but the counts of those with at least k rows only', () => {
    const outcomes = ['died', 'died', 'alive', 'alive', 'alive', 'alive', 'alive', 'alive'];
    const declaration = declare(['age', 'status'], outcomes.map((status, index) => [String(40 + index), status]), 'status', 5);
    const status = declaration.columns.find((column) => column.name === 'status')!;
    expect(status.levels).toEqual(['alive', 'died']);
    expect(status.labelCounts).toEqual({ alive: 6 });
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

  it('refuses a file with fewer than k rows', () => {
    expect(() => declare(['age', 'outcome'], [['1', 'y'], ['2', 'n'], ['3', 'y']], 'outcome', 5)).toThrow(/3 rows, fewer than the minimum cell count 5/);
  });
});
