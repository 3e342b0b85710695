// Who belongs to a collaboration, at the orchestrator: every participant registered in one of
// its projects, or that joined it with an invitation. Members are registered in every project
// of the collaboration: a new project gets them all, a new member gets every project.
import type { Metadata } from './integrity';

export function collaborationMembers(db: Pick<Metadata, 'registrations' | 'invitations'>, collaborationId: string): Set<string> {
  const members = new Set<string>();
  for (const registration of db.registrations) if (registration.collaborationId === collaborationId && registration.role === 'participant') members.add(registration.participantId);
  for (const invitation of db.invitations) if (invitation.collaborationId === collaborationId && invitation.usedBy) members.add(invitation.usedBy);
  return members;
}

/** Registers every member of the collaboration (or just `only`) in every one of its projects, in place. */
export function registerMembers(db: Metadata, collaborationId: string, stamp: string, only?: string): void {
  const members = only === undefined ? collaborationMembers(db, collaborationId) : new Set([only]);
  for (const project of db.projects.filter((candidate) => candidate.collaborationId === collaborationId)) {
    for (const participantId of members) {
      if (!db.participants.some((participant) => participant.id === participantId)) continue;
      const id = `${participantId}.${project.id}`.slice(0, 64);
      if (db.registrations.some((registration) => registration.id === id)) continue;
      db.registrations.push({ id, participantId, collaborationId, projectId: project.id, role: 'participant', connection: { mode: 'dial-out' }, declaredTags: [], createdAt: stamp, updatedAt: stamp });
    }
  }
}
