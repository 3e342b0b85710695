// A real PostgreSQL server for tests: Debian's `postgresql` package, a fresh cluster in a temp
// folder, started on a free port of 127.0.0.1 with password (SCRAM) authentication, stopped
// afterwards. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
// Without the package the tests fail loudly: `.ci/run` installs it.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** A client on `database` (or another), for setting up test data. */
  client(database?: string): Promise<pg.Client>;
  /** Runs SQL (several statements allowed) on `database`. */
  sql(text: string, database?: string): Promise<void>;
  stop(): Promise<void>;
}

function binaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'postgres'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) {
    throw new Error(
      'PostgreSQL is not installed, and these tests need a real server: run `apt-get install -y postgresql` (.ci/run does this)',
    );
  }
  return join(root, newest, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binaries();
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'cohort-pg-'));
  const data = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const user = 'cohort_test';
  await writeFile(join(dir, 'pwfile'), `${password}\n`);
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(group.trim()));
    await chown(join(dir, 'pwfile'), Number(stdout.trim()), Number(group.trim()));
  }
  await chmod(dir, 0o700);
  const as = (command: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args));

  await as(join(bin, 'initdb'), ['-D', data, '-U', user, '--pwfile', join(dir, 'pwfile'), '-A', 'scram-sha-256', '-E', 'UTF8', '--no-sync', '--locale', 'C']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
  await as(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);

  const host = '127.0.0.1';
  const database = 'postgres';
  const client = async (db = database) => {
    const c = new pg.Client({ host, port, user, password, database: db });
    await c.connect();
    return c;
  };
  let stopped = false;
  return {
    host,
    port,
    user,
    password,
    database,
    client,
    async sql(text, db) {
      const c = await client(db);
      try {
        await c.query(text);
      } finally {
        await c.end();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await as(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
