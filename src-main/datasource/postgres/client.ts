// A read-only session on a participant's PostgreSQL server (pg): every query runs inside a READ
// ONLY transaction with a statement timeout, and can be cancelled from outside.
import pg from 'pg';
import { CohortError } from '../../contract/errors';

export interface PgSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string | undefined;
  ssl: 'disable' | 'require' | 'verify-full';
  statementTimeoutSeconds: number;
}

/** Every value arrives as the server's text: numbers and booleans are read by Cohort (rows.ts). */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

export class PgSession {
  private cancelled = false;

  private constructor(
    readonly client: pg.Client,
    private readonly settings: PgSettings,
  ) {}

  static async open(settings: PgSettings): Promise<PgSession> {
    const client = new pg.Client({
      host: settings.host,
      port: settings.port,
      database: settings.database,
      user: settings.user,
      ...(settings.password === undefined ? {} : { password: settings.password }),
      ssl: settings.ssl === 'disable' ? false : { rejectUnauthorized: settings.ssl === 'verify-full' },
      connectionTimeoutMillis: 15_000,
      application_name: 'cohort',
      types: RAW_TEXT,
      // Belt and braces: the session's default is read-only too, not only the transaction.
      options: '-c default_transaction_read_only=on',
    });
    // A dropped connection must not crash the process; the pending query fails instead.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw connectionFailure(settings, error);
    }
    const session = new PgSession(client, settings);
    try {
      await client.query('BEGIN TRANSACTION READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.round(settings.statementTimeoutSeconds * 1000)}`);
    } catch (error) {
      await session.close();
      throw queryFailure(error);
    }
    return session;
  }

  /** Asks the server to stop this session's running query (from a second connection, as psql does). */
  async cancel(): Promise<void> {
    this.cancelled = true;
    const pid = (this.client as unknown as { processID?: number }).processID;
    if (pid === undefined) return;
    const other = new pg.Client({
      host: this.settings.host,
      port: this.settings.port,
      database: this.settings.database,
      user: this.settings.user,
      ...(this.settings.password === undefined ? {} : { password: this.settings.password }),
      ssl: this.settings.ssl === 'disable' ? false : { rejectUnauthorized: this.settings.ssl === 'verify-full' },
      connectionTimeoutMillis: 15_000,
    });
    other.on('error', () => undefined);
    try {
      await other.connect();
      await other.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The query may have ended already; closing the session below stops it in any case.
    } finally {
      await other.end().catch(() => undefined);
    }
  }

  get wasCancelled(): boolean {
    return this.cancelled;
  }

  async close(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}

export function connectionFailure(settings: PgSettings, error: unknown): CohortError {
  const message = error instanceof Error ? error.message : String(error);
  return new CohortError(
    'QUERY_FAILED',
    `could not connect to PostgreSQL at ${settings.host}:${settings.port} (database "${settings.database}", user "${settings.user}"): ${message}`,
  );
}

export function queryFailure(error: unknown): CohortError {
  if (error instanceof CohortError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const position = (error as { position?: string }).position;
  return new CohortError('QUERY_FAILED', `the query failed: ${message}${position ? ` (at character ${position})` : ''}`);
}

/** A small read-only query with parameters (a concept search, the list of schemas): rows as text. */
export async function queryRows(settings: PgSettings, sql: string, params: readonly unknown[] = []): Promise<Array<Array<string | null>>> {
  const session = await PgSession.open(settings);
  try {
    const result = await session.client.query({ text: sql, values: [...params], rowMode: 'array' });
    return result.rows as Array<Array<string | null>>;
  } catch (error) {
    throw queryFailure(error);
  } finally {
    await session.close();
  }
}

/** The server's version line, to show that a connection works. */
export async function serverVersion(settings: PgSettings): Promise<string> {
  const rows = await queryRows(settings, 'SELECT version()');
  return String(rows[0]?.[0] ?? '');
}
