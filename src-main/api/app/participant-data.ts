// The participant's data commands: previewing a file or a query (with progress, cancellable),
// its database connections (passwords sealed at rest), and the OMOP person-level table helper.
// Paths, queries, passwords and rows stay on this machine.
import { resolve } from 'node:path';
import type { ApiTypes, AppEvent } from '../../contract/api';
import { CohortError } from '../../contract/errors';
import type { DbConnection, TagSource } from '../../contract/records';
import type { ColumnOverrides } from '../../core/data/profile';
import { conceptSearchQuery, OMOP_SCHEMAS_QUERY, personTableQuery } from '../../core/omop/person-table';
import type { DataSource } from '../../datasource/data-source';
import { queryRows, serverVersion } from '../../datasource/postgres/client';
import type { MetadataStore } from '../../store/metadata-store';
import type { SecretBox } from '../data/secrets';
import { connectionSettings, openTagSource } from '../data/tag-sources';
import { settingsFor } from '../records/owner-settings';
import type { Handlers } from './dispatch';
import { slugId } from './ids';

export type DataCommands =
  | 'data.preview'
  | 'data.cancel'
  | 'connections.list'
  | 'connections.save'
  | 'connections.delete'
  | 'connections.test'
  | 'omop.schemas'
  | 'omop.concepts'
  | 'omop.build';

const PREVIEW_ROWS = 10;

/** A request's source: `path` (a file, resolved here) or `source`. */
export function sourceOf(input: { path?: string | undefined; source?: TagSource | undefined }): TagSource {
  if (input.source && input.path !== undefined) throw new CohortError('BAD_INPUT', 'give a file path or a source, not both');
  if (input.source) return input.source.type === 'file' ? { type: 'file', path: resolve(input.source.path) } : input.source;
  if (input.path !== undefined) return { type: 'file', path: resolve(input.path) };
  throw new CohortError('BAD_INPUT', 'give a file path or a query on a connection');
}

export function connectionView(connection: DbConnection): ApiTypes['ConnectionView'] {
  const { password, ...rest } = connection;
  return { ...rest, hasPassword: password !== undefined };
}

export class DataRequests {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly store: MetadataStore,
    private readonly secrets: SecretBox,
    private readonly emit: (event: AppEvent) => void,
  ) {}

  /** Opens a source for one request: progress events and cancellation under its id. */
  async use<T>(source: TagSource, requestId: string | undefined, work: (opened: DataSource) => Promise<T>, displayName?: string): Promise<T> {
    const controller = new AbortController();
    if (requestId !== undefined) this.running.set(requestId, controller);
    const opened = await openTagSource(this.store, source, {
      secrets: this.secrets,
      signal: controller.signal,
      ...(displayName === undefined ? {} : { displayName }),
      ...(requestId === undefined ? {} : { onProgress: (rows: number) => this.emit({ type: 'progress', requestId, rows }) }),
    });
    try {
      return await work(opened);
    } finally {
      if (requestId !== undefined) this.running.delete(requestId);
      await opened.close();
    }
  }

  cancel(requestId: string): boolean {
    const controller = this.running.get(requestId);
    controller?.abort();
    return controller !== undefined;
  }

  /** A source's profile under the owner's disclosure rules (`overrides`), and its first rows. */
  async preview(opened: DataSource, target: string | undefined, overrides: ColumnOverrides = {}): Promise<ApiTypes['DataPreview']> {
    const profile = await opened.inspect({ overrides, ...(target === undefined ? {} : { target }) });
    const { header, rows } = await opened.preview(PREVIEW_ROWS);
    return { profile, header, rows };
  }
}

export function dataHandlers(store: MetadataStore, secrets: SecretBox, requests: DataRequests, changed: (what: 'connections') => void): Pick<Handlers, DataCommands> {
  const settingsOf = async (id: string) => connectionSettings(await store.get('connections', id), secrets);
  const targetOf = async (projectId: string | undefined, kind: string | undefined) =>
    projectId && kind !== 'predict' ? (await store.get('projects', projectId)).targetColumn : undefined;

  return {
    'data.preview': async ({ path, source, projectId, kind, requestId, include }) => {
      const target = await targetOf(projectId, kind);
      // Shown as it would leave: the project's (or this computer's) minimum cell count, the columns included anyway.
      const { minCellCount } = settingsFor(await store.snapshot(), projectId);
      return requests.use(sourceOf({ path, source }), requestId, (opened) => requests.preview(opened, target, { include: include ?? [], minCellCount }), path);
    },

    'data.cancel': async ({ requestId }) => ({ cancelled: requests.cancel(requestId) }),

    'connections.list': async () => (await store.list('connections')).map(connectionView),

    'connections.save': async ({ id, password, ...fields }) => {
      const existing = id === undefined ? undefined : await store.find('connections', id);
      const sealed = password === undefined ? existing?.password : password === '' ? undefined : await secrets.seal(password);
      const saved = existing
        ? await store.update('connections', existing.id, { ...fields, password: sealed })
        : await store.create('connections', { id: id ?? slugId(fields.name), ...fields, ...(sealed === undefined ? {} : { password: sealed }) });
      changed('connections');
      return connectionView(saved);
    },

    'connections.delete': async ({ id }) => {
      const removed = await store.remove('connections', id);
      changed('connections');
      return { removed };
    },

    'connections.test': async ({ id }) => ({ server: await serverVersion(await settingsOf(id)) }),

    'omop.schemas': async ({ connectionId }) => (await queryRows(await settingsOf(connectionId), OMOP_SCHEMAS_QUERY)).map((row) => String(row[0])),

    'omop.concepts': async ({ connectionId, schema, search, domain }) => {
      const safeSchema = ((await queryRows(await settingsOf(connectionId), OMOP_SCHEMAS_QUERY)).map((row) => String(row[0]))).find((name) => name === schema);
      if (!safeSchema) throw new CohortError('NOT_FOUND', `no OMOP CDM schema named "${schema}" on this connection`);
      const params = [`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, search, ...(domain ? [domain] : [])];
      const rows = await queryRows(await settingsOf(connectionId), conceptSearchQuery(safeSchema, domain), params);
      return rows.map((row) => ({
        conceptId: Number(row[0]),
        name: String(row[1] ?? ''),
        domain: String(row[2] ?? ''),
        vocabulary: String(row[3] ?? ''),
        code: String(row[4] ?? ''),
        standard: row[5] === 'S',
      }));
    },

    'omop.build': async ({ connectionId, definition, projectId, requestId }) => {
      const query = personTableQuery(definition);
      const target = projectId ? (await store.get('projects', projectId)).targetColumn : undefined;
      const preview = await requests.use({ type: 'query', connectionId, query }, requestId, (opened) => requests.preview(opened, target));
      return { query, preview };
    },
  };
}
