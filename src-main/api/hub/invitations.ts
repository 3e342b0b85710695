// Invitations at the orchestrator, and admitting the parties that present them. An invitation
// is single-use and expires; the hub keeps only the token's hash. A party joining with one
// becomes a participant registered in every project of the collaboration.
import { createHash, randomBytes } from 'node:crypto';
import { CohortError } from '../../contract/errors';
import { encodeInvitation } from '../../contract/invitation';
import type { Invitation } from '../../contract/records';
import type { Admission, CollaborationSnapshot, Hello } from '../../protocol/handshake';
import type { MetadataStore } from '../../store/metadata-store';

const DEFAULT_EXPIRY_HOURS = 72;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createInvitation(
  store: MetadataStore,
  hubUrl: string,
  options: { collaborationId: string; expiresInHours?: number; note?: string },
  now = new Date(),
): Promise<{ invitation: Invitation; code: string }> {
  const collaboration = await store.get('collaborations', options.collaborationId);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + (options.expiresInHours ?? DEFAULT_EXPIRY_HOURS) * 3_600_000).toISOString();
  const invitation = await store.create('invitations', {
    id: `inv-${randomBytes(6).toString('hex')}`,
    collaborationId: collaboration.id,
    tokenHash: tokenHash(token),
    expiresAt,
    note: options.note ?? '',
  });
  const code = encodeInvitation({ hub: hubUrl, collaboration: collaboration.id, name: collaboration.name, token, expiresAt });
  return { invitation, code };
}

/** The collaborations (with their projects) a participant is registered in. */
export async function snapshotsFor(store: MetadataStore, participantId: string): Promise<CollaborationSnapshot[]> {
  const db = await store.snapshot();
  const collaborationIds = new Set(db.registrations.filter((registration) => registration.participantId === participantId).map((registration) => registration.collaborationId));
  return db.collaborations
    .filter((collaboration) => collaborationIds.has(collaboration.id))
    .map((collaboration) => ({ collaboration, projects: db.projects.filter((project) => project.collaborationId === collaboration.id) }));
}

/**
 * Decides whether a connecting party may in: a known participant may; a new one only with a
 * valid invitation, which it then uses up. Returns the welcome, with its collaborations.
 */
export async function admitParty(store: MetadataStore, hello: Hello, hub: { id: string; name: string }, now = new Date()): Promise<Admission> {
  const id = hello.party.id;
  if (hello.invitation !== undefined) {
    try {
      await store.mutate((db) => {
        const hash = tokenHash(hello.invitation!);
        const invitation = db.invitations.find((candidate) => candidate.tokenHash === hash);
        if (!invitation) throw new CohortError('INVITATION_INVALID', 'this invitation is not known to the hub');
        if (invitation.revoked) throw new CohortError('INVITATION_INVALID', 'this invitation was revoked');
        if (invitation.usedBy !== undefined) throw new CohortError('INVITATION_INVALID', 'this invitation was already used');
        if (Date.parse(invitation.expiresAt) <= now.getTime()) throw new CohortError('INVITATION_INVALID', `this invitation expired at ${invitation.expiresAt}`);
        const stamp = now.toISOString();
        const existing = db.participants.find((participant) => participant.id === id);
        if (existing && existing.displayName !== hello.party.name) {
          throw new CohortError('INVITATION_INVALID', `the name "${id}" is taken by another participant; join under another name`);
        }
        if (!existing) {
          db.participants.push({ id, displayName: hello.party.name, organisation: hello.party.organisation ?? '', contact: '', createdAt: stamp, updatedAt: stamp });
        }
        for (const project of db.projects.filter((candidate) => candidate.collaborationId === invitation.collaborationId)) {
          const registrationId = `${id}.${project.id}`;
          if (db.registrations.some((registration) => registration.id === registrationId)) continue;
          db.registrations.push({
            id: registrationId,
            participantId: id,
            collaborationId: invitation.collaborationId,
            projectId: project.id,
            role: 'participant',
            connection: { mode: 'dial-out' },
            declaredTags: [],
            createdAt: stamp,
            updatedAt: stamp,
          });
        }
        invitation.usedBy = id;
        invitation.usedAt = stamp;
        invitation.updatedAt = stamp;
      });
    } catch (error) {
      if (error instanceof CohortError) return { ok: false, reason: error.message };
      throw error;
    }
  } else if (!(await store.find('participants', id))) {
    return { ok: false, reason: `"${id}" is not a participant of this hub; join with an invitation` };
  }
  return {
    ok: true,
    welcome: { hub, session: randomBytes(16).toString('hex'), collaborations: await snapshotsFor(store, id) },
  };
}
