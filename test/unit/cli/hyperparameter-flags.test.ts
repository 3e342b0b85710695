// The hyperparameter flags of `simulate` and `run create`: --rounds auto, and a model's own
// defaults beneath whatever the user typed.
import { describe, expect, it } from 'vitest';
import { hyperparametersFrom } from '../../../src-main/cli/flags';
import { AUTO_ROUNDS, EXACT_ROUNDS, ModelSpec } from '../../../src-main/contract/records';

const mlp = ModelSpec.parse({ kind: 'mlp' });

describe('hyperparameter flags', () => {
  it('--rounds auto: rounds up to the cap while the validation loss improves', () => {
    const h = hyperparametersFrom({ rounds: 'auto' });
    expect(h.rounds).toBe(AUTO_ROUNDS.cap);
    expect(h.earlyStopping).toEqual({ patience: AUTO_ROUNDS.patience, minDelta: 0 });
    // A patience given beside it is kept.
    expect(hyperparametersFrom({ rounds: 'auto', earlyStopping: { patience: 9, minDelta: 0.01 } }).earlyStopping).toEqual({ patience: 9, minDelta: 0.01 });
  });

  it('gives an mlp its own defaults, under the flags typed', () => {
    expect(hyperparametersFrom({}, mlp)).toMatchObject({ optimizer: 'sgd', momentum: 0.9, learningRate: 0.05, rounds: AUTO_ROUNDS.cap, evaluateEvery: 0 });
    expect(hyperparametersFrom({ rounds: 12, lr: 0.2 }, mlp)).toMatchObject({ rounds: 12, learningRate: 0.2, earlyStopping: null });
    expect(hyperparametersFrom({ optimizer: 'adam' }, mlp)).toMatchObject({ optimizer: 'adam', learningRate: 0.001, momentum: 0 });
    // The logreg preset keeps the plain defaults, with room for an exact fit to converge.
    expect(hyperparametersFrom({}, ModelSpec.parse({ kind: 'logreg' }))).toMatchObject({ rounds: EXACT_ROUNDS, earlyStopping: null, evaluateEvery: 0 });
    expect(hyperparametersFrom({ solver: 'sgd' }, ModelSpec.parse({ kind: 'logreg' }))).toMatchObject({ rounds: 10, evaluateEvery: 1 });
  });
});
