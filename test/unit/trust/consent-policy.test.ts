import { describe, expect, it } from 'vitest';
import { Consent, type RunSummary } from '../../../src-main/contract/records';
import { matchingApproval } from '../../../src-main/core/consent/policy';

const stamp = '2026-01-01T00:00:00.000Z';
const summary = (overrides: Partial<RunSummary> = {}): RunSummary =>
  Consent.shape.summary.parse({
    collaboration: 'C',
    project: 'P',
    targetColumn: 'y',
    experiment: 'E',
    run: 'R',
    model: { kind: 'logreg' },
    hyperparameters: { rounds: 5 },
    tags: ['train', 'evaluate'],
    ...overrides,
  });
const consent = (id: string, state: Consent['state'], s: RunSummary, projectId = 'p'): Consent =>
  Consent.parse({ id, membershipId: 'm', runId: id, projectId, summary: s, state, createdAt: stamp, updatedAt: stamp });

describe('matchingApproval', () => {
  it('matches an approved run of the same project with the same model, privacy and data, whatever the hyperparameters', () => {
    const approved = consent('a', 'approved', summary());
    expect(matchingApproval(summary({ run: 'Other', hyperparameters: summary().hyperparameters, tags: ['evaluate', 'train'] }), 'p', [approved])).toBe(approved);
    expect(matchingApproval({ ...summary(), hyperparameters: { ...summary().hyperparameters, rounds: 50, learningRate: 0.01 } }, 'p', [approved])).toBe(approved);
  });

  it('does not match another model, other privacy settings, more data, another project or a run that was not approved', () => {
    const approved = consent('a', 'approved', summary());
    expect(matchingApproval(summary({ model: { kind: 'mlp', hidden: [8], activation: 'relu', dropout: 0 } }), 'p', [approved])).toBeUndefined();
    expect(matchingApproval(summary({ privacy: { ...summary().privacy, dp: 'central' } }), 'p', [approved])).toBeUndefined();
    expect(matchingApproval(summary({ tags: ['train', 'evaluate', 'predict'] }), 'p', [approved])).toBeUndefined();
    expect(matchingApproval(summary(), 'other', [approved])).toBeUndefined();
    expect(matchingApproval(summary(), 'p', [consent('d', 'declined', summary()), consent('w', 'withdrawn', summary()), consent('q', 'pending', summary())])).toBeUndefined();
  });
});
