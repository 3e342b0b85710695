// A participant's rules for the exact solver's sums, on its own: it sends none for a run not
// approved for them, none when its rows are fewer than its minimum cell count or so few that
// the coefficients could describe single rows (DataSHIELD's saturation rule), and what it sends
// is its sums divided by the round's total rows.
import { describe, expect, it } from 'vitest';
import type { Alignment } from '../../../src-main/contract/data';
import { Hyperparameters, type ModelSpec } from '../../../src-main/contract/records';
import { TENSOR, tensorOf } from '../../../src-main/contract/tensors';
import type { GlmSums } from '../../../src-main/core/glm/sums';
import type { ResultsContext } from '../../../src-main/engines/worker-results';
import type { RunState } from '../../../src-main/engines/worker-run';
import { regressionSums } from '../../../src-main/engines/worker-sums';

function alignment(features: number): Alignment {
  const names = Array.from({ length: features }, (_, index) => `x${index}`);
  return {
    version: 1,
    fingerprint: '0'.repeat(64),
    task: 'classify',
    columns: names.map((name) => ({ kind: 'numeric', name, mean: 0, std: 1, missingIndicator: false, missingAt: [] })),
    features: names,
    target: { kind: 'binary', column: 'y', labels: ['no', 'yes'], positive: 'yes' },
    parties: ['a'],
    ignored: [],
    options: { columns: 'union', missingIndicators: false },
  } as unknown as Alignment;
}

function setup(options: { rows: number; features: number; k?: number; model?: ModelSpec; solver?: 'auto' | 'sgd' }) {
  const admitted: number[] = [];
  const disclosed: unknown[] = [];
  const hyperparameters = Hyperparameters.parse({ solver: options.solver ?? 'auto', rounds: 5 });
  const sums: GlmSums = { gradient: new Float64Array(options.features + 1).fill(2), hessian: new Float64Array(((options.features + 1) * (options.features + 2)) / 2).fill(4), loss: 10, rows: options.rows };
  const state = {
    grant: { run: 'r', plan: { model: options.model ?? { kind: 'logreg' }, hyperparameters }, project: { id: 'p', minCellCount: options.k ?? 5 } },
    hyperparameters,
    alignment: alignment(options.features),
    data: { train: { rows: options.rows } },
    session: { regressionSums: async () => sums },
  } as unknown as RunState;
  const context = {
    party: 'a',
    ports: { log: { warn: () => undefined } },
    authority: { admitFit: (_grant: unknown, round: number) => admitted.push(round) },
    disclose: (_grant: unknown, what: unknown) => disclosed.push(what),
  } as unknown as ResultsContext;
  const ask = (totalRows = 100) => regressionSums(context, state, { run: 'r', round: 1, totalRows }, { [TENSOR.coefficients]: tensorOf(new Float64Array(options.features + 1)) });
  return { ask, admitted, disclosed };
}

describe('a worker\'s regression sums', () => {
  it('are its sums divided by the total rows, counted against the approved rounds and logged as shared', async () => {
    const { ask, admitted, disclosed } = setup({ rows: 50, features: 3 });
    const { body, tensors } = await ask(100);
    expect(body).toMatchObject({ numExamples: 50, loss: 0.2 });
    const sent = [...(tensors[TENSOR.sums]!.data as Float64Array)];
    expect(sent.slice(0, 4)).toEqual([0.02, 0.02, 0.02, 0.02]);
    expect(sent.slice(4, 14)).toEqual(Array(10).fill(0.04));
    expect(sent.slice(-2)).toEqual([0.1, 0.5]);
    expect(admitted).toEqual([1]);
    expect(disclosed).toEqual([expect.objectContaining({ what: 'model update', examples: 50 })]);
  });

  it('are refused for a run approved for gradient steps or another model', async () => {
    await expect(setup({ rows: 50, features: 3, solver: 'sgd' }).ask()).rejects.toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    await expect(setup({ rows: 50, features: 3, model: { kind: 'mlp', hidden: [4], activation: 'relu', dropout: 0 } }).ask()).rejects.toMatchObject({ code: 'INSTRUCTION_REFUSED' });
  });

  it('are refused when the rows are fewer than the minimum cell count, or too few for the coefficients', async () => {
    const small = setup({ rows: 8, features: 1, k: 10 });
    await expect(small.ask()).rejects.toMatchObject({ code: 'TOO_FEW_ROWS', message: expect.stringMatching(/fewer than this party's minimum cell count of 10/) });
    expect(small.admitted).toEqual([]);
    // 20 coefficients on 50 rows: more than 0.33 per row.
    await expect(setup({ rows: 50, features: 19 }).ask()).rejects.toMatchObject({ code: 'TOO_FEW_ROWS', message: expect.stringMatching(/could describe single rows/) });
    await expect(setup({ rows: 61, features: 19 }).ask()).resolves.toBeTruthy();
  });

  it('are refused when the round claims fewer rows than this party holds', async () => {
    await expect(setup({ rows: 50, features: 3 }).ask(20)).rejects.toMatchObject({ code: 'INSTRUCTION_REFUSED' });
  });
});
