// A hub that stopped mid-run (crash, power cut, closed laptop) leaves the run's stored status
// saying it is still training. On the next start no such run is running: it is marked failed,
// with the reason, so it shows the truth and can be started again.
import type { RunStatus } from '../../contract/records';
import type { MetadataStore } from '../../store/metadata-store';

const IN_PROGRESS: readonly RunStatus[] = ['waiting', 'awaiting-approval', 'aligning', 'training', 'evaluating', 'exporting'];

/** Marks runs left in progress as failed; returns their ids. */
export async function failInterruptedRuns(store: MetadataStore, now = new Date()): Promise<string[]> {
  const stuck = (await store.list('runs')).filter((run) => IN_PROGRESS.includes(run.status));
  if (stuck.length === 0) return [];
  return store.mutate((db) => {
    const ids: string[] = [];
    for (const run of db.runs) {
      if (!IN_PROGRESS.includes(run.status)) continue;
      run.error = `interrupted: the hub stopped while the run was ${run.status} (round ${run.round})`;
      run.status = 'failed';
      run.finishedAt = now.toISOString();
      run.updatedAt = now.toISOString();
      ids.push(run.id);
    }
    return ids;
  });
}
