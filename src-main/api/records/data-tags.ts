// Registering local data (a CSV or Parquet file, or a query on a database connection) as a
// project's train, evaluate or predict data: one operation for the app, the command line and
// the simulation. The data is inspected here with the owner's choices and disclosure rules;
// only its schema is stored, and nothing leaves the machine.
import type { DataProfile } from '../../contract/data';
import { CohortError } from '../../contract/errors';
import { ColumnKind, type DataTag, type DeclaredColumn, type TagKind, type TagSource } from '../../contract/records';
import { quasiIdentifierReason } from '../../core/disclosure/quasi-identifiers';
import type { DataSource } from '../../datasource/data-source';
import type { MetadataStore } from '../../store/metadata-store';
import { describeTagSource, withTagSource, type OpenSourceOptions } from '../data/tag-sources';
import { settingsFor } from './owner-settings';

/** Opens a source for the duration of `work` (the app's opener reports progress and can cancel). */
export type SourceOpener = <T>(source: TagSource, work: (opened: DataSource) => Promise<T>) => Promise<T>;

export interface DataTagInput {
  participantId: string;
  projectId: string;
  kind: TagKind;
  source: TagSource;
  /** How a file is named in messages (default: its path). */
  displayName?: string;
  columnKinds?: Readonly<Record<string, ColumnKind>>;
  exclude?: readonly string[];
  /** Columns included although they look like quasi-identifiers. */
  include?: readonly string[];
  id?: string;
  maxBytes?: number;
  /** How the source is opened (default: withTagSource with these options). */
  open?: SourceOpener;
  sourceOptions?: OpenSourceOptions;
}

export interface RegisteredTag {
  tag: DataTag;
  profile: DataProfile;
  created: boolean;
}

export function defaultTagId(participantId: string, projectId: string, kind: TagKind): string {
  return `${participantId}.${projectId}.${kind}`.slice(0, 64);
}

/** Inspects the data with the owner's choices and the project's disclosure rules, as registering would. */
export async function inspectForProject(store: MetadataStore, input: Omit<DataTagInput, 'participantId' | 'id'>): Promise<DataProfile> {
  const db = await store.snapshot();
  const project = db.projects.find((candidate) => candidate.id === input.projectId);
  if (!project) throw new CohortError('NOT_FOUND', `no project with id "${input.projectId}"`);
  const { minCellCount } = settingsFor(db, project.id);
  const withTarget = input.kind !== 'predict';
  const name = input.displayName ?? describeTagSource(input.source, db.connections);
  const open: SourceOpener =
    input.open ?? ((source, work) => withTagSource(store, source, { ...input.sourceOptions, ...(input.displayName === undefined ? {} : { displayName: input.displayName }) }, work));
  const profile = await open(input.source, (opened) =>
    opened.inspect({
      overrides: { kinds: { ...(input.columnKinds ?? {}) }, exclude: input.exclude ?? [], include: input.include ?? [], minCellCount },
      ...(withTarget ? { target: project.targetColumn } : {}),
      ...(input.maxBytes === undefined ? {} : { maxBytes: input.maxBytes }),
    }),
  );
  if (withTarget) requireUsableTarget(profile, project.targetColumn, name);
  if (input.kind !== 'predict' && profile.rows < minCellCount) {
    throw new CohortError(
      'TOO_FEW_ROWS',
      `${name} has ${profile.rows} row${profile.rows === 1 ? '' : 's'}; ${input.kind} data needs at least ${minCellCount} ` +
        `(this project's minimum cell count), so that no figure computed from it describes fewer patients`,
    );
  }
  return profile;
}

export async function registerDataTag(store: MetadataStore, input: DataTagInput): Promise<RegisteredTag> {
  const profile = await inspectForProject(store, input);
  const project = await store.get('projects', input.projectId);
  const include = new Set(input.include ?? []);
  const columns: DeclaredColumn[] = profile.columns.map((column) => ({
    name: column.name,
    kind: ColumnKind.parse(column.kind),
    excluded: column.excluded,
    included: include.has(column.name) && column.quasiIdentifier !== undefined,
  }));
  const id = input.id ?? defaultTagId(input.participantId, input.projectId, input.kind);
  const fields = {
    projectId: project.id,
    participantId: input.participantId,
    kind: input.kind,
    source: input.source,
    columns,
    rows: profile.rows,
    ...(input.kind === 'predict' ? {} : { targetColumn: project.targetColumn }),
  };
  const existing = await store.find('dataTags', id);
  const tag = existing ? await store.update('dataTags', id, fields) : await store.create('dataTags', { id, ...fields });
  return { tag, profile, created: !existing };
}

/**
 * A target that would single patients out (a name, a date, free text) is refused: training
 * to predict it would carry it into the model, and its labels would be declared.
 */
export function requireUsableTarget(profile: DataProfile, target: string, name: string): void {
  const column = profile.columns.find((candidate) => candidate.name === target);
  if (!column) return; // the reader already refused a missing target
  const reason = column.kind === 'identifier' ? 'it looks like an identifier' : quasiIdentifierReason({ ...column, excluded: false }, { target: true });
  if (reason !== undefined) {
    throw new CohortError('BAD_INPUT', `${name}: the project's target "${target}" cannot be used: ${reason}. Ask the orchestrator to check the project's target`);
  }
}
