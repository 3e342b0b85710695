// Runs survive a crash. The hub process is killed with SIGKILL during round 10 of 20, started
// again on the same address and the run resumed: it completes, its history has every round once,
// and its final global weights equal those of the same run left alone (plain FedAvg, the same
// seed) to 1e-6; with secure aggregation and central DP, its epsilon equals the uninterrupted
// run's. A worker killed and started again mid-run rejoins, and the run completes.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchFederation, type Federation } from '../../../src-main/api/simulation/federation';
import { ProcessGroup } from '../../../src-main/api/simulation/processes';
import { prepareWorkspace, SIMULATION_IDS, type Workspace } from '../../../src-main/api/simulation/workspace';
import { Hyperparameters } from '../../../src-main/contract/records';
import type { RunEvent, RunResult } from '../../../src-main/contract/results';
import { DEMO_DATA } from '../../support/cli';

const PARTIES = ['hospital-a', 'hospital-b', 'hospital-c'];

interface Running {
  setup: Workspace;
  processes: ProcessGroup;
  federation: Federation;
}

let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-resume-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function federationOf(hyperparameters: Partial<Hyperparameters>): Promise<Running> {
  const workspace = join(root, `w${(counter += 1)}`);
  const setup = await prepareWorkspace({
    workspace,
    partyFolders: PARTIES.map((name) => ({ name, folder: join(DEMO_DATA, name) })),
    target: 'diagnosis',
    task: 'classify',
    positiveClass: 'M',
    model: { kind: 'logreg' },
    hyperparameters: Hyperparameters.parse({ solver: 'sgd', rounds: 20, evaluateEvery: 5, seed: 7, ...hyperparameters }),
  });
  const processes = new ProcessGroup(join(workspace, 'logs'));
  return { setup, processes, federation: await launchFederation(setup, processes) };
}

/** Starts the run; calls `during` once with the event it waits for, then waits for the end. */
async function runWith(running: Running, trigger: (event: RunEvent) => boolean, during: (event: RunEvent) => Promise<void>): Promise<RunResult> {
  const admin = await running.federation.admin();
  let fired: Promise<void> | undefined;
  await admin.subscribe((event) => {
    if (!fired && trigger(event)) fired = during(event);
  }, SIMULATION_IDS.run);
  await admin.start(SIMULATION_IDS.run);
  const result = await admin.wait(SIMULATION_IDS.run).catch(() => undefined);
  await fired;
  admin.close();
  if (result) return result;
  throw new Error('the hub went away before the run ended');
}

async function globalWeights(hubDir: string): Promise<Float32Array> {
  const dir = join(hubDir, 'runs', SIMULATION_IDS.run, 'global-model');
  const bin = (await readdir(dir)).find((name) => name.endsWith('.bin'))!;
  const bytes = await readFile(join(dir, bin));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

async function uninterrupted(hyperparameters: Partial<Hyperparameters>): Promise<{ result: RunResult; weights: Float32Array }> {
  const running = await federationOf(hyperparameters);
  try {
    const admin = await running.federation.admin();
    await admin.start(SIMULATION_IDS.run);
    const result = await admin.wait(SIMULATION_IDS.run);
    admin.close();
    return { result, weights: await globalWeights(running.setup.hubDir) };
  } finally {
    await running.processes.stopAll();
  }
}

/** Kills the hub with SIGKILL as round 10 starts, starts it again and resumes the run. */
async function crashedAndResumed(hyperparameters: Partial<Hyperparameters>): Promise<{ result: RunResult; weights: Float32Array; status: string }> {
  const running = await federationOf(hyperparameters);
  try {
    const killed = new Promise<void>((resolve) => {
      void runWith(
        running,
        (event) => event.kind === 'round' && event.record.round === 9,
        async () => {
          running.federation.hub.child.kill('SIGKILL');
          await running.federation.hub.exited;
          resolve();
        },
      ).catch(() => undefined);
    });
    await killed;
    await running.federation.restartHub();
    const admin = await running.federation.admin();
    const status = (await admin.status(SIMULATION_IDS.run)).run.status;
    await admin.resume(SIMULATION_IDS.run);
    const result = await admin.wait(SIMULATION_IDS.run);
    admin.close();
    return { result, weights: await globalWeights(running.setup.hubDir), status };
  } finally {
    await running.processes.stopAll();
  }
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('a hub killed during round 10 of 20, then resumed', () => {
  it('completes the plain run with the weights of the run left alone, every round once', async () => {
    const reference = await uninterrupted({});
    const resumed = await crashedAndResumed({});
    expect(resumed.status).toBe('interrupted');
    expect(resumed.result.status).toBe('completed');
    expect(resumed.result.rounds.map((round) => round.round)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(maxDifference(resumed.weights, reference.weights)).toBeLessThanOrEqual(1e-6);
    expect(resumed.result.evaluation!.aggregate).toEqual(reference.result.evaluation!.aggregate);
  }, 900_000);

  it('with secure aggregation and central DP: completes, with the epsilon of the run left alone', async () => {
    const privacy = { secureAggregation: true, dp: 'central' as const, clip: 1, noiseMultiplier: 1.5 };
    const reference = await uninterrupted({ privacy: privacy as Hyperparameters['privacy'] });
    const resumed = await crashedAndResumed({ privacy: privacy as Hyperparameters['privacy'] });
    expect(resumed.result.status).toBe('completed');
    expect(resumed.result.rounds.map((round) => round.round)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(resumed.result.privacy.epsilon).toBeCloseTo(reference.result.privacy.epsilon!, 10);
    expect(resumed.result.privacy.epsilon).toBeGreaterThan(0);
  }, 900_000);
});

describe('a worker killed mid-run and started again', () => {
  it('rejoins the run in progress, which completes with it', async () => {
    // Enough rounds (about 0.13 s each on an idle machine, some 40 s in all) for a worker process
    // to start again meanwhile, even on a loaded machine where starting one takes seconds.
    const running = await federationOf({ rounds: 300, epochs: 10, evaluateEvery: 0, minClients: 2, roundTimeoutSeconds: 60 });
    const victim = 'hospital-b';
    try {
      const result = await runWith(
        running,
        (event) => event.kind === 'round' && event.record.round === 3,
        async () => {
          const worker = running.federation.workers[victim]!;
          worker.child.kill('SIGKILL');
          await worker.exited;
          const dataDir = running.setup.parties.find((party) => party.name === victim)!.dataDir;
          running.processes.spawn(`${victim}-again`, ['worker', '--data-dir', dataDir, '--id', victim, '--approve-all']);
        },
      );
      expect(result.status).toBe('completed');
      expect(result.dropouts.some((dropout) => dropout.party === victim)).toBe(true);
      // Back in the rounds after it restarted.
      expect(result.rounds.at(-1)!.parties[victim]).toMatchObject({ ok: true });
    } finally {
      await running.processes.stopAll();
    }
  }, 600_000);
});
