// Train data too large for memory: the worker's data port streams the rows from the engine,
// encodes them chunk by chunk into files, and the training thread reads them back a block at
// a time. Forced here on 150,000 rows (three blocks) by a zero memory budget.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withConnection } from '../../../src-main/datasource/engine/duckdb';
import { alignFeatures } from '../../../src-main/core/alignment/align';
import { declareProfile } from '../../../src-main/core/data/declare';
import { openDataSource } from '../../../src-main/datasource/data-source';
import { StoreDataPort } from '../../../src-main/api/worker/data-port';
import { ThreadTrainingPort } from '../../../src-main/api/worker/training-port';
import { MetadataStore } from '../../../src-main/store/metadata-store';
import { Hyperparameters } from '../../../src-main/contract/records';
import { localProject } from '../../support/owner';

let dir: string;
const ROWS = 150_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-spool-'));
  // y = 1 when 2a - b + noise > 0: a logistic regression finds a positive weight for a, negative for b.
  await withConnection(async (connection) => {
    await connection.run('SELECT setseed(0.5)');
    await connection.run(
      `COPY (SELECT a, b, c, CASE WHEN 2 * a - b + 0.3 * n > 0 THEN 'yes' ELSE 'no' END AS outcome FROM (
         SELECT random() * 2 - 1 AS a, random() * 2 - 1 AS b, random() AS c, random() * 2 - 1 AS n FROM range(${ROWS}))) TO '${join(dir, 'train.parquet')}' (FORMAT parquet)`,
    );
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('streams, spools and trains in blocks, and removes the spooled rows when the run ends', async () => {
  const path = join(dir, 'train.parquet');
  const store = await MetadataStore.open(join(dir, 'party'));
  await store.create('collaborations', { id: 'c', name: 'C' });
  await store.create('projects', { id: 'p', collaborationId: 'c', name: 'P', targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' });
  await store.create('participants', { id: 'me', displayName: 'Me' });
  const profile = await (await openDataSource(path)).inspect({ target: 'outcome' });
  expect(profile.rows).toBe(ROWS);
  await store.create('dataTags', {
    id: 'me.p.train', projectId: 'p', participantId: 'me', kind: 'train', source: { type: 'file', path },
    columns: profile.columns.map((column) => ({ name: column.name, kind: column.kind, excluded: column.excluded, included: false })), rows: profile.rows,
  });
  const { alignment } = alignFeatures([declareProfile('me', profile, 'classify', 2)], { task: 'classify', targetColumn: 'outcome', positiveClass: 'yes' });
  expect(alignment).toBeTruthy();

  const port = new StoreDataPort(store, { inMemoryBytes: 0 });
  const declaration = declareProfile('me', profile, 'classify', 2);
  const data = await port.prepare(localProject({ id: 'p', targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' }), 'me', alignment!, declaration);
  expect(data.train.rows).toBe(ROWS);
  expect(data.train.x).toHaveLength(0);
  const spool = data.train.spool!;
  expect((await stat(spool.xPath)).size).toBe(ROWS * 3 * 4);
  expect((await stat(spool.yPath)).size).toBe(ROWS * 4);
  expect((await stat(spool.xPath)).mode & 0o777).toBe(0o600);

  const session = await new ThreadTrainingPort().open({ model: { kind: 'logreg' }, alignment: alignment!, seed: 7, data });
  try {
    const hyper = Hyperparameters.parse({});
    const config = { round: 1, epochs: 1, batchSize: 512, learningRate: 1, optimizer: hyper.optimizer, momentum: 0, l2: 0, mu: 0, seed: 7, loss: hyper.loss };
    const zero = new Float32Array(4);
    const first = await session.fit(zero, config);
    expect(first.numExamples).toBe(ROWS);
    const second = await session.fit(first.weights, { ...config, seed: 8 });
    expect(second.loss).toBeLessThan(first.loss);
    expect(second.loss).toBeLessThan(0.3);
    const [a, b, c] = Array.from(second.weights.subarray(0, 3));
    expect(a).toBeGreaterThan(1);
    expect(b).toBeLessThan(-0.5);
    expect(Math.abs(c!)).toBeLessThan(0.3);
  } finally {
    await session.close();
  }
  expect(existsSync(spool.xPath)).toBe(false);
}, 120_000);
