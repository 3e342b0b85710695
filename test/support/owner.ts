// An owner's records for engine tests without a store: one project, known under any hub's id
// `remoteId`, and a privacy ledger in memory.
import type { Task } from '../../src-main/contract/records';
import type { AccountantState } from '../../src-main/core/privacy/rdp-accountant';
import type { LocalProject, OwnerPort } from '../../src-main/engines/ports';

export const TEST_HUB = { key: 'h'.repeat(43) };

type ProjectBasics = { id: string; targetColumn: string; task: Task; positiveClass?: string | undefined };

/** The owner's view of a project: k = 2 (tests use small data) and no overall epsilon budget. */
export function localProject(project: ProjectBasics, options: Partial<LocalProject> = {}): LocalProject {
  return {
    id: project.id,
    remoteId: project.id,
    name: project.id,
    collaborationName: 'collaboration',
    targetColumn: project.targetColumn,
    task: project.task,
    positiveClass: project.positiveClass ?? null,
    minCellCount: 2,
    epsilonBudget: null,
    ...options,
  };
}

export function ownerOf(project: ProjectBasics, options: Partial<LocalProject> = {}): OwnerPort & { ledgers: Map<string, AccountantState> } {
  const ledgers = new Map<string, AccountantState>();
  const local = localProject(project, options);
  return {
    ledgers,
    project: async (_hubKey, remoteId) => (remoteId === local.remoteId ? local : undefined),
    ledger: async (projectId) => ledgers.get(projectId) ?? null,
    charge: async (projectId, _run, state) => void ledgers.set(projectId, state),
  };
}
