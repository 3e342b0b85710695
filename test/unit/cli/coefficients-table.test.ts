// The command line's regression table: one row per term, the interval and ratio as people read
// them, the reference class named for several classes.
import { describe, expect, it } from 'vitest';
import { coefficientsTable } from '../../../src-main/cli/results';
import type { CoefficientRow, CoefficientTable } from '../../../src-main/contract/results';

const row = (term: string, outcome: string | null, estimate: number, p: number): CoefficientRow => ({
  term,
  outcome,
  estimate,
  encoded: estimate,
  scale: 1,
  standardError: 0.1,
  low: estimate - 0.196,
  high: estimate + 0.196,
  statistic: estimate / 0.1,
  p,
  ratio: { estimate: Math.exp(estimate), low: Math.exp(estimate - 0.196), high: Math.exp(estimate + 0.196) },
});

const table = (family: CoefficientTable['family'], terms: CoefficientRow[]): CoefficientTable => ({
  family,
  penalty: 1,
  iterations: 5,
  converged: true,
  rows: 100,
  parameters: terms.length,
  statistic: 'z',
  confidence: 0.95,
  dispersion: null,
  positive: null,
  reference: family === 'multinomial' ? 'censored' : null,
  objective: 1,
  notes: [],
  terms,
});

describe('the coefficients table on the command line', () => {
  it('gives each term its coefficient, interval, odds ratio and p-value', () => {
    // Without the terminal's colours (CI turns them on).
    const text = coefficientsTable(table('binomial', [row('(intercept)', null, -1, 0.5), row('age', null, 0.5, 0.0001)])).replace(/\u001b\[[0-9;]*m/g, '');
    const lines = text.split('\n').filter((line) => line.includes('│'));
    expect(lines[0]).toMatch(/term\s+│ coefficient\s+│ 95% CI\s+│ odds ratio\s+│ p/);
    expect(lines[1]).toMatch(/\(intercept\)\s+│ -1\s+│ -1\.196 to -0\.804\s+│ -\s+│ 0\.500/);
    expect(lines[2]).toMatch(/age\s+│ 0\.5\s+│ 0\.304 to 0\.696\s+│ 1\.649\s+│ < 0\.001/);
  });

  it('names the reference class for several classes, and shows no ratio for a numeric target', () => {
    expect(coefficientsTable(table('multinomial', [row('age', 'died', 0.2, 0.04)]))).toMatch(/vs censored[\s\S]*died/);
    expect(coefficientsTable(table('gaussian', [row('age', null, 0.2, 0.04)]))).not.toMatch(/ratio/);
  });
});
