// Memory: the resident size of an idle worker and of a hub (as processes a hospital and an
// orchestrator run), and over a 200-round soak of the 1M-parameter model (hub and 3 workers in
// this process, training replaced by a perturbation): heap growth and open handles.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { approveEveryRun, startWorker } from '../../src-main/api/worker/worker-service';
import { Hyperparameters } from '../../src-main/contract/records';
import { SIMULATION_IDS } from '../../src-main/api/simulation/workspace';
import { PerturbTrainingPort } from '../fixtures/perturb-training';
import { mlpWithParameters, ROOT } from '../lib/federation';
import { hubWithParties, rssOf, waitUntil } from '../lib/solo';
import { figure, gc } from '../lib/stats';
import type { Benchmark } from '../lib/types';

function activeHandles(): number {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export const memory: Benchmark = {
  key: 'memory',
  async run() {
    // Idle processes.
    const solo = await hubWithParties(['idle']);
    const workerRss: number[] = [];
    const hubRss: number[] = [];
    try {
      const worker = spawn(process.execPath, [join(ROOT, 'bin', 'cohort.js'), 'worker', '--join', await solo.invite(), '--data-dir', solo.workspace.parties[0]!.dataDir, '--id', 'idle'], { cwd: ROOT, stdio: 'ignore' });
      const hub = spawn(process.execPath, [join(ROOT, 'bin', 'cohort.js'), 'hub', '--port', '0', '--json', '--data-dir', join(solo.workspace.hubDir, '..', 'idle-hub')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
      await new Promise((resolve) => hub.stdout!.once('data', resolve));
      await waitUntil(() => solo.hub.engine.connectedParties().includes('idle'));
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        workerRss.push((await rssOf(worker.pid!)) ?? Number.NaN);
        hubRss.push((await rssOf(hub.pid!)) ?? Number.NaN);
      }
      await Promise.all([stop(worker), stop(hub)]);
    } finally {
      await solo.close();
    }

    // The soak.
    const parties = ['soak-a', 'soak-b', 'soak-c'];
    const federation = await hubWithParties(parties, mlpWithParameters(1_000_000));
    const workers = await Promise.all(
      federation.workspace.parties.map((party) =>
        startWorker({ dataDir: party.dataDir, party: { id: party.name, name: party.name }, hubs: [federation.hub.contact()], training: new PerturbTrainingPort(), consent: approveEveryRun }),
      ),
    );
    let heapAtRound20 = 0;
    let heapAtEnd = 0;
    let handlesBefore = 0;
    let handlesAfter = 0;
    try {
      await waitUntil(() => federation.hub.engine.connectedParties().length === 3);
      await federation.hub.store.update('runs', SIMULATION_IDS.run, { hyperparameters: Hyperparameters.parse({ solver: 'sgd', rounds: 200, evaluateEvery: 0 }) });
      handlesBefore = activeHandles();
      federation.hub.engine.onEvent((event) => {
        if (event.kind === 'round' && event.record.round === 20) {
          gc();
          heapAtRound20 = process.memoryUsage().heapUsed;
        }
      });
      await federation.hub.engine.start(SIMULATION_IDS.run);
      const result = await federation.hub.engine.wait(SIMULATION_IDS.run);
      if (result.status !== 'completed') throw new Error(`soak ${result.status}: ${result.error}`);
      gc();
      heapAtEnd = process.memoryUsage().heapUsed;
      handlesAfter = activeHandles();
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
      await federation.close();
    }
    const growthMB = (heapAtEnd - heapAtRound20) / 1024 ** 2;
    const idleWorker = figure(workerRss.map((bytes) => bytes / 1024 ** 2), 'MB');
    const hub = figure(hubRss.map((bytes) => bytes / 1024 ** 2), 'MB');
    return {
      title: 'RSS of an idle worker and hub; heap over a 200-round soak of the 1M model',
      figures: {
        idleWorkerRss: idleWorker,
        idleHubRss: hub,
        soakHeapGrowth: figure([growthMB], 'MB'),
        soakHandleGrowth: figure([handlesAfter - handlesBefore], 'handles'),
      },
      target: 'idle worker <= 200 MB; heap growth over the soak <= 10 MB; no growth in open handles',
      met: idleWorker.median <= 200 && growthMB <= 10 && handlesAfter <= handlesBefore,
      details: { gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function', heapAtRound20, heapAtEnd, handlesBefore, handlesAfter },
    };
  },
};
