// Federated aggregation strategies: pure, in the spirit of Flower's Strategy interface. The
// engine asks a strategy which clients train in a round (`configureFit`) and, once the round's
// results and failures are in, for the new global weights (`aggregateFit`).
import type { Algorithm, Hyperparameters } from '../../contract/records';
import { FedAdagrad } from './fedadagrad';
import { FedAdam } from './fedadam';
import { FedAvg } from './fedavg';
import { FedAvgM } from './fedavgm';
import { FedProx } from './fedprox';
import { FedYogi } from './fedyogi';
import { FedMedian, Krum, MultiKrum, TrimmedMean } from './robust';
import { Scaffold } from './scaffold';
import type { Strategy } from './types';

export type {
  AggregateOutcome,
  Failure,
  FailureReason,
  FitConfig,
  FitInstruction,
  FitResult,
  Strategy,
  StrategyState,
} from './types';
export { difference, firstNonFinite, l2Distance, l2Norm, weightedAverage, weightedAverage64 } from './aggregate';
export type { Vector } from './aggregate';
export { mulberry32 } from '../stats/random';
export { roundSeed, sampleClients, sampleSize } from './sampling';
export type { SamplingOptions } from './sampling';
export { FedAdagrad, FedAdam, FedAvg, FedAvgM, FedMedian, FedProx, FedYogi, Krum, MultiKrum, Scaffold, TrimmedMean };

const STRATEGIES: Record<Algorithm, new (h: Hyperparameters) => Strategy> = {
  fedavg: FedAvg,
  fedprox: FedProx,
  fedavgm: FedAvgM,
  fedadam: FedAdam,
  fedyogi: FedYogi,
  fedadagrad: FedAdagrad,
  scaffold: Scaffold,
  fedmedian: FedMedian,
  trimmedmean: TrimmedMean,
  krum: Krum,
  multikrum: MultiKrum,
};

/**
 * A fresh strategy for `h.algorithm`. Pass parsed hyperparameters (the `Hyperparameters` schema
 * fills the defaults). Server optimisers keep state across rounds, so use one instance per run.
 */
export function createStrategy(h: Hyperparameters): Strategy {
  return new STRATEGIES[h.algorithm](h);
}
