// What this participant shared with a project's hub, read back from its own security log: the
// last description of its data (schema, level lists, counts), the last notice of its registered
// data, and per run the messages and bytes that left. The owner's answer to "what did we send?".
import type { SecurityEvent, SharedRun, SharedSummary } from '../../contract/security';

/**
 * Reads the events of one project: `knownRuns` are ids of its runs beyond those its disclosures
 * name (from its consents); `hubPeer`, the peer its hub's messages are logged under, keeps out
 * messages of another hub's run that has the same id.
 */
export async function sharedSummary(events: AsyncIterable<SecurityEvent>, projectId: string, knownRuns: Iterable<string> = [], hubPeer?: string): Promise<SharedSummary> {
  const summary: SharedSummary = { projectId, declaration: null, declarations: 0, tags: null, runs: [], messages: 0, bytes: 0 };
  const runs = new Map<string, SharedRun>();
  /** A run's entry, its first and last times stretched to `at` ('' until something is on record). */
  const runOf = (id: string, at = ''): SharedRun => {
    let run = runs.get(id);
    if (!run) {
      run = { run: id, firstAt: '', lastAt: '', messages: 0, bytes: 0, updates: 0, protection: null, evaluations: 0, withheld: [], preparation: null };
      runs.set(id, run);
    }
    if (at !== '') {
      if (run.firstAt === '' || at < run.firstAt) run.firstAt = at;
      if (run.lastAt === '' || at > run.lastAt) run.lastAt = at;
    }
    return run;
  };
  for (const id of knownRuns) runOf(id);
  // Messages are logged under the run they belong to; the log is in time order, disclosures beside their message.
  const messages: SecurityEvent[] = [];
  for await (const event of events) {
    if (event.kind === 'disclosure' && event.project === projectId && event.disclosed) {
      const { disclosed } = event;
      if (disclosed.what === 'declaration') {
        summary.declaration = { at: event.at, rows: disclosed.rows, columns: disclosed.columns };
        summary.declarations += 1;
      } else if (disclosed.what === 'data tags') {
        summary.tags = { at: event.at, tags: disclosed.tags };
      }
      if (event.run === undefined) continue;
      const run = runOf(event.run, event.at);
      if (disclosed.what === 'preparation') {
        const { trainRows, evaluateRows, predictRows, unseenRows } = disclosed;
        run.preparation = { trainRows, evaluateRows, predictRows, unseenRows };
      } else if (disclosed.what === 'model update') {
        run.updates += 1;
        run.protection = disclosed.protection;
        if (disclosed.validationRows !== undefined) run.validationLosses = (run.validationLosses ?? 0) + 1;
      } else if (disclosed.what === 'metrics') {
        run.evaluations += 1;
        for (const name of disclosed.withheld) if (!run.withheld.includes(name) && run.withheld.length < 50) run.withheld.push(name);
      }
    } else if (event.kind === 'message' && event.direction === 'outbound' && event.outcome === 'sent' && event.run !== undefined && (hubPeer === undefined || event.peer === hubPeer)) {
      messages.push(event);
    }
  }
  for (const event of messages) {
    if (!runs.has(event.run!)) continue;
    const run = runOf(event.run!, event.at);
    run.messages += 1;
    run.bytes += event.bytes;
    summary.messages += 1;
    summary.bytes += event.bytes;
  }
  // Runs known from a consent but with nothing on record sent nothing: they are left out.
  summary.runs = [...runs.values()].filter((run) => run.firstAt !== '').sort((a, b) => (a.firstAt < b.firstAt ? 1 : -1));
  return summary;
}
