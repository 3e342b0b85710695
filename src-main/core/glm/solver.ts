// Which solver fits a run's model: the exact one (Newton on the pooled sums) or gradient steps.
import type { Hyperparameters, ModelSpec } from '../../contract/records';

// The choice itself lives with the settings it reads, so the app shows what the engines do.
export { usesExactSolver } from '../../contract/records';

/** Why a run cannot use the solver it asks for, or null. */
export function solverProblem(model: ModelSpec, hyperparameters: Hyperparameters): string | null {
  if (hyperparameters.solver === 'exact' && model.kind !== 'logreg') {
    return `the exact solver fits the logreg preset (logistic or linear regression), not a ${model.kind === 'mlp' ? 'multilayer perceptron' : 'custom model'}: choose the sgd solver`;
  }
  return null;
}

/**
 * DataSHIELD's saturation rule (nfilter.glm): a regression whose coefficients number more than
 * this share of a party's rows could describe those rows; such a party refuses the sums.
 */
export const MAX_COEFFICIENTS_PER_ROW = 0.33;
