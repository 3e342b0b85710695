// The first phase of every training workflow: each party declares its data (aggregates only),
// the TTP aligns the features (or, resuming, keeps the saved alignment) and each party
// prepares its data with them.
import type { Alignment } from '../../contract/data';
import { alignFeatures } from '../../core/alignment/align';
import { RunFailed } from '../run/cancellation';
import type { RunSession } from '../run/run-session';

export async function alignParties(session: RunSession, saved: Alignment | null): Promise<Alignment> {
  const { project } = session.context;
  const declared = await session.pool.declare();
  let alignment = saved;
  if (!alignment) {
    const result = alignFeatures(
      [...declared.values()].map((reply) => reply.declaration),
      { targetColumn: project.targetColumn, task: project.task, positiveClass: project.positiveClass, alignment: project.alignment },
    );
    for (const warning of result.report.warnings) session.deps.log.warn(warning.message, { run: session.runId });
    if (!result.alignment) throw new RunFailed(`feature alignment failed: ${result.report.errors.map((issue) => issue.message).join('; ')}`);
    alignment = result.alignment;
  }
  for (const [party, reply] of declared) {
    if (!reply.tags.evaluate) session.deps.log.info('party has no evaluate data', { run: session.runId, party });
  }
  await session.pool.prepare(alignment, [...declared.keys()]);
  return alignment;
}
