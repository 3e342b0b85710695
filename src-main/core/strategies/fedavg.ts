// FedAvg (McMahan et al. 2017): the new global weights are the sample-weighted average of the
// clients' weights, w = sum_k (n_k / N) w_k with N = sum_k n_k.
import { checkedWeightedAverage, firstNonFinite } from './aggregate';
import { BaseStrategy, type Problem } from './base';

export class FedAvg extends BaseStrategy {
  readonly algorithm: 'fedavg' | 'fedprox' = 'fedavg';

  protected combine(
    _current: Float32Array,
    updates: readonly Float32Array[],
    numExamples: readonly number[],
  ): Float32Array | Problem {
    const { average, finite } = checkedWeightedAverage(updates, numExamples);
    if (!finite) {
      const bad = firstNonFinite(average);
      return `the average holds ${average[bad]} at index ${bad}`;
    }
    return average;
  }
}
