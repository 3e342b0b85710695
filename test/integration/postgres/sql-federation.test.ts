// Acceptance: the breast-cancer demo loaded into PostgreSQL as three hospitals' tables. A
// federated run whose data tags are SQL queries (each participant's own connection, its
// password sealed at rest) gives exactly the alignment fingerprint and metrics of the CSV run.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STORE_FILE } from '../../../src-main/store/metadata-store';
import type { RunResult } from '../../../src-main/contract/results';
import { populate, startAppFederation } from '../../support/app-federation';
import { DEMO_HOSPITALS, demoTable, loadDemoTables } from '../../support/demo-postgres';
import { startPostgres, type PostgresServer } from '../../support/postgres';

let server: PostgresServer;
const previousPassphrase = process.env['COHORT_SECRETS_PASSPHRASE'];

beforeAll(async () => {
  server = await startPostgres();
  await server.sql('CREATE DATABASE warehouse');
  const client = await server.client('warehouse');
  await loadDemoTables(client);
  await client.end();
  process.env['COHORT_SECRETS_PASSPHRASE'] = 'a passphrase for the tests';
}, 120_000);

afterAll(async () => {
  if (previousPassphrase === undefined) delete process.env['COHORT_SECRETS_PASSPHRASE'];
  else process.env['COHORT_SECRETS_PASSPHRASE'] = previousPassphrase;
  await server?.stop();
});

async function run(kind: 'csv' | 'sql'): Promise<{ result: RunResult; stores: string[] }> {
  // The apps are driven by API only: their UI servers serve an empty folder.
  const federation = await startAppFederation(DEMO_HOSPITALS, { rendererRoot: await mkdtemp(join(tmpdir(), 'cohort-no-ui-')) });
  try {
    const populated = await populate(federation, {
      train: true,
      rounds: 5,
      ...(kind === 'sql'
        ? {
            register: async (participant, hospital, projectId) => {
              const connection = await participant.client.call('connections.save', {
                name: 'Clinical warehouse',
                host: server.host,
                port: server.port,
                database: 'warehouse',
                user: server.user,
                password: server.password,
              });
              expect(connection).toMatchObject({ id: 'clinical-warehouse', hasPassword: true });
              expect(connection).not.toHaveProperty('password');
              for (const tag of ['train', 'evaluate'] as const) {
                await participant.client.call('tags.register', {
                  projectId,
                  kind: tag,
                  source: { type: 'query', connectionId: connection.id, query: `SELECT * FROM ${demoTable(hospital, tag)}` },
                });
              }
            },
          }
        : {}),
    });
    const stores = await Promise.all(federation.participants.map((participant) => readFile(join(participant.dataDir, STORE_FILE), 'utf8')));
    return { result: populated.result!, stores };
  } finally {
    await federation.close();
  }
}

it('a federated run on SQL tags matches the CSV run exactly', async () => {
  const csv = await run('csv');
  const sql = await run('sql');
  expect(csv.result.status).toBe('completed');
  expect(sql.result.status).toBe('completed');
  expect(sql.result.alignmentFingerprint).toMatch(/^[0-9a-f]{64}$/);
  expect(sql.result.alignmentFingerprint).toBe(csv.result.alignmentFingerprint);
  expect(sql.result.features).toEqual(csv.result.features);
  expect(sql.result.evaluation).toEqual(csv.result.evaluation);
  expect(sql.result.rounds.map((round) => round.evaluate)).toEqual(csv.result.rounds.map((round) => round.evaluate));
  expect(sql.result.rounds.map((round) => round.trainLoss)).toEqual(csv.result.rounds.map((round) => round.trainLoss));
  // The password is sealed in the participant's store, never in clear.
  for (const store of sql.stores) {
    expect(store).not.toContain(server.password);
    expect(JSON.parse(store).connections[0].password.scheme).toBe('passphrase');
  }
}, 300_000);
