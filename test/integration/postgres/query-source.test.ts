// A query on a real PostgreSQL server as a data source: profiled, previewed and loaded by the
// engine exactly as the same rows read from CSV; read-only; cancellable; precise errors.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CohortError } from '../../../src-main/contract/errors';
import { declareProfile } from '../../../src-main/core/data/declare';
import { openDataSource, openQuerySource } from '../../../src-main/datasource/data-source';
import type { PgSettings } from '../../../src-main/datasource/postgres/client';
import { DEMO_DATA } from '../../support/cli';
import { demoTable, loadDemoTables } from '../../support/demo-postgres';
import { startPostgres, type PostgresServer } from '../../support/postgres';

let server: PostgresServer;
let settings: PgSettings;

beforeAll(async () => {
  server = await startPostgres();
  await server.sql('CREATE DATABASE warehouse');
  const client = await server.client('warehouse');
  await loadDemoTables(client);
  await client.query("CREATE TABLE typed (id integer, flag boolean, ward text, score numeric(6,2), seen date, note text)");
  await client.query(`INSERT INTO typed VALUES
    (1, true, 'north', 1.50, '2024-01-02', 'NA'), (2, false, 'south', 2.25, '2024-02-03', 'x'),
    (3, NULL, 'north', NULL, NULL, NULL), (4, true, ' east ', 4.00, '2024-03-04', 'y')`);
  await client.end();
  settings = { host: server.host, port: server.port, database: 'warehouse', user: server.user, password: server.password, ssl: 'disable', statementTimeoutSeconds: 60 };
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const query = (sql: string, extra: Partial<Parameters<typeof openQuerySource>[2]> = {}) => openQuerySource(settings, sql, { name: 'query on "warehouse"', ...extra });

describe('a query as a data source', () => {
  it('declares exactly what the same rows declare from CSV', async () => {
    const csv = await (await openDataSource(join(DEMO_DATA, 'hospital-a', 'train.csv'))).inspect({ target: 'diagnosis' });
    const source = query(`SELECT * FROM ${demoTable('hospital-a', 'train')}`);
    try {
      const sql = await source.inspect({ target: 'diagnosis' });
      expect(sql.rows).toBe(csv.rows);
      expect(declareProfile('a', sql, 'classify', 5)).toEqual(declareProfile('a', csv, 'classify', 5));
      expect(sql.columns.map((column) => column.kind)).toEqual(csv.columns.map((column) => column.kind));
      const preview = await source.preview(3);
      expect(preview.header).toEqual(csv.columns.map((column) => column.name));
      expect(preview.rows).toHaveLength(3);
    } finally {
      await source.close();
    }
  });

  it('reads typed columns by Cohort\'s rules: booleans, numbers, text with missing tokens', async () => {
    const source = query('SELECT * FROM typed ORDER BY id');
    try {
      const profile = await source.inspect();
      const byName = Object.fromEntries(profile.columns.map((column) => [column.name, column]));
      expect(byName['flag']).toMatchObject({ kind: 'boolean', count: 3, missing: 1, levels: { false: 1, true: 2 } });
      expect(byName['score']).toMatchObject({ kind: 'numeric', count: 3, missing: 1, numeric: { min: 1.5, max: 4, sum: 7.75 } });
      expect(byName['ward']).toMatchObject({ kind: 'categorical', levels: { east: 1, north: 2, south: 1 } });
      expect(byName['note']).toMatchObject({ count: 2, missing: 2 });
      expect(byName['seen']).toMatchObject({ count: 3, missing: 1 });
      const { table } = await source.load({ flag: 'boolean', score: 'numeric', ward: 'categorical' });
      expect(Array.from((table.columns.get('flag') as { values: Float64Array }).values)).toEqual([1, 0, Number.NaN, 1]);
      expect(table.columns.get('ward')).toMatchObject({ codes: Int32Array.from([0, 1, 0, 2]), levels: ['north', 'south', 'east'] });
    } finally {
      await source.close();
    }
  });

  it('names a value that breaks a declared kind by its row and column', async () => {
    const source = query('SELECT id, note FROM typed ORDER BY id');
    try {
      await expect(source.inspect({ overrides: { kinds: { note: 'numeric' } } })).rejects.toThrow(
        'query on "warehouse", row 2, column 2 ("note"): expected a number (the column is numeric), found "x"',
      );
      await expect(source.load({ note: 'numeric' })).rejects.toMatchObject({ code: 'NOT_NUMERIC', location: { row: 2, column: 2, columnName: 'note' } });
    } finally {
      await source.close();
    }
  });

  it('runs read-only: a write is refused by the server', async () => {
    const source = query('INSERT INTO typed VALUES (9) RETURNING id');
    await expect(source.inspect()).rejects.toThrow(/read-only transaction/);
    await source.close();
    const client = await server.client('warehouse');
    const { rows } = await client.query('SELECT count(*)::int AS n FROM typed');
    await client.end();
    expect(rows[0].n).toBe(4);
  });

  it('says clearly what is wrong with a query, a missing target or a wrong password', async () => {
    await expect(query('SELECT * FROM no_such_table').inspect()).rejects.toThrow('the query failed: relation "no_such_table" does not exist');
    await expect(query('SELECT 1 AS a, 2 AS a').inspect()).rejects.toThrow('two columns named "a"');
    await expect(query('SELECT id FROM typed WHERE false').inspect()).rejects.toThrow('the query returned no rows');
    await expect(query('SELECT id FROM typed').inspect({ target: 'outcome' })).rejects.toThrow('the target column "outcome" is not among its columns (id)');
    const wrong = openQuerySource({ ...settings, password: 'wrong' }, 'SELECT 1', { name: 'q' });
    await expect(wrong.inspect()).rejects.toThrow(/could not connect to PostgreSQL at 127\.0\.0\.1:\d+ \(database "warehouse", user "cohort_test"\): password authentication failed/);
  });

  it('reports progress and can be cancelled while the server is still working', async () => {
    const progress: number[] = [];
    const done = query('SELECT g AS x FROM generate_series(1, 12000) g', { onProgress: (rows) => progress.push(rows) });
    expect((await done.inspect()).rows).toBe(12_000);
    await done.close();
    expect(progress).toEqual([5000, 10000, 12000]);

    const controller = new AbortController();
    const slow = query('SELECT pg_sleep(30), 1 AS x', { signal: controller.signal });
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const error = await slow.inspect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CohortError);
    expect((error as CohortError).code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
