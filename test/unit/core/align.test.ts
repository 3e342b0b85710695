import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src-main/core/stats/random';
import type { Alignment, PartyDeclaration } from '../../../src-main/contract/data';
import { Alignment as AlignmentSchema } from '../../../src-main/contract/data';
import type { Task } from '../../../src-main/contract/records';
import { alignFeatures, fingerprintOf, type AlignmentProject } from '../../../src-main/core/alignment/align';
import { findDrift } from '../../../src-main/core/alignment/drift';
import { encodeDataset } from '../../../src-main/core/alignment/encode';
import { declareProfile } from '../../../src-main/core/data/declare';
import { TableProfiler } from '../../../src-main/core/data/profile';
import { GrowableFloat64, type Table, type TableColumn } from '../../../src-main/core/data/table';
import { missingMatcher, parseBoolean, parseNumber } from '../../../src-main/core/data/values';

type Rows = string[][];

/**
 * What a party would declare for these rows, built exactly as the real path builds it, with a
 * minimum cell count of 1 (nothing withheld): these tests are about alignment, and their
 * tables are tiny. The disclosure rules have their own tests (test/unit/core/disclosure).
 */
function declare(party: string, header: string[], rows: Rows, target: string, task: Task = 'classify'): PartyDeclaration {
  const profiler = new TableProfiler(header, missingMatcher());
  rows.forEach((row, index) => profiler.pushRow(row, index + 2));
  return declareProfile(party, profiler.finish(`${party}.csv`, { minCellCount: 1 }, target), task, 1);
}

/** A typed table as the loader would produce it with the alignment's kinds. */
function tableOf(header: string[], rows: Rows, kinds: Record<string, 'numeric' | 'boolean' | 'categorical'>): Table {
  const isMissing = missingMatcher();
  const columns = new Map<string, TableColumn>();
  for (const [name, kind] of Object.entries(kinds)) {
    const index = header.indexOf(name);
    if (index < 0) continue;
    if (kind === 'categorical') {
      const levels: string[] = [];
      const codes = Int32Array.from(rows, (row) => {
        const cell = row[index]!;
        if (isMissing(cell)) return -1;
        if (!levels.includes(cell)) levels.push(cell);
        return levels.indexOf(cell);
      });
      columns.set(name, { kind: 'categorical', codes, levels });
    } else {
      const values = new GrowableFloat64();
      for (const row of rows) {
        const cell = row[index]!;
        values.push(isMissing(cell) ? Number.NaN : ((kind === 'numeric' ? parseNumber(cell) : parseBoolean(cell)) ?? Number.NaN));
      }
      columns.set(name, { kind: 'numeric', values: values.finish() });
    }
  }
  return { rows: rows.length, columns };
}

function kindsOf(alignment: Alignment, withTarget = true): Record<string, 'numeric' | 'boolean' | 'categorical'> {
  const kinds: Record<string, 'numeric' | 'boolean' | 'categorical'> = {};
  for (const column of alignment.columns) kinds[column.name] = column.kind;
  if (withTarget) kinds[alignment.target.column] = alignment.target.kind === 'regression' ? 'numeric' : 'categorical';
  return kinds;
}

function mustAlign(declarations: PartyDeclaration[], project: AlignmentProject): Alignment {
  const { alignment, report } = alignFeatures(declarations, project);
  expect(report.errors).toEqual([]);
  expect(alignment).toBeDefined();
  return alignment!;
}

const random = mulberry32;

const project: AlignmentProject = { targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' };

describe('categorical alignment', () => {
  const header = ['ward', 'age', 'outcome'];
  const a = declare('hospital-a', header, [['icu', '70', 'yes'], ['cardio', '65', 'no'], ['icu', '50', 'no']], 'outcome');
  const b = declare('hospital-b', header, [['oncology', '40', 'no'], ['emergency', '81', 'yes']], 'outcome');
  const c = declare('hospital-c', header, [['cardio', '33', 'yes'], ['Émergence', '59', 'no'], ['10', '60', 'no'], ['9', '61', 'yes']], 'outcome');

  it('gives parties with different level sets identical features in identical order, whatever the order they arrive in', () => {
    const first = mustAlign([a, b, c], project);
    const second = mustAlign([c, a, b], project);
    const third = mustAlign([b, c, a], project);
    expect(first.features).toEqual([
      'ward=9',
      'ward=10',
      'ward=cardio',
      'ward=emergency',
      'ward=icu',
      'ward=oncology',
      'ward=Émergence',
      'age',
    ]);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(second.fingerprint).toBe(first.fingerprint);
  });

  it('encodes every party into the same columns, one-hot over the union', () => {
    const alignment = mustAlign([a, b, c], project);
    const encoded = encodeDataset(alignment, tableOf(header, [['oncology', '40', 'no']], kindsOf(alignment)), { withTarget: true });
    expect(encoded.featureCount).toBe(8);
    expect(Array.from(encoded.x.slice(0, 7))).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(encoded.y!)).toEqual([0]);
  });

  it('maps a level unseen at alignment time to all zeros and reports it', () => {
    const alignment = mustAlign([a, b, c], project);
    const rows = [['radiology', '50', 'yes'], ['icu', '50', 'no'], ['radiology', '52', 'no']];
    const encoded = encodeDataset(alignment, tableOf(header, rows, kindsOf(alignment)), { withTarget: true });
    expect(Array.from(encoded.x.slice(0, 7))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(encoded.x.slice(8, 15))).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(encoded.unseenLevels).toEqual({ ward: { radiology: 2 } });
  });

  it('is refused as drift when a prediction file has a new column or lacks a trained one', () => {
    const alignment = mustAlign([a, b, c], project);
    expect(findDrift(alignment, { file: 'p.csv', party: 'hospital-a', header: ['ward', 'age'], needsTarget: false })).toEqual([]);
    const added = findDrift(alignment, { file: 'p.csv', party: 'hospital-a', header: ['ward', 'age', 'bmi'], needsTarget: false });
    expect(added).toHaveLength(1);
    expect(added[0]).toContain('"bmi"');
    const lacking = findDrift(alignment, { file: 'p.csv', party: 'hospital-a', header: ['ward'], needsTarget: true });
    expect(lacking).toEqual([
      'the target column "outcome" is missing',
      'the model was trained with column "age", which the file lacks',
    ]);
    expect(findDrift(alignment, { file: 'p.csv', party: 'hospital-a', header: ['ward', 'age', 'bmi'], excluded: ['bmi'], needsTarget: false })).toEqual([]);
  });
});

describe('federated standardisation', () => {
  it('equals pooled standardisation to 1e-9', () => {
    const rand = random(7);
    const header = ['x', 'y', 'big', 'outcome'];
    // Three parties with different sizes and shifted distributions (non-IID), some missing values.
    const parties = [
      { name: 'a', n: 400, shift: 0 },
      { name: 'b', n: 150, shift: 3 },
      { name: 'c', n: 37, shift: -2 },
    ].map(({ name, n, shift }) => ({
      name,
      rows: Array.from({ length: n }, () => [
        rand() < 0.05 ? 'NA' : String(shift + rand() * 10),
        String(100 * shift + rand() * 1e-3),
        String(2500 + 800 * rand() + shift * 100),
        rand() < 0.4 ? 'yes' : 'no',
      ]),
    }));
    const alignment = mustAlign(
      parties.map(({ name, rows }) => declare(name, header, rows, 'outcome')),
      project,
    );

    for (const [index, name] of ['x', 'y', 'big'].entries()) {
      const pooled = parties.flatMap(({ rows }) => rows.map((row) => row[index]!)).filter((cell) => cell !== 'NA').map(Number);
      const mean = pooled.reduce((sum, value) => sum + value, 0) / pooled.length;
      const std = Math.sqrt(pooled.reduce((sum, value) => sum + (value - mean) ** 2, 0) / pooled.length);
      const aligned = alignment.columns.find((column) => column.name === name);
      if (aligned?.kind !== 'numeric') throw new Error(`${name} should be numeric`);
      expect(Math.abs(aligned.mean - mean)).toBeLessThan(1e-9 * Math.max(1, Math.abs(mean)));
      expect(Math.abs(aligned.std - std) / std).toBeLessThan(1e-9);
      // Every standardised value matches the pooled one.
      for (const value of pooled) {
        expect(Math.abs((value - aligned.mean) / aligned.std - (value - mean) / std)).toBeLessThan(1e-9);
      }
    }
  });

  it('imputes missing numerics with the pooled mean and adds indicators when asked', () => {
    const header = ['x', 'outcome'];
    const a = declare('a', header, [['1', 'yes'], ['NA', 'no'], ['3', 'no']], 'outcome');
    const b = declare('b', header, [['5', 'yes'], ['7', 'no']], 'outcome');
    const alignment = mustAlign([a, b], { ...project, alignment: { missingIndicators: true } });
    expect(alignment.features).toEqual(['x', 'x__missing']);
    const column = alignment.columns[0]!;
    expect(column.kind === 'numeric' && column.mean).toBe(4);
    const encoded = encodeDataset(alignment, tableOf(header, [['NA', 'yes'], ['4', 'no']], kindsOf(alignment)), { withTarget: true });
    // missing -> standardised mean (0) with indicator 1; 4 is the mean -> 0 with indicator 0
    expect(Array.from(encoded.x)).toEqual([0, 1, 0, 0]);
  });
});

describe('target encoding', () => {
  const header = ['x', 'diagnosis'];
  const a = declare('a', header, [['1', 'B'], ['2', 'B'], ['3', 'M']], 'diagnosis');
  const b = declare('b', header, [['1', 'B'], ['2', 'M']], 'diagnosis');

  it('uses the project positive class for a binary target', () => {
    const alignment = mustAlign([a, b], { targetColumn: 'diagnosis', task: 'classify', positiveClass: 'M' });
    expect(alignment.target).toEqual({ kind: 'binary', column: 'diagnosis', labels: ['B', 'M'], positive: 'M' });
    const encoded = encodeDataset(alignment, tableOf(header, [['1', 'M'], ['1', 'B'], ['1', ''], ['1', 'X']], kindsOf(alignment)), {
      withTarget: true,
    });
    expect(Array.from(encoded.y!)).toEqual([1, 0]);
    expect(encoded.skipped).toEqual({ missingTarget: 1, unseenLabel: 1 });
    expect(encoded.unseenLabels).toEqual({ X: 1 });
  });

  it('picks the less frequent label and warns when no positive class is given', () => {
    const { alignment, report } = alignFeatures([a, b], { targetColumn: 'diagnosis', task: 'classify' });
    expect(alignment?.target).toMatchObject({ kind: 'binary', positive: 'M' });
    expect(report.warnings.map((warning) => warning.code)).toContain('POSITIVE_CLASS');
  });

  it('refuses a positive class that is not a label', () => {
    const { alignment, report } = alignFeatures([a, b], { targetColumn: 'diagnosis', task: 'classify', positiveClass: 'malignant' });
    expect(alignment).toBeUndefined();
    expect(report.errors).toEqual([
      expect.objectContaining({ code: 'POSITIVE_CLASS', message: expect.stringContaining('labels: B, M') }),
    ]);
  });

  it('takes the union of labels in stable order for multiclass targets', () => {
    const h = ['x', 'digit'];
    const p = declare('p', h, [['1', '10'], ['2', '2']], 'digit');
    const q = declare('q', h, [['1', '1'], ['2', '2'], ['3', '9']], 'digit');
    const alignment = mustAlign([p, q], { targetColumn: 'digit', task: 'classify' });
    expect(alignment.target).toEqual({ kind: 'multiclass', column: 'digit', labels: ['1', '2', '9', '10'] });
    const encoded = encodeDataset(alignment, tableOf(h, [['0', '9']], kindsOf(alignment)), { withTarget: true });
    expect(Array.from(encoded.y!)).toEqual([0, 0, 1, 0]);
  });

  it('standardises a regression target with pooled statistics and never declares its values', () => {
    const h = ['x', 'los'];
    const p = declare('p', h, [['1', '2'], ['2', '4']], 'los', 'regress');
    const q = declare('q', h, [['1', '6'], ['2', '8']], 'los', 'regress');
    expect(p.columns.find((column) => column.name === 'los')).not.toHaveProperty('levels');
    const alignment = mustAlign([p, q], { targetColumn: 'los', task: 'regress' });
    expect(alignment.target).toEqual({ kind: 'regression', column: 'los', mean: 5, std: Math.sqrt(5) });
  });
});

describe('alignment report', () => {
  it('names which party lacks which column and imputes it there', () => {
    const a = declare('a', ['x', 'bmi', 'outcome'], [['1', '20', 'yes'], ['2', '30', 'no']], 'outcome');
    const b = declare('b', ['x', 'outcome'], [['1', 'yes'], ['2', 'no']], 'outcome');
    const { alignment, report } = alignFeatures([a, b], project);
    expect(alignment?.features).toEqual(['x', 'bmi']);
    expect(report.parties['b']!.missingColumns).toEqual(['bmi']);
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: 'COLUMN_MISSING', party: 'b', column: 'bmi' }));
    const encoded = encodeDataset(alignment!, tableOf(['x', 'outcome'], [['1', 'yes']], kindsOf(alignment!)), { withTarget: true });
    expect(encoded.x[1]).toBe(0); // imputed with the pooled mean, standardised
    // With the intersection policy the column is dropped instead.
    const strict = alignFeatures([a, b], { ...project, alignment: { columns: 'intersection' } });
    expect(strict.alignment?.features).toEqual(['x']);
    expect(strict.report.parties['a']!.droppedColumns).toHaveProperty('bmi');
  });

  it('reports kind conflicts and missing targets instead of producing garbage', () => {
    const a = declare('a', ['x', 'outcome'], [['1', 'yes'], ['2', 'no']], 'outcome');
    const b = declare('b', ['x', 'outcome'], [['low', 'yes'], ['high', 'no']], 'outcome');
    const c = declare('c', ['x', 'result'], [['1', 'yes'], ['2', 'no']], 'outcome');
    const { alignment, report } = alignFeatures([a, b, c], project);
    expect(alignment).toBeUndefined();
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'TARGET_MISSING', party: 'c', message: 'c has no target column "outcome"' }),
        expect.objectContaining({ code: 'KIND_CONFLICT', column: 'x', message: expect.stringContaining('a: numeric, b: categorical') }),
      ]),
    );
  });

  it('resolves a 0/1 boolean beside a numeric column as numeric', () => {
    const a = declare('a', ['children', 'outcome'], [['0', 'yes'], ['1', 'no']], 'outcome');
    const b = declare('b', ['children', 'outcome'], [['0', 'yes'], ['3', 'no'], ['2', 'no']], 'outcome');
    expect(a.columns[0]!.kind).toBe('boolean');
    const alignment = mustAlign([a, b], project);
    expect(alignment.columns[0]).toMatchObject({ kind: 'numeric', name: 'children', mean: 6 / 5 });
  });

  it('leaves identifier-like columns out everywhere', () => {
    const rows = (offset: number) => Array.from({ length: 25 }, (_, i) => [`P${offset + i}`, String(i), i % 2 ? 'yes' : 'no']);
    const a = declare('a', ['patient_id', 'x', 'outcome'], rows(0), 'outcome');
    const b = declare('b', ['patient_id', 'x', 'outcome'], rows(100), 'outcome');
    expect(a.columns[0]).toEqual({ name: 'patient_id', kind: 'identifier', excluded: true, count: 25, missing: 0 });
    const alignment = mustAlign([a, b], project);
    expect(alignment.features).toEqual(['x']);
    expect(alignment.ignored).toEqual(['patient_id']);
  });
});

describe('alignment format', () => {
  it('is versioned, validates against its schema and fingerprints its content', () => {
    const a = declare('a', ['x', 'outcome'], [['1', 'yes'], ['2', 'no']], 'outcome');
    const alignment = mustAlign([a], project);
    expect(AlignmentSchema.parse(alignment)).toEqual(alignment);
    expect(alignment.version).toBe(1);
    expect(fingerprintOf(alignment)).toBe(alignment.fingerprint);
    const changed = { ...alignment, features: ['y'] };
    expect(fingerprintOf(changed)).not.toBe(alignment.fingerprint);
  });
});

describe('pooled statistics of large, close values', () => {
  it('keeps the spread of values like 1e8 + {1, 2, 3}, where sums of squares cancel', () => {
    const header = ['stamp', 'outcome'];
    const a = declare('a', header, [['100000001', 'yes'], ['100000002', 'no']], 'outcome');
    const b = declare('b', header, [['100000003', 'no']], 'outcome');
    const alignment = mustAlign([a, b], project);
    const column = alignment.columns[0]!;
    if (column.kind !== 'numeric') throw new Error('stamp should be numeric');
    expect(column.mean).toBe(100000002);
    expect(column.std).toBeCloseTo(Math.sqrt(2 / 3), 12);
    // The naive formula from sums of squares alone would collapse to 0 here.
    const naive = a.columns[0]!.sumSq! + b.columns[0]!.sumSq! - 3 * 100000002 ** 2;
    expect(Math.abs(naive / 3 - 2 / 3)).toBeGreaterThan(0.1);
  });
});
