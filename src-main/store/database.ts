// The on-disk shape of a party's metadata file, its schema version and the migrations that
// bring an older file up to date.
import { z } from 'zod';
import {
  Collaboration,
  Consent,
  DataTag,
  DbConnection,
  Experiment,
  Invitation,
  Membership,
  OwnerSettings,
  Participant,
  PrivacyLedger,
  Project,
  Registration,
  Run,
} from '../contract/records';
import { CohortError } from '../contract/errors';
import type { Metadata } from '../core/model/integrity';

export const SCHEMA_VERSION = 4;

export const DatabaseFile = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  collaborations: z.array(Collaboration),
  projects: z.array(Project),
  experiments: z.array(Experiment),
  runs: z.array(Run),
  participants: z.array(Participant),
  registrations: z.array(Registration),
  dataTags: z.array(DataTag),
  invitations: z.array(Invitation),
  memberships: z.array(Membership),
  consents: z.array(Consent),
  ownerSettings: z.array(OwnerSettings),
  privacyLedgers: z.array(PrivacyLedger),
  connections: z.array(DbConnection),
});

export type DatabaseFile = Metadata & { schemaVersion: typeof SCHEMA_VERSION };

/**
 * migrations[n] turns a version-n file into a version-(n+1) file. Version 0 is the layout of
 * pre-release builds, which had no participants' data tags or registrations yet; version 2
 * added invitations, memberships and consents (and registrations' declared tags, which have
 * a default); version 3 the trust fields; version 4 keys a participant's records by their hub
 * (origin), consents by (hub, run), adds the owner's settings and privacy ledgers, database
 * connections, the memberships' proxy, and data tags whose source is a file or a query.
 */
export const MIGRATIONS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {
  0: (old) => ({
    collaborations: [],
    projects: [],
    experiments: [],
    runs: [],
    participants: [],
    registrations: [],
    dataTags: [],
    ...old,
    schemaVersion: 1,
  }),
  1: (old) => ({ invitations: [], memberships: [], consents: [], ...old, schemaVersion: 2 }),
  // Version 3 added identity keys, pinned hub certificates, revocations and consent policies:
  // new fields that are optional or have defaults, so the records carry over as they are.
  2: (old) => ({ ...old, schemaVersion: 3 }),
  // Version 4: a participant's records keyed by the hub they came from (origin), consents by
  // (hub, run), the owner's own settings and privacy ledgers, database connections, a
  // membership's optional proxy, and data tags whose source is a file or a query (a version-3
  // tag's path becomes a file source).
  3: (old) => {
    const migrated = migrateToHubNamespaces(old);
    return {
      connections: [],
      ...migrated,
      dataTags: (Array.isArray(migrated['dataTags']) ? (migrated['dataTags'] as Array<Record<string, unknown>>) : []).map((tag) => {
        const { path, ...rest } = tag;
        return 'source' in tag ? tag : { ...rest, source: { type: 'file', path } };
      }),
    };
  },
};

/** Version 3 -> 4: records that came from a hub get their origin, consents their hub key. */
function migrateToHubNamespaces(old: Record<string, unknown>): Record<string, unknown> {
  const list = (name: string) => (Array.isArray(old[name]) ? (old[name] as Array<Record<string, unknown>>) : []);
  const memberships = list('memberships');
  const hubOfCollaboration = new Map(memberships.filter((m) => typeof m['hubKey'] === 'string').map((m) => [m['collaborationId'], m['hubKey'] as string]));
  const hubOfMembership = new Map(memberships.map((m) => [m['id'], m['hubKey']]));
  const withOrigin = (record: Record<string, unknown>, collaborationId: unknown) => {
    const hubKey = hubOfCollaboration.get(collaborationId);
    return hubKey ? { ...record, origin: { hubKey, id: record['id'] } } : record;
  };
  return {
    ...old,
    collaborations: list('collaborations').map((record) => withOrigin(record, record['id'])),
    projects: list('projects').map((record) => withOrigin(record, record['collaborationId'])),
    consents: list('consents').map((record) => {
      const hubKey = hubOfMembership.get(record['membershipId']);
      return typeof hubKey === 'string' ? { ...record, hubKey } : record;
    }),
    ownerSettings: [],
    privacyLedgers: [],
    schemaVersion: 4,
  };
}

/** The file's version, or an error for something that is not a Cohort store at all. */
export function versionOf(raw: unknown, path: string): number {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CohortError('STORE_CORRUPT', `${path} does not hold a Cohort store (expected a JSON object)`, { path });
  }
  const version = (raw as Record<string, unknown>)['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new CohortError('STORE_CORRUPT', `${path} has no valid schemaVersion`, { path });
  }
  if (version > SCHEMA_VERSION) {
    throw new CohortError(
      'STORE_TOO_NEW',
      `${path} was written by a newer Cohort (store version ${version}; this one reads up to ${SCHEMA_VERSION}). Update Cohort to open it.`,
      { path, version },
    );
  }
  return version;
}

export function migrate(raw: Record<string, unknown>, from: number): Record<string, unknown> {
  let data = raw;
  for (let version = from; version < SCHEMA_VERSION; version += 1) {
    const step = MIGRATIONS[version];
    if (!step) throw new CohortError('STORE_CORRUPT', `no migration from store version ${version}`);
    data = step(data);
  }
  return data;
}

export function validateDatabase(raw: unknown, path: string): DatabaseFile {
  const result = DatabaseFile.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new CohortError('STORE_CORRUPT', `${path} is not a valid Cohort store: at ${where}: ${issue.message}`, {
      path,
      issues: result.error.issues.length,
    });
  }
  return result.data as DatabaseFile;
}
