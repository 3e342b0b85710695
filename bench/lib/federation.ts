// A federation for benchmarks: an in-process hub (so sockets can be measured), and worker
// processes (bench/fixtures/bench-worker.ts: the real worker engine and protocol) dialling it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type Hub } from '../../src-main/api/hub/hub-service';
import { prepareWorkspace, SIMULATION_IDS } from '../../src-main/api/simulation/workspace';
import { Hyperparameters, type ModelSpec } from '../../src-main/contract/records';
import type { RunResult } from '../../src-main/contract/results';
import type { Peer } from '../../src-main/protocol/peer';

export const ROOT = join(import.meta.dirname, '..', '..');
export const DEMO = join(ROOT, 'resources', 'demo-data', 'breast-cancer-wisconsin');

export interface FederationOptions {
  parties: number;
  /** Worker processes; parties are dealt over them round-robin. */
  processes?: number;
  model: ModelSpec;
  trainer: 'perturb' | 'real';
}

export interface RunMeasurement {
  result: RunResult;
  /** Wall seconds between consecutive rounds (the first measured from the start of training). */
  roundSeconds: number[];
  /** Bytes on the hub's sockets (sent + received, WebSocket framing included), per round. */
  roundBytes: number[];
}

export class Federation {
  private runs = 0;

  private constructor(
    readonly hub: Hub,
    readonly root: string,
    private readonly children: ChildProcess[],
    readonly parties: string[],
  ) {}

  static async start(options: FederationOptions): Promise<Federation> {
    const root = await mkdtemp(join(tmpdir(), 'cohort-bench-'));
    const names = Array.from({ length: options.parties }, (_, i) => `party-${String(i + 1).padStart(2, '0')}`);
    const folders = ['hospital-a', 'hospital-b', 'hospital-c'];
    const workspace = await prepareWorkspace({
      workspace: root,
      partyFolders: names.map((name, i) => ({ name, folder: join(DEMO, folders[i % folders.length]!) })),
      target: 'diagnosis',
      task: 'classify',
      positiveClass: 'M',
      model: options.model,
      hyperparameters: Hyperparameters.parse({ solver: 'sgd' }),
    });
    const hub = await startHub({ dataDir: workspace.hubDir, port: 0, participantWaitMs: 120_000 });
    const processes = Math.min(options.processes ?? names.length, names.length);
    const children: ChildProcess[] = [];
    for (let p = 0; p < processes; p++) {
      const mine = workspace.parties.filter((_, i) => i % processes === p).map((party) => `${party.dataDir}:${party.name}`);
      children.push(
        spawn(process.execPath, [...(process.env['COHORT_BENCH_PROFILE'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['COHORT_BENCH_PROFILE']] : []), '--import', 'tsx', join(ROOT, 'bench', 'fixtures', 'bench-worker.ts'), JSON.stringify(hub.contact()), options.trainer, ...mine], {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
          env: { ...process.env, COHORT_LOG_LEVEL: 'warn' },
        }),
      );
    }
    const federation = new Federation(hub, root, children, names);
    await federation.waitForParties(120_000);
    return federation;
  }

  async waitForParties(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.hub.engine.connectedParties().length < this.parties.length) {
      if (Date.now() > deadline) throw new Error(`only ${this.hub.engine.connectedParties().length} of ${this.parties.length} workers connected`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Bytes sent and received on all the hub's worker connections so far. */
  bytes(): number {
    let total = 0;
    for (const party of this.parties) {
      const channel = this.hub.engine.channelOf(party) as Peer | undefined;
      const moved = channel?.transferred();
      if (moved) total += moved.sent + moved.received;
    }
    return total;
  }

  /** Defines and runs a run with these hyperparameters; measures every round. */
  async run(hyperparameters: Partial<Hyperparameters>): Promise<RunMeasurement> {
    const id = `bench-${++this.runs}`;
    await this.hub.store.create('runs', {
      id,
      experimentId: SIMULATION_IDS.experiment,
      name: id,
      hyperparameters: Hyperparameters.parse({ solver: 'sgd', evaluateEvery: 0, minClients: 1, ...hyperparameters }),
    });
    const roundSeconds: number[] = [];
    const roundBytes: number[] = [];
    let last = 0;
    let lastBytes = 0;
    const stop = this.hub.engine.onEvent((event) => {
      if (event.run !== id) return;
      if (event.kind === 'status' && event.status === 'training') {
        last = performance.now();
        lastBytes = this.bytes();
      } else if (event.kind === 'round') {
        const now = performance.now();
        const bytes = this.bytes();
        roundSeconds.push((now - last) / 1000);
        roundBytes.push(bytes - lastBytes);
        last = now;
        lastBytes = bytes;
      }
    });
    try {
      await this.hub.engine.start(id);
      const result = await this.hub.engine.wait(id);
      if (result.status !== 'completed') throw new Error(`benchmark run ${result.status}: ${result.error}`);
      return { result, roundSeconds, roundBytes };
    } finally {
      stop();
    }
  }

  pids(): number[] {
    return this.children.map((child) => child.pid!).filter(Boolean);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
    await this.hub.close();
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * An MLP over the demo's 30 features with about `parameters` weights: one hidden layer for
 * small sizes (30h + h + h + 1), two for large ones (layers are at most 4096 wide).
 */
export function mlpWithParameters(parameters: number): ModelSpec {
  const single = Math.round((parameters - 1) / 32);
  if (single <= 4096) return { kind: 'mlp', hidden: [Math.max(1, single)], activation: 'relu', dropout: 0 };
  // [1000, h]: 30*1000 + 1000 + 1000h + h + h + 1 = 31001 + 1002h
  return { kind: 'mlp', hidden: [1000, Math.round((parameters - 31_001) / 1002)], activation: 'relu', dropout: 0 };
}
