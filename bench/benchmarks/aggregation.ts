// FedAvg of 10 updates of 1,000,000 float32 values, in one process: input bytes per second.
import { Hyperparameters } from '../../src-main/contract/records';
import { createStrategy } from '../../src-main/core/strategies';
import { mulberry32 } from '../../src-main/core/stats/random';
import { figure } from '../lib/stats';
import type { Benchmark } from '../lib/types';

export const aggregation: Benchmark = {
  key: 'aggregation',
  async run() {
    const size = 1_000_000;
    const random = mulberry32(1);
    const results = Array.from({ length: 10 }, (_, i) => ({
      clientId: `c${i}`,
      weights: Float32Array.from({ length: size }, () => random() - 0.5),
      numExamples: 100 + 10 * i,
      loss: 0.5,
    }));
    const strategy = createStrategy(Hyperparameters.parse({ algorithm: 'fedavg' }));
    let current: Float32Array = new Float32Array(size);
    const rates: number[] = [];
    for (let round = 1; round <= 40; round++) {
      const started = performance.now();
      const outcome = strategy.aggregateFit(round, current, results, []);
      const seconds = (performance.now() - started) / 1000;
      if (!outcome.ok) throw new Error(outcome.reason);
      current = outcome.weights;
      if (round > 5) rates.push((10 * size * 4) / seconds / 1e9);
    }
    const rate = figure(rates, 'GB/s');
    return {
      title: 'FedAvg of 10 x 1,000,000 float32 updates (one process)',
      figures: { inputGBPerSecond: rate },
      target: '>= 2 GB/s of input',
      met: rate.median >= 2,
    };
  },
};
