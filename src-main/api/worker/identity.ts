// Who this participant is: an id, a display name and an organisation, chosen once and kept in
// its data directory (party.json). (The trust layer adds a key pair beside it.)
import { join } from 'node:path';
import { z } from 'zod';
import { CohortError } from '../../contract/errors';
import { Id } from '../../contract/records';
import { readJsonFile, writeJsonFile } from '../../store/json-files';

export const PartyIdentity = z.strictObject({ id: Id, name: z.string().min(1).max(200), organisation: z.string().max(200).default('') });
export type PartyIdentity = z.infer<typeof PartyIdentity>;

const FILE = 'party.json';

export async function readIdentity(dataDir: string): Promise<PartyIdentity | undefined> {
  return readJsonFile(join(dataDir, FILE), PartyIdentity);
}

/** The stored identity; or, the first time, the given one, stored. A different id is refused. */
export async function ensureIdentity(dataDir: string, wanted: { id?: string | undefined; name?: string | undefined; organisation?: string | undefined }): Promise<PartyIdentity> {
  const stored = await readIdentity(dataDir);
  if (stored) {
    if (wanted.id !== undefined && wanted.id !== stored.id) {
      throw new CohortError('BAD_INPUT', `${dataDir} belongs to participant "${stored.id}", not "${wanted.id}"`);
    }
    return stored;
  }
  if (wanted.id === undefined) throw new CohortError('BAD_INPUT', `${dataDir} has no participant id yet: give one with --id`);
  const identity = PartyIdentity.parse({ id: wanted.id, name: wanted.name ?? wanted.id, organisation: wanted.organisation ?? '' });
  await writeJsonFile(join(dataDir, FILE), identity);
  return identity;
}
