// A participant's records of what hubs told it, kept apart per hub: every collaboration and
// project carries its origin (the hub's identity key and its id there) and gets a local id of
// its own. A second hub that uses the same ids gets other local records, so it can neither
// read nor change the first hub's projects, data tags, consents or run folders. The worker
// looks projects up by (hub, id) only (OwnerPort).
import { createHash } from 'node:crypto';
import type { CollaborationSnapshot } from '../../protocol/handshake';
import type { Collaboration, Origin, Project } from '../../contract/records';
import type { Metadata } from '../../core/model/integrity';
import type { AccountantState } from '../../core/privacy/rdp-accountant';
import type { LocalProject, OwnerPort } from '../../engines/ports';
import type { MetadataStore } from '../../store/metadata-store';
import { settingsFor } from '../records/owner-settings';
import { putParticipant } from '../records/participants';

export interface HubPins {
  url: string;
  key: string;
  certificate?: string;
  /** The HTTP proxy this connection goes through (remembered with the membership). */
  proxy?: string;
}

/**
 * Stores what a hub said about this party's collaborations and their projects, under that
 * hub's origin; returns the local ids of the projects, by the hub's ids.
 */
export function adoptHubRecords(
  db: Metadata,
  hub: HubPins,
  hubName: string | undefined,
  party: { id: string; name: string; organisation?: string },
  snapshots: readonly CollaborationSnapshot[],
  stamp: string,
): Map<string, string> {
  putParticipant(db, { id: party.id, displayName: party.name, organisation: party.organisation }, stamp);
  const projects = new Map<string, string>();
  for (const { collaboration, projects: remoteProjects } of snapshots) {
    const collaborationId = adopt(db.collaborations, collaboration, hub.key, stamp, (record, id) => ({ ...record, id }));
    for (const project of remoteProjects) {
      projects.set(project.id, adopt(db.projects, project, hub.key, stamp, (record, id) => ({ ...record, id, collaborationId })));
    }
    const membership = db.memberships.find((candidate) => candidate.collaborationId === collaborationId);
    const pins = { hubUrl: hub.url, partyId: party.id, hubKey: hub.key, ...(hub.certificate ? { hubCertificate: hub.certificate } : {}), ...(hub.proxy ? { proxy: hub.proxy } : {}) };
    if (membership) {
      // The proxy this connection was set to use is remembered; none set: none kept.
      if (!hub.proxy) delete membership.proxy;
      Object.assign(membership, pins, hubName === undefined ? {} : { orchestrator: hubName }, { updatedAt: stamp });
    }
    else db.memberships.push({ id: collaborationId, collaborationId, ...pins, orchestrator: hubName ?? '', autoApproveProjects: [], createdAt: stamp, updatedAt: stamp });
  }
  return projects;
}

/**
 * Upserts a hub's record under its origin; returns its local id. A record the owner made here
 * beforehand under the same id, and that no hub has claimed yet, becomes this hub's (the owner
 * set it up to match); once claimed, no other hub can take it.
 */
function adopt<T extends Collaboration | Project>(records: T[], remote: T, hubKey: string, stamp: string, localise: (record: T, id: string) => T): string {
  const origin: Origin = { hubKey, id: remote.id };
  let index = records.findIndex((record) => record.origin?.hubKey === hubKey && record.origin.id === remote.id);
  if (index === -1) index = records.findIndex((record) => record.origin === undefined && record.id === remote.id);
  const id = index === -1 ? freeId(records, remote.id, hubKey) : records[index]!.id;
  const local = { ...localise(remote, id), origin, createdAt: index === -1 ? stamp : records[index]!.createdAt, updatedAt: stamp };
  if (index === -1) records.push(local);
  else records[index] = local;
  return id;
}

/** The hub's id when no local record has it, else the id with a short tag of the hub's key. */
function freeId(records: ReadonlyArray<{ id: string }>, wanted: string, hubKey: string): string {
  const taken = new Set(records.map((record) => record.id));
  if (!taken.has(wanted)) return wanted;
  const tag = createHash('sha256').update(hubKey).digest('hex').slice(0, 6);
  for (let n = 0; ; n += 1) {
    const candidate = `${wanted.slice(0, 50)}-${tag}${n === 0 ? '' : `-${n}`}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The hub's id for a local project (what notices to that hub name it by). */
export function remoteProjectId(db: Pick<Metadata, 'projects'>, projectId: string): { hubKey: string; id: string } | undefined {
  const project = db.projects.find((candidate) => candidate.id === projectId);
  return project?.origin ? { hubKey: project.origin.hubKey, id: project.origin.id } : undefined;
}

/** The owner's records, as the worker engine checks hubs against them. */
export class StoreOwnerPort implements OwnerPort {
  constructor(private readonly store: MetadataStore) {}

  async project(hubKey: string, remoteId: string): Promise<LocalProject | undefined> {
    const db = await this.store.snapshot();
    const project = db.projects.find((candidate) => candidate.origin?.hubKey === hubKey && candidate.origin.id === remoteId);
    if (!project) return undefined;
    const collaboration = db.collaborations.find((candidate) => candidate.id === project.collaborationId);
    const settings = settingsFor(db, project.id);
    return {
      id: project.id,
      remoteId,
      name: project.name,
      collaborationName: collaboration?.name ?? project.collaborationId,
      targetColumn: project.targetColumn,
      task: project.task,
      positiveClass: project.positiveClass ?? null,
      minCellCount: settings.minCellCount,
      epsilonBudget: settings.epsilonBudget,
    };
  }

  async ledger(projectId: string): Promise<AccountantState | null> {
    const ledger = await this.store.find('privacyLedgers', ledgerId(projectId));
    return ledger ? { orders: ledger.orders, rdp: ledger.rdp, steps: Object.values(ledger.releases).reduce((sum, count) => sum + count, 0) } : null;
  }

  async charge(projectId: string, run: string, state: AccountantState): Promise<void> {
    const id = ledgerId(projectId);
    const existing = await this.store.find('privacyLedgers', id);
    const releases = { ...(existing?.releases ?? {}), [run]: (existing?.releases[run] ?? 0) + 1 };
    if (existing) await this.store.update('privacyLedgers', id, { orders: state.orders, rdp: state.rdp, releases });
    else await this.store.create('privacyLedgers', { id, projectId, orders: state.orders, rdp: state.rdp, releases });
  }
}

function ledgerId(projectId: string): string {
  return `ledger.${projectId}`.slice(0, 64);
}
