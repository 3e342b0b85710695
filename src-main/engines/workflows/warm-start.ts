// Warm start: a new run's first global weights are another run's final ones, when they fit its
// model (the same number of weights) and its features (the same ones, in the same order).
import { warmWeightsProblem } from '../../core/model/warm-start';
import type { ModelPort } from '../ports';
import { RunFailed } from '../run/cancellation';

export async function warmStartWeights(models: ModelPort, source: string, count: number, features: readonly string[]): Promise<Float32Array> {
  const saved = await models.loadGlobal(source).catch((error: unknown) => {
    throw new RunFailed(`cannot start from run "${source}": ${(error as Error).message}`);
  });
  const problem = warmWeightsProblem({ weights: saved.weights.length, features: saved.features }, { weights: count, features });
  if (problem) throw new RunFailed(`cannot start from run "${source}": ${problem}`);
  return saved.weights;
}
