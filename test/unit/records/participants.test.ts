// Adding a participant and registering it in a project: the one operation the hub's admission,
// the participant's own records, the command line and the simulation share.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addParticipant, putParticipant, registerParticipant, registrationId } from '../../../src-main/api/records/participants';
import { createProject } from '../../../src-main/api/records/projects';
import { CohortError } from '../../../src-main/contract/errors';
import { MetadataStore } from '../../../src-main/store/metadata-store';

const KEY_A = 'A'.repeat(43);
const KEY_B = 'B'.repeat(43);
const FINGERPRINT = Array.from({ length: 32 }, () => 'ab').join(':');
const NOW = new Date('2026-03-01T10:00:00.000Z');

let dir: string;
let store: MetadataStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-participants-'));
  store = await MetadataStore.open(dir);
  await store.create('collaborations', { id: 'network', name: 'Network' });
  await createProject(store, { id: 'diagnosis', collaborationId: 'network', name: 'Diagnosis', targetColumn: 'y', task: 'classify' });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(action: Promise<unknown>): Promise<string> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CohortError);
  return (error as CohortError).code;
}

describe('addParticipant', () => {
  it('stores the participant with its defaults, and refuses a second one of the same id', async () => {
    const added = await addParticipant(store, { id: 'hospital-a', displayName: ' Hospital A ', publicKey: KEY_A }, NOW);
    expect(added).toEqual({ id: 'hospital-a', displayName: 'Hospital A', organisation: '', contact: '', publicKey: KEY_A, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() });
    expect(await store.get('participants', 'hospital-a')).toEqual(added);
    expect(await codeOf(addParticipant(store, { id: 'hospital-a', displayName: 'Impostor', publicKey: KEY_B }))).toBe('ALREADY_EXISTS');
    expect((await store.get('participants', 'hospital-a')).publicKey).toBe(KEY_A);
  });

  it('refuses what the contract refuses (a malformed key), storing nothing', async () => {
    expect(await codeOf(addParticipant(store, { id: 'hospital-b', displayName: 'B', publicKey: 'not-a-key' }))).toBe('VALIDATION');
    expect(await store.find('participants', 'hospital-b')).toBeUndefined();
  });
});

describe('putParticipant', () => {
  it('adds a new participant, and binds a key to one added without a key, without duplicating it', async () => {
    await addParticipant(store, { id: 'hospital-a', displayName: 'Hospital A', organisation: 'Trust' });
    const later = '2026-03-02T08:00:00.000Z';
    await store.mutate((db) => {
      putParticipant(db, { id: 'hospital-a', displayName: 'Renamed by the party', publicKey: KEY_A }, later);
      putParticipant(db, { id: 'hospital-b', displayName: 'Hospital B' }, later);
    });
    const participants = await store.list('participants');
    expect(participants.map((participant) => participant.id)).toEqual(['hospital-a', 'hospital-b']);
    // The orchestrator's name stays; the key is bound.
    expect(participants[0]).toMatchObject({ displayName: 'Hospital A', organisation: 'Trust', publicKey: KEY_A, updatedAt: later });
    expect(participants[1]).toMatchObject({ displayName: 'Hospital B', organisation: '', contact: '', createdAt: later });
    expect(participants[1]).not.toHaveProperty('publicKey');
  });
});

describe('registerParticipant', () => {
  beforeEach(async () => {
    await addParticipant(store, { id: 'hospital-a', displayName: 'Hospital A' });
  });

  it("registers in the project's collaboration, dialling out by default", async () => {
    const registration = await registerParticipant(store, { participantId: 'hospital-a', projectId: 'diagnosis' }, NOW);
    expect(registration).toMatchObject({ id: 'hospital-a.diagnosis', collaborationId: 'network', role: 'participant', connection: { mode: 'dial-out' }, declaredTags: [] });
    expect(await store.get('registrations', registrationId('hospital-a', 'diagnosis'))).toEqual(registration);
    expect(await codeOf(registerParticipant(store, { participantId: 'hospital-a', projectId: 'diagnosis' }))).toBe('ALREADY_EXISTS');
  });

  it('keeps how the TTP reaches a participant that listens, and refuses one without a pinned certificate', async () => {
    expect(await codeOf(registerParticipant(store, { participantId: 'hospital-a', projectId: 'diagnosis', connection: { mode: 'listen', host: '10.0.0.5', port: 7900 } }))).toBe('BAD_INPUT');
    const registration = await registerParticipant(store, {
      participantId: 'hospital-a',
      projectId: 'diagnosis',
      connection: { mode: 'listen', host: '10.0.0.5', port: 7900, certificate: FINGERPRINT.toUpperCase() },
    });
    expect(registration.connection).toEqual({ mode: 'listen', host: '10.0.0.5', port: 7900, certificate: FINGERPRINT.toUpperCase() });
  });

  it('refuses an unknown project or participant', async () => {
    expect(await codeOf(registerParticipant(store, { participantId: 'hospital-a', projectId: 'nowhere' }))).toBe('NOT_FOUND');
    expect(await codeOf(registerParticipant(store, { participantId: 'nobody', projectId: 'diagnosis' }))).toBe('NOT_FOUND');
    expect(await store.list('registrations')).toEqual([]);
  });
});
