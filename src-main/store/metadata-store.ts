// A party's metadata (the collaboration hierarchy, participants, registrations, data tags) in
// one JSON file in its data directory, through lowdb.
//
// Every change runs under a file lock and starts from a fresh read, so a hub and a command line
// sharing a data directory never overwrite each other; every change is validated record by
// record and for referential integrity before it is written; every write is atomic.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import lockfile from 'proper-lockfile';
import type { z } from 'zod';
import { CohortError } from '../contract/errors';
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
import {
  allDependents,
  describeRecords,
  emptyMetadata,
  findIntegrityProblems,
  RECORD_NAMES,
  removeRecords,
  type Collection,
  type Metadata,
  type RecordOf,
  type RecordRef,
} from '../core/model/integrity';
import { AtomicJsonFile } from './atomic-json-file';
import { readJson } from './json-files';
import { migrate, SCHEMA_VERSION, validateDatabase, versionOf, type DatabaseFile } from './database';

export const STORE_FILE = 'cohort.json';

const SCHEMAS = {
  collaborations: Collaboration,
  projects: Project,
  experiments: Experiment,
  runs: Run,
  participants: Participant,
  registrations: Registration,
  dataTags: DataTag,
  invitations: Invitation,
  memberships: Membership,
  consents: Consent,
  ownerSettings: OwnerSettings,
  privacyLedgers: PrivacyLedger,
  connections: DbConnection,
} satisfies Record<Collection, z.ZodType>;

/** What a caller supplies to create a record: everything but the timestamps, defaults allowed. */
export type CreateInput<C extends Collection> = Omit<z.input<(typeof SCHEMAS)[C]>, 'createdAt' | 'updatedAt'>;
export type UpdateInput<C extends Collection> = Partial<Omit<CreateInput<C>, 'id'>>;

export interface StoreOptions {
  /** Source of timestamps (tests pin it). */
  clock?: () => Date;
  /** A lock older than this is taken to belong to a crashed process. */
  lockStaleMs?: number;
}

export class MetadataStore {
  private constructor(
    readonly path: string,
    private readonly db: Low<DatabaseFile>,
    private readonly clock: () => Date,
    private readonly lockStaleMs: number,
  ) {}

  /** Opens (creating or migrating as needed) the store in a party's data directory. */
  static async open(dataDir: string, options: StoreOptions = {}): Promise<MetadataStore> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, STORE_FILE);
    const adapter = new AtomicJsonFile<DatabaseFile>(path, (raw) => {
      versionOf(raw, path);
      return validateDatabase(raw, path);
    });
    const store = new MetadataStore(
      path,
      new Low(adapter, { schemaVersion: SCHEMA_VERSION, ...emptyMetadata() }),
      options.clock ?? (() => new Date()),
      options.lockStaleMs ?? 10_000,
    );
    // Only creating or migrating the file needs the lock: opening a current store just reads,
    // so it is instant even while a crashed process's lock is still waiting to go stale.
    if (await store.needsPreparation()) await store.withLock(() => store.prepareFile());
    await store.db.read();
    return store;
  }

  private async needsPreparation(): Promise<boolean> {
    const raw = await readJson(this.path).catch(() => null); // bad JSON: the read that follows reports it
    return raw === undefined || (raw !== null && versionOf(raw, this.path) !== SCHEMA_VERSION);
  }

  /** Creates the file if absent, and migrates an older one (keeping a backup of it). */
  private async prepareFile(): Promise<void> {
    const raw = await readJson(this.path).catch(() => null);
    if (raw === undefined) {
      await this.db.adapter.write({ schemaVersion: SCHEMA_VERSION, ...emptyMetadata() });
      return;
    }
    if (raw === null) return;
    const version = versionOf(raw, this.path);
    if (version === SCHEMA_VERSION) return;
    // Migrate and validate first: a file that cannot be migrated is left as it is, with no backup.
    const migrated = validateDatabase(migrate(raw as Record<string, unknown>, version), this.path);
    await copyFile(this.path, `${this.path}.v${version}.bak`);
    await this.db.adapter.write(migrated);
  }

  /**
   * A consistent copy of everything, read fresh from disk. Read into its own object, not the
   * shared `db.data`: two reads in flight at once could otherwise resolve out of order and hand
   * a caller the older file (a poll that started before a write, finishing after it).
   */
  async snapshot(): Promise<Metadata> {
    const data = (await this.db.adapter.read()) ?? this.db.data;
    const { schemaVersion: _version, ...metadata } = structuredClone(data);
    return metadata;
  }

  async list<C extends Collection>(collection: C, where: Partial<RecordOf<C>> = {}): Promise<Array<RecordOf<C>>> {
    const records = (await this.snapshot())[collection] as Array<RecordOf<C>>;
    const entries = Object.entries(where);
    return records.filter((record) => entries.every(([key, value]) => (record as Record<string, unknown>)[key] === value));
  }

  async find<C extends Collection>(collection: C, id: string): Promise<RecordOf<C> | undefined> {
    return ((await this.snapshot())[collection] as Array<RecordOf<C>>).find((record) => record.id === id);
  }

  async get<C extends Collection>(collection: C, id: string): Promise<RecordOf<C>> {
    const record = await this.find(collection, id);
    if (!record) throw notFound(collection, id);
    return record;
  }

  async create<C extends Collection>(collection: C, input: CreateInput<C>): Promise<RecordOf<C>> {
    return this.mutate((db) => {
      const now = this.now();
      const record = parseRecord(collection, { ...input, createdAt: now, updatedAt: now });
      if (db[collection].some((existing) => existing.id === record.id)) {
        throw new CohortError('ALREADY_EXISTS', `a ${RECORD_NAMES[collection]} with id "${record.id}" already exists`, {
          collection,
          id: record.id,
        });
      }
      (db[collection] as Array<RecordOf<C>>).push(record);
      return record;
    });
  }

  async update<C extends Collection>(collection: C, id: string, patch: UpdateInput<C>): Promise<RecordOf<C>> {
    return this.mutate((db) => {
      const records = db[collection] as Array<RecordOf<C>>;
      const index = records.findIndex((record) => record.id === id);
      if (index === -1) throw notFound(collection, id);
      const current = records[index]!;
      const record = parseRecord(collection, { ...current, ...patch, id, createdAt: current.createdAt, updatedAt: this.now() });
      records[index] = record;
      return record;
    });
  }

  /**
   * Deletes a record. If others depend on it (a project's experiments and runs, say), the
   * delete is refused unless `cascade` is set, which deletes them too. Returns what was removed.
   */
  async remove(collection: Collection, id: string, options: { cascade?: boolean } = {}): Promise<RecordRef[]> {
    return this.mutate((db) => {
      if (!db[collection].some((record) => record.id === id)) throw notFound(collection, id);
      const dependents = allDependents(db, collection, id);
      if (dependents.length > 0 && !options.cascade) {
        throw new CohortError(
          'HAS_DEPENDENTS',
          `${RECORD_NAMES[collection]} "${id}" still has ${describeRecords(dependents)}; delete with cascade to remove them too`,
          { collection, id, dependents },
        );
      }
      const removed = [{ collection, id }, ...dependents];
      removeRecords(db, removed);
      return removed;
    });
  }

  /**
   * Applies a change to a fresh copy under the lock; writes it only if every record is valid
   * and every reference resolves. On any error nothing is written.
   */
  async mutate<T>(change: (db: Metadata) => T): Promise<T> {
    return this.withLock(async () => {
      await this.db.read();
      const draft = structuredClone(this.db.data);
      const result = change(draft);
      const problems = findIntegrityProblems(draft);
      if (problems.length > 0) throw new CohortError('REFERENCE', problems.join('; '), { problems });
      const valid = validateDatabase(draft, this.path);
      await this.db.adapter.write(valid);
      this.db.data = valid;
      return result;
    });
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.path, {
        realpath: false,
        stale: this.lockStaleMs,
        retries: { retries: 200, factor: 1.2, minTimeout: 5, maxTimeout: 100 },
        // On a starved machine the lock's refresh can come late and another process may take
        // the lock as stale. The library's default is to throw from a timer, which kills the
        // process (a hub mid-run); the write itself is atomic either way, so carry on.
        onCompromised: () => undefined,
      });
    } catch (error) {
      throw new CohortError('STORE_LOCKED', `${this.path} is locked by another Cohort process (${(error as Error).message})`, {
        path: this.path,
      });
    }
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
    }
  }
}

/** Parses a record of a collection; a VALIDATION error names every problem. */
export function parseRecord<C extends Collection>(collection: C, input: unknown): RecordOf<C> {
  const result = SCHEMAS[collection].safeParse(input);
  if (!result.success) {
    const messages = result.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return `${where}${issue.message}`;
    });
    throw new CohortError('VALIDATION', `invalid ${RECORD_NAMES[collection]}: ${messages.join('; ')}`, {
      collection,
      issues: result.error.issues,
    });
  }
  return result.data as RecordOf<C>;
}

function notFound(collection: Collection, id: string): CohortError {
  return new CohortError('NOT_FOUND', `no ${RECORD_NAMES[collection]} with id "${id}"`, { collection, id });
}
