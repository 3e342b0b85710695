// Seconds per round for 2 to 64 workers with a 100,000-parameter model. Workers share four
// processes here (each worker its own engine and its own WebSocket connection to the hub),
// because 64 Node processes do not fit on a 2-core machine.
import { Federation, mlpWithParameters } from '../lib/federation';
import { figure, type Figure } from '../lib/stats';
import type { Benchmark } from '../lib/types';

export const scale: Benchmark = {
  key: 'scale',
  async run() {
    const figures: Record<string, Figure> = {};
    for (const workers of [2, 4, 8, 16, 32, 64]) {
      const federation = await Federation.start({ parties: workers, processes: Math.min(4, workers), model: mlpWithParameters(100_000), trainer: 'perturb' });
      try {
        const { roundSeconds } = await federation.run({ rounds: 20 });
        figures[`workers${workers}`] = figure(roundSeconds.slice(4), 's');
      } finally {
        await federation.close();
      }
    }
    const top = figures['workers64']!;
    return {
      title: 'round, 100,000 parameters, 2-64 workers (sharing 4 processes)',
      figures,
      target: '64 workers <= 0.3 s per round',
      met: top.median <= 0.3,
      notes: 'workers share 4 processes; each has its own engine and its own connection to the hub',
    };
  },
};
