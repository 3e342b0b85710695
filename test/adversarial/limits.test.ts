// Models and data a party will not build or train: a Keras JSON with 10,000 layers or 10^9
// parameters is refused from its JSON, before TF.js allocates anything, at the hub and at the
// worker (which does not even start a training thread for it); an alignment that would encode
// the local data into more than 1 GiB is refused before the matrix is allocated; and a training
// thread that outgrows its heap is stopped, failing the run with a clear message while the
// worker process goes on serving. Real files, a real hub, a real worker process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHub, type Hub } from '../../src-main/api/hub/hub-service';
import { createInvitation } from '../../src-main/api/hub/invitations';
import { alignPartyFolders } from '../../src-main/api/local-alignment';
import { prepareWorkspace, SIMULATION_IDS, type Workspace } from '../../src-main/api/simulation/workspace';
import { StoreOwnerPort } from '../../src-main/api/worker/owner-records';
import { StoreDataPort } from '../../src-main/api/worker/data-port';
import { modelShapeOf, ThreadTrainingPort } from '../../src-main/api/worker/training-port';
import type { Alignment } from '../../src-main/contract/data';
import { Hyperparameters, type ModelSpec } from '../../src-main/contract/records';
import { selectBackend } from '../../src-main/ml/backend';
import { checkModelSize } from '../../src-main/ml/keras';
import { DATA_LIMITS, MODEL_LIMITS } from '../../src-main/ml/limits';
import { buildModel } from '../../src-main/ml/model';
import { tf } from '../../src-main/ml/tf';
import { TrainingClient } from '../../src-main/ml/training-client';
import { MetadataStore } from '../../src-main/store/metadata-store';
import { PROJECT_ROOT } from '../support/cli';
import { isRunning } from '../support/processes';
import { syntheticParties, writeSyntheticParties } from '../support/synthetic';

const shape = { inputSize: 30, outputSize: 1, target: 'binary' } as const;
const dense = (units: number) => ({ class_name: 'Dense', config: { units, activation: 'relu' } });
const keras = (layers: unknown[]): ModelSpec => ({ kind: 'keras', topology: { class_name: 'Sequential', config: { name: 'hostile', layers } } });

/** 30 inputs -> 100,000 -> 10,000 -> 1: just over 10^9 parameters. */
const BILLION = keras([dense(100_000), dense(10_000), dense(1)]);
const TEN_THOUSAND_LAYERS = keras(Array.from({ length: 10_000 }, () => dense(2)));

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-limits-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a model over the limits', () => {
  it('is refused from its JSON, without TF.js: 10^9 parameters, 10,000 layers, a 2 MB topology, a huge preset', () => {
    expect(() => checkModelSize(BILLION, shape)).toThrow(/would have 1,003,\d{3},\d{3} parameters; Cohort builds models of at most 10,000,000/);
    expect(() => checkModelSize(TEN_THOUSAND_LAYERS, shape)).toThrow('the model has 10000 layers; Cohort builds models of at most 100');
    const padded = keras([{ class_name: 'Dense', config: { units: 1, junk: 'x'.repeat(2 * 1024 * 1024) } }]);
    expect(() => checkModelSize(padded, shape)).toThrow(/the model's JSON is 2,097,\d{3} bytes; Cohort reads model topologies of at most 1,048,576/);
    expect(() => checkModelSize({ kind: 'mlp', hidden: Array(16).fill(4096), activation: 'relu', dropout: 0 }, shape)).toThrow(/would have 251,\d{3},\d{3} parameters/);
    // Just under the limits is fine.
    expect(() => checkModelSize(keras([dense(3_000), dense(3_000), dense(1)]), shape)).not.toThrow();
    expect(() => checkModelSize(keras(Array.from({ length: MODEL_LIMITS.maxLayers }, () => dense(4))), shape)).not.toThrow();
  });

  it('is refused by buildModel (the hub and the training thread) before a single weight is allocated', async () => {
    await selectBackend('auto');
    const before = tf.memory();
    for (const spec of [BILLION, TEN_THOUSAND_LAYERS]) expect(() => buildModel(spec, shape, 1)).toThrow(/Cohort builds models of at most/);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('is refused by a worker before it starts a training thread for it', async () => {
    const start = vi.spyOn(TrainingClient, 'start');
    const alignment = (await alignPartyFolders(await syntheticFolder('one', 40), { target: 'outcome', task: 'classify', positiveClass: 'yes' })).alignment!;
    const empty = { x: new Float32Array(0), rows: 0, featureCount: alignment.features.length, outputCount: 1, sourceRows: new Int32Array(0), unseenLevels: {}, unseenLabels: {}, skipped: { missingTarget: 0, unseenLabel: 0 } };
    await expect(new ThreadTrainingPort().open({ model: BILLION, alignment, seed: 1, data: { train: empty, unseenLevels: {} } } as never)).rejects.toThrow(/Cohort builds models of at most/);
    expect(start).not.toHaveBeenCalled();
    expect(modelShapeOf(alignment).inputSize).toBe(alignment.features.length);
  });
});

async function syntheticFolder(name: string, rows: number): Promise<string> {
  const dir = join(root, name);
  await writeSyntheticParties(dir, syntheticParties(['alpha'], rows));
  return dir;
}

describe('data over the limits', () => {
  it('an alignment that would encode the local file into more than 1 GiB is refused before it is allocated', async () => {
    // 100,000 real rows; the hub's alignment claims 3,000 levels for one categorical column.
    const folder = join(root, 'wide', 'alpha');
    await mkdir(folder, { recursive: true });
    const rows = Array.from({ length: 100_000 }, (_, index) => `${30 + (index % 50)},${(index * 0.37).toFixed(2)},${['icu', 'cardio', 'oncology'][index % 3]},${index % 2 ? 'yes' : 'no'}`);
    await writeFile(join(folder, 'train.csv'), `age,marker,ward,outcome\n${rows.join('\n')}\n`);
    const workspace = await prepareWorkspace({
      workspace: join(root, 'wide-workspace'),
      partyFolders: [{ name: 'alpha', folder }],
      target: 'outcome',
      task: 'classify',
      positiveClass: 'yes',
      model: { kind: 'logreg' },
      hyperparameters: Hyperparameters.parse({}),
    });
    const honest = (await alignPartyFolders(join(root, 'wide'), { target: 'outcome', task: 'classify', positiveClass: 'yes' })).alignment!;
    const store = await MetadataStore.open(workspace.parties[0]!.dataDir);
    const port = new StoreDataPort(store);
    const project = (await new StoreOwnerPort(store).project(workspace.hubKey, SIMULATION_IDS.project))!;
    const { declaration } = await port.declare(project, 'alpha');
    // The honest alignment loads.
    await expect(port.prepare(project, 'alpha', honest, declaration)).resolves.toMatchObject({ train: { rows: 100_000 } });
    const hostile = inflate(honest, 'ward', 3_000);
    expect(100_000 * hostile.features.length).toBeGreaterThan(DATA_LIMITS.maxValues);
    await expect(port.prepare(project, 'alpha', hostile, declaration)).rejects.toThrow(
      `train data: 100,000 rows x ${hostile.features.length.toLocaleString('en-US')} encoded values is over the 268,435,456 values (1 GiB) a party trains on`,
    );
  }, 60_000);
});

/** The alignment with `levels` made-up levels for one categorical column (and its features). */
function inflate(alignment: Alignment, column: string, levels: number): Alignment {
  const made = Array.from({ length: levels }, (_, index) => `level-${index}`);
  const columns = alignment.columns.map((entry) => (entry.name === column ? { ...entry, levels: made } : entry)) as Alignment['columns'];
  const features = alignment.features.filter((feature) => !feature.startsWith(`${column}=`));
  return { ...alignment, columns, features: [...features, ...made.map((level) => `${column}=${level}`)] };
}

describe('a training thread over its memory', () => {
  let workspace: Workspace;
  let hub: Hub;
  let worker: ChildProcess;

  beforeAll(async () => {
    await writeSyntheticParties(join(root, 'run-data'), syntheticParties(['alpha'], 200));
    workspace = await prepareWorkspace({
      workspace: join(root, 'run'),
      partyFolders: [{ name: 'alpha', folder: join(root, 'run-data', 'alpha') }],
      target: 'outcome',
      task: 'classify',
      positiveClass: 'yes',
      model: { kind: 'mlp', hidden: [8], activation: 'relu', dropout: 0 },
      hyperparameters: Hyperparameters.parse({ rounds: 2, minClients: 1, seed: 3 }),
    });
    hub = await startHub({ dataDir: workspace.hubDir, port: 0, heartbeatMs: 1_000 });
    const { code } = await createInvitation(hub.store, hub.contact(), { collaborationId: SIMULATION_IDS.collaboration });
    worker = spawn(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'cohort.js'), 'worker', '--join', code, '--data-dir', workspace.parties[0]!.dataDir, '--id', 'alpha', '--approve-all', '--training-memory', '8'],
      { cwd: PROJECT_ROOT, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } },
    );
    for (const deadline = Date.now() + 60_000; hub.engine.connectedParties().join() !== 'alpha'; ) {
      if (Date.now() > deadline) throw new Error('the worker did not connect');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 120_000);

  afterAll(async () => {
    worker?.kill('SIGKILL');
    await hub?.close();
  });

  it('is stopped, and the run fails with the reason; the worker goes on serving', async () => {
    await hub.engine.start(SIMULATION_IDS.run);
    const result = await hub.engine.wait(SIMULATION_IDS.run);
    expect(result.status).toBe('failed');
    expect(JSON.stringify(result)).toContain('the training thread ran out of memory (its limit is 8 MB of heap) and was stopped: the model or the data is too large for this party');
    expect(isRunning(worker.pid!)).toBe(true);
    expect(hub.engine.connectedParties()).toEqual(['alpha']);
  }, 120_000);

  it('a run whose model is over the limits fails with the reason: the worker refuses it before a thread starts', async () => {
    await hub.store.create('experiments', { id: 'hostile', projectId: SIMULATION_IDS.project, name: 'Hostile', model: BILLION });
    await hub.store.create('runs', { id: 'hostile-run', experimentId: 'hostile', name: 'Hostile run', hyperparameters: Hyperparameters.parse({ rounds: 1, minClients: 1 }) });
    await hub.engine.start('hostile-run').catch(() => undefined);
    const result = await hub.engine.wait('hostile-run');
    expect(result.status).toBe('failed');
    // 5 features here (age, marker and three wards): 5 x 100,000 + 100,000 x 10,000 + ...
    expect(result.dropouts).toEqual([{ party: 'alpha', round: 0, reason: 'preparing failed: the model would have 1,000,610,000 parameters; Cohort builds models of at most 10,000,000' }]);
    expect(isRunning(worker.pid!)).toBe(true);
  }, 60_000);
});
