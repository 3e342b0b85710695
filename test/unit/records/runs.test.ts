// The run operations shared by the app, the command line and the simulation: warm start is
// accepted only from a completed run of the same project with the same model.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject } from '../../../src-main/api/records/projects';
import { createRun, updateRun } from '../../../src-main/api/records/runs';
import { CohortError } from '../../../src-main/contract/errors';
import { warmWeightsProblem } from '../../../src-main/core/model/warm-start';
import { MetadataStore } from '../../../src-main/store/metadata-store';

let dir: string;
let store: MetadataStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-runs-'));
  store = await MetadataStore.open(dir);
  await store.create('collaborations', { id: 'c', name: 'C' });
  await createProject(store, { id: 'p', collaborationId: 'c', name: 'P', targetColumn: 'y', task: 'classify' });
  await createProject(store, { id: 'q', collaborationId: 'c', name: 'Q', targetColumn: 'z', task: 'classify' });
  await store.create('experiments', { id: 'logreg', projectId: 'p', name: 'Logistic', model: { kind: 'logreg' } });
  await store.create('experiments', { id: 'logreg-2', projectId: 'p', name: 'Logistic again', model: { kind: 'logreg' } });
  await store.create('experiments', { id: 'mlp', projectId: 'p', name: 'MLP', model: { kind: 'mlp', hidden: [8], activation: 'relu', dropout: 0 } });
  await store.create('experiments', { id: 'other', projectId: 'q', name: 'Other project', model: { kind: 'logreg' } });
  await createRun(store, { id: 'done', experimentId: 'logreg', name: 'Done' });
  await store.update('runs', 'done', { status: 'completed', round: 3 });
  await createRun(store, { id: 'failed', experimentId: 'logreg', name: 'Failed' });
  await store.update('runs', 'failed', { status: 'failed' });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(action: Promise<unknown>): Promise<string> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CohortError);
  expect((error as CohortError).code).toBe('BAD_INPUT');
  return (error as CohortError).message;
}

describe('createRun with a warm start', () => {
  it('accepts a completed run of the same experiment, or of one with the identical model', async () => {
    const same = await createRun(store, { id: 'next', experimentId: 'logreg', name: 'Next', initialRunId: 'done' });
    expect(same.initialRunId).toBe('done');
    const twin = await createRun(store, { id: 'twin', experimentId: 'logreg-2', name: 'Twin', initialRunId: 'done' });
    expect(twin.initialRunId).toBe('done');
    expect((await store.get('runs', 'twin')).initialRunId).toBe('done');
  });

  it('refuses a run that did not complete, with its status', async () => {
    expect(await refusal(createRun(store, { id: 'x', experimentId: 'logreg', name: 'X', initialRunId: 'failed' }))).toMatch(/has not completed \(it is failed\)/);
    expect(await store.find('runs', 'x')).toBeUndefined();
  });

  it('refuses a run of another project, and one of another model', async () => {
    expect(await refusal(createRun(store, { id: 'x', experimentId: 'other', name: 'X', initialRunId: 'done' }))).toMatch(/another project/);
    expect(await refusal(createRun(store, { id: 'y', experimentId: 'mlp', name: 'Y', initialRunId: 'done' }))).toMatch(/another model .*do not fit the layers of "MLP"/);
  });

  it('refuses a run that does not exist', async () => {
    expect(await refusal(createRun(store, { id: 'x', experimentId: 'logreg', name: 'X', initialRunId: 'nowhere' }))).toMatch(/no run "nowhere"/);
  });
});

describe('updateRun', () => {
  it('sets, checks and clears the run to start from, keeping the other settings', async () => {
    await createRun(store, { id: 'next', experimentId: 'logreg', name: 'Next', hyperparameters: { rounds: 7 } });
    expect(await refusal(updateRun(store, 'next', { initialRunId: 'failed' }))).toMatch(/not completed/);
    expect(await refusal(updateRun(store, 'next', { initialRunId: 'next' }))).toMatch(/its own weights/);
    const warm = await updateRun(store, 'next', { initialRunId: 'done' });
    expect(warm.initialRunId).toBe('done');
    const renamed = await updateRun(store, 'next', { name: 'Renamed', hyperparameters: { epochs: 2 } });
    expect(renamed).toMatchObject({ name: 'Renamed', initialRunId: 'done', hyperparameters: { rounds: 7, epochs: 2 } });
    const cold = await updateRun(store, 'next', { initialRunId: null });
    expect(cold.initialRunId).toBeUndefined();
    expect((await store.get('runs', 'next')).initialRunId).toBeUndefined();
  });

  it('refuses an empty name as invalid, changing nothing', async () => {
    const error = await updateRun(store, 'done', { name: '  ' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CohortError);
    expect((error as CohortError).code).toBe('VALIDATION');
    expect((await store.get('runs', 'done')).name).toBe('Done');
  });

  it('refuses a run that is executing, and refused hyperparameter combinations', async () => {
    await expect(updateRun(store, 'done', { name: 'Z' }, true)).rejects.toThrow(/is running/);
    await expect(updateRun(store, 'done', { hyperparameters: { algorithm: 'krum', privacy: { secureAggregation: true, dp: 'off', clip: 1, noiseMultiplier: 1, targetEpsilon: null, delta: 1e-5 } } })).rejects.toThrow(/secure aggregation hides/);
  });
});

describe('warmWeightsProblem (when the weights are loaded)', () => {
  it('accepts the same weights count and features, refuses other layers or features', () => {
    expect(warmWeightsProblem({ weights: 4, features: ['a', 'b', 'c'] }, { weights: 4, features: ['a', 'b', 'c'] })).toBeUndefined();
    expect(warmWeightsProblem({ weights: 4, features: null }, { weights: 4, features: ['a'] })).toBeUndefined();
    expect(warmWeightsProblem({ weights: 5, features: ['a'] }, { weights: 4, features: ['a'] })).toMatch(/5 weights, this run's has 4/);
    expect(warmWeightsProblem({ weights: 4, features: ['a', 'b', 'c'] }, { weights: 4, features: ['a', 'b', 'd'] })).toMatch(/new: d; gone: c/);
    expect(warmWeightsProblem({ weights: 4, features: ['a', 'b', 'c'] }, { weights: 4, features: ['c', 'b', 'a'] })).toMatch(/another order/);
  });
});
