// A small synthetic OMOP CDM v5.4 per hospital, generated with known answers: persons with type 2
// diabetes (the cohort), HbA1c measurements, hypertension, statins, and myocardial infarction
// within a year (the outcome), whose odds rise with age, HbA1c and hypertension and fall with
// statins. Each hospital records visits its own way (how often it measures HbA1c, its local
// source codes), but with the same standard concept ids, so the person-level tables line up.
import type pg from 'pg';

export const CONCEPTS = {
  type2Diabetes: 201826,
  hypertension: 320128,
  myocardialInfarction: 4329847,
  hba1c: 3004410,
  ldl: 3028437,
  atorvastatin: 1545958,
  metformin: 1503297,
  male: 8507,
  female: 8532,
} as const;

export type SitePattern = 'single' | 'monthly' | 'sparse';

export interface SyntheticPerson {
  personId: number;
  male: boolean;
  yearOfBirth: number;
  /** null: not in the cohort. */
  indexDate: string | null;
}

export interface SyntheticSite {
  persons: SyntheticPerson[];
  conditions: Array<{ personId: number; conceptId: number; date: string; source: string }>;
  measurements: Array<{ personId: number; conceptId: number; date: string; value: number | null; source: string }>;
  drugs: Array<{ personId: number; conceptId: number; date: string; source: string }>;
}

/** Mulberry32: a small seeded generator, so every run builds the same hospitals. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
export const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The true effects (log-odds per unit) the federated logistic regression should recover in sign. */
export const EFFECTS = { intercept: -1.2, agePerYear: 0.06, hba1cPerPercent: 0.9, hypertension: 1.4, statin: -1.6 } as const;

export function generateSite(pattern: SitePattern, seed: number, persons: number, firstId: number): SyntheticSite {
  const next = random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const site: SyntheticSite = { persons: [], conditions: [], measurements: [], drugs: [] };
  const local = { single: 'A1C', monthly: 'LAB-4548-4', sparse: 'HbA1c %' }[pattern];
  for (let i = 0; i < persons; i += 1) {
    const personId = firstId + i;
    const male = next() < 0.5;
    const yearOfBirth = 1940 + Math.floor(next() * 45);
    // One person in ten is not diabetic: not in the cohort, but still has records.
    const inCohort = next() >= 0.1;
    const indexDate = inCohort ? addDays('2018-01-01', Math.floor(next() * 1400)) : null;
    site.persons.push({ personId, male, yearOfBirth, indexDate });
    const anchor = indexDate ?? addDays('2018-01-01', Math.floor(next() * 1400));
    if (indexDate) {
      site.conditions.push({ personId, conceptId: CONCEPTS.type2Diabetes, date: indexDate, source: 'E11.9' });
      // A later diagnosis of the same condition: the index date is the first.
      site.conditions.push({ personId, conceptId: CONCEPTS.type2Diabetes, date: addDays(indexDate, 200), source: 'E11.9' });
    }
    const hba1c = 7.5 + 1.3 * normal();
    const hypertension = next() < 0.4;
    const statin = next() < 0.4;
    if (hypertension) site.conditions.push({ personId, conceptId: CONCEPTS.hypertension, date: addDays(anchor, -Math.floor(next() * 300)), source: 'I10' });
    // Hypertension long before the window, or after the index date, does not count.
    if (next() < 0.2) site.conditions.push({ personId, conceptId: CONCEPTS.hypertension, date: addDays(anchor, -700), source: 'I10' });
    if (next() < 0.2) site.conditions.push({ personId, conceptId: CONCEPTS.hypertension, date: addDays(anchor, 30), source: 'I10' });
    if (statin) site.drugs.push({ personId, conceptId: CONCEPTS.atorvastatin, date: addDays(anchor, -Math.floor(next() * 200)), source: 'atorva 20' });
    if (next() < 0.5) site.drugs.push({ personId, conceptId: CONCEPTS.metformin, date: addDays(anchor, -10), source: 'metf 500' });
    // Local visit patterns: how often and where HbA1c is measured.
    if (pattern === 'single') {
      site.measurements.push({ personId, conceptId: CONCEPTS.hba1c, date: addDays(anchor, -30), value: round1(hba1c), source: local });
    } else if (pattern === 'monthly') {
      for (let month = 6; month >= 1; month -= 1) {
        site.measurements.push({ personId, conceptId: CONCEPTS.hba1c, date: addDays(anchor, -30 * month - 15), value: round1(6 + 3 * next()), source: local });
      }
      site.measurements.push({ personId, conceptId: CONCEPTS.hba1c, date: addDays(anchor, -3), value: round1(hba1c), source: local });
    } else {
      site.measurements.push({ personId, conceptId: CONCEPTS.hba1c, date: addDays(anchor, -400), value: round1(6 + 3 * next()), source: local });
      if (next() < 0.85) site.measurements.push({ personId, conceptId: CONCEPTS.hba1c, date: addDays(anchor, -60), value: round1(hba1c), source: local });
      site.measurements.push({ personId, conceptId: CONCEPTS.hba1c, date: addDays(anchor, 10), value: round1(6 + 3 * next()), source: local });
      // A result without a number does not count as the latest value.
      site.measurements.push({ personId, conceptId: CONCEPTS.hba1c, date: addDays(anchor, -1), value: null, source: local });
    }
    site.measurements.push({ personId, conceptId: CONCEPTS.ldl, date: addDays(anchor, -5), value: round1(100 + 30 * normal()), source: 'LDL' });
    const age = Number(anchor.slice(0, 4)) - yearOfBirth;
    const logit =
      EFFECTS.intercept + EFFECTS.agePerYear * (age - 60) + EFFECTS.hba1cPerPercent * (hba1c - 7.5) + (hypertension ? EFFECTS.hypertension : 0) + (statin ? EFFECTS.statin : 0);
    if (next() < 1 / (1 + Math.exp(-logit))) {
      site.conditions.push({ personId, conceptId: CONCEPTS.myocardialInfarction, date: addDays(anchor, 1 + Math.floor(next() * 360)), source: 'I21.9' });
    } else if (next() < 0.3) {
      // An infarction after the outcome window, or before the index date: not the outcome.
      site.conditions.push({ personId, conceptId: CONCEPTS.myocardialInfarction, date: addDays(anchor, next() < 0.5 ? 500 : -100), source: 'I21.9' });
    }
  }
  return site;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

const DDL = (schema: string) => `
CREATE SCHEMA ${schema};
CREATE TABLE ${schema}.person (
  person_id integer NOT NULL PRIMARY KEY, gender_concept_id integer NOT NULL, year_of_birth integer NOT NULL,
  month_of_birth integer, day_of_birth integer, birth_datetime timestamp, race_concept_id integer NOT NULL,
  ethnicity_concept_id integer NOT NULL, location_id integer, provider_id integer, care_site_id integer,
  person_source_value varchar(50), gender_source_value varchar(50), gender_source_concept_id integer,
  race_source_value varchar(50), race_source_concept_id integer, ethnicity_source_value varchar(50), ethnicity_source_concept_id integer);
CREATE TABLE ${schema}.condition_occurrence (
  condition_occurrence_id integer NOT NULL PRIMARY KEY, person_id integer NOT NULL, condition_concept_id integer NOT NULL,
  condition_start_date date NOT NULL, condition_start_datetime timestamp, condition_end_date date, condition_end_datetime timestamp,
  condition_type_concept_id integer NOT NULL, condition_status_concept_id integer, stop_reason varchar(20), provider_id integer,
  visit_occurrence_id integer, visit_detail_id integer, condition_source_value varchar(50), condition_source_concept_id integer,
  condition_status_source_value varchar(50));
CREATE TABLE ${schema}.measurement (
  measurement_id integer NOT NULL PRIMARY KEY, person_id integer NOT NULL, measurement_concept_id integer NOT NULL,
  measurement_date date NOT NULL, measurement_datetime timestamp, measurement_time varchar(10), measurement_type_concept_id integer NOT NULL,
  operator_concept_id integer, value_as_number numeric, value_as_concept_id integer, unit_concept_id integer, range_low numeric,
  range_high numeric, provider_id integer, visit_occurrence_id integer, visit_detail_id integer, measurement_source_value varchar(50),
  measurement_source_concept_id integer, unit_source_value varchar(50), unit_source_concept_id integer, value_source_value varchar(50),
  measurement_event_id bigint, meas_event_field_concept_id integer);
CREATE TABLE ${schema}.drug_exposure (
  drug_exposure_id integer NOT NULL PRIMARY KEY, person_id integer NOT NULL, drug_concept_id integer NOT NULL,
  drug_exposure_start_date date NOT NULL, drug_exposure_start_datetime timestamp, drug_exposure_end_date date NOT NULL,
  drug_exposure_end_datetime timestamp, verbatim_end_date date, drug_type_concept_id integer NOT NULL, stop_reason varchar(20),
  refills integer, quantity numeric, days_supply integer, sig text, route_concept_id integer, lot_number varchar(50), provider_id integer,
  visit_occurrence_id integer, visit_detail_id integer, drug_source_value varchar(50), drug_source_concept_id integer,
  route_source_value varchar(50), dose_unit_source_value varchar(50));
CREATE TABLE ${schema}.concept (
  concept_id integer NOT NULL PRIMARY KEY, concept_name varchar(255) NOT NULL, domain_id varchar(20) NOT NULL,
  vocabulary_id varchar(20) NOT NULL, concept_class_id varchar(20) NOT NULL, standard_concept varchar(1),
  concept_code varchar(50) NOT NULL, valid_start_date date NOT NULL, valid_end_date date NOT NULL, invalid_reason varchar(1));
CREATE TABLE ${schema}.concept_ancestor (
  ancestor_concept_id integer NOT NULL, descendant_concept_id integer NOT NULL,
  min_levels_of_separation integer NOT NULL, max_levels_of_separation integer NOT NULL);
`;

const VOCABULARY: Array<[number, string, string, string, string, string]> = [
  [CONCEPTS.type2Diabetes, 'Type 2 diabetes mellitus', 'Condition', 'SNOMED', 'Clinical Finding', '44054006'],
  [CONCEPTS.hypertension, 'Essential hypertension', 'Condition', 'SNOMED', 'Clinical Finding', '59621000'],
  [CONCEPTS.myocardialInfarction, 'Acute myocardial infarction', 'Condition', 'SNOMED', 'Clinical Finding', '57054005'],
  [CONCEPTS.hba1c, 'Hemoglobin A1c/Hemoglobin.total in Blood', 'Measurement', 'LOINC', 'Lab Test', '4548-4'],
  [CONCEPTS.ldl, 'Cholesterol in LDL [Mass/volume] in Serum or Plasma', 'Measurement', 'LOINC', 'Lab Test', '13457-7'],
  [CONCEPTS.atorvastatin, 'atorvastatin', 'Drug', 'RxNorm', 'Ingredient', '83367'],
  [CONCEPTS.metformin, 'metformin', 'Drug', 'RxNorm', 'Ingredient', '6809'],
  [CONCEPTS.male, 'MALE', 'Gender', 'Gender', 'Gender', 'M'],
  [CONCEPTS.female, 'FEMALE', 'Gender', 'Gender', 'Gender', 'F'],
];

function values(rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return rows.map((row) => `(${row.map((cell) => (cell === null ? 'NULL' : typeof cell === 'number' ? String(cell) : `'${cell.replaceAll("'", "''")}'`)).join(', ')})`).join(',\n');
}

async function insert(client: pg.Client, table: string, columns: string, rows: ReadonlyArray<ReadonlyArray<string | number | null>>): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    await client.query(`INSERT INTO ${table} (${columns}) VALUES ${values(rows.slice(start, start + 1000))}`);
  }
}

/** Creates the schema's OMOP tables and fills them with the site's records. */
export async function loadSite(client: pg.Client, schema: string, site: SyntheticSite): Promise<void> {
  await client.query(DDL(schema));
  await insert(client, `${schema}.concept`, 'concept_id, concept_name, domain_id, vocabulary_id, concept_class_id, concept_code, standard_concept, valid_start_date, valid_end_date',
    VOCABULARY.map(([id, name, domain, vocabulary, klass, code]) => [id, name, domain, vocabulary, klass, code, 'S', '1970-01-01', '2099-12-31']));
  await insert(client, `${schema}.concept_ancestor`, 'ancestor_concept_id, descendant_concept_id, min_levels_of_separation, max_levels_of_separation',
    VOCABULARY.map(([id]) => [id, id, 0, 0]));
  await insert(client, `${schema}.person`, 'person_id, gender_concept_id, year_of_birth, race_concept_id, ethnicity_concept_id, gender_source_value',
    site.persons.map((person) => [person.personId, person.male ? CONCEPTS.male : CONCEPTS.female, person.yearOfBirth, 0, 0, person.male ? 'm' : 'f']));
  await insert(client, `${schema}.condition_occurrence`, 'condition_occurrence_id, person_id, condition_concept_id, condition_start_date, condition_type_concept_id, condition_source_value',
    site.conditions.map((row, i) => [i + 1, row.personId, row.conceptId, row.date, 32817, row.source]));
  await insert(client, `${schema}.measurement`, 'measurement_id, person_id, measurement_concept_id, measurement_date, measurement_type_concept_id, value_as_number, measurement_source_value',
    site.measurements.map((row, i) => [i + 1, row.personId, row.conceptId, row.date, 32817, row.value, row.source]));
  await insert(client, `${schema}.drug_exposure`, 'drug_exposure_id, person_id, drug_concept_id, drug_exposure_start_date, drug_exposure_end_date, drug_type_concept_id, drug_source_value',
    site.drugs.map((row, i) => [i + 1, row.personId, row.conceptId, row.date, addDays(row.date, 30), 32817, row.source]));
}
