// The stores of a simulated federation: the orchestrator's (collaboration, project, experiment,
// run, participants with their identity keys, registrations) and each party's (the project,
// itself, its data tags).
import { join, resolve } from 'node:path';
import type { Hyperparameters, ModelSpec, TagKind, Task } from '../../contract/records';
import { CohortError } from '../../contract/errors';
import { registerDataTag } from '../records/data-tags';
import { createProject } from '../records/projects';
import { addParticipant, registerParticipant } from '../records/participants';
import { createRun } from '../records/runs';
import { MetadataStore } from '../../store/metadata-store';
import { exists, PARTY_FILES } from '../local-alignment';
import { ensureSigningIdentity } from '../trust/identity-key';

export const SIMULATION_IDS = { collaboration: 'simulation', project: 'project', experiment: 'experiment', run: 'run' } as const;

export interface SimulatedParty {
  name: string;
  dataDir: string;
  /** Which data files the party holds. */
  files: Partial<Record<TagKind, string>>;
}

export interface WorkspaceOptions {
  workspace: string;
  /** Party name -> folder holding train.csv (and maybe evaluate.csv, predict.csv). */
  partyFolders: Array<{ name: string; folder: string }>;
  target: string;
  task: Task;
  positiveClass?: string | undefined;
  model: ModelSpec;
  hyperparameters: Hyperparameters;
  maxBytes?: number;
}

export interface Workspace {
  hubDir: string;
  /** The hub's identity key, under which each party keeps the hub's records. */
  hubKey: string;
  parties: SimulatedParty[];
  /** What the setup left out, and why (e.g. a party's evaluate data below the minimum cell count). */
  notes: string[];
}

export async function prepareWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const hubDir = join(options.workspace, 'hub');
  const hub = await MetadataStore.open(hubDir);
  const project = {
    id: SIMULATION_IDS.project,
    collaborationId: SIMULATION_IDS.collaboration,
    name: 'Simulated project',
    targetColumn: options.target,
    task: options.task,
    ...(options.positiveClass === undefined ? {} : { positiveClass: options.positiveClass }),
  };
  await hub.create('collaborations', { id: SIMULATION_IDS.collaboration, name: 'Simulation' });
  await createProject(hub, project);
  await hub.create('experiments', { id: SIMULATION_IDS.experiment, projectId: project.id, name: 'Simulated experiment', model: options.model });
  await createRun(hub, { id: SIMULATION_IDS.run, experimentId: SIMULATION_IDS.experiment, name: 'Simulated run', hyperparameters: options.hyperparameters });

  const hubKey = (await ensureSigningIdentity(hubDir)).publicKeyText;
  const parties: SimulatedParty[] = [];
  const notes: string[] = [];
  for (const { name, folder } of options.partyFolders) {
    const dataDir = join(options.workspace, 'parties', name);
    // Whoever runs the simulation holds every party: the hub knows each party's key up front.
    const key = (await ensureSigningIdentity(dataDir)).publicKeyText;
    await addParticipant(hub, { id: name, displayName: name, publicKey: key });
    await registerParticipant(hub, { participantId: name, projectId: project.id });

    // The party holds the hub's definitions under the hub's identity, as joining would leave them.
    const store = await MetadataStore.open(dataDir);
    await store.create('collaborations', { id: SIMULATION_IDS.collaboration, name: 'Simulation', origin: { hubKey, id: SIMULATION_IDS.collaboration } });
    await store.create('projects', { ...project, origin: { hubKey, id: project.id } });
    await addParticipant(store, { id: name, displayName: name });
    const files: SimulatedParty['files'] = {};
    for (const kind of ['train', 'evaluate', 'predict'] as const) {
      const path = resolve(folder, PARTY_FILES[kind]);
      if (!(await exists(path))) continue;
      try {
        await registerDataTag(store, {
          participantId: name,
          projectId: project.id,
          kind,
          source: { type: 'file', path },
          ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
        });
      } catch (error) {
        // A split can leave a party too few rows to evaluate on: it trains, and says so.
        if (kind !== 'evaluate' || !(error instanceof CohortError) || error.code !== 'TOO_FEW_ROWS') throw error;
        notes.push(`${name}: its evaluate data is not used: ${error.message}`);
        continue;
      }
      files[kind] = path;
    }
    parties.push({ name, dataDir, files });
  }
  return { hubDir, hubKey, parties, notes };
}
