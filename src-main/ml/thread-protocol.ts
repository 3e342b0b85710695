// The messages between TrainingClient (main thread) and the training thread. Plain data only:
// Float32Arrays travel in the transfer list (moved, not copied).
import type { ModelSpec } from '../contract/records';
import type { GlmSpec } from '../core/glm/spec';
import type { GlmSums } from '../core/glm/sums';
import type { BackendPreference, BackendSelection } from './backend';
import type { ModelShape } from './keras';
import type { SavedModelFiles } from './model-io';
import type { LayerSummary } from './model';
import type { FitConfig, FitResult, LossName, TrainerOptions, TrainingData, TrainingEngine } from './trainer';

export interface InitArgs {
  spec: ModelSpec;
  shape: ModelShape;
  seed: number;
  train: TrainingData;
  evaluate?: TrainingData;
  /** Rows held out of the train data, for the validation loss of early stopping. */
  validation?: TrainingData;
  /** Defaults to the preference given to TrainingClient.start(), else 'auto'. */
  backend?: BackendPreference;
  /** How fit() trains (default: the dense fast path where the model allows it). */
  engine?: TrainerOptions['engine'];
}

export interface InitResult {
  backend: BackendSelection;
  parameterCount: number;
  /** The model's seeded initial weights: the same for every party with the same spec and seed. */
  weights: Float32Array;
  layers: LayerSummary[];
  /** How fit() will train this model. */
  engine: TrainingEngine;
}

/** Rows to predict on or evaluate: the train or evaluate data given to init, or other rows. */
export type DataRef = 'train' | 'evaluate' | 'validation' | { x: Float32Array; y?: Float32Array; rows: number };

/** Where saveModel wrote the model: the paths of model.json and weights.bin. */
export type SavedModel = SavedModelFiles;

/** Each request's arguments and result, by operation. */
export interface Operations {
  init: { args: InitArgs; result: InitResult };
  fit: { args: { global: Float32Array; cfg: FitConfig }; result: FitResult };
  predict: { args: { weights: Float32Array; which: DataRef }; result: Float32Array };
  regressionSums: { args: { spec: GlmSpec; theta: Float64Array }; result: GlmSums };
  evaluateLoss: { args: { weights: Float32Array; which: DataRef; loss?: LossName }; result: number };
  saveModel: { args: { weights: Float32Array; dir: string; metadata: Record<string, unknown> }; result: SavedModel };
  backend: { args: Record<string, never>; result: BackendSelection | null };
  memory: { args: Record<string, never>; result: { numTensors: number; numBytes: number } };
}

export type Operation = keyof Operations;

export interface Request<K extends Operation = Operation> {
  id: number;
  op: K;
  args: Operations[K]['args'];
}

export interface SerializedError {
  message: string;
  name: string;
  code?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: SerializedError };

/** Sent once by the thread when its modules (TypeScript, TF.js) are loaded. */
export interface ReadyMessage {
  ready: true;
}

/**
 * The buffers of the Float32Arrays in `value` (searched two levels deep), for a transfer list.
 * An array that is a view on part of a larger buffer, or on a SharedArrayBuffer, is not
 * transferred (it would take its neighbours with it); it is copied by the structured clone.
 */
export function transferList(value: unknown, depth = 2, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (value instanceof Float32Array) {
    const { buffer } = value;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) found.add(buffer);
  } else if (depth > 0 && value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const item of Object.values(value)) transferList(item, depth - 1, found);
  }
  return [...found];
}
