// Adding a participant (a hospital) and registering it in a project: one operation for the app
// (a party admitted with an invitation at the hub, the party's own record when it joins), the
// command line (`participant add`, `participant register`) and the simulation. A participant's
// identity key, once known, is the only key that may speak for it.
import { CohortError } from '../../contract/errors';
import type { Connection, Participant, Registration } from '../../contract/records';
import type { Metadata } from '../../core/model/integrity';
import { parseRecord, type MetadataStore } from '../../store/metadata-store';

export interface ParticipantInput {
  id: string;
  displayName: string;
  organisation?: string | undefined;
  contact?: string | undefined;
  /** Its identity key (base64url Ed25519), when known. */
  publicKey?: string | undefined;
}

export interface RegistrationInput {
  participantId: string;
  projectId: string;
  role?: 'participant' | 'orchestrator' | undefined;
  connection?: Connection | undefined;
}

/** The id of a participant's registration in a project. */
export function registrationId(participantId: string, projectId: string): string {
  return `${participantId}.${projectId}`.slice(0, 64);
}

function record(input: ParticipantInput, stamp: string): Participant {
  return parseRecord('participants', {
    id: input.id,
    displayName: input.displayName.trim(),
    organisation: (input.organisation ?? '').trim(),
    contact: (input.contact ?? '').trim(),
    ...(input.publicKey === undefined ? {} : { publicKey: input.publicKey }),
    createdAt: stamp,
    updatedAt: stamp,
  });
}

/**
 * In a store mutation: adds the participant if it is new; for one already there, binds the key
 * given (a participant the orchestrator added without a key claims its name this way). Returns
 * the participant as it now is.
 */
export function putParticipant(db: Metadata, input: ParticipantInput, stamp: string): Participant {
  const existing = db.participants.find((participant) => participant.id === input.id);
  if (!existing) {
    const added = record(input, stamp);
    db.participants.push(added);
    return added;
  }
  if (input.publicKey !== undefined && existing.publicKey !== input.publicKey) {
    existing.publicKey = input.publicKey;
    existing.updatedAt = stamp;
  }
  return existing;
}

/** Adds a new participant; refuses an id already taken. */
export async function addParticipant(store: MetadataStore, input: ParticipantInput, now = new Date()): Promise<Participant> {
  return store.mutate((db) => {
    if (db.participants.some((participant) => participant.id === input.id)) {
      throw new CohortError('ALREADY_EXISTS', `a participant with id "${input.id}" already exists`, { collection: 'participants', id: input.id });
    }
    return putParticipant(db, input, now.toISOString());
  });
}

/** Registers a participant in a project (in its collaboration); refuses a second registration. */
export async function registerParticipant(store: MetadataStore, input: RegistrationInput, now = new Date()): Promise<Registration> {
  if (input.connection?.mode === 'listen' && input.connection.certificate === undefined) {
    throw new CohortError('BAD_INPUT', 'a participant that listens needs its certificate fingerprint: the TTP connects only to the certificate it pins');
  }
  return store.mutate((db) => {
    const project = db.projects.find((candidate) => candidate.id === input.projectId);
    if (!project) throw new CohortError('NOT_FOUND', `no project with id "${input.projectId}"`);
    if (!db.participants.some((participant) => participant.id === input.participantId)) throw new CohortError('NOT_FOUND', `no participant with id "${input.participantId}"`);
    const id = registrationId(input.participantId, project.id);
    if (db.registrations.some((registration) => registration.id === id)) {
      throw new CohortError('ALREADY_EXISTS', `participant "${input.participantId}" is already registered in project "${project.id}"`, { collection: 'registrations', id });
    }
    const stamp = now.toISOString();
    const registration: Registration = parseRecord('registrations', {
      id,
      participantId: input.participantId,
      collaborationId: project.collaborationId,
      projectId: project.id,
      role: input.role ?? 'participant',
      connection: input.connection ?? { mode: 'dial-out' },
      declaredTags: [],
      createdAt: stamp,
      updatedAt: stamp,
    });
    db.registrations.push(registration);
    return registration;
  });
}
