// The shapes a federated aggregation strategy works with, in the spirit of Flower's Strategy:
// configure a round (who trains, with what settings), then aggregate its results, with the
// clients that did not reply passed in explicitly. Everything here is data; no I/O.
import type { Algorithm } from '../../contract/records';

/** What one client trains with in one round. */
export interface FitConfig {
  round: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'sgd' | 'adam' | 'rmsprop';
  momentum: number;
  l2: number;
  /** FedProx proximal weight; 0 for every other algorithm */
  mu: number;
  seed: number;
}

export interface FitInstruction {
  clientId: string;
  config: FitConfig;
}

/** One client's reply: its locally trained weights and how many examples it trained on. */
export interface FitResult {
  clientId: string;
  weights: Float32Array;
  numExamples: number;
  loss: number;
  /** The tensors the strategy asked for beside the weights (`replyTensors`), by name. */
  tensors?: Readonly<Record<string, Float32Array>>;
}

export type FailureReason = 'timeout' | 'error' | 'disconnected' | 'cancelled';

/** A client that was asked to train this round and did not reply with a result. */
export interface Failure {
  clientId: string;
  reason: FailureReason;
  message: string;
}

export type AggregateOutcome = { ok: true; weights: Float32Array } | { ok: false; reason: string };

/**
 * Everything a strategy carries from round to round (server momentum, optimiser moments), to be
 * saved with a run's checkpoint and restored on resume: buffers by name, and plain numbers.
 */
export interface StrategyState {
  algorithm: Algorithm;
  buffers: Record<string, Float64Array>;
  values: Record<string, number>;
}

export interface Strategy {
  readonly algorithm: Algorithm;
  /** Robust aggregators compare every party's own update: they cannot work on a mean alone. */
  readonly needsIndividualUpdates: boolean;
  /**
   * Tensors sent to every sampled client with the global weights (`length` values each), by
   * name: SCAFFOLD's server control variate. Most strategies send none.
   */
  fitTensors(length: number): Record<string, Float32Array>;
  /** Tensors each client returns beside its weights, as many values as the weights: SCAFFOLD's control change. */
  readonly replyTensors: readonly string[];
  state(): StrategyState;
  /** Restores a saved state (refused when it is another algorithm's). */
  restore(state: StrategyState): void;
  /** Which of the available clients train this round, with what config. Deterministic for (seed, round, available). */
  configureFit(round: number, available: readonly string[]): FitInstruction[];
  /**
   * New global weights from this round's results; `failures` are the clients that did not reply.
   * Refuses (ok:false, with a clear reason naming counts) when fewer than minClients results
   * arrived or results are inconsistent (different lengths, non-finite values, numExamples <= 0).
   * Must not mutate `current` or the results' arrays. A refused round leaves any server state
   * (momentum, second moments) as it was. The reason does not repeat the round number; the
   * caller prefixes it (`round N: <reason>`).
   */
  aggregateFit(
    round: number,
    current: Float32Array,
    results: readonly FitResult[],
    failures: readonly Failure[],
  ): AggregateOutcome;
  /**
   * The same, when only the mean of the contributors' local weights is known (secure
   * aggregation, differential privacy); refused as above when fewer than minClients contributed.
   * `meanTensors` holds the mean of each of `replyTensors` over the contributors, weighted as `mean` is.
   */
  aggregateMean(
    round: number,
    current: Float32Array,
    mean: Float32Array,
    contributors: readonly string[],
    failures: readonly Failure[],
    meanTensors?: Readonly<Record<string, Float64Array>>,
  ): AggregateOutcome;
}
