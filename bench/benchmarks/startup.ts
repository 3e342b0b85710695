// Seconds from spawning a worker process (`cohort worker`, as a hospital runs it) to the hub
// having registered it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../lib/federation';
import { hubWithParties, waitUntil } from '../lib/solo';
import { figure } from '../lib/stats';
import type { Benchmark } from '../lib/types';

export const startup: Benchmark = {
  key: 'startup',
  async run() {
    const solo = await hubWithParties(['solo']);
    const party = solo.workspace.parties[0]!;
    const seconds: number[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        // The first start joins with an invitation; later ones reconnect as a hospital's worker does.
        const joining = i === 0 ? ['--join', await solo.invite()] : [];
        const started = performance.now();
        const child = spawn(process.execPath, [join(ROOT, 'bin', 'cohort.js'), 'worker', ...joining, '--data-dir', party.dataDir, '--id', 'solo'], {
          cwd: ROOT,
          stdio: process.env['COHORT_BENCH_DEBUG'] ? 'inherit' : 'ignore',
          env: { ...process.env, COHORT_LOG_LEVEL: process.env['COHORT_BENCH_DEBUG'] ? 'debug' : 'warn' },
        });
        await waitUntil(() => solo.hub.engine.connectedParties().includes('solo'));
        const elapsed = (performance.now() - started) / 1000;
        if (i > 0) seconds.push(elapsed); // the first run also fills tsx's compile cache
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
        await waitUntil(() => !solo.hub.engine.connectedParties().includes('solo'));
      }
    } finally {
      await solo.close();
    }
    const startupFigure = figure(seconds, 's');
    return {
      title: 'spawning `cohort worker` until the hub has registered it',
      figures: { seconds: startupFigure },
      target: '<= 1.5 s',
      met: startupFigure.median <= 1.5,
    };
  },
};
