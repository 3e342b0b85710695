// Warm start on a real grid (a hub and two workers, each its own process over TLS): a run
// created with `cohort run create --from-run` starts from the source run's final global weights,
// so its first round's loss is near the source's last one and far below that of the same run
// started cold. A source that has not completed is refused when the run is defined.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminClient } from '../../../src-main/api/admin-client';
import { launchFederation } from '../../../src-main/api/simulation/federation';
import { ProcessGroup } from '../../../src-main/api/simulation/processes';
import { prepareWorkspace, SIMULATION_IDS, type Workspace } from '../../../src-main/api/simulation/workspace';
import { createRun } from '../../../src-main/api/records/runs';
import { Hyperparameters } from '../../../src-main/contract/records';
import type { RunResult } from '../../../src-main/contract/results';
import { MetadataStore } from '../../../src-main/store/metadata-store';
import { DEMO_DATA, runCli } from '../../support/cli';

const PARTIES = ['hospital-a', 'hospital-b'];
const SETTINGS = { evaluateEvery: 0, seed: 11, learningRate: 0.05 };

let root: string;
let setup: Workspace;
let processes: ProcessGroup;
let admin: AdminClient;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-warm-'));
  setup = await prepareWorkspace({
    workspace: root,
    partyFolders: PARTIES.map((name) => ({ name, folder: join(DEMO_DATA, name) })),
    target: 'diagnosis',
    task: 'classify',
    positiveClass: 'M',
    model: { kind: 'logreg' },
    hyperparameters: Hyperparameters.parse({ ...SETTINGS, rounds: 8 }),
  });
  processes = new ProcessGroup(join(root, 'logs'));
  const federation = await launchFederation(setup, processes);
  admin = await federation.admin();
}, 120_000);

afterAll(async () => {
  admin?.close();
  await processes?.stopAll();
  await rm(root, { recursive: true, force: true });
});

async function execute(run: string): Promise<RunResult> {
  await admin.start(run);
  const result = await admin.wait(run);
  expect(result.status, result.error ?? '').toBe('completed');
  return result;
}

async function globalWeights(run: string): Promise<Float32Array> {
  const dir = join(setup.hubDir, 'runs', run, 'global-model');
  const bin = (await readdir(dir)).find((name) => name.endsWith('.bin'))!;
  const bytes = await readFile(join(dir, bin));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function distance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}

describe('warm start', () => {
  it('refuses a source run that has not completed', async () => {
    const cli = await runCli(['run', 'create', '--data-dir', setup.hubDir, '--experiment', SIMULATION_IDS.experiment, '--name', 'Too early', '--from-run', SIMULATION_IDS.run]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/has not completed \(it is defined\)/);
  });

  it("starts from the source run's final weights", async () => {
    const source = await execute(SIMULATION_IDS.run);
    const sourceLast = source.rounds.at(-1)!.trainLoss;

    const cli = await runCli(['run', 'create', '--data-dir', setup.hubDir, '--experiment', SIMULATION_IDS.experiment, '--name', 'Warm', '--id', 'warm', '--from-run', SIMULATION_IDS.run, '--rounds', '1', '--lr', String(SETTINGS.learningRate), '--seed', String(SETTINGS.seed), '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ id: 'warm', initialRunId: SIMULATION_IDS.run });
    await createRun(await MetadataStore.open(setup.hubDir), { id: 'cold', experimentId: SIMULATION_IDS.experiment, name: 'Cold', hyperparameters: { ...SETTINGS, rounds: 1, evaluateEvery: 0 } });

    const warm = await execute('warm');
    const cold = await execute('cold');
    const warmFirst = warm.rounds[0]!.trainLoss;
    const coldFirst = cold.rounds[0]!.trainLoss;
    // Cold starts where the source started; warm continues where it ended.
    expect(coldFirst).toBeCloseTo(source.rounds[0]!.trainLoss, 4);
    expect(warmFirst).toBeLessThan(coldFirst * 0.6);
    expect(Math.abs(warmFirst - sourceLast)).toBeLessThan(0.25 * sourceLast);

    const sourceWeights = await globalWeights(SIMULATION_IDS.run);
    expect(distance(await globalWeights('warm'), sourceWeights)).toBeLessThan(distance(await globalWeights('cold'), sourceWeights) / 3);
  }, 300_000);
});
