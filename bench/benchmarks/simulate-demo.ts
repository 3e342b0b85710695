// `cohort simulate` on the breast-cancer demo, logreg (fitted exactly, at most 20 rounds), as a user runs it:
// wall seconds from command start to exit, and the aggregate ROC AUC beside the centralized one.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DEMO, ROOT } from '../lib/federation';
import { figure } from '../lib/stats';
import type { Benchmark } from '../lib/types';

function runSimulate(): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'cohort.js'), 'simulate', '--data', DEMO, '--target', 'diagnosis', '--positive', 'M', '--model', 'logreg', '--algorithm', 'fedavg', '--rounds', '20', '--baseline', 'centralized', '--json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve({ seconds: (performance.now() - started) / 1000, stdout }) : reject(new Error(`simulate exited ${code}`))));
  });
}

export const simulateDemo: Benchmark = {
  key: 'simulateDemo',
  async run() {
    const walls: number[] = [];
    const aucs: number[] = [];
    const gaps: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { seconds, stdout } = await runSimulate();
      const out = JSON.parse(stdout) as { evaluation: { aggregate: { rocAuc: number } }; baselines: { centralized: { rocAuc: number } } };
      walls.push(seconds);
      aucs.push(out.evaluation.aggregate.rocAuc);
      gaps.push(Math.abs(out.evaluation.aggregate.rocAuc - out.baselines.centralized.rocAuc));
    }
    const wall = figure(walls, 's');
    const gap = figure(gaps, 'AUC');
    return {
      title: 'cohort simulate, breast-cancer demo, logreg (exact fit, at most 20 rounds) (+ centralized baseline)',
      figures: { wallSeconds: wall, rocAuc: figure(aucs, 'AUC'), gapToCentralized: gap },
      target: '<= 6 s wall; rocAuc within 0.01 of centralized',
      met: wall.median <= 6 && gap.max <= 0.01,
    };
  },
};
