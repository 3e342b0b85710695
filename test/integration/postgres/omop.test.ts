// Acceptance: a synthetic OMOP CDM per hospital (three schemas, different local visit patterns
// and source codes, the same standard concepts). The OMOP helper builds each hospital's
// person-level table; the tables equal hand-computed rows, line up in the federated alignment,
// and a federated logistic regression recovers the signs of the effects the data were made with.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OmopDefinition } from '../../../src-main/contract/omop';
import { personTableColumns, personTableQuery } from '../../../src-main/core/omop/person-table';
import { openQuerySource } from '../../../src-main/datasource/data-source';
import type { PgSettings } from '../../../src-main/datasource/postgres/client';
import { approveAll, startAppFederation, waitForRun } from '../../support/app-federation';
import { addDays, CONCEPTS, generateSite, loadSite, type SitePattern, type SyntheticSite } from '../../support/omop-synthetic';
import { startPostgres, type PostgresServer } from '../../support/postgres';

const SITES: Array<{ schema: string; pattern: SitePattern; seed: number; firstId: number }> = [
  { schema: 'site_a', pattern: 'single', seed: 11, firstId: 1 },
  { schema: 'site_b', pattern: 'monthly', seed: 22, firstId: 10_001 },
  { schema: 'site_c', pattern: 'sparse', seed: 33, firstId: 20_001 },
];
const PERSONS = 300;

const definitionFor = (schema: string) =>
  OmopDefinition.parse({
    schema,
    cohort: { conceptIds: [CONCEPTS.type2Diabetes] },
    lookbackDays: 365,
    features: {
      measurements: [{ name: 'hba1c', conceptIds: [CONCEPTS.hba1c] }],
      conditions: [{ name: 'hypertension', conceptIds: [CONCEPTS.hypertension] }],
      drugs: [{ name: 'statin', conceptIds: [CONCEPTS.atorvastatin] }],
    },
    outcome: { conceptIds: [CONCEPTS.myocardialInfarction], windowDays: 365 },
  });

/** Two persons written by hand into site A, with their rows worked out by hand. */
function addHandBuiltPersons(site: SyntheticSite): void {
  site.persons.push({ personId: 9001, male: true, yearOfBirth: 1950, indexDate: '2020-03-01' }, { personId: 9002, male: false, yearOfBirth: 1960, indexDate: '2019-07-10' });
  site.conditions.push(
    { personId: 9001, conceptId: CONCEPTS.type2Diabetes, date: '2021-01-01', source: 'E11' },
    { personId: 9001, conceptId: CONCEPTS.type2Diabetes, date: '2020-03-01', source: 'E11' }, // the first: the index date
    { personId: 9001, conceptId: CONCEPTS.hypertension, date: '2019-06-01', source: 'I10' }, // in the year before
    { personId: 9001, conceptId: CONCEPTS.myocardialInfarction, date: '2020-12-01', source: 'I21' }, // 275 days after: outcome
    { personId: 9002, conceptId: CONCEPTS.type2Diabetes, date: '2019-07-10', source: 'E11' },
    { personId: 9002, conceptId: CONCEPTS.hypertension, date: '2017-01-01', source: 'I10' }, // too early
    { personId: 9002, conceptId: CONCEPTS.myocardialInfarction, date: '2020-08-01', source: 'I21' }, // 388 days after: too late
  );
  site.measurements.push(
    { personId: 9001, conceptId: CONCEPTS.hba1c, date: '2019-01-01', value: 9.9, source: 'A1C' }, // outside the window
    { personId: 9001, conceptId: CONCEPTS.hba1c, date: '2020-01-15', value: 7.1, source: 'A1C' },
    { personId: 9001, conceptId: CONCEPTS.hba1c, date: '2020-02-20', value: 8.4, source: 'A1C' }, // the latest in the window
    { personId: 9001, conceptId: CONCEPTS.hba1c, date: '2020-03-05', value: 6, source: 'A1C' }, // after the index date
    { personId: 9001, conceptId: CONCEPTS.ldl, date: '2020-02-25', value: 130, source: 'LDL' }, // another lab
  );
  site.drugs.push({ personId: 9002, conceptId: CONCEPTS.atorvastatin, date: '2019-07-10', source: 'atorva' }); // on the index date: counts
}

const HAND_COMPUTED = [
  { person_id: 9001, age: 70, sex_male: 1, hba1c: 8.4, hypertension: 1, statin: 0, outcome: 1 },
  { person_id: 9002, age: 59, sex_male: 0, hba1c: null, hypertension: 0, statin: 1, outcome: 0 },
];

/** The person-level rows, computed in JavaScript from the generated records (the definition's meaning, independently of SQL). */
function expectedRows(site: SyntheticSite): Array<Record<string, number | null>> {
  const inWindow = (date: string, index: string) => date >= addDays(index, -365) && date <= index;
  return site.persons
    .filter((person) => person.indexDate !== null)
    .map((person) => {
      const index = site.conditions
        .filter((row) => row.personId === person.personId && row.conceptId === CONCEPTS.type2Diabetes)
        .map((row) => row.date)
        .sort()[0]!;
      const labs = site.measurements
        .filter((row) => row.personId === person.personId && row.conceptId === CONCEPTS.hba1c && row.value !== null && inWindow(row.date, index))
        .sort((a, b) => (a.date < b.date ? 1 : -1));
      const has = (rows: SyntheticSite['conditions'], concept: number) => rows.some((row) => row.personId === person.personId && row.conceptId === concept && inWindow(row.date, index));
      const outcome = site.conditions.some(
        (row) => row.personId === person.personId && row.conceptId === CONCEPTS.myocardialInfarction && row.date > index && row.date <= addDays(index, 365),
      );
      return {
        person_id: person.personId,
        age: Number(index.slice(0, 4)) - person.yearOfBirth,
        sex_male: person.male ? 1 : 0,
        hba1c: labs[0]?.value ?? null,
        hypertension: has(site.conditions, CONCEPTS.hypertension) ? 1 : 0,
        statin: has(site.drugs, CONCEPTS.atorvastatin) ? 1 : 0,
        outcome: outcome ? 1 : 0,
      };
    })
    .sort((a, b) => a.person_id - b.person_id);
}

let server: PostgresServer;
let settings: PgSettings;
const sites = new Map<string, SyntheticSite>();
const previousPassphrase = process.env['COHORT_SECRETS_PASSPHRASE'];

beforeAll(async () => {
  server = await startPostgres();
  await server.sql('CREATE DATABASE cdm');
  const client = await server.client('cdm');
  for (const { schema, pattern, seed, firstId } of SITES) {
    const site = generateSite(pattern, seed, PERSONS, firstId);
    if (schema === 'site_a') addHandBuiltPersons(site);
    await loadSite(client, schema, site);
    sites.set(schema, site);
  }
  await client.end();
  settings = { host: server.host, port: server.port, database: 'cdm', user: server.user, password: server.password, ssl: 'disable', statementTimeoutSeconds: 60 };
  process.env['COHORT_SECRETS_PASSPHRASE'] = 'a passphrase for the tests';
}, 180_000);

afterAll(async () => {
  if (previousPassphrase === undefined) delete process.env['COHORT_SECRETS_PASSPHRASE'];
  else process.env['COHORT_SECRETS_PASSPHRASE'] = previousPassphrase;
  await server?.stop();
});

/** A site's person-level table, read through the engine as a model would read it. */
async function personTable(schema: string): Promise<Array<Record<string, number | null>>> {
  const definition = definitionFor(schema);
  const source = openQuerySource(settings, personTableQuery(definition), { name: schema });
  try {
    const columns = personTableColumns(definition);
    const { table } = await source.load(Object.fromEntries(columns.map((name) => [name, 'numeric' as const])));
    return Array.from({ length: table.rows }, (_, row) =>
      Object.fromEntries(
        columns.map((name) => {
          const value = (table.columns.get(name) as { values: Float64Array }).values[row]!;
          return [name, Number.isNaN(value) ? null : value];
        }),
      ),
    );
  } finally {
    await source.close();
  }
}

describe('the OMOP person-level table', () => {
  it('equals the hand-computed rows of hand-built persons', async () => {
    const rows = await personTable('site_a');
    for (const expected of HAND_COMPUTED) expect(rows.find((row) => row.person_id === expected.person_id)).toEqual(expected);
  });

  it('equals, at every site and for every person, the rows computed from the generated records', async () => {
    for (const { schema } of SITES) {
      const rows = await personTable(schema);
      expect(rows, schema).toEqual(expectedRows(sites.get(schema)!));
      expect(rows.length).toBeGreaterThan(0.8 * PERSONS);
    }
  });

  it('takes descendants from concept_ancestor when asked', async () => {
    const client = await server.client('cdm');
    // A made-up child concept of hypertension, recorded for one person only.
    await client.query(`INSERT INTO site_a.concept_ancestor VALUES (${CONCEPTS.hypertension}, 2000000001, 1, 1)`);
    await client.query(`INSERT INTO site_a.condition_occurrence (condition_occurrence_id, person_id, condition_concept_id, condition_start_date, condition_type_concept_id) VALUES (999999, 9002, 2000000001, '2019-05-01', 32817)`);
    await client.end();
    const base = definitionFor('site_a');
    const withChildren = { ...base, features: { ...base.features, conditions: [{ name: 'hypertension', conceptIds: [CONCEPTS.hypertension], includeDescendants: true }] } };
    const read = async (definition: OmopDefinition) => {
      const source = openQuerySource(settings, personTableQuery(definition), { name: 'site_a' });
      try {
        const { table } = await source.load({ person_id: 'numeric', hypertension: 'numeric' });
        const ids = (table.columns.get('person_id') as { values: Float64Array }).values;
        return (table.columns.get('hypertension') as { values: Float64Array }).values[ids.indexOf(9002)];
      } finally {
        await source.close();
      }
    };
    expect(await read(base)).toBe(0);
    expect(await read(withChildren)).toBe(1);
  });
});

describe('a federated logistic regression on the three hospitals\' OMOP tables', () => {
  it('aligns the tables and recovers the signs of the effects', async () => {
    const federation = await startAppFederation(['hospital-a', 'hospital-b', 'hospital-c'], { rendererRoot: await mkdtemp(join(tmpdir(), 'cohort-no-ui-')) });
    try {
      const orchestrator = federation.orchestrator.client;
      const collaboration = await orchestrator.call('collaborations.create', { name: 'Diabetes network' });
      const project = await orchestrator.call('projects.create', { collaborationId: collaboration.id, name: 'Infarction within a year', targetColumn: 'outcome', task: 'classify', positiveClass: '1' });
      const experiment = await orchestrator.call('experiments.create', { projectId: project.id, name: 'Logistic regression', model: { kind: 'logreg' } });
      const run = await orchestrator.call('runs.create', { experimentId: experiment.id, name: 'FedAvg', hyperparameters: { rounds: 30, epochs: 2, minClients: 3 } });
      for (const [i, participant] of federation.participants.entries()) {
        const { code } = await orchestrator.call('invitations.create', { collaborationId: collaboration.id });
        await participant.client.call('memberships.join', { code, name: `hospital-${'abc'[i]}` });
        const connection = await participant.client.call('connections.save', { name: 'CDM', host: server.host, port: server.port, database: 'cdm', user: server.user, password: server.password });
        expect(await participant.client.call('omop.schemas', { connectionId: connection.id })).toEqual(['site_a', 'site_b', 'site_c']);
        const concepts = await participant.client.call('omop.concepts', { connectionId: connection.id, schema: SITES[i]!.schema, search: 'a1c' });
        expect(concepts.map((concept) => concept.conceptId)).toContain(CONCEPTS.hba1c);
        const built = await participant.client.call('omop.build', { connectionId: connection.id, definition: definitionFor(SITES[i]!.schema), projectId: project.id });
        expect(built.preview.header).toEqual(['person_id', 'age', 'sex_male', 'hba1c', 'hypertension', 'statin', 'outcome']);
        expect(built.preview.profile.columns.find((column) => column.name === 'person_id')).toMatchObject({ kind: 'identifier', excluded: true });
        await participant.client.call('tags.register', { projectId: project.id, kind: 'train', source: { type: 'query', connectionId: connection.id, query: built.query } });
      }
      await orchestrator.call('runs.start', { id: run.id });
      await approveAll(federation);
      const result = await waitForRun(federation, run.id, 180_000);
      expect(result.status, result.error ?? '').toBe('completed');
      expect(result.features).toEqual(['age', 'sex_male', 'hba1c', 'hypertension', 'statin']);
      // The global model's weights: the kernel (one weight per standardised feature), then the bias.
      const weights = new Float32Array((await readFile(join(result.artifacts.globalModel!, 'weights.bin'))).buffer.slice(0));
      const coefficient = Object.fromEntries(result.features.map((name, i) => [name, weights[i]!]));
      expect(coefficient['age']).toBeGreaterThan(0.1);
      expect(coefficient['hba1c']).toBeGreaterThan(0.1);
      expect(coefficient['hypertension']).toBeGreaterThan(0.1);
      expect(coefficient['statin']).toBeLessThan(-0.1);
    } finally {
      await federation.close();
    }
  }, 300_000);
});
