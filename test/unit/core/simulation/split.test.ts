import { describe, expect, it } from 'vitest';
import { dirichlet, quantileBins, splitRows } from '../../../../src-main/core/simulation/split';
import { mulberry32 } from '../../../../src-main/core/stats/random';

const labels = Array.from({ length: 600 }, (_, row) => (row % 3 === 0 ? 'M' : 'B'));
const base = { parties: 3, seed: 7, alpha: 0.5, evaluateFraction: 0.2, minTrainRows: 10 };

function share(rows: number[], label: string): number {
  return rows.filter((row) => labels[row] === label).length / rows.length;
}

describe('splitting one data set into parties', () => {
  it('uses every row exactly once, holding out the evaluate fraction', () => {
    for (const mode of ['iid', 'label-skew'] as const) {
      const split = splitRows(labels, { ...base, mode });
      const all = split.flatMap((party) => [...party.train, ...party.evaluate]).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 600 }, (_, row) => row));
      for (const party of split) {
        const total = party.train.length + party.evaluate.length;
        expect(Math.abs(party.evaluate.length - 0.2 * total)).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('is deterministic for a seed and changes with it', () => {
    expect(splitRows(labels, { ...base, mode: 'label-skew' })).toEqual(splitRows(labels, { ...base, mode: 'label-skew' }));
    expect(splitRows(labels, { ...base, mode: 'label-skew', seed: 8 })).not.toEqual(splitRows(labels, { ...base, mode: 'label-skew' }));
  });

  it('iid keeps the label mix; label-skew with a small alpha does not', () => {
    const overall = share(labels.map((_, row) => row), 'M');
    for (const party of splitRows(labels, { ...base, mode: 'iid' })) {
      expect(Math.abs(share(party.train, 'M') - overall)).toBeLessThan(0.1);
      expect(Math.abs(party.train.length - 160)).toBeLessThanOrEqual(2);
    }
    const skewed = splitRows(labels, { ...base, mode: 'label-skew', alpha: 0.1 });
    const spread = skewed.map((party) => share(party.train, 'M'));
    expect(Math.max(...spread) - Math.min(...spread)).toBeGreaterThan(0.5);
  });

  it('refuses a split that cannot give every party enough rows', () => {
    expect(() => splitRows(labels.slice(0, 20), { ...base, mode: 'iid', parties: 5 })).toThrow(/cannot give each of 5 parties 10 training rows/);
  });
});

describe('Dirichlet draws', () => {
  it('are proportions, concentrated for small alpha and even for large alpha', () => {
    const random = mulberry32(1);
    const small = Array.from({ length: 200 }, () => Math.max(...dirichlet(4, 0.05, random)));
    const large = Array.from({ length: 200 }, () => Math.max(...dirichlet(4, 100, random)));
    for (const draw of [dirichlet(4, 0.5, random), dirichlet(2, 3, random)]) {
      expect(draw.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 12);
      expect(draw.every((value) => value >= 0)).toBe(true);
    }
    expect(small.reduce((a, b) => a + b) / 200).toBeGreaterThan(0.85);
    expect(large.reduce((a, b) => a + b) / 200).toBeLessThan(0.32);
  });
});

describe('quantile bins for a numeric target', () => {
  it('labels values by quartile', () => {
    expect(quantileBins([1, 2, 3, 4, 5, 6, 7, 8])).toEqual(['q0', 'q0', 'q1', 'q1', 'q2', 'q2', 'q3', 'q3']);
  });
});
