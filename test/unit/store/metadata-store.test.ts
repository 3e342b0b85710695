import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CohortError, type ErrorCode } from '../../../src-main/contract/errors';
import { COLLECTIONS } from '../../../src-main/core/model/integrity';
import { SCHEMA_VERSION } from '../../../src-main/store/database';
import { MetadataStore, STORE_FILE, type StoreOptions } from '../../../src-main/store/metadata-store';

// ---------------------------------------------------------------------------------------------
// Helpers

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-store-'));
  file = join(dir, STORE_FILE);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = new Date('2024-03-01T10:00:00.000Z');
const T1 = new Date('2024-03-02T11:30:00.000Z');

/** A clock the test moves by hand. */
function manualClock(start: Date = T0): { clock: () => Date; set: (date: Date) => void } {
  let now = start;
  return { clock: () => now, set: (date) => (now = date) };
}

async function openStore(options: StoreOptions = {}): Promise<MetadataStore> {
  return MetadataStore.open(dir, { clock: () => T0, ...options });
}

/** Runs `action`, expects it to reject with a CohortError of `code`, and returns that error. */
async function expectCohortError(action: Promise<unknown>, code: ErrorCode): Promise<CohortError> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a CohortError with code ${code}`).toBeInstanceOf(CohortError);
  const error = caught as CohortError;
  expect(error.code).toBe(code);
  return error;
}

const collaboration = { id: 'breast-cancer', name: 'Breast cancer study', description: 'Wisconsin data' };
const project = {
  id: 'diagnosis',
  collaborationId: 'breast-cancer',
  name: 'Diagnosis',
  targetColumn: 'diagnosis',
  task: 'classify' as const,
  positiveClass: 'M',
};
const experiment = { id: 'logreg-1', projectId: 'diagnosis', name: 'Logistic regression', model: { kind: 'logreg' as const } };
const run = { id: 'run-1', experimentId: 'logreg-1', name: 'First run', hyperparameters: { rounds: 5 } };
const participant = { id: 'st-olaf', displayName: 'St Olaf Hospital', organisation: 'St Olaf' };
const registration = { id: 'reg-st-olaf', participantId: 'st-olaf', collaborationId: 'breast-cancer', projectId: 'diagnosis' };
const dataTag = {
  id: 'tag-train',
  projectId: 'diagnosis',
  participantId: 'st-olaf',
  kind: 'train' as const,
  source: { type: 'file' as const, path: '/data/wdbc.csv' },
  columns: [{ name: 'radius', kind: 'numeric' as const }, { name: 'diagnosis', kind: 'categorical' as const }],
  rows: 569,
};

/** A store holding one of everything, linked as the hierarchy expects. */
async function populatedStore(options: StoreOptions = {}): Promise<MetadataStore> {
  const store = await openStore(options);
  await store.create('collaborations', collaboration);
  await store.create('projects', project);
  await store.create('experiments', experiment);
  await store.create('runs', run);
  await store.create('participants', participant);
  await store.create('registrations', registration);
  await store.create('dataTags', dataTag);
  return store;
}

// ---------------------------------------------------------------------------------------------

describe('MetadataStore: create, get, list, update, remove', () => {
  it('creates a fresh store file with every collection empty', async () => {
    const store = await openStore();
    expect(store.path).toBe(file);
    const snapshot = await store.snapshot();
    expect(snapshot).toEqual({
      collaborations: [],
      projects: [],
      experiments: [],
      runs: [],
      participants: [],
      registrations: [],
      dataTags: [],
      invitations: [],
      memberships: [],
      consents: [],
      connections: [],
      ownerSettings: [],
      privacyLedgers: [],
    });
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(onDisk).toEqual({ schemaVersion: SCHEMA_VERSION, ...snapshot });
  });

  it('round-trips a collaboration with timestamps and applies defaults', async () => {
    const store = await openStore();
    const created = await store.create('collaborations', { id: 'c1', name: 'Study' });
    expect(created).toEqual({
      id: 'c1',
      name: 'Study',
      description: '',
      createdAt: '2024-03-01T10:00:00.000Z',
      updatedAt: '2024-03-01T10:00:00.000Z',
    });
    expect(await store.get('collaborations', 'c1')).toEqual(created);
    expect(await store.list('collaborations')).toEqual([created]);
  });

  it('creates every kind of record, each with its defaults', async () => {
    const store = await populatedStore();

    expect(await store.get('projects', 'diagnosis')).toEqual({
      ...project,
      description: '',
      alignment: { columns: 'union', missingIndicators: false },
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
    expect(await store.get('experiments', 'logreg-1')).toEqual({
      ...experiment,
      description: '',
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
    const storedRun = await store.get('runs', 'run-1');
    expect(storedRun.hyperparameters).toEqual({
      algorithm: 'fedavg',
      rounds: 5,
      epochs: 1,
      batchSize: 32,
      learningRate: 0.1,
      optimizer: 'sgd',
      momentum: 0,
      loss: 'auto',
      l2: 0,
      mu: 0.01,
      serverLearningRate: 1,
      serverMomentum: 0.9,
      beta2: 0.99,
      tau: 1e-3,
      trimBeta: 0.2,
      byzantine: 1,
      normBound: null,
      compression: 'none',
      topkFraction: 0.01,
      solver: 'auto',
      penalty: 1,
      fractionFit: 1,
      minClients: 1,
      roundTimeoutSeconds: 600,
      evaluateEvery: 1,
      seed: 42,
      earlyStopping: null,
      privacy: { secureAggregation: false, dp: 'off', clip: 1, noiseMultiplier: 1, targetEpsilon: null, delta: 1e-5 },
    });
    expect(storedRun).toMatchObject({ status: 'defined', round: 0 });
    expect(storedRun.createdAt).toBe(T0.toISOString());
    expect(await store.get('participants', 'st-olaf')).toEqual({
      ...participant,
      contact: '',
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
    expect(await store.get('registrations', 'reg-st-olaf')).toEqual({
      ...registration,
      role: 'participant',
      connection: { mode: 'dial-out' },
      declaredTags: [],
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
    expect(await store.get('dataTags', 'tag-train')).toEqual({
      ...dataTag,
      columns: [
        { name: 'radius', kind: 'numeric', excluded: false, included: false },
        { name: 'diagnosis', kind: 'categorical', excluded: false, included: false },
      ],
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
  });

  it('lists with a filter on field values', async () => {
    const store = await populatedStore();
    await store.create('projects', { ...project, id: 'survival', task: 'regress', positiveClass: undefined, targetColumn: 'months' });
    await store.create('collaborations', { id: 'other', name: 'Other' });
    await store.create('projects', { ...project, id: 'elsewhere', collaborationId: 'other' });

    expect((await store.list('projects')).map((p) => p.id)).toEqual(['diagnosis', 'survival', 'elsewhere']);
    expect((await store.list('projects', { collaborationId: 'breast-cancer' })).map((p) => p.id)).toEqual([
      'diagnosis',
      'survival',
    ]);
    expect((await store.list('projects', { task: 'regress' })).map((p) => p.id)).toEqual(['survival']);
    expect(await store.list('projects', { collaborationId: 'nobody' })).toEqual([]);
  });

  it('updates a record: the patch applies, updatedAt moves, createdAt and id stay', async () => {
    const time = manualClock();
    const store = await openStore({ clock: time.clock });
    await store.create('collaborations', collaboration);
    await store.create('projects', project);

    time.set(T1);
    const updated = await store.update('collaborations', 'breast-cancer', { description: 'now with more sites' });
    expect(updated).toEqual({
      id: 'breast-cancer',
      name: 'Breast cancer study',
      description: 'now with more sites',
      createdAt: T0.toISOString(),
      updatedAt: T1.toISOString(),
    });
    expect(await store.get('collaborations', 'breast-cancer')).toEqual(updated);

    const patched = await store.update('projects', 'diagnosis', { name: 'Diagnosis (v2)', alignment: { columns: 'intersection' } });
    expect(patched.name).toBe('Diagnosis (v2)');
    expect(patched.alignment).toEqual({ columns: 'intersection', missingIndicators: false });
    expect(patched.targetColumn).toBe('diagnosis');
    expect(patched.createdAt).toBe(T0.toISOString());
    expect(patched.updatedAt).toBe(T1.toISOString());
  });

  it('updates records of every other collection', async () => {
    const time = manualClock();
    const store = await populatedStore({ clock: time.clock });
    time.set(T1);

    const exp = await store.update('experiments', 'logreg-1', { model: { kind: 'mlp' } });
    expect(exp.model).toEqual({ kind: 'mlp', hidden: [64, 32], activation: 'relu', dropout: 0 });
    const r = await store.update('runs', 'run-1', { hyperparameters: { rounds: 20, algorithm: 'fedprox' } });
    expect(r.hyperparameters.rounds).toBe(20);
    expect(r.hyperparameters.algorithm).toBe('fedprox');
    expect(r.hyperparameters.batchSize).toBe(32);
    const p = await store.update('participants', 'st-olaf', { contact: 'it@st-olaf.example' });
    expect(p.contact).toBe('it@st-olaf.example');
    const reg = await store.update('registrations', 'reg-st-olaf', {
      connection: { mode: 'listen', host: 'st-olaf.example', port: 7443 },
    });
    expect(reg.connection).toEqual({ mode: 'listen', host: 'st-olaf.example', port: 7443 });
    const tag = await store.update('dataTags', 'tag-train', { rows: 570 });
    expect(tag.rows).toBe(570);

    for (const record of [exp, r, p, reg, tag]) {
      expect(record.createdAt).toBe(T0.toISOString());
      expect(record.updatedAt).toBe(T1.toISOString());
    }
  });

  it('removes records without dependents', async () => {
    const store = await populatedStore();
    expect(await store.remove('runs', 'run-1')).toEqual([{ collection: 'runs', id: 'run-1' }]);
    expect(await store.remove('dataTags', 'tag-train')).toEqual([{ collection: 'dataTags', id: 'tag-train' }]);
    expect(await store.remove('registrations', 'reg-st-olaf')).toEqual([{ collection: 'registrations', id: 'reg-st-olaf' }]);
    expect(await store.remove('participants', 'st-olaf')).toEqual([{ collection: 'participants', id: 'st-olaf' }]);
    expect(await store.remove('experiments', 'logreg-1')).toEqual([{ collection: 'experiments', id: 'logreg-1' }]);
    expect(await store.remove('projects', 'diagnosis')).toEqual([{ collection: 'projects', id: 'diagnosis' }]);
    expect(await store.remove('collaborations', 'breast-cancer')).toEqual([
      { collection: 'collaborations', id: 'breast-cancer' },
    ]);
    const snapshot = await store.snapshot();
    for (const collection of COLLECTIONS) expect(snapshot[collection]).toEqual([]);
  });

  it('reports an unknown id as NOT_FOUND for get, update and remove', async () => {
    const store = await populatedStore();
    const error = await expectCohortError(store.get('projects', 'nope'), 'NOT_FOUND');
    expect(error.message).toBe('no project with id "nope"');
    expect(error.details).toEqual({ collection: 'projects', id: 'nope' });
    expect(await store.find('projects', 'nope')).toBeUndefined();

    const before = await readFile(file, 'utf8');
    await expectCohortError(store.update('runs', 'nope', { name: 'x' }), 'NOT_FOUND');
    await expectCohortError(store.remove('dataTags', 'nope'), 'NOT_FOUND');
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});

describe('MetadataStore: validation on write', () => {
  it('refuses a project with an unknown task, naming the field, and leaves the file unchanged', async () => {
    const store = await populatedStore();
    const before = await readFile(file);
    const error = await expectCohortError(
      store.create('projects', { ...project, id: 'clusters', task: 'cluster' as 'classify' }),
      'VALIDATION',
    );
    expect(error.message).toMatch(/^invalid project: task: /);
    expect(error.details['collection']).toBe('projects');
    expect(await readFile(file)).toEqual(before);
    expect(await store.find('projects', 'clusters')).toBeUndefined();
  });

  it('refuses an id with spaces, naming the id field', async () => {
    const store = await openStore();
    const before = await readFile(file);
    const error = await expectCohortError(store.create('collaborations', { id: 'my study', name: 'x' }), 'VALIDATION');
    expect(error.message).toBe(
      'invalid collaboration: id: an id is 1 to 64 letters, digits, ".", "_" or "-", and starts with a letter or digit',
    );
    expect(await readFile(file)).toEqual(before);
    expect(await store.list('collaborations')).toEqual([]);
  });

  it('refuses a positive class on a regression project, on create and on update', async () => {
    const store = await populatedStore();
    const before = await readFile(file);
    const created = await expectCohortError(
      store.create('projects', { ...project, id: 'survival', task: 'regress', positiveClass: 'M' }),
      'VALIDATION',
    );
    expect(created.message).toBe('invalid project: positiveClass: a positive class only makes sense for a classification project');
    expect(await readFile(file)).toEqual(before);

    // The existing project has positiveClass "M": turning it into a regression must be refused.
    const updated = await expectCohortError(store.update('projects', 'diagnosis', { task: 'regress' }), 'VALIDATION');
    expect(updated.message).toContain('positiveClass: a positive class only makes sense');
    expect(await readFile(file)).toEqual(before);
    expect((await store.get('projects', 'diagnosis')).task).toBe('classify');
  });

  it('refuses an invalid update of a nested field, naming its path', async () => {
    const store = await populatedStore();
    const before = await readFile(file);
    const error = await expectCohortError(store.update('runs', 'run-1', { hyperparameters: { rounds: 0 } }), 'VALIDATION');
    expect(error.message).toMatch(/^invalid run: hyperparameters\.rounds: /);
    expect(await readFile(file)).toEqual(before);
  });

  it('refuses unknown fields', async () => {
    const store = await openStore();
    const error = await expectCohortError(
      store.create('collaborations', { id: 'c1', name: 'x', colour: 'red' } as unknown as typeof collaboration),
      'VALIDATION',
    );
    expect(error.message).toContain('colour');
  });
});

describe('MetadataStore: referential integrity', () => {
  it('refuses a run whose experiment does not exist', async () => {
    const store = await populatedStore();
    const before = await readFile(file);
    const error = await expectCohortError(store.create('runs', { ...run, id: 'run-2', experimentId: 'ghost' }), 'REFERENCE');
    expect(error.message).toBe('run "run-2" refers to experiment "ghost", which does not exist');
    expect(await readFile(file)).toEqual(before);
    expect(await store.find('runs', 'run-2')).toBeUndefined();
  });

  it('refuses an update that would orphan a record', async () => {
    const store = await populatedStore();
    const error = await expectCohortError(store.update('experiments', 'logreg-1', { projectId: 'ghost' }), 'REFERENCE');
    expect(error.message).toBe('experiment "logreg-1" refers to project "ghost", which does not exist');
    expect((await store.get('experiments', 'logreg-1')).projectId).toBe('diagnosis');
  });

  it('refuses a registration pairing a project with the wrong collaboration', async () => {
    const store = await populatedStore();
    await store.create('collaborations', { id: 'other', name: 'Another study' });
    const before = await readFile(file);
    const error = await expectCohortError(
      store.create('registrations', { ...registration, id: 'reg-wrong', collaborationId: 'other' }),
      'REFERENCE',
    );
    expect(error.message).toBe(
      'registration "reg-wrong" pairs project "diagnosis" with collaboration "other", but the project belongs to "breast-cancer"',
    );
    expect(await readFile(file)).toEqual(before);
  });

  it('refuses moving a project to another collaboration while registrations pair it with the old one', async () => {
    const store = await populatedStore();
    await store.create('collaborations', { id: 'other', name: 'Another study' });
    const before = await readFile(file);
    const error = await expectCohortError(store.update('projects', 'diagnosis', { collaborationId: 'other' }), 'REFERENCE');
    expect(error.message).toBe(
      'registration "reg-st-olaf" pairs project "diagnosis" with collaboration "breast-cancer", but the project belongs to "other"',
    );
    expect(await readFile(file)).toEqual(before);
  });

  it('refuses a duplicate id with ALREADY_EXISTS', async () => {
    const store = await populatedStore();
    const before = await readFile(file);
    const error = await expectCohortError(store.create('collaborations', { id: 'breast-cancer', name: 'Again' }), 'ALREADY_EXISTS');
    expect(error.message).toBe('a collaboration with id "breast-cancer" already exists');
    expect(await readFile(file)).toEqual(before);
    expect((await store.get('collaborations', 'breast-cancer')).name).toBe('Breast cancer study');
  });

  it('allows the same id in different collections', async () => {
    const store = await populatedStore();
    await store.create('experiments', { ...experiment, id: 'diagnosis' });
    expect((await store.get('experiments', 'diagnosis')).projectId).toBe('diagnosis');
  });
});

describe('MetadataStore: deleting records that others depend on', () => {
  async function storeWithTree(): Promise<MetadataStore> {
    const store = await populatedStore();
    await store.create('experiments', { ...experiment, id: 'mlp-1', model: { kind: 'mlp' } });
    await store.create('runs', { ...run, id: 'run-2' });
    await store.create('runs', { ...run, id: 'run-3', experimentId: 'mlp-1' });
    // Unrelated records, in another collaboration.
    await store.create('collaborations', { id: 'other', name: 'Other study' });
    await store.create('projects', { ...project, id: 'other-project', collaborationId: 'other' });
    await store.create('experiments', { ...experiment, id: 'other-exp', projectId: 'other-project' });
    await store.create('runs', { ...run, id: 'other-run', experimentId: 'other-exp' });
    await store.create('registrations', { ...registration, id: 'other-reg', collaborationId: 'other', projectId: 'other-project' });
    await store.create('dataTags', { ...dataTag, id: 'other-tag', projectId: 'other-project' });
    return store;
  }

  it('refuses without cascade, counting the dependents, and removes nothing', async () => {
    const store = await storeWithTree();
    const before = await readFile(file);
    const error = await expectCohortError(store.remove('projects', 'diagnosis'), 'HAS_DEPENDENTS');
    expect(error.message).toBe(
      'project "diagnosis" still has 2 experiments, 1 registration, 1 data tag, 3 runs; delete with cascade to remove them too',
    );
    expect(await readFile(file)).toEqual(before);
    expect((await store.list('runs')).map((r) => r.id)).toEqual(['run-1', 'run-2', 'run-3', 'other-run']);
    expect(await store.find('projects', 'diagnosis')).toBeDefined();
  });

  it('refuses deleting an experiment with runs, and a participant with registrations', async () => {
    const store = await storeWithTree();
    const experimentError = await expectCohortError(store.remove('experiments', 'logreg-1'), 'HAS_DEPENDENTS');
    expect(experimentError.message).toBe(
      'experiment "logreg-1" still has 2 runs; delete with cascade to remove them too',
    );
    const participantError = await expectCohortError(store.remove('participants', 'st-olaf'), 'HAS_DEPENDENTS');
    expect(participantError.message).toBe(
      'participant "st-olaf" still has 2 registrations, 2 data tags; delete with cascade to remove them too',
    );
  });

  it('with cascade removes the project and everything under it, and nothing else', async () => {
    const store = await storeWithTree();
    const removed = await store.remove('projects', 'diagnosis', { cascade: true });
    expect(removed).toHaveLength(8);
    expect(removed).toEqual(
      expect.arrayContaining([
        { collection: 'projects', id: 'diagnosis' },
        { collection: 'experiments', id: 'logreg-1' },
        { collection: 'experiments', id: 'mlp-1' },
        { collection: 'runs', id: 'run-1' },
        { collection: 'runs', id: 'run-2' },
        { collection: 'runs', id: 'run-3' },
        { collection: 'registrations', id: 'reg-st-olaf' },
        { collection: 'dataTags', id: 'tag-train' },
      ]),
    );
    expect(removed[0]).toEqual({ collection: 'projects', id: 'diagnosis' });

    const snapshot = await store.snapshot();
    expect(snapshot.collaborations.map((r) => r.id)).toEqual(['breast-cancer', 'other']);
    expect(snapshot.projects.map((r) => r.id)).toEqual(['other-project']);
    expect(snapshot.experiments.map((r) => r.id)).toEqual(['other-exp']);
    expect(snapshot.runs.map((r) => r.id)).toEqual(['other-run']);
    expect(snapshot.participants.map((r) => r.id)).toEqual(['st-olaf']);
    expect(snapshot.registrations.map((r) => r.id)).toEqual(['other-reg']);
    expect(snapshot.dataTags.map((r) => r.id)).toEqual(['other-tag']);

    // And it is on disk, not only in memory.
    const reopened = await MetadataStore.open(dir);
    expect(await reopened.snapshot()).toEqual(snapshot);
  });

  it('with cascade on a collaboration removes its whole tree, each record once', async () => {
    const store = await storeWithTree();
    const removed = await store.remove('collaborations', 'other', { cascade: true });
    expect(removed).toEqual(
      expect.arrayContaining([
        { collection: 'collaborations', id: 'other' },
        { collection: 'projects', id: 'other-project' },
        { collection: 'experiments', id: 'other-exp' },
        { collection: 'runs', id: 'other-run' },
        { collection: 'registrations', id: 'other-reg' },
        { collection: 'dataTags', id: 'other-tag' },
      ]),
    );
    expect(removed).toHaveLength(6);
    const snapshot = await store.snapshot();
    expect(snapshot.projects.map((r) => r.id)).toEqual(['diagnosis']);
    expect(snapshot.runs.map((r) => r.id)).toEqual(['run-1', 'run-2', 'run-3']);
  });

  it('cascade on a record without dependents removes just it', async () => {
    const store = await storeWithTree();
    expect(await store.remove('runs', 'run-3', { cascade: true })).toEqual([{ collection: 'runs', id: 'run-3' }]);
    expect((await store.list('runs')).map((r) => r.id)).toEqual(['run-1', 'run-2', 'other-run']);
  });
});

describe('MetadataStore: the file on disk', () => {
  it('reopening shows the same data', async () => {
    const store = await populatedStore();
    const snapshot = await store.snapshot();
    const reopened = await MetadataStore.open(dir);
    expect(await reopened.snapshot()).toEqual(snapshot);
    expect(await reopened.get('runs', 'run-1')).toEqual(await store.get('runs', 'run-1'));
  });

  it('is JSON with the current schemaVersion and mode 0600', async () => {
    const store = await populatedStore();
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(onDisk['schemaVersion']).toBe(SCHEMA_VERSION);
    expect(Object.keys(onDisk).sort()).toEqual(['schemaVersion', ...COLLECTIONS].sort());
    expect(onDisk).toEqual({ schemaVersion: SCHEMA_VERSION, ...(await store.snapshot()) });
    if (process.platform !== 'win32') {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    }
  });

  it('creates a missing data directory, private to its owner', async () => {
    const nested = join(dir, 'party', 'data');
    const store = await MetadataStore.open(nested, { clock: () => T0 });
    expect(store.path).toBe(join(nested, STORE_FILE));
    await store.create('collaborations', collaboration);
    expect(JSON.parse(await readFile(join(nested, STORE_FILE), 'utf8'))).toMatchObject({ schemaVersion: SCHEMA_VERSION });
    if (process.platform !== 'win32') {
      expect((await stat(nested)).mode & 0o777).toBe(0o700);
      expect((await stat(join(nested, STORE_FILE))).mode & 0o777).toBe(0o600);
    }
  });

  it('takes over a lock left behind by a crashed process', async () => {
    const store = await populatedStore();
    const lock = `${file}.lock`;
    await mkdir(lock);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(lock, longAgo, longAgo);
    const started = Date.now();
    await store.update('collaborations', 'breast-cancer', { description: 'after a crash' });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect((await store.get('collaborations', 'breast-cancer')).description).toBe('after a crash');
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a second store sees changes made through the first', async () => {
    const first = await openStore();
    const second = await openStore();
    await first.create('collaborations', collaboration);
    expect((await second.get('collaborations', 'breast-cancer')).name).toBe('Breast cancer study');
    await second.update('collaborations', 'breast-cancer', { name: 'Renamed' });
    expect((await first.get('collaborations', 'breast-cancer')).name).toBe('Renamed');
    await first.remove('collaborations', 'breast-cancer');
    expect(await second.list('collaborations')).toEqual([]);
  });
});

describe('MetadataStore: opening older, newer and broken files', () => {
  const v0Collaboration = {
    id: 'legacy',
    name: 'Legacy study',
    description: 'from a pre-release build',
    createdAt: '2023-12-01T09:00:00.000Z',
    updatedAt: '2023-12-02T09:00:00.000Z',
  };

  it('migrates a version-0 file to the current version and keeps a backup of the original', async () => {
    const original = `${JSON.stringify({ schemaVersion: 0, collaborations: [v0Collaboration] })}\n`;
    await writeFile(file, original);

    const store = await openStore();
    expect(await store.get('collaborations', 'legacy')).toEqual(v0Collaboration);

    const onDisk = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(onDisk).toEqual({
      schemaVersion: SCHEMA_VERSION,
      collaborations: [v0Collaboration],
      projects: [],
      experiments: [],
      runs: [],
      participants: [],
      registrations: [],
      dataTags: [],
      invitations: [],
      memberships: [],
      consents: [],
      connections: [],
      ownerSettings: [],
      privacyLedgers: [],
    });
    expect(await readFile(join(dir, `${STORE_FILE}.v0.bak`), 'utf8')).toBe(original);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);

    // The migrated store works as a current store.
    await store.create('projects', { ...project, collaborationId: 'legacy' });
    const reopened = await openStore();
    expect((await reopened.get('projects', 'diagnosis')).collaborationId).toBe('legacy');
  });

  it('migrates a version-1 file: records kept, registrations get empty declared tags, new collections added', async () => {
    const v1Registration = { ...registration, role: 'participant', connection: { mode: 'dial-out' }, createdAt: v0Collaboration.createdAt, updatedAt: v0Collaboration.updatedAt };
    const v1 = {
      schemaVersion: 1,
      collaborations: [{ ...v0Collaboration, id: 'breast-cancer' }],
      projects: [{ ...project, description: '', alignment: { columns: 'union', missingIndicators: false }, createdAt: v0Collaboration.createdAt, updatedAt: v0Collaboration.updatedAt }],
      experiments: [],
      runs: [],
      participants: [{ ...participant, contact: '', createdAt: v0Collaboration.createdAt, updatedAt: v0Collaboration.updatedAt }],
      registrations: [v1Registration],
      dataTags: [],
    };
    const original = JSON.stringify(v1);
    await writeFile(file, original);
    const store = await openStore();
    expect(await store.get('registrations', 'reg-st-olaf')).toEqual({ ...v1Registration, declaredTags: [] });
    expect(await store.list('invitations')).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ schemaVersion: SCHEMA_VERSION, memberships: [], consents: [] });
    expect(await readFile(join(dir, `${STORE_FILE}.v1.bak`), 'utf8')).toBe(original);
  });

  it('migrates a version-2 file: memberships gain an empty auto-approve list, participants keep working without a key', async () => {
    const stamp = v0Collaboration.createdAt;
    const v2 = {
      schemaVersion: 2,
      collaborations: [{ ...v0Collaboration, id: 'breast-cancer' }],
      projects: [],
      experiments: [],
      runs: [],
      participants: [{ ...participant, contact: '', createdAt: stamp, updatedAt: stamp }],
      registrations: [],
      dataTags: [],
      invitations: [],
      memberships: [{ id: 'breast-cancer', collaborationId: 'breast-cancer', hubUrl: 'ws://hub:7800', partyId: 'st-olaf', orchestrator: 'Hub', createdAt: stamp, updatedAt: stamp }],
      consents: [],
    };
    const original = JSON.stringify(v2);
    await writeFile(file, original);
    const store = await openStore();
    expect(await store.get('memberships', 'breast-cancer')).toMatchObject({ hubUrl: 'ws://hub:7800', autoApproveProjects: [] });
    expect((await store.get('participants', participant.id)).publicKey).toBeUndefined();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ schemaVersion: SCHEMA_VERSION });
    expect(await readFile(join(dir, `${STORE_FILE}.v2.bak`), 'utf8')).toBe(original);
  });

  it('migrates a version-3 file: a data tag\'s path becomes its file source, and connections are added', async () => {
    const stamp = v0Collaboration.createdAt;
    const { source, ...tagFields } = dataTag;
    const v3 = {
      schemaVersion: 3,
      collaborations: [{ ...collaboration, description: '', createdAt: stamp, updatedAt: stamp }],
      projects: [{ ...project, description: '', alignment: { columns: 'union', missingIndicators: false }, createdAt: stamp, updatedAt: stamp }],
      experiments: [],
      runs: [],
      participants: [{ ...participant, contact: '', createdAt: stamp, updatedAt: stamp }],
      registrations: [],
      dataTags: [{ ...tagFields, path: source.path, createdAt: stamp, updatedAt: stamp }],
      invitations: [],
      memberships: [],
      consents: [],
    };
    const original = JSON.stringify(v3);
    await writeFile(file, original);
    const store = await openStore();
    const tag = await store.get('dataTags', dataTag.id);
    expect(tag.source).toEqual({ type: 'file', path: '/data/wdbc.csv' });
    expect(tag).not.toHaveProperty('path');
    expect(await store.list('connections')).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ schemaVersion: SCHEMA_VERSION, connections: [] });
    expect(await readFile(join(dir, `${STORE_FILE}.v3.bak`), 'utf8')).toBe(original);
  });

  it('refuses a file from a newer Cohort with STORE_TOO_NEW and leaves it alone', async () => {
    const text = JSON.stringify({ schemaVersion: 99, collaborations: [] });
    await writeFile(file, text);
    const error = await expectCohortError(openStore(), 'STORE_TOO_NEW');
    expect(error.message).toContain('store version 99');
    expect(error.details).toEqual({ path: file, version: 99 });
    expect(await readFile(file, 'utf8')).toBe(text);
    // No backup, no migration attempt, and the lock was released.
    expect(await readdir(dir)).toEqual([STORE_FILE]);
  });

  it('refuses invalid JSON with STORE_CORRUPT and leaves the file untouched', async () => {
    const text = '{"schemaVersion": 1, "collaborations": [';
    await writeFile(file, text);
    const error = await expectCohortError(openStore(), 'STORE_CORRUPT');
    expect(error.message).toContain(`${file} is not valid JSON`);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual([STORE_FILE]);
  });

  it('refuses a file whose record is invalid with STORE_CORRUPT naming the bad field', async () => {
    const bad = {
      schemaVersion: SCHEMA_VERSION,
      collaborations: [{ ...v0Collaboration }],
      projects: [
        {
          id: 'p1',
          collaborationId: 'legacy',
          name: 'P',
          targetColumn: 'y',
          task: 'cluster',
          description: '',
          alignment: { columns: 'union', missingIndicators: false },
          createdAt: '2023-12-01T09:00:00.000Z',
          updatedAt: '2023-12-01T09:00:00.000Z',
        },
      ],
      experiments: [],
      runs: [],
      participants: [],
      registrations: [],
      dataTags: [],
      invitations: [],
      memberships: [],
      consents: [],
    };
    const text = JSON.stringify(bad, null, 2);
    await writeFile(file, text);
    const error = await expectCohortError(openStore(), 'STORE_CORRUPT');
    expect(error.message).toContain(`${file} is not a valid Cohort store: at projects.0.task: `);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('refuses a file that is not a JSON object, or has no schemaVersion', async () => {
    await writeFile(file, '[1, 2, 3]');
    const notObject = await expectCohortError(openStore(), 'STORE_CORRUPT');
    expect(notObject.message).toContain('does not hold a Cohort store');
    await writeFile(file, '{"collaborations": []}');
    const noVersion = await expectCohortError(openStore(), 'STORE_CORRUPT');
    expect(noVersion.message).toContain('has no valid schemaVersion');
    expect(await readFile(file, 'utf8')).toBe('{"collaborations": []}');
  });

  it('a file corrupted after opening makes later reads fail rather than use stale data', async () => {
    const store = await populatedStore();
    await writeFile(file, 'not json');
    await expectCohortError(store.list('collaborations'), 'STORE_CORRUPT');
    await expectCohortError(store.create('participants', { id: 'p2', displayName: 'P2' }), 'STORE_CORRUPT');
    expect(await readFile(file, 'utf8')).toBe('not json');
  });
});

describe('MetadataStore: two processes sharing a directory', () => {
  it('loses no update when two stores create records concurrently', async () => {
    const first = await openStore();
    const second = await openStore();
    await first.create('collaborations', collaboration);

    const creates = [];
    for (let i = 0; i < 20; i += 1) {
      creates.push(first.create('participants', { id: `a-${i}`, displayName: `A ${i}` }));
      creates.push(second.create('participants', { id: `b-${i}`, displayName: `B ${i}` }));
    }
    const results = await Promise.all(creates);
    expect(results).toHaveLength(40);

    const ids = (await first.list('participants')).map((p) => p.id).sort();
    const expected = [...Array.from({ length: 20 }, (_, i) => `a-${i}`), ...Array.from({ length: 20 }, (_, i) => `b-${i}`)].sort();
    expect(ids).toEqual(expected);
    const reopened = await MetadataStore.open(dir);
    expect((await reopened.list('participants')).map((p) => p.id).sort()).toEqual(expected);
    expect((await reopened.list('collaborations')).map((c) => c.id)).toEqual(['breast-cancer']);
  });

  it('loses no update when two stores update the same record concurrently', async () => {
    const first = await openStore();
    const second = await openStore();
    await first.create('collaborations', collaboration);
    await first.create('projects', project);
    await first.create('participants', participant);
    await first.create('dataTags', { ...dataTag, rows: 0 });

    // Each store reads and bumps the counter under the lock, through mutate.
    const bump = (store: MetadataStore) =>
      store.mutate((db) => {
        const tag = db.dataTags.find((t) => t.id === 'tag-train')!;
        tag.rows += 1;
        return tag.rows;
      });
    const bumps = [];
    for (let i = 0; i < 15; i += 1) bumps.push(bump(first), bump(second));
    const values = await Promise.all(bumps);
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await second.get('dataTags', 'tag-train')).rows).toBe(30);
  });
});
