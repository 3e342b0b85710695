// The training settings of one round, from the run's hyperparameters: what the TTP sends with
// each fit, and what a participant expects to receive (it refuses any other, since these
// settings decide what its update reveals).
import type { Hyperparameters } from '../../contract/records';
import type { FitConfig } from './types';

export function fitConfigFor(h: Readonly<Hyperparameters>, round: number): FitConfig {
  return {
    round,
    epochs: h.epochs,
    batchSize: h.batchSize,
    learningRate: h.learningRate,
    optimizer: h.optimizer,
    momentum: h.momentum,
    l2: h.l2,
    // The FedProx proximal weight; 0 for every other algorithm.
    mu: h.algorithm === 'fedprox' ? h.mu : 0,
    // Each round shuffles the local data differently, and reproducibly.
    seed: h.seed + round,
  };
}
