// Compressed updates on the demo data, with real processes over real sockets: each method ends
// near the plain run (ROC AUC within 0.001 for float16, 0.005 for 8-bit, 0.02 for top-k at 10 %).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../../src-main/api/simulation/simulate';
import { Hyperparameters } from '../../../src-main/contract/records';
import { DEMO_DATA } from '../../support/cli';

const demo = { data: DEMO_DATA, target: 'diagnosis', task: 'classify', positiveClass: 'M', model: { kind: 'logreg' } } as const;
const settings = { solver: 'sgd', rounds: 20, minClients: 2 } as const;

async function weightsOf(result: SimulationResult): Promise<Float32Array> {
  return new Float32Array((await readFile(join(result.artifacts.globalModel!, 'weights.bin'))).buffer.slice(0));
}

function largestDifference(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  return a.reduce((max, value, index) => Math.max(max, Math.abs(value - b[index]!)), 0);
}

function rocAuc(result: SimulationResult): number {
  expect(result.run.status).toBe('completed');
  const metrics = result.evaluation!.aggregate;
  if (metrics.kind !== 'binary' || metrics.rocAuc === null) throw new Error('expected binary metrics with a ROC AUC');
  return metrics.rocAuc;
}

describe('compressed updates on the demo data', () => {
  it('float16, 8-bit and top-k end near the plain run', async () => {
    const run = (extra: object) => simulate({ ...demo, hyperparameters: Hyperparameters.parse({ ...settings, ...extra }) });
    const results = { plain: await run({}), half: await run({ compression: 'float16' }), int8: await run({ compression: 'int8' }), topk: await run({ compression: 'topk', topkFraction: 0.1 }) };
    const plain = rocAuc(results.plain);
    expect(plain).toBeGreaterThan(0.95);
    expect(Math.abs(rocAuc(results.half) - plain)).toBeLessThanOrEqual(0.001);
    expect(Math.abs(rocAuc(results.int8) - plain)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(rocAuc(results.topk) - plain)).toBeLessThanOrEqual(0.02);
    // The compression did happen: each final model differs from the plain one, by little for float16.
    const reference = await weightsOf(results.plain);
    const differences = { half: largestDifference(reference, await weightsOf(results.half)), int8: largestDifference(reference, await weightsOf(results.int8)), topk: largestDifference(reference, await weightsOf(results.topk)) };
    expect(differences.half).toBeGreaterThan(0);
    expect(differences.half).toBeLessThan(1e-2);
    expect(differences.int8).toBeGreaterThan(differences.half);
    expect(differences.topk).toBeGreaterThan(0);
  }, 300_000);
});
