// SCAFFOLD on real worker processes over real sockets. Where local drift hurts (nwtco, relapse,
// split across five hospitals with a strong label skew: Dirichlet alpha 0.1, many local epochs)
// it ends at least as good as FedAvg; with secure aggregation, where the model update and the
// control-variate update are masked together, it trains the plain run's model.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../../src-main/api/simulation/simulate';
import { Hyperparameters, type Algorithm } from '../../../src-main/contract/records';
import { DEMO_DATA, PROJECT_ROOT } from '../../support/cli';

const NWTCO = join(PROJECT_ROOT, 'test', 'fixtures', 'clinical', 'nwtco.csv');

function binary(result: SimulationResult): { rocAuc: number; logLoss: number } {
  const metrics = result.evaluation!.aggregate;
  if (metrics.kind !== 'binary' || metrics.rocAuc === null || metrics.logLoss === null) throw new Error('expected binary metrics');
  return { rocAuc: metrics.rocAuc, logLoss: metrics.logLoss };
}

async function skewed(algorithm: Algorithm): Promise<SimulationResult> {
  return simulate({
    data: NWTCO,
    split: { parties: 5, mode: 'label-skew', alpha: 0.1, evaluateFraction: 0.2 },
    target: 'relapse',
    task: 'classify',
    positiveClass: 'yes',
    model: { kind: 'mlp', hidden: [32], activation: 'relu', dropout: 0 },
    hyperparameters: Hyperparameters.parse({ algorithm, rounds: 10, epochs: 10, learningRate: 0.05, evaluateEvery: 0, seed: 1 }),
  });
}

describe('SCAFFOLD', () => {
  it('ends at least as good as FedAvg where label skew makes the local models drift', async () => {
    const fedavg = binary(await skewed('fedavg'));
    const scaffold = binary(await skewed('scaffold'));
    expect(scaffold.rocAuc).toBeGreaterThanOrEqual(fedavg.rocAuc);
    expect(scaffold.logLoss).toBeLessThanOrEqual(fedavg.logLoss);
  }, 600_000);

  it('trains the same model with secure aggregation, the control variates masked with the update', async () => {
    const run = (secureAggregation: boolean) =>
      simulate({
        data: DEMO_DATA,
        target: 'diagnosis',
        task: 'classify',
        positiveClass: 'M',
        model: { kind: 'logreg' },
        hyperparameters: Hyperparameters.parse({ algorithm: 'scaffold', rounds: 5, epochs: 2, learningRate: 0.05, minClients: 3, privacy: { secureAggregation } }),
      });
    const plain = await run(false);
    const secure = await run(true);
    expect(secure.run.status).toBe('completed');
    expect(secure.privacy.secureAggregation).toBe(true);
    expect(Math.abs(binary(secure).rocAuc - binary(plain).rocAuc)).toBeLessThanOrEqual(0.005);
    const weights = async (result: SimulationResult) => new Float32Array((await readFile(join(result.artifacts.globalModel!, 'weights.bin'))).buffer.slice(0));
    const [a, b] = [await weights(plain), await weights(secure)];
    let max = 0;
    a.forEach((value, i) => (max = Math.max(max, Math.abs(value - b[i]!))));
    // Five rounds of fixed-point error on the weights and on c, against weights of order 1.
    expect(max).toBeLessThan(1e-3);
  }, 300_000);
});
