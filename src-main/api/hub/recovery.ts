// A hub that stopped mid-run (crash, power cut, closed laptop) leaves the run's stored status
// saying it is still training. On the next start no such run is running: a run with a
// checkpoint is marked interrupted (`cohort run resume` continues it from its last completed
// round); one that stopped before its first checkpoint is marked failed, with the reason, so it
// shows the truth and can be started again.
import type { RunStatus } from '../../contract/records';
import type { RunJournal } from '../../engines/run/journal';
import type { MetadataStore } from '../../store/metadata-store';

const IN_PROGRESS: readonly RunStatus[] = ['waiting', 'awaiting-approval', 'aligning', 'training', 'evaluating', 'exporting'];

/** Marks the runs left in progress; returns their ids, by what they became. */
export async function recoverInterruptedRuns(store: MetadataStore, journal: RunJournal, now = new Date()): Promise<{ interrupted: string[]; failed: string[] }> {
  const stuck = (await store.list('runs')).filter((run) => IN_PROGRESS.includes(run.status));
  const resumable = new Map<string, number>();
  for (const run of stuck) {
    const checkpoint = await journal.latest(run.id);
    if (checkpoint) resumable.set(run.id, checkpoint.round);
  }
  if (stuck.length === 0) return { interrupted: [], failed: [] };
  return store.mutate((db) => {
    const out = { interrupted: [] as string[], failed: [] as string[] };
    for (const run of db.runs) {
      if (!IN_PROGRESS.includes(run.status)) continue;
      const round = resumable.get(run.id);
      if (round !== undefined) {
        run.error = `interrupted: the hub stopped while the run was ${run.status}; resume it to continue after round ${round}`;
        run.status = 'interrupted';
        run.round = round;
        out.interrupted.push(run.id);
      } else {
        run.error = `interrupted: the hub stopped while the run was ${run.status} (round ${run.round}), before its first checkpoint`;
        run.status = 'failed';
        out.failed.push(run.id);
      }
      run.finishedAt = now.toISOString();
      run.updatedAt = now.toISOString();
    }
    return out;
  });
}
