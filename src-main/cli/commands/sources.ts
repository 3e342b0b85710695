// A participant's data sources from the command line: data tags (a file, or a query on a
// database connection), the connections themselves (passwords sealed with a passphrase), and
// the OMOP CDM person-level table helper. Everything is inspected here; only schemas are stored.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { connectionView } from '../../api/app/participant-data';
import { registerDataTag } from '../../api/records/data-tags';
import { slugId } from '../../api/app/ids';
import { passphraseBox } from '../../api/data/secrets';
import { connectionSettings, describeTagSource, withTagSource } from '../../api/data/tag-sources';
import { CohortError } from '../../contract/errors';
import { OmopDefinition } from '../../contract/omop';
import { TagKind, type TagSource } from '../../contract/records';
import { conceptSearchQuery, OMOP_SCHEMAS_QUERY, personTableQuery } from '../../core/omop/person-table';
import { queryRows, serverVersion } from '../../datasource/postgres/client';
import { collect, overridesFrom, parseKind } from '../options';
import { printJson, style, table } from '../output';
import { open, printRecord, withStore, type StoreFlags } from '../store-flags';
import { printProfile } from './data';

interface SecretFlags {
  passphraseFile?: string;
}

function withSecrets(command: Command): Command {
  return command.option('--passphrase-file <file>', 'the passphrase that seals database passwords (default: $COHORT_SECRETS_PASSPHRASE)');
}

/** A query from --query or --query-file. */
async function queryFrom(flags: { query?: string; queryFile?: string }): Promise<string | undefined> {
  if (flags.query !== undefined && flags.queryFile !== undefined) throw new CohortError('BAD_INPUT', 'give --query or --query-file, not both');
  return flags.queryFile !== undefined ? readFile(flags.queryFile, 'utf8') : flags.query;
}

export function tagCommand(): Command {
  const command = new Command('tag').description("a participant's data tags: which local file or query is train, evaluate or predict data");
  withSecrets(
    withStore(
      command
        .command('add')
        .description('register a CSV or Parquet file, or a query on a database connection (inspected here; only its schema is stored)')
        .argument('[file]', 'a CSV or Parquet file'),
    ),
  )
    .requiredOption('--project <id>', 'the project')
    .requiredOption('--participant <id>', 'this participant')
    .addOption(new Option('--kind <kind>', 'what the data is for').choices(TagKind.options).makeOptionMandatory())
    .option('--connection <id>', 'a database connection (see `cohort connection`), with --query or --query-file')
    .option('--query <sql>', 'a read-only SELECT whose rows are the data')
    .option('--query-file <file>', 'the query, from a file')
    .option('--column-kind <column=kind>', 'declare a column kind (repeatable)', parseKind)
    .option('--exclude <column>', 'leave a column out of the features (repeatable)', collect)
    .option('--include <column>', 'use a column that looks like a quasi-identifier (a name, date, postcode, free text) anyway (repeatable)', collect)
    .option('--id <id>', 'id (default: participant.project.kind)')
    .action(
      async (
        file: string | undefined,
        flags: StoreFlags &
          SecretFlags & {
            project: string;
            participant: string;
            kind: 'train' | 'evaluate' | 'predict';
            connection?: string;
            query?: string;
            queryFile?: string;
            columnKind?: Array<[string, string]>;
            exclude?: string[];
            include?: string[];
            id?: string;
          },
      ) => {
        const query = await queryFrom(flags);
        let source: TagSource;
        if (file !== undefined) {
          if (flags.connection !== undefined || query !== undefined) throw new CohortError('BAD_INPUT', 'give a file, or --connection with --query, not both');
          source = { type: 'file', path: resolve(file) };
        } else if (flags.connection !== undefined && query !== undefined) {
          source = { type: 'query', connectionId: flags.connection, query };
        } else {
          throw new CohortError('BAD_INPUT', 'give a file, or --connection with --query (or --query-file)');
        }
        const store = await open(flags);
        const secrets = await passphraseBox(flags.passphraseFile);
        // A long query says how far it got (on a terminal); Ctrl+C stops it.
        const onProgress = process.stderr.isTTY && !flags.json ? (rows: number) => process.stderr.write(`\r${style.dim(`${rows.toLocaleString('en')} rows read…`)}`) : undefined;
        const overrides = overridesFrom({ kind: flags.columnKind ?? [], exclude: flags.exclude ?? [] });
        const { tag: record, created } = await registerDataTag(store, {
          participantId: flags.participant,
          projectId: flags.project,
          kind: flags.kind,
          source,
          columnKinds: overrides.kinds ?? {},
          exclude: overrides.exclude ?? [],
          include: flags.include ?? [],
          sourceOptions: { secrets, ...(onProgress ? { onProgress } : {}) },
          ...(file === undefined ? {} : { displayName: file }),
          ...(flags.id === undefined ? {} : { id: flags.id }),
        });
        if (onProgress) process.stderr.write('\r\x1b[K');
        const existing = !created;
        printRecord(flags, record, existing ? 'updated data tag' : 'registered data tag');
      },
    );

  withStore(command.command('list').description('list data tags'))
    .option('--project <id>', 'only this project')
    .action(async (flags: StoreFlags & { project?: string }) => {
      const store = await open(flags);
      const records = await store.list('dataTags', flags.project === undefined ? {} : { projectId: flags.project });
      const connections = await store.list('connections');
      if (flags.json) return printJson(records);
      if (records.length === 0) return console.log(style.dim('no data tags yet'));
      console.log(
        table(
          ['id', 'kind', 'project', 'participant', 'rows', 'source'],
          records.map((record) => [record.id, record.kind, record.projectId, record.participantId, record.rows, describeTagSource(record.source, connections)]),
        ),
      );
    });
  withStore(command.command('show').description('show one data tag').argument('<id>')).action(async (id: string, flags: StoreFlags) => {
    printJson(await (await open(flags)).get('dataTags', id));
  });
  withStore(command.command('delete').description('delete a data tag').argument('<id>')).action(async (id: string, flags: StoreFlags) => {
    const removed = await (await open(flags)).remove('dataTags', id);
    if (flags.json) printJson({ removed });
    else console.log(`${style.ok('✓')} deleted data tag ${id}`);
  });
  return command;
}

export function connectionCommand(): Command {
  const command = new Command('connection').description("this participant's database connections (PostgreSQL); passwords are sealed at rest");
  withSecrets(withStore(command.command('add').description('add or replace a PostgreSQL connection')))
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--host <host>', 'server host')
    .option('--port <port>', 'server port', (value) => Number.parseInt(value, 10), 5432)
    .requiredOption('--database <name>', 'database')
    .requiredOption('--user <name>', 'user (a read-only role is best)')
    .option('--password-file <file>', 'read the password from this file (it is sealed with the passphrase before it is stored)')
    .option('--password-env <variable>', 'read the password from this environment variable')
    .addOption(new Option('--ssl <mode>', 'TLS to the server').choices(['disable', 'require', 'verify-full']).default('disable'))
    .option('--id <id>', 'id (default: from the name)')
    .action(
      async (
        flags: StoreFlags &
          SecretFlags & { name: string; host: string; port: number; database: string; user: string; passwordFile?: string; passwordEnv?: string; ssl: 'disable' | 'require' | 'verify-full'; id?: string },
      ) => {
        const store = await open(flags);
        const password =
          flags.passwordFile !== undefined
            ? (await readFile(flags.passwordFile, 'utf8')).replace(/\r?\n$/, '')
            : flags.passwordEnv !== undefined
              ? process.env[flags.passwordEnv]
              : undefined;
        if (flags.passwordEnv !== undefined && password === undefined) throw new CohortError('BAD_INPUT', `the environment variable ${flags.passwordEnv} is not set`);
        const sealed = password === undefined ? undefined : await (await passphraseBox(flags.passphraseFile)).seal(password);
        const id = flags.id ?? slugId(flags.name);
        const fields = { name: flags.name, host: flags.host, port: flags.port, database: flags.database, user: flags.user, ssl: flags.ssl, ...(sealed ? { password: sealed } : {}) };
        const existing = await store.find('connections', id);
        const record = existing ? await store.update('connections', id, fields) : await store.create('connections', { id, ...fields });
        if (flags.json) printJson(connectionView(record));
        else printRecord(flags, record, existing ? 'updated connection' : 'added connection');
      },
    );
  withStore(command.command('list').description('list connections (never their passwords)')).action(async (flags: StoreFlags) => {
    const records = (await (await open(flags)).list('connections')).map(connectionView);
    if (flags.json) return printJson(records);
    if (records.length === 0) return console.log(style.dim('no connections yet'));
    console.log(table(['id', 'name', 'server', 'database', 'user', 'password'], records.map((r) => [r.id, r.name, `${r.host}:${r.port}`, r.database, r.user, r.hasPassword ? 'sealed' : 'none'])));
  });
  withSecrets(withStore(command.command('test').description('connect and print the server version').argument('<id>'))).action(async (id: string, flags: StoreFlags & SecretFlags) => {
    const store = await open(flags);
    const version = await serverVersion(await connectionSettings(await store.get('connections', id), await passphraseBox(flags.passphraseFile)));
    if (flags.json) printJson({ server: version });
    else console.log(`${style.ok('✓')} ${version}`);
  });
  withStore(command.command('delete').description('delete a connection').argument('<id>')).action(async (id: string, flags: StoreFlags) => {
    const removed = await (await open(flags)).remove('connections', id);
    if (flags.json) printJson({ removed });
    else console.log(`${style.ok('✓')} deleted connection ${id}`);
  });
  return command;
}

export function omopCommand(): Command {
  const command = new Command('omop').description('person-level tables from an OMOP CDM v5.4 schema, by concept ids');
  withSecrets(withStore(command.command('schemas').description('the schemas of a connection that hold OMOP CDM tables').requiredOption('--connection <id>', 'the connection'))).action(
    async (flags: StoreFlags & SecretFlags & { connection: string }) => {
      const store = await open(flags);
      const rows = await queryRows(await connectionSettings(await store.get('connections', flags.connection), await passphraseBox(flags.passphraseFile)), OMOP_SCHEMAS_QUERY);
      const schemas = rows.map((row) => String(row[0]));
      if (flags.json) printJson(schemas);
      else console.log(schemas.join('\n') || style.dim('no OMOP CDM schema found'));
    },
  );
  withSecrets(
    withStore(
      command
        .command('concepts')
        .description('search the concept table by name, code or id')
        .argument('<search>')
        .requiredOption('--connection <id>', 'the connection')
        .requiredOption('--schema <name>', 'the schema holding the vocabulary')
        .option('--domain <domain>', 'only this domain (Condition, Measurement, Drug, ...)'),
    ),
  ).action(async (search: string, flags: StoreFlags & SecretFlags & { connection: string; schema: string; domain?: string }) => {
    const store = await open(flags);
    const settings = await connectionSettings(await store.get('connections', flags.connection), await passphraseBox(flags.passphraseFile));
    const schemas = (await queryRows(settings, OMOP_SCHEMAS_QUERY)).map((row) => String(row[0]));
    if (!schemas.includes(flags.schema)) throw new CohortError('NOT_FOUND', `no OMOP CDM schema named "${flags.schema}" (found: ${schemas.join(', ') || 'none'})`);
    const params = [`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, search, ...(flags.domain ? [flags.domain] : [])];
    const rows = await queryRows(settings, conceptSearchQuery(flags.schema, flags.domain), params);
    if (flags.json) return printJson(rows.map((row) => ({ conceptId: Number(row[0]), name: row[1], domain: row[2], vocabulary: row[3], code: row[4], standard: row[5] === 'S' })));
    console.log(table(['concept id', 'name', 'domain', 'vocabulary', 'code', 'standard'], rows.map((row) => [row[0] ?? '', row[1] ?? '', row[2] ?? '', row[3] ?? '', row[4] ?? '', row[5] === 'S' ? 'yes' : ''])));
  });
  withSecrets(
    withStore(
      command
        .command('build')
        .description('build the person-level query of a definition (JSON), print it, and summarise its table')
        .argument('<definition>', 'a JSON file: schema, cohort, lookbackDays, features, outcome (see README)')
        .requiredOption('--connection <id>', 'the connection')
        .option('--sql', 'print only the query'),
    ),
  ).action(async (file: string, flags: StoreFlags & SecretFlags & { connection: string; sql?: boolean }) => {
    const definition = OmopDefinition.parse(JSON.parse(await readFile(file, 'utf8')));
    const query = personTableQuery(definition);
    if (flags.sql) return console.log(query);
    const store = await open(flags);
    const profile = await withTagSource(store, { type: 'query', connectionId: flags.connection, query }, { secrets: await passphraseBox(flags.passphraseFile) }, (opened) =>
      opened.inspect({ target: definition.outcome.name }),
    );
    if (flags.json) printJson({ query, profile });
    else printProfile(profile);
  });
  return command;
}
