// One participant with a large Parquet file (run as its own process by benchmarks/large-data.ts,
// so its peak resident size is its own): registers it (profile by the engine), prepares it for a
// run (rows streamed, encoded, spooled) and trains one epoch of logistic regression in blocks.
// Prints one JSON line with the timings and the process's peak resident size.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreDataPort } from '../src-main/api/worker/data-port';
import { ThreadTrainingPort } from '../src-main/api/worker/training-port';
import { alignFeatures } from '../src-main/core/alignment/align';
import { openDataSource } from '../src-main/datasource/data-source';
import { MetadataStore } from '../src-main/store/metadata-store';

const file = process.argv[2]!;
const rssSamples: number[] = [];
const sampler = setInterval(() => rssSamples.push(process.memoryUsage().rss), 250);
const dir = await mkdtemp(join(tmpdir(), 'cohort-large-party-'));
const stages: Record<string, number> = {};
const time = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await work();
  stages[name] = (performance.now() - started) / 1000;
  return result;
};
try {
  const profile = await time('register', async () => (await openDataSource(file)).inspect({ target: 'outcome', maxBytes: 64 * 1024 ** 3 }));
  const store = await MetadataStore.open(dir);
  await store.create('collaborations', { id: 'c', name: 'C' });
  await store.create('projects', { id: 'p', collaborationId: 'c', name: 'P', targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' });
  await store.create('participants', { id: 'me', displayName: 'Me' });
  await store.create('dataTags', {
    id: 'me.p.train', projectId: 'p', participantId: 'me', kind: 'train', source: { type: 'file', path: file },
    columns: profile.columns.map((column) => ({ name: column.name, kind: column.kind, excluded: column.excluded, included: false })), rows: profile.rows,
  });
  const project = { id: 'p', remoteId: 'p', name: 'P', collaborationName: 'C', targetColumn: 'outcome', task: 'classify' as const, positiveClass: 'yes', minCellCount: 5, epsilonBudget: null };
  const port = new StoreDataPort(store, { maxBytes: 64 * 1024 ** 3 });
  const declared = await time('declare', () => port.declare(project, 'me'));
  const { alignment, report } = alignFeatures([declared.declaration], { targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' });
  if (!alignment) throw new Error(JSON.stringify(report.errors));
  const data = await time('prepare', () => port.prepare(project, 'me', alignment, declared.declaration));
  const session = await new ThreadTrainingPort().open({ model: { kind: 'logreg' }, alignment, seed: 1, data });
  let loss = Number.NaN;
  try {
    const fit = await time('trainEpoch', () =>
      session.fit(new Float32Array(alignment.features.length + 1), { round: 1, epochs: 1, batchSize: 1024, learningRate: 0.5, optimizer: 'sgd', momentum: 0, l2: 0, mu: 0, seed: 1, loss: 'auto' }),
    );
    loss = fit.loss;
  } finally {
    await session.close();
  }
  clearInterval(sampler);
  process.stdout.write(
    `${JSON.stringify({
      rows: profile.rows,
      columns: profile.columns.length,
      features: alignment.features.length,
      spooled: data.train.spool !== undefined,
      loss,
      stages,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      sampledMaxRssBytes: Math.max(...rssSamples, process.memoryUsage().rss),
    })}\n`,
  );
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}
