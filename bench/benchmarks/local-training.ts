// One local epoch of an MLP (64, 64) on 100,000 rows x 50 features, in a training thread as a
// worker runs it: rows per second, per TF.js backend available and batch size.
import { mulberry32 } from '../../src-main/core/stats/random';
import { TrainingClient } from '../../src-main/ml/training-client';
import type { BackendPreference } from '../../src-main/ml/backend';
import { figure, type Figure } from '../lib/stats';
import type { Benchmark } from '../lib/types';

const ROWS = 100_000;
const FEATURES = 50;

function data() {
  const random = mulberry32(7);
  const x = Float32Array.from({ length: ROWS * FEATURES }, () => random() * 2 - 1);
  const y = new Float32Array(ROWS);
  for (let r = 0; r < ROWS; r++) y[r] = x[r * FEATURES]! + 0.5 * x[r * FEATURES + 1]! > 0 ? 1 : 0;
  return { x, y, rows: ROWS, featureCount: FEATURES, outputCount: 1 };
}

export const localTraining: Benchmark = {
  key: 'localTraining',
  async run() {
    const figures: Record<string, Figure> = {};
    const skipped: Record<string, string> = {};
    const plans: Array<{ backend: BackendPreference; batches: number[]; repeats: number }> = [
      { backend: 'tensorflow', batches: [32, 256, 1024], repeats: 3 },
      { backend: 'wasm', batches: [32, 256, 1024], repeats: 3 },
      { backend: 'cpu', batches: [256, 1024], repeats: 1 },
    ];
    for (const plan of plans) {
      const client = await TrainingClient.start({ backend: plan.backend });
      try {
        const init = await client.init({ spec: { kind: 'mlp', hidden: [64, 64], activation: 'relu', dropout: 0 }, shape: { inputSize: FEATURES, outputSize: 1, target: 'binary' }, seed: 1, train: data() });
        if (init.backend.backend !== plan.backend) {
          skipped[plan.backend] = init.backend.tried.find((attempt) => attempt.name === plan.backend)?.error ?? `fell back to ${init.backend.backend}`;
          continue;
        }
        for (const batchSize of plan.batches) {
          const rates: number[] = [];
          for (let r = 0; r < plan.repeats; r++) {
            const fit = await client.fit(init.weights.slice(), { epochs: 1, batchSize, learningRate: 0.05, optimizer: 'sgd', momentum: 0, l2: 0, mu: 0, seed: r });
            rates.push(ROWS / fit.seconds);
          }
          figures[`${plan.backend}Batch${batchSize}`] = figure(rates, 'rows/s');
        }
      } finally {
        await client.close();
      }
    }
    return {
      title: 'one epoch of MLP (64, 64) on 100,000 x 50 in a training thread',
      figures,
      target: 'reported per backend; made as fast as the backend allows',
      met: Object.keys(figures).length > 0,
      details: { unavailableBackends: skipped },
    };
  },
};
