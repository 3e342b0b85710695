// The participant's own rules and records, for its owner: the minimum cell count and privacy
// budget (settings), what the training requests are allowed (consents with the participant's
// own names and the plan's limits), and what was shared with each project's hub.
import type { ApiTypes } from '../../contract/api';
import type { Consent } from '../../contract/records';
import type { SecurityEvent } from '../../contract/security';
import { evaluationRounds } from '../../core/authority/plan';
import type { Metadata } from '../../core/model/integrity';
import type { MetadataStore } from '../../store/metadata-store';
import { ownerRules, updateOwnerRules } from '../records/owner-rules';
import { sharedSummary } from '../trust/shared-summary';
import type { Handlers } from './dispatch';

type RulesCommands = 'settings.get' | 'settings.update' | 'shared.summary' | 'requests.list';

/** A consent with this participant's names for its collaboration and project, and what its plan allows. */
export function consentView(db: Pick<Metadata, 'projects' | 'collaborations'>, consent: Consent): ApiTypes['ConsentView'] {
  const project = db.projects.find((candidate) => candidate.id === consent.projectId);
  const collaboration = project && db.collaborations.find((candidate) => candidate.id === project.collaborationId);
  const { hyperparameters } = consent.summary;
  return {
    ...consent,
    ...(project && collaboration ? { local: { collaboration: collaboration.name, project: project.name } } : {}),
    // The global model is evaluated once before training and after each scheduled round.
    allowed: { rounds: hyperparameters.rounds, evaluations: evaluationRounds(hyperparameters) + 1 },
  };
}

export function rulesHandlers(
  store: MetadataStore,
  securityEvents: () => AsyncIterable<SecurityEvent>,
  changed: (what: 'settings') => void,
): Pick<Handlers, RulesCommands> {
  return {
    'settings.get': async ({ projectId }) => ownerRules(store, projectId),
    'settings.update': async (input) => {
      const rules = await updateOwnerRules(store, input);
      changed('settings');
      return rules;
    },
    'shared.summary': async ({ projectId }) => {
      const project = await store.get('projects', projectId);
      const runs = (await store.list('consents', { projectId })).map((consent) => consent.runId);
      // Messages name their run and the hub they went to: another hub's run of the same id is not this project's.
      const membership = (await store.list('memberships')).find((candidate) => candidate.collaborationId === project.collaborationId);
      return sharedSummary(securityEvents(), projectId, runs, membership ? `hub ${membership.hubUrl}` : undefined);
    },
    'requests.list': async () => {
      const db = await store.snapshot();
      return [...db.consents].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).map((consent) => consentView(db, consent));
    },
  };
}
