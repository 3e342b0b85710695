import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../support/postgres';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

it('starts a private server with password authentication', async () => {
  const client = await server.client();
  const { rows } = await client.query('SELECT 1 + 1 AS two');
  await client.end();
  expect(rows[0].two).toBe(2);
});
