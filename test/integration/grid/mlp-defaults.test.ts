// A neural network with no settings at all, on real worker processes over real sockets: the
// mlp's own defaults (rounds until the loss on the parties' validation rows stops improving,
// the best round's model kept) reach, on the project's clinical federations, within 0.02 of
// the same network trained on the pooled rows by the same rule. The evaluate data chooses
// nothing: it is asked once, for the final report.
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../../src-main/api/simulation/simulate';
import type { Metrics } from '../../../src-main/contract/metrics';
import { Hyperparameters, ModelSpec, modelDefaults } from '../../../src-main/contract/records';
import { CLINICAL_SETS } from '../../support/clinical-sets';

/** The headline figure of a set: ROC AUC (binary), accuracy (multiclass), R² (numeric). */
function headline(metrics: Metrics | null | undefined): number {
  if (!metrics) throw new Error('no metrics');
  const value = metrics.kind === 'binary' ? metrics.rocAuc : metrics.kind === 'multiclass' ? metrics.accuracy : metrics.r2;
  if (value === null || value === undefined) throw new Error(`no headline metric for ${metrics.kind}`);
  return value;
}

async function withDefaults(name: string): Promise<SimulationResult> {
  const set = CLINICAL_SETS.find((candidate) => candidate.name === name)!;
  const model = ModelSpec.parse({ kind: 'mlp' });
  return simulate({ ...set.options, model, hyperparameters: Hyperparameters.parse(modelDefaults(model)), baselines: ['centralized'] });
}

describe('a neural network with its defaults', () => {
  // Two label-skewed federations large enough for a 0.02 margin to mean something: birthwt's AUC
  // on its 48 evaluate rows moved by 0.05 between two runs of the same settings (the command
  // line's and this process's), so it is measured in the README's table, not asserted here.
  for (const name of ['nwtco (relapse)', 'flchain (death)']) {
    it(`reaches the pooled network within 0.02 on ${name}`, async () => {
      const result = await withDefaults(name);
      expect(result.run.status).toBe('completed');
      const federated = headline(result.evaluation?.aggregate);
      const pooled = headline(result.baselines?.centralized);
      expect(federated).toBeGreaterThanOrEqual(pooled - 0.02);
      // The rounds followed the validation loss, reported with every round (the previous model's).
      expect(result.rounds.every((round) => round.validationLoss !== undefined && Number.isFinite(round.validationLoss))).toBe(true);
      if (result.run.stoppedEarly) expect(result.run.stoppedEarly.bestRound).toBeLessThan(result.run.stoppedEarly.round);
      // Only the final model was evaluated: no round carries evaluate metrics.
      expect(result.rounds.some((round) => round.evaluate)).toBe(false);
    }, 600_000);
  }
});
