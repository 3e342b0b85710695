// The person-level query of an OMOP definition (contract/omop.ts), in PostgreSQL's dialect: one
// row per person of the cohort, with age and sex at the index date, the latest value of each
// measurement set, the presence of each condition and drug set in the look-back window, and the
// outcome. Every name in it is validated (SqlName) and every concept id is an integer, so the
// text is safe to run; it runs read-only in any case.
import { CohortError } from '../../contract/errors';
import type { ConceptSet, OmopDefinition } from '../../contract/omop';

export const MALE_CONCEPT = 8507;
export const FEMALE_CONCEPT = 8532;

type Domain = 'measurement' | 'condition' | 'drug';

const TABLES: Record<Domain, { table: string; concept: string; date: string }> = {
  measurement: { table: 'measurement', concept: 'measurement_concept_id', date: 'measurement_date' },
  condition: { table: 'condition_occurrence', concept: 'condition_concept_id', date: 'condition_start_date' },
  drug: { table: 'drug_exposure', concept: 'drug_concept_id', date: 'drug_exposure_start_date' },
};

/** The column a concept set becomes. */
export function columnName(domain: Domain, set: Pick<ConceptSet, 'name' | 'conceptIds'>): string {
  return set.name ?? `${domain}_${set.conceptIds[0]}`;
}

/** The feature and outcome columns of a definition, in the query's order (person_id first). */
export function personTableColumns(definition: OmopDefinition): string[] {
  const { features } = definition;
  return [
    'person_id',
    ...(features.age ? ['age'] : []),
    ...(features.sex ? ['sex_male'] : []),
    ...features.measurements.map((set) => columnName('measurement', set)),
    ...features.conditions.map((set) => columnName('condition', set)),
    ...features.drugs.map((set) => columnName('drug', set)),
    definition.outcome.name,
  ];
}

function conceptFilter(schema: string, column: string, set: { conceptIds: readonly number[]; includeDescendants: boolean }): string {
  const ids = set.conceptIds.map((id) => String(Math.trunc(id))).join(', ');
  if (!set.includeDescendants) return `${column} IN (${ids})`;
  return `${column} IN (SELECT descendant_concept_id FROM ${schema}.concept_ancestor WHERE ancestor_concept_id IN (${ids}))`;
}

export function personTableQuery(definition: OmopDefinition): string {
  const columns = personTableColumns(definition);
  const duplicate = columns.find((name, index) => columns.indexOf(name) !== index);
  if (duplicate) throw new CohortError('BAD_INPUT', `two columns would be named "${duplicate}": give the concept sets distinct names`);
  const s = definition.schema;
  const lookback = Math.trunc(definition.lookbackDays);
  const inWindow = (alias: string, date: string) => `${alias}.${date} BETWEEN c.index_date - ${lookback} AND c.index_date`;
  const select: string[] = ['c.person_id'];
  if (definition.features.age) select.push('EXTRACT(YEAR FROM c.index_date)::integer - p.year_of_birth AS age');
  if (definition.features.sex) {
    select.push(`CASE p.gender_concept_id WHEN ${MALE_CONCEPT} THEN 1 WHEN ${FEMALE_CONCEPT} THEN 0 END AS sex_male`);
  }
  for (const set of definition.features.measurements) {
    const t = TABLES.measurement;
    select.push(
      `(SELECT x.value_as_number FROM ${s}.${t.table} x WHERE x.person_id = c.person_id AND ${conceptFilter(s, `x.${t.concept}`, set)} ` +
        `AND x.value_as_number IS NOT NULL AND ${inWindow('x', t.date)} ORDER BY x.${t.date} DESC, x.measurement_id DESC LIMIT 1) AS ${columnName('measurement', set)}`,
    );
  }
  for (const [domain, sets] of [['condition', definition.features.conditions], ['drug', definition.features.drugs]] as const) {
    const t = TABLES[domain];
    for (const set of sets) {
      select.push(
        `CASE WHEN EXISTS (SELECT 1 FROM ${s}.${t.table} x WHERE x.person_id = c.person_id AND ${conceptFilter(s, `x.${t.concept}`, set)} ` +
          `AND ${inWindow('x', t.date)}) THEN 1 ELSE 0 END AS ${columnName(domain, set)}`,
      );
    }
  }
  const outcome = definition.outcome;
  const t = TABLES.condition;
  select.push(
    `CASE WHEN EXISTS (SELECT 1 FROM ${s}.${t.table} x WHERE x.person_id = c.person_id AND ${conceptFilter(s, `x.${t.concept}`, outcome)} ` +
      `AND x.${t.date} > c.index_date AND x.${t.date} <= c.index_date + ${Math.trunc(outcome.windowDays)}) THEN 1 ELSE 0 END AS ${outcome.name}`,
  );
  return [
    'WITH c AS (',
    `  SELECT person_id, MIN(${t.date}) AS index_date FROM ${s}.${t.table}`,
    `  WHERE ${conceptFilter(s, t.concept, definition.cohort)} GROUP BY person_id`,
    ')',
    `SELECT ${select.join(',\n  ')}`,
    `FROM c JOIN ${s}.person p ON p.person_id = c.person_id`,
    'ORDER BY c.person_id',
  ].join('\n');
}

/** The concept search over the vocabulary's concept table: by name, code or id. Parameters: $1 pattern, $2 exact text. */
export function conceptSearchQuery(schema: string, domain?: string): string {
  return (
    `SELECT concept_id, concept_name, domain_id, vocabulary_id, concept_code, standard_concept FROM ${schema}.concept ` +
    `WHERE (concept_name ILIKE $1 OR concept_code = $2 OR concept_id::text = $2) AND invalid_reason IS NULL` +
    (domain ? ' AND domain_id = $3' : '') +
    ` ORDER BY (standard_concept = 'S') DESC NULLS LAST, length(concept_name), concept_id LIMIT 50`
  );
}

/** The schemas that hold the OMOP tables the person-level table needs. */
export const OMOP_SCHEMAS_QUERY =
  "SELECT table_schema FROM information_schema.tables WHERE table_name IN ('person', 'condition_occurrence', 'measurement', 'drug_exposure') " +
  'GROUP BY table_schema HAVING count(DISTINCT table_name) = 4 ORDER BY table_schema';
