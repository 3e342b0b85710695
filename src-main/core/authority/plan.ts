// What a participant approves: the whole plan of a run, everything that decides what leaves
// its machine (the hub asking, its own project and target, the model, every hyperparameter
// including rounds, the evaluation schedule and the privacy settings, the data kinds used and
// the other parties). Approval covers the plan's hash; a request that does not fit the plan is
// refused, however the hub words it.
import { createHash } from 'node:crypto';
import type { Hyperparameters, ModelSpec, TagKind, Task } from '../../contract/records';
import { canonicalJson } from '../stats/canonical-json';

export interface RunPlan {
  /** The hub's identity key. */
  hub: string;
  /** The run's id at that hub. */
  run: string;
  /** The participant's own project and the target its data was registered for. */
  project: { id: string; targetColumn: string; task: Task; positiveClass: string | null };
  model: ModelSpec;
  hyperparameters: Hyperparameters;
  tags: TagKind[];
  /** The parties of the run, with their identity keys (for secure aggregation). */
  roster: Array<{ id: string; key: string | null }>;
}

export function planHash(plan: RunPlan): string {
  const normalised = {
    ...plan,
    tags: [...plan.tags].sort(),
    roster: [...plan.roster].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex');
}

/** Whether a request's model and hyperparameters are exactly those of the approved plan. */
export function samePlanSettings(plan: RunPlan, model: ModelSpec, hyperparameters: Hyperparameters): boolean {
  return canonicalJson(plan.model) === canonicalJson(model) && canonicalJson(plan.hyperparameters) === canonicalJson(hyperparameters);
}

/**
 * The rounds after which the global model is evaluated, as the TTP schedules them. Early
 * stopping adds none: it looks at the validation rows held out of the train rows, whose loss
 * rides on the fit replies (the final model's evaluation is the budget's +1).
 */
export function evaluationRounds(hyperparameters: Pick<Hyperparameters, 'rounds' | 'evaluateEvery'>): number {
  const { rounds, evaluateEvery } = hyperparameters;
  let count = 0;
  for (let round = 1; round <= rounds; round += 1) if (round === rounds || (evaluateEvery > 0 && round % evaluateEvery === 0)) count += 1;
  return count;
}
