// The data owner's rules as the app and the command line show and change them: the minimum cell
// count k (for the installation, or one project) and a project's privacy budget. One operation
// for both; the input is checked against the contract's schema before anything is stored.
import { OwnerRulesUpdate, type ApiTypes } from '../../contract/api';
import { CohortError } from '../../contract/errors';
import { DEFAULT_MIN_CELL_COUNT } from '../../core/disclosure/threshold';
import { epsilonFromRdp } from '../../core/privacy/rdp-accountant';
import type { MetadataStore } from '../../store/metadata-store';
import { INSTALLATION_SETTINGS, saveOwnerSettings, settingsFor } from './owner-settings';

/** The delta at which the epsilon spent is shown (the runs' default). */
export const SHOWN_DELTA = 1e-5;

export async function ownerRules(store: MetadataStore, projectId?: string): Promise<ApiTypes['OwnerRules']> {
  const db = await store.snapshot();
  if (projectId !== undefined && !db.projects.some((project) => project.id === projectId)) {
    throw new CohortError('NOT_FOUND', `no project with id "${projectId}" (see the projects of your collaborations)`);
  }
  const effective = settingsFor(db, projectId);
  const installation = db.ownerSettings.find((settings) => settings.id === INSTALLATION_SETTINGS);
  const project = projectId === undefined ? undefined : db.ownerSettings.find((settings) => settings.projectId === projectId);
  const ledger = projectId === undefined ? undefined : db.privacyLedgers.find((candidate) => candidate.projectId === projectId);
  const spent = ledger && Object.values(ledger.releases).some((count) => count > 0) ? epsilonFromRdp(ledger.orders, ledger.rdp, SHOWN_DELTA).epsilon : null;
  return {
    projectId: projectId ?? null,
    minCellCount: effective.minCellCount,
    minCellCountFrom: effective.minCellCountFrom,
    defaultMinCellCount: DEFAULT_MIN_CELL_COUNT,
    installationMinCellCount: installation?.minCellCount ?? null,
    projectMinCellCount: project?.minCellCount ?? null,
    epsilonBudget: effective.epsilonBudget,
    epsilonSpent: projectId === undefined ? null : (spent ?? 0),
  };
}

/**
 * Changes the owner's rules: a field given sets it, null clears it, absent leaves it. The input
 * is validated here too, so that every caller (the app, the command line) is held to the same rules.
 */
export async function updateOwnerRules(store: MetadataStore, input: unknown): Promise<ApiTypes['OwnerRules']> {
  const parsed = OwnerRulesUpdate.safeParse(input);
  if (!parsed.success) throw new CohortError('BAD_INPUT', parsed.error.issues.map((issue) => issue.message).join('; '));
  const { projectId, minCellCount, epsilonBudget } = parsed.data;
  await ownerRules(store, projectId); // the project must exist
  if (minCellCount !== undefined || epsilonBudget !== undefined) {
    await saveOwnerSettings(store, projectId === undefined ? {} : { projectId }, {
      ...(minCellCount === undefined ? {} : { minCellCount }),
      ...(epsilonBudget === undefined ? {} : { epsilonBudget }),
    });
  }
  return ownerRules(store, projectId);
}
