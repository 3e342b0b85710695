// Creating a project at the orchestrator: one operation for the app, the command line and the
// simulation. The collaboration's members are registered in it at once (as a participant that
// joins later is registered in every existing project), so a run of it reaches them all.
import type { Project } from '../../contract/records';
import { registerMembers } from '../../core/model/membership';
import type { CreateInput, MetadataStore } from '../../store/metadata-store';

export async function createProject(store: MetadataStore, input: CreateInput<'projects'>): Promise<Project> {
  const project = await store.create('projects', input);
  await store.mutate((db) => registerMembers(db, project.collaborationId, new Date().toISOString()));
  return project;
}
