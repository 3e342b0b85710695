// The acceptance run: three non-IID demo hospitals, logistic regression with its default
// (exact) solver in at most 20 rounds, through the real command line (hub and workers as
// separate processes over 127.0.0.1).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEMO_DATA, runCli } from '../../support/cli';

interface SimulateJson {
  features: string[];
  rounds: Array<{ round: number; trainLoss: number; seconds: number; evaluate?: { aggregate: { rocAuc: number } } }>;
  evaluation: { aggregate: { kind: string; rocAuc: number; n: number }; parties: Record<string, { rocAuc: number | null; n: number }> };
  baselines: { centralized: { rocAuc: number }; local: Record<string, { rocAuc: number | null } | null>; centralizedCoefficients: { terms: Array<{ encoded: number }> } };
  model: { solver: string; coefficients: { converged: boolean; terms: Array<{ term: string; encoded: number; ratio: { estimate: number } | null }> } };
  backend: string;
  run: { status: string; parties: string[]; dropouts: unknown[] };
  artifacts: { globalModel: string; parties: Record<string, { globalModel: string; localModel: string }> };
}

describe('cohort simulate on the breast-cancer demo', () => {
  it('reaches rocAuc >= 0.98, within 0.01 of the centralized baseline, with local baselines beside it', async () => {
    const result = await runCli(
      ['simulate', '--data', DEMO_DATA, '--target', 'diagnosis', '--positive', 'M', '--model', 'logreg', '--algorithm', 'fedavg', '--rounds', '20', '--baseline', 'centralized,local', '--json'],
      { timeoutMs: 120_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as SimulateJson; // exactly one JSON document
    expect(out.run).toMatchObject({ status: 'completed', parties: ['hospital-a', 'hospital-b', 'hospital-c'], dropouts: [] });
    expect(out.features).toHaveLength(30);
    // Newton's method: converged well within the 20 rounds allowed, to the pooled rows' model.
    expect(out.rounds.length).toBeLessThanOrEqual(12);
    expect(out.rounds.map((round) => round.round)).toEqual(Array.from({ length: out.rounds.length }, (_, i) => i + 1));
    expect(out.rounds.at(-1)!.trainLoss).toBeLessThan(out.rounds[0]!.trainLoss);
    expect(out.model.solver).toBe('exact');
    expect(out.model.coefficients.converged).toBe(true);
    expect(out.model.coefficients.terms).toHaveLength(31);
    out.model.coefficients.terms.forEach((row, index) => expect(Math.abs(row.encoded - out.baselines.centralizedCoefficients.terms[index]!.encoded)).toBeLessThan(1e-6));
    expect(out.evaluation.aggregate.kind).toBe('binary');
    expect(out.evaluation.aggregate.n).toBe(52 + 36 + 26);
    expect(out.evaluation.aggregate.rocAuc).toBeGreaterThanOrEqual(0.98);
    expect(Math.abs(out.evaluation.aggregate.rocAuc - out.baselines.centralized.rocAuc)).toBeLessThanOrEqual(0.005);
    expect(Object.keys(out.baselines.local)).toEqual(['hospital-a', 'hospital-b', 'hospital-c']);
    expect(out.backend).toMatch(/^(tensorflow|wasm|cpu)$/);
    // The exported models exist in TF.js format with their metadata.
    const model = JSON.parse(await readFile(`${out.artifacts.globalModel}/model.json`, 'utf8')) as {
      format: string;
      userDefinedMetadata: { alignment: { features: string[] }; metrics: unknown };
    };
    expect(model.format).toBe('layers-model');
    expect(model.userDefinedMetadata.alignment.features).toEqual(out.features);
    expect(model.userDefinedMetadata.metrics).toBeTruthy();
    for (const party of Object.values(out.artifacts.parties)) {
      await expect(readFile(`${party.localModel}/model.json`, 'utf8')).resolves.toContain('layers-model');
      await expect(readFile(`${party.globalModel}/weights.bin`)).resolves.toHaveLength(31 * 4);
    }
  }, 150_000);

  it('fails with a clear message and a non-zero exit when the target is wrong', async () => {
    const result = await runCli(['simulate', '--data', DEMO_DATA, '--target', 'outcome', '--json'], { timeoutMs: 60_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('the target column "outcome" is not in the header');
  });
});
