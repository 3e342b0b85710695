// Referential rules of the metadata hierarchy, as pure functions over a snapshot: every
// reference must resolve (no orphan runs), and deleting a record that others depend on needs
// an explicit cascade, which then removes every descendant.
import type {
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
} from '../../contract/records';

export interface Metadata {
  collaborations: Collaboration[];
  projects: Project[];
  experiments: Experiment[];
  runs: Run[];
  participants: Participant[];
  registrations: Registration[];
  dataTags: DataTag[];
  invitations: Invitation[];
  memberships: Membership[];
  consents: Consent[];
  ownerSettings: OwnerSettings[];
  privacyLedgers: PrivacyLedger[];
  connections: DbConnection[];
}

export type Collection = keyof Metadata;
export type RecordOf<C extends Collection> = Metadata[C][number];

export const COLLECTIONS: readonly Collection[] = [
  'collaborations',
  'projects',
  'experiments',
  'runs',
  'participants',
  'registrations',
  'dataTags',
  'invitations',
  'memberships',
  'consents',
  'ownerSettings',
  'privacyLedgers',
  'connections',
];

/** Singular names for messages. */
export const RECORD_NAMES: Record<Collection, string> = {
  collaborations: 'collaboration',
  projects: 'project',
  experiments: 'experiment',
  runs: 'run',
  participants: 'participant',
  registrations: 'registration',
  dataTags: 'data tag',
  invitations: 'invitation',
  memberships: 'membership',
  consents: 'consent',
  ownerSettings: 'owner setting',
  privacyLedgers: 'privacy ledger',
  connections: 'database connection',
};

interface Reference {
  /** A field name, or a dotted path into the record. */
  field: string;
  collection: Collection;
  /** The field may be absent (a data tag read from a file has no connection). */
  optional?: boolean;
}

/** For each collection, the fields that point at a parent record. */
export const REFERENCES: Record<Collection, readonly Reference[]> = {
  collaborations: [],
  projects: [{ field: 'collaborationId', collection: 'collaborations' }],
  experiments: [{ field: 'projectId', collection: 'projects' }],
  runs: [{ field: 'experimentId', collection: 'experiments' }],
  participants: [],
  registrations: [
    { field: 'participantId', collection: 'participants' },
    { field: 'collaborationId', collection: 'collaborations' },
    { field: 'projectId', collection: 'projects' },
  ],
  dataTags: [
    { field: 'projectId', collection: 'projects' },
    { field: 'participantId', collection: 'participants' },
    { field: 'source.connectionId', collection: 'connections', optional: true },
  ],
  invitations: [{ field: 'collaborationId', collection: 'collaborations' }],
  memberships: [{ field: 'collaborationId', collection: 'collaborations' }],
  consents: [
    { field: 'membershipId', collection: 'memberships' },
    { field: 'projectId', collection: 'projects' },
  ],
  ownerSettings: [{ field: 'projectId', collection: 'projects', optional: true }],
  privacyLedgers: [{ field: 'projectId', collection: 'projects' }],
  connections: [],
};

export function emptyMetadata(): Metadata {
  return {
    collaborations: [],
    projects: [],
    experiments: [],
    runs: [],
    participants: [],
    registrations: [],
    dataTags: [],
    invitations: [],
    memberships: [],
    consents: [],
    ownerSettings: [],
    privacyLedgers: [],
    connections: [],
  };
}

function field(record: object, path: string): unknown {
  let value: unknown = record;
  for (const name of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** Every broken reference and inconsistency in the snapshot, as messages (empty when sound). */
export function findIntegrityProblems(db: Metadata): string[] {
  const problems: string[] = [];
  for (const collection of COLLECTIONS) {
    const ids = new Set<string>();
    for (const record of db[collection]) {
      if (ids.has(record.id)) problems.push(`two ${collection} share the id "${record.id}"`);
      ids.add(record.id);
      for (const reference of REFERENCES[collection]) {
        const target = field(record, reference.field);
        if (target === undefined && reference.optional) continue;
        if (!db[reference.collection].some((parent) => parent.id === target)) {
          problems.push(
            `${RECORD_NAMES[collection]} "${record.id}" refers to ${RECORD_NAMES[reference.collection]} "${String(target)}", which does not exist`,
          );
        }
      }
    }
  }
  for (const registration of db.registrations) {
    const project = db.projects.find((candidate) => candidate.id === registration.projectId);
    if (project && project.collaborationId !== registration.collaborationId) {
      problems.push(
        `registration "${registration.id}" pairs project "${project.id}" with collaboration "${registration.collaborationId}", but the project belongs to "${project.collaborationId}"`,
      );
    }
  }
  return problems;
}

export interface RecordRef {
  collection: Collection;
  id: string;
}

/** The records that refer directly to the given one. */
export function directDependents(db: Metadata, collection: Collection, id: string): RecordRef[] {
  const out: RecordRef[] = [];
  for (const child of COLLECTIONS) {
    for (const reference of REFERENCES[child]) {
      if (reference.collection !== collection) continue;
      for (const record of db[child]) if (field(record, reference.field) === id) out.push({ collection: child, id: record.id });
    }
  }
  return out;
}

/** The record's descendants, transitively, each once. */
export function allDependents(db: Metadata, collection: Collection, id: string): RecordRef[] {
  const seen = new Map<string, RecordRef>();
  const queue: RecordRef[] = [{ collection, id }];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const dependent of directDependents(db, next.collection, next.id)) {
      const key = `${dependent.collection}/${dependent.id}`;
      if (!seen.has(key)) {
        seen.set(key, dependent);
        queue.push(dependent);
      }
    }
  }
  return [...seen.values()];
}

/** Removes the record and the given dependents from the snapshot, in place. */
export function removeRecords(db: Metadata, records: readonly RecordRef[]): void {
  for (const collection of COLLECTIONS) {
    const doomed = new Set(records.filter((record) => record.collection === collection).map((record) => record.id));
    if (doomed.size === 0) continue;
    const collections = db as unknown as Record<Collection, Array<{ id: string }>>;
    collections[collection] = collections[collection].filter((record) => !doomed.has(record.id));
  }
}

/** "2 experiments, 3 runs": a count of records per collection, for messages. */
export function describeRecords(records: readonly RecordRef[]): string {
  const counts = new Map<Collection, number>();
  for (const record of records) counts.set(record.collection, (counts.get(record.collection) ?? 0) + 1);
  return [...counts]
    .map(([collection, count]) => `${count} ${count === 1 ? RECORD_NAMES[collection] : `${RECORD_NAMES[collection]}s`}`)
    .join(', ');
}
