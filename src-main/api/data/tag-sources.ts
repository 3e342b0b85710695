// Opens a data tag's source: its file, or its query on one of the participant's database
// connections (the password unsealed here, for this query only). Paths, queries and passwords
// stay on this machine.
import type { DbConnection, TagSource } from '../../contract/records';
import { openDataSource, openQuerySource, type DataSource } from '../../datasource/data-source';
import type { PgSettings } from '../../datasource/postgres/client';
import type { StageOptions } from '../../datasource/postgres/stage-query';
import type { MetadataStore } from '../../store/metadata-store';
import { LOCKED_SECRET_BOX, type SecretBox } from './secrets';

export interface OpenSourceOptions extends StageOptions {
  secrets?: SecretBox;
  /** How a file is named in messages (defaults to its path). */
  displayName?: string;
}

export async function connectionSettings(connection: DbConnection, secrets: SecretBox = LOCKED_SECRET_BOX): Promise<PgSettings> {
  return {
    host: connection.host,
    port: connection.port,
    database: connection.database,
    user: connection.user,
    password: connection.password ? await secrets.open(connection.password) : undefined,
    ssl: connection.ssl,
    statementTimeoutSeconds: connection.statementTimeoutSeconds,
  };
}

export async function openTagSource(store: MetadataStore, source: TagSource, options: OpenSourceOptions = {}): Promise<DataSource> {
  if (source.type === 'file') return openDataSource(source.path, options.displayName ?? source.path);
  const connection = await store.get('connections', source.connectionId);
  const { secrets, displayName: _displayName, ...stage } = options;
  return openQuerySource(await connectionSettings(connection, secrets), source.query, { ...stage, name: describeQuery(connection) });
}

/** How a query is named in messages: never the query itself, which may be long. */
export function describeQuery(connection: Pick<DbConnection, 'name'>): string {
  return `query on "${connection.name}"`;
}

/** A tag's source in a line, for its owner. */
export function describeTagSource(source: TagSource, connections: readonly Pick<DbConnection, 'id' | 'name'>[] = []): string {
  if (source.type === 'file') return source.path;
  const connection = connections.find((candidate) => candidate.id === source.connectionId);
  return describeQuery(connection ?? { name: source.connectionId });
}

/** Opens, uses and always closes a source. */
export async function withTagSource<T>(store: MetadataStore, source: TagSource, options: OpenSourceOptions, work: (source: DataSource) => Promise<T>): Promise<T> {
  const opened = await openTagSource(store, source, options);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
