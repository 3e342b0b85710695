// What the worker keeps for a prepared run and the ports it works through, shared by the
// engine (worker.ts) and the modules that do one part of a run's work for it.
import type { Alignment } from '../contract/data';
import { CohortError } from '../contract/errors';
import type { Hyperparameters } from '../contract/records';
import type { Disclosed } from '../contract/security';
import { floatTensor, TENSOR, type Tensors } from '../contract/tensors';
import type { LocalAlgorithm } from './local-algorithms';
import type { ConsentPort, Log, OwnerPort, PreparedData, TrainingPort, TrainingSession, WorkerActivity, WorkerArtifactsPort, WorkerDataPort } from './ports';
import type { RunGrant } from './worker-authority';
import type { WorkerSecAgg } from './worker-secagg';

export interface RunState {
  grant: RunGrant;
  alignment: Alignment;
  hyperparameters: Hyperparameters;
  data: PreparedData;
  session: TrainingSession;
  /** This party's most recent locally trained weights: its "local model". */
  local?: Float32Array;
  /** The run's secure sums (a round's updates, an evaluation's tables), from keys to unmasking. */
  secagg: WorkerSecAgg;
  /** This party's side of the run's algorithm (SCAFFOLD's control variate). */
  algorithm: LocalAlgorithm;
}

export interface WorkerPorts {
  data: WorkerDataPort;
  training: TrainingPort;
  artifacts: WorkerArtifactsPort;
  consent: ConsentPort;
  owner: OwnerPort;
  /** Signs with this party's identity key (its secure-aggregation keys). */
  sign: (data: Buffer) => string;
  log: Log;
  /** Told of everything this worker does for a run, for its owner to follow. */
  activity?: (event: WorkerActivity) => void;
  /** Tests and benchmarks only: changes the local weights before they leave (a poisoned party). */
  tamper?: (global: Float32Array, local: Float32Array) => Float32Array;
  /** Told what each reply to the hub disclosed, for the owner's record of what left. */
  disclosed?: (event: { project: string; run: string; disclosed: Disclosed }) => void;
}

/** The global weights a task carries (a tensor of another name or dtype is refused). */
export function globalWeights(tensors: Tensors): Float32Array {
  try {
    return floatTensor(tensors, TENSOR.weights);
  } catch (error) {
    throw new CohortError('INSTRUCTION_REFUSED', (error as Error).message);
  }
}
