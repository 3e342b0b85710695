// The exact regression solver on real worker processes over real sockets, on the project's own
// federations of public clinical sets (label-skewed, missing values, categorical, several
// classes, a numeric target), with default settings: the federated model is the one the pooled
// rows give (the simulation's pooled baseline fits them in one place with the same Newton
// steps, which the unit tests check against scikit-learn), coefficient for coefficient, and
// its metrics match. With secure aggregation the sums travel masked and the model is the same.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../../src-main/api/simulation/simulate';
import type { Metrics } from '../../../src-main/contract/metrics';
import { Hyperparameters } from '../../../src-main/contract/records';
import type { CoefficientTable } from '../../../src-main/contract/results';
import { CLINICAL_SETS, type ClinicalSet } from '../../support/clinical-sets';

function headline(metrics: Metrics): Record<string, number | null> {
  if (metrics.kind === 'binary') return { rocAuc: metrics.rocAuc, logLoss: metrics.logLoss, accuracy: metrics.accuracy };
  if (metrics.kind === 'multiclass') return { accuracy: metrics.accuracy, logLoss: metrics.logLoss, macroF1: metrics.macroF1 };
  return { rmse: metrics.rmse, mae: metrics.mae, r2: metrics.r2 };
}

function largestDifference(a: CoefficientTable, b: CoefficientTable): number {
  expect(a.terms.map((row) => `${row.outcome}|${row.term}`)).toEqual(b.terms.map((row) => `${row.outcome}|${row.term}`));
  return Math.max(...a.terms.map((row, index) => Math.abs(row.encoded - b.terms[index]!.encoded)));
}

async function run(set: ClinicalSet, privacy: { secureAggregation: boolean } = { secureAggregation: false }): Promise<SimulationResult> {
  return simulate({ ...set.options, model: { kind: 'logreg' }, hyperparameters: Hyperparameters.parse({ privacy }), baselines: ['centralized'] });
}

describe('exact regression with default settings reaches the pooled model', () => {
  for (const set of CLINICAL_SETS) {
    it(`${set.name}: ${set.traits}`, async () => {
      const result = await run(set);
      expect(result.run.status, result.run.error ?? '').toBe('completed');
      expect(result.model.solver).toBe('exact');
      const federated = result.model.coefficients!;
      const pooled = result.baselines!.centralizedCoefficients!;
      expect(federated.converged).toBe(true);
      expect(federated.iterations).toBeLessThanOrEqual(10);
      expect(federated.rows).toBe(pooled.rows);
      expect(largestDifference(federated, pooled)).toBeLessThan(1e-6);
      const got = headline(result.evaluation!.aggregate);
      const expected = headline(result.baselines!.centralized!);
      for (const [name, value] of Object.entries(expected)) {
        if (value === null) continue;
        // Error metrics in the target's units: relative; the others as they are.
        const tolerance = name === 'rmse' || name === 'mae' ? 0.005 * value : 0.005;
        expect(Math.abs(got[name]! - value), `${name}: ${got[name]} federated, ${value} pooled`).toBeLessThanOrEqual(tolerance);
      }
      // The table reads as clinicians expect: intervals around each estimate, ratios for classification.
      for (const row of federated.terms) {
        expect(row.low!).toBeLessThanOrEqual(row.estimate);
        expect(row.high!).toBeGreaterThanOrEqual(row.estimate);
        expect(row.p).not.toBeNull();
        if (federated.family !== 'gaussian') expect(row.ratio!.estimate).toBeCloseTo(Math.exp(row.estimate), 10);
      }
      // The exported model carries the table, and a CSV of it.
      const csv = await readFile(join(result.artifacts.globalModel!, 'coefficients.csv'), 'utf8');
      expect(csv.trim().split('\n')).toHaveLength(federated.terms.length + 1);
    }, 180_000);
  }

  it('with secure aggregation: the sums travel masked and the model is the same', async () => {
    const set = CLINICAL_SETS.find((candidate) => candidate.name.startsWith('nwtco (stage)'))!;
    const plain = await run(set);
    const secure = await run(set, { secureAggregation: true });
    expect(secure.run.status, secure.run.error ?? '').toBe('completed');
    expect(secure.privacy).toMatchObject({ secureAggregation: true, quantization: { range: 128 } });
    // Fixed point with about 21 fractional bits, on sums scaled to the total rows.
    expect(largestDifference(secure.model.coefficients!, plain.model.coefficients!)).toBeLessThan(1e-4);
  }, 240_000);
});
