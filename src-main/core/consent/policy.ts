// Consent policies. A participant either decides on every run, or lets runs of a project
// through when they would do nothing new: the same target, model and privacy settings as a
// run it already approved in that project (hyperparameters such as rounds or learning rate may
// differ; the data tags a run may touch are those the participant registered either way).
import type { Consent, RunSummary } from '../../contract/records';
import { canonicalJson } from '../stats/canonical-json';

/** What must match for a run to count as already approved. */
function approvalKey(summary: RunSummary): string {
  return canonicalJson({ target: summary.targetColumn, model: summary.model, privacy: summary.privacy, tags: [...summary.tags].sort() });
}

/** The earlier approved consent this run matches, if any. */
export function matchingApproval(summary: RunSummary, projectId: string, earlier: readonly Consent[]): Consent | undefined {
  const key = approvalKey(summary);
  return earlier.find(
    (consent) => consent.projectId === projectId && (consent.state === 'approved' || consent.state === 'completed') && approvalKey(consent.summary) === key,
  );
}
