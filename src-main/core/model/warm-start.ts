// Warm start: a run may start from the final global weights of another run. Those weights only
// mean something to the same model on the same project, so the source must have completed, be
// of the same project, and have the same model (the same experiment, or an identical model
// definition); the layer sizes are checked again when the weights are loaded.
import { CohortError } from '../../contract/errors';
import type { Run } from '../../contract/records';
import { canonicalJson } from '../stats/canonical-json';
import type { Metadata } from './integrity';

/** Why `initialRunId` cannot seed a run of `experimentId` (undefined: it can). */
export function warmStartProblem(db: Pick<Metadata, 'runs' | 'experiments'>, experimentId: string, initialRunId: string, runId?: string): string | undefined {
  if (initialRunId === runId) return 'a run cannot start from its own weights';
  const source = db.runs.find((run) => run.id === initialRunId);
  if (!source) return `there is no run "${initialRunId}" to start from`;
  if (source.status !== 'completed') return `run "${source.name}" has not completed (it is ${source.status}): only a completed run has final weights to start from`;
  const target = db.experiments.find((experiment) => experiment.id === experimentId);
  if (!target) return `there is no experiment "${experimentId}"`;
  const from = db.experiments.find((experiment) => experiment.id === source.experimentId);
  if (!from) return `the experiment of run "${source.name}" no longer exists`;
  if (from.projectId !== target.projectId) return `run "${source.name}" belongs to another project: its model predicts something else`;
  if (from.id !== target.id && canonicalJson(from.model) !== canonicalJson(target.model)) {
    return `run "${source.name}" trained another model (experiment "${from.name}"): its weights do not fit the layers of "${target.name}"`;
  }
  return undefined;
}

/** Throws a BAD_INPUT error that says why, when `initialRunId` cannot seed the run. */
export function checkWarmStart(db: Pick<Metadata, 'runs' | 'experiments'>, run: Pick<Run, 'experimentId' | 'initialRunId'> & { id?: string }): void {
  if (run.initialRunId === undefined) return;
  const problem = warmStartProblem(db, run.experimentId, run.initialRunId, run.id);
  if (problem) throw new CohortError('BAD_INPUT', `cannot start from run "${run.initialRunId}": ${problem}`);
}

/**
 * The check made when the saved weights are loaded: the same number of weights, and the same
 * features in the same order (else each weight would multiply another column).
 */
export function warmWeightsProblem(source: { weights: number; features: readonly string[] | null }, target: { weights: number; features: readonly string[] }): string | undefined {
  if (source.weights !== target.weights) return `its model has ${source.weights} weights, this run's has ${target.weights}: the layers differ`;
  if (source.features !== null && canonicalJson(source.features) !== canonicalJson(target.features)) {
    const missing = target.features.filter((feature) => !source.features!.includes(feature));
    const extra = source.features.filter((feature) => !target.features.includes(feature));
    const detail = [missing.length ? `new: ${missing.slice(0, 5).join(', ')}` : '', extra.length ? `gone: ${extra.slice(0, 5).join(', ')}` : ''].filter(Boolean).join('; ');
    return `the participants' aligned features differ from those it was trained on${detail ? ` (${detail})` : ' (in another order)'}`;
  }
  return undefined;
}
