// Invitations at the orchestrator, and admitting the parties that present them. An invitation
// is single-use and expires; the hub keeps only the token's hash. A party joining with one
// becomes a participant registered in every project of the collaboration, and the identity key
// it proved becomes the only key that may speak for it. A participant the orchestrator added
// without a key can be claimed only with an invitation made for it (`forParticipant`): any other
// invitation holder could otherwise take its name, its registrations and its place in runs.
import { createHash, randomBytes } from 'node:crypto';
import { CohortError } from '../../contract/errors';
import { encodeInvitation } from '../../contract/invitation';
import type { Invitation } from '../../contract/records';
import type { Metadata } from '../../core/model/integrity';
import { registerMembers } from '../../core/model/membership';
import { keyFingerprint } from '../../protocol/crypto';
import type { Admission, CollaborationSnapshot, Hello } from '../../protocol/handshake';
import type { MetadataStore } from '../../store/metadata-store';
import type { HubContact } from '../trust/hub-contact';
import { putParticipant } from '../records/participants';

const DEFAULT_EXPIRY_HOURS = 72;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createInvitation(
  store: MetadataStore,
  hub: HubContact,
  options: { collaborationId: string; expiresInHours?: number; note?: string; forParticipant?: string },
  now = new Date(),
): Promise<{ invitation: Invitation; code: string }> {
  const collaboration = await store.get('collaborations', options.collaborationId);
  if (options.forParticipant !== undefined) {
    const participant = await store.get('participants', options.forParticipant);
    if (participant.revokedAt !== undefined) throw new CohortError('BAD_INPUT', `participant "${participant.id}" was revoked: it cannot be invited`);
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + (options.expiresInHours ?? DEFAULT_EXPIRY_HOURS) * 3_600_000).toISOString();
  const invitation = await store.create('invitations', {
    id: `inv-${randomBytes(6).toString('hex')}`,
    collaborationId: collaboration.id,
    tokenHash: tokenHash(token),
    expiresAt,
    note: options.note ?? '',
    ...(options.forParticipant === undefined ? {} : { forParticipant: options.forParticipant }),
  });
  const code = encodeInvitation({
    hub: hub.url,
    certificate: hub.certificate,
    hubKey: hub.key,
    collaboration: collaboration.id,
    name: collaboration.name,
    token,
    expiresAt,
  });
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

/** Why an invitation cannot be used, or undefined if it can. */
function invitationProblem(invitation: Invitation | undefined, now: Date): string | undefined {
  if (!invitation) return 'this invitation is not known to the hub';
  if (invitation.revoked) return 'this invitation was revoked';
  if (invitation.usedBy !== undefined) return 'this invitation was already used';
  if (Date.parse(invitation.expiresAt) <= now.getTime()) return `this invitation expired at ${invitation.expiresAt}`;
  return undefined;
}

/** Why this party may not join or connect as it claims, or undefined if it may. */
function partyProblem(db: Metadata, hello: Hello, now: Date): string | undefined {
  const id = hello.party.id;
  const participant = db.participants.find((candidate) => candidate.id === id);
  if (participant?.revokedAt !== undefined) {
    return `participant "${id}" was revoked on ${participant.revokedAt}${participant.revokedReason ? ` (${participant.revokedReason})` : ''}`;
  }
  if (hello.invitation !== undefined) {
    const invitation = db.invitations.find((candidate) => candidate.tokenHash === tokenHash(hello.invitation!));
    const problem = invitationProblem(invitation, now);
    if (problem) return problem;
    if (invitation!.forParticipant !== undefined && invitation!.forParticipant !== id) {
      return `this invitation is for participant "${invitation!.forParticipant}", not "${id}"`;
    }
    if (participant?.publicKey !== undefined && participant.publicKey !== hello.key) {
      return `the name "${id}" is taken by another participant; join under another name`;
    }
    if (participant && participant.publicKey === undefined && invitation!.forParticipant !== id) {
      return `the name "${id}" is reserved for a participant the orchestrator added: only the invitation made for it can claim it`;
    }
    return undefined;
  }
  if (!participant) return `"${id}" is not a participant of this hub; join with an invitation`;
  if (participant.publicKey === undefined) return `"${id}" has no identity key registered at this hub; join with an invitation`;
  if (participant.publicKey !== hello.key) {
    return `"${id}" presented identity key ${keyFingerprint(hello.key)}, not the one it joined with (${keyFingerprint(participant.publicKey)})`;
  }
  return undefined;
}

/** Before the party proves its key: whether it may try (undefined), or why not. */
export async function screenParty(store: MetadataStore, hello: Hello, now = new Date()): Promise<string | undefined> {
  return partyProblem(await store.snapshot(), hello, now);
}

/**
 * After the party proved its key: a known participant is let in; a new one joins with its
 * invitation, which is used up, and its key is bound to its name from then on. Returns the
 * welcome with its collaborations.
 */
export async function admitParty(store: MetadataStore, hello: Hello, hub: { id: string; name: string }, now = new Date()): Promise<Admission> {
  const id = hello.party.id;
  try {
    await store.mutate((db) => {
      // Checked again under the lock: two parties racing for one invitation get one welcome.
      const problem = partyProblem(db, hello, now);
      if (problem) throw new CohortError('INVITATION_INVALID', problem);
      if (hello.invitation === undefined) return;
      const invitation = db.invitations.find((candidate) => candidate.tokenHash === tokenHash(hello.invitation!))!;
      const stamp = now.toISOString();
      putParticipant(db, { id, displayName: hello.party.name, organisation: hello.party.organisation, publicKey: hello.key }, stamp);
      // Registered in every project of the collaboration it joins.
      registerMembers(db, invitation.collaborationId, stamp, id);
      invitation.usedBy = id;
      invitation.usedAt = stamp;
      invitation.updatedAt = stamp;
    });
  } catch (error) {
    if (error instanceof CohortError) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, welcome: { hub, collaborations: await snapshotsFor(store, id) } };
}

/** Marks a participant revoked: the hub refuses it from now on (a running hub must also cut it off). */
export async function revokeParticipant(store: MetadataStore, id: string, reason: string, now = new Date()) {
  const current = await store.get('participants', id);
  if (current.revokedAt !== undefined) return current;
  return store.update('participants', id, { revokedAt: now.toISOString(), revokedReason: reason });
}
