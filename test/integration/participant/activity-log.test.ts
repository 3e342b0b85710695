// The participant's activity, kept in activity.json in its data directory: a finished run that
// made predictions says where this party's predictions file was written, also after a restart,
// and for entries saved before the path was kept.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivityLog } from '../../../src-main/api/app/participant';
import { predictionsFile } from '../../../src-main/api/worker/data-port';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cohort-activity-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const open = async () => {
  const log = new ActivityLog(join(dataDir, 'activity.json'), () => undefined, (project, run) => (project === undefined ? join(dataDir, 'runs', run, 'predictions.csv') : predictionsFile(dataDir, project, run)));
  await log.load();
  return log;
};

describe('the activity log', () => {
  it('records where a finished run wrote its predictions, and keeps it across restarts', async () => {
    const log = await open();
    for (const run of ['with-predictions', 'without']) {
      log.record({ kind: 'prepared', run, project: 'p', trainRows: 100, evaluateRows: 20, predictRows: run === 'without' ? 0 : 36 });
      log.record({ kind: 'fit', run, project: 'p', round: 1, loss: 0.5, numExamples: 100, seconds: 0.1 });
    }
    expect(log.list().map((entry) => entry.predictionsPath)).toEqual([null, null]);
    log.record({ kind: 'finished', run: 'with-predictions', project: 'p', predictedRows: 36 });
    log.record({ kind: 'finished', run: 'without', project: 'p', predictedRows: null });
    const byRun = (entries: ReturnType<typeof log.list>) => Object.fromEntries(entries.map((entry) => [entry.run, [entry.predictedRows, entry.predictionsPath]]));
    const expected = { 'with-predictions': [36, join(dataDir, 'runs', 'p', 'with-predictions', 'predictions.csv')], without: [null, null] };
    expect(byRun(log.list())).toEqual(expected);
    await log.flush();
    expect(byRun(JSON.parse(await readFile(join(dataDir, 'activity.json'), 'utf8')) as ReturnType<typeof log.list>)).toEqual(expected);
    expect(byRun((await open()).list())).toEqual(expected);
  });

  it('fills in the path for entries saved before it was kept', async () => {
    const saved = {
      run: 'older',
      state: 'finished',
      trainRows: 100,
      evaluateRows: 0,
      rounds: [],
      lastMetrics: null,
      predictedRows: 12,
      endReason: 'run completed',
      startedAt: '2026-01-10T09:00:00.000Z',
      updatedAt: '2026-01-10T09:05:00.000Z',
    };
    await writeFile(join(dataDir, 'activity.json'), JSON.stringify([saved, { ...saved, run: 'no-predictions', predictedRows: null }]));
    const entries = (await open()).list();
    expect(Object.fromEntries(entries.map((entry) => [entry.run, entry.predictionsPath]))).toEqual({
      older: join(dataDir, 'runs', 'older', 'predictions.csv'),
      'no-predictions': null,
    });
  });
});
