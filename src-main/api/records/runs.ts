// Defining and changing a run at the orchestrator: one operation for the app, the command line
// and the simulation. The hyperparameters are checked against the contract (refused
// combinations included) and a warm start against the run it starts from.
import { CohortError } from '../../contract/errors';
import { Hyperparameters, modelDefaults, type Run } from '../../contract/records';
import { checkWarmStart } from '../../core/model/warm-start';
import { parseRecord, type MetadataStore } from '../../store/metadata-store';

export interface RunInput {
  id: string;
  experimentId: string;
  name: string;
  /** Missing fields take their defaults. */
  hyperparameters?: Partial<Hyperparameters> | undefined;
  /** Start from this completed run's final global weights. */
  initialRunId?: string | undefined;
}

export async function createRun(store: MetadataStore, input: RunInput): Promise<Run> {
  // Fields not given take the model's own defaults (an mlp's), then the plain ones.
  const experiment = await store.find('experiments', input.experimentId);
  const given = input.hyperparameters ?? {};
  const hyperparameters = Hyperparameters.parse({ ...(experiment ? modelDefaults(experiment.model, given) : {}), ...given });
  const run = { id: input.id, experimentId: input.experimentId, name: input.name, ...(input.initialRunId === undefined ? {} : { initialRunId: input.initialRunId }) };
  checkWarmStart(await store.snapshot(), run);
  return store.create('runs', { ...run, hyperparameters });
}

export interface RunPatch {
  name?: string | undefined;
  hyperparameters?: Partial<Hyperparameters> | undefined;
  /** A run id to start from; null: start from fresh weights again. */
  initialRunId?: string | null | undefined;
}

/** Changes a run that is not executing (`active` says whether it is). */
export async function updateRun(store: MetadataStore, id: string, patch: RunPatch, active = false): Promise<Run> {
  if (active) throw new CohortError('BAD_INPUT', `run "${id}" is running; cancel it before changing it`);
  return store.mutate((db) => {
    const index = db.runs.findIndex((run) => run.id === id);
    if (index === -1) throw new CohortError('NOT_FOUND', `no run with id "${id}"`);
    const current = db.runs[index]!;
    const { initialRunId: _previous, ...rest } = current;
    const initialRunId = patch.initialRunId === undefined ? current.initialRunId : (patch.initialRunId ?? undefined);
    const next: Run = parseRecord('runs', {
      ...rest,
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.hyperparameters === undefined ? {} : { hyperparameters: Hyperparameters.parse({ ...current.hyperparameters, ...patch.hyperparameters }) }),
      ...(initialRunId === undefined ? {} : { initialRunId }),
      updatedAt: new Date().toISOString(),
    });
    if (patch.initialRunId !== undefined) checkWarmStart(db, next);
    db.runs[index] = next;
    return next;
  });
}
