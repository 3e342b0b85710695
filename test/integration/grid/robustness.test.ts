// Five hospitals, one of which sends poisoned updates (its update scaled by -10, a test-only
// option of the simulation): FedAvg's model falls apart, the robust aggregators stay within
// 0.02 ROC AUC of the clean run.
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../../src-main/api/simulation/simulate';
import { Hyperparameters, type Algorithm } from '../../../src-main/contract/records';
import { DEMO_DATA } from '../../support/cli';

async function rocAuc(algorithm: Algorithm, poisoned: boolean): Promise<number> {
  const result = await simulate({
    data: `${DEMO_DATA}/breast-cancer.csv`,
    split: { parties: 5, mode: 'iid', alpha: 0.5, evaluateFraction: 0.2 },
    target: 'diagnosis',
    task: 'classify',
    positiveClass: 'M',
    model: { kind: 'logreg' },
    hyperparameters: Hyperparameters.parse({ algorithm, solver: 'sgd', rounds: 10, evaluateEvery: 0, seed: 3 }),
    ...(poisoned ? { poison: { party: 'party-1', spec: 'scale:-10' } } : {}),
  });
  const aggregate = result.evaluation!.aggregate;
  if (aggregate.kind !== 'binary') throw new Error('binary metrics expected');
  return aggregate.rocAuc!;
}

describe('one poisoned hospital of five', () => {
  let clean: number;
  beforeAll(async () => {
    clean = await rocAuc('fedavg', false);
  }, 300_000);

  it('breaks FedAvg', async () => {
    expect(clean).toBeGreaterThan(0.95);
    expect(await rocAuc('fedavg', true)).toBeLessThan(clean - 0.1);
  }, 300_000);

  it.each(['fedmedian', 'trimmedmean', 'multikrum'] as const)('%s stays within 0.02 of the clean run', async (algorithm) => {
    expect(Math.abs((await rocAuc(algorithm, true)) - clean)).toBeLessThanOrEqual(0.02);
  }, 300_000);
});
