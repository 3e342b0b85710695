// The data owner's own settings at a participant: the minimum cell count k (for the whole
// installation, or one project) and a project's privacy budget. A hub never sets these.
import type { OwnerSettings } from '../../contract/records';
import type { Metadata } from '../../core/model/integrity';
import { DEFAULT_MIN_CELL_COUNT } from '../../core/disclosure/threshold';
import type { MetadataStore } from '../../store/metadata-store';

export const INSTALLATION_SETTINGS = 'installation';

export function projectSettingsId(projectId: string): string {
  return `project.${projectId}`.slice(0, 64);
}

export interface EffectiveSettings {
  minCellCount: number;
  /** Where k comes from, for the app to say so. */
  minCellCountFrom: 'default' | 'installation' | 'project';
  epsilonBudget: number | null;
}

/** The settings that apply to a project (the project's own, else the installation's, else the defaults). */
export function settingsFor(db: Pick<Metadata, 'ownerSettings'>, projectId: string | undefined): EffectiveSettings {
  const installation = db.ownerSettings.find((settings) => settings.id === INSTALLATION_SETTINGS);
  const project = projectId === undefined ? undefined : db.ownerSettings.find((settings) => settings.projectId === projectId);
  const minCellCount = project?.minCellCount ?? installation?.minCellCount;
  return {
    minCellCount: minCellCount ?? DEFAULT_MIN_CELL_COUNT,
    minCellCountFrom: project?.minCellCount !== undefined ? 'project' : installation?.minCellCount !== undefined ? 'installation' : 'default',
    epsilonBudget: project?.epsilonBudget ?? null,
  };
}

export async function effectiveSettings(store: MetadataStore, projectId?: string): Promise<EffectiveSettings> {
  return settingsFor(await store.snapshot(), projectId);
}

/** Sets (or, with undefined, clears) the owner's settings for the installation or a project. */
export async function saveOwnerSettings(
  store: MetadataStore,
  scope: { projectId?: string },
  patch: { minCellCount?: number | null; epsilonBudget?: number | null },
): Promise<OwnerSettings> {
  const id = scope.projectId === undefined ? INSTALLATION_SETTINGS : projectSettingsId(scope.projectId);
  const existing = await store.find('ownerSettings', id);
  const fields = {
    ...(patch.minCellCount === undefined ? {} : { minCellCount: patch.minCellCount ?? undefined }),
    ...(patch.epsilonBudget === undefined ? {} : { epsilonBudget: patch.epsilonBudget ?? undefined }),
  };
  if (existing) return store.update('ownerSettings', id, fields);
  return store.create('ownerSettings', { id, ...(scope.projectId === undefined ? {} : { projectId: scope.projectId }), ...fields });
}
