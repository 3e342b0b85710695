// A run's journal: after every completed round the TTP writes a checkpoint of everything that
// changes during the run (the global weights, the strategy's buffers, the privacy accountant,
// the participants who approved and dropped, the workflow's own state, the history), so that a
// hub that crashed or was stopped resumes from the last completed round, with nothing lost and
// nothing counted twice. The store keeps the last few checkpoints, each written atomically.
import type { Alignment } from '../../contract/data';
import type { RoundRecord } from '../../contract/results';
import type { AccountantState } from '../../core/privacy/rdp-accountant';
import type { StrategyState } from '../../core/strategies/types';
import type { ModelShape } from '../ports';
import type { PoolState } from './participants';

export const CHECKPOINT_VERSION = 1 as const;

export interface Checkpoint {
  /** The layout of checkpoints (1); another is not read. */
  version: 1;
  run: string;
  /** The last completed round. */
  round: number;
  /** sha256 of the run's model and hyperparameters: a run edited since cannot resume. */
  settings: string;
  workflow: string;
  startedAt: string;
  alignment: Alignment;
  shape: ModelShape;
  parameterCount: number;
  /** The global model's weights after `round`. */
  weights: Float32Array;
  strategy: StrategyState;
  accountant: AccountantState | null;
  pool: PoolState;
  history: RoundRecord[];
  /** The workflow's own state (best round so far, early stopping, budget), as JSON. */
  state: Record<string, unknown>;
  /** Tensors of the workflow's own state (the best round's weights). */
  tensors: Record<string, Float32Array>;
}

export interface RunJournal {
  save(checkpoint: Checkpoint): Promise<void>;
  /** The latest complete checkpoint of the run, or null. */
  latest(run: string): Promise<Checkpoint | null>;
  /** Forgets the run's checkpoints (a run started afresh). */
  clear(run: string): Promise<void>;
}

/** A journal that keeps nothing (tests and benchmarks that never resume). */
export const noJournal: RunJournal = {
  save: async () => undefined,
  latest: async () => null,
  clear: async () => undefined,
};
