// A person-level table over an OMOP CDM v5.4 schema, defined by concept ids (the OHDSI standard
// vocabularies), not by local codes: the same definition gives every hospital the same columns,
// which is what lets their tables line up in the federated alignment.
import { z } from 'zod';

/** A schema or column name that needs no quoting: letters, digits, underscores. */
export const SqlName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'letters, digits and underscores, starting with a letter (at most 63)');

export const ConceptIds = z.array(z.int().positive().max(2_147_483_647)).min(1, 'give at least one concept id').max(1000);

export const ConceptSet = z.strictObject({
  /** The column's name; by default the domain and the first concept id (measurement_3004410). */
  name: SqlName.optional(),
  conceptIds: ConceptIds,
  /** Also every descendant of these concepts (concept_ancestor). */
  includeDescendants: z.boolean().default(false),
});

export const OmopDefinition = z.strictObject({
  schema: SqlName,
  /** The cohort: persons with a condition in this set; the index date is its first occurrence. */
  cohort: z.strictObject({ conceptIds: ConceptIds, includeDescendants: z.boolean().default(false) }),
  /** Features are observed from this many days before the index date up to it. */
  lookbackDays: z.int().min(0).max(36_500).default(365),
  features: z
    .strictObject({
      /** Age in years at the index date. */
      age: z.boolean().default(true),
      /** 1 for male (8507), 0 for female (8532), missing otherwise. */
      sex: z.boolean().default(true),
      /** The latest value_as_number of each set in the window. */
      measurements: z.array(ConceptSet).max(200).default([]),
      /** 1 if a condition of the set occurred in the window, else 0. */
      conditions: z.array(ConceptSet).max(200).default([]),
      /** 1 if a drug exposure of the set started in the window, else 0. */
      drugs: z.array(ConceptSet).max(200).default([]),
    })
    .prefault({}),
  /** The outcome: 1 if a condition of the set occurs within this many days after the index date, else 0. */
  outcome: z.strictObject({
    name: SqlName.default('outcome'),
    conceptIds: ConceptIds,
    includeDescendants: z.boolean().default(false),
    windowDays: z.int().min(1).max(36_500).default(365),
  }),
});

export const OmopConcept = z.strictObject({
  conceptId: z.int(),
  name: z.string(),
  domain: z.string(),
  vocabulary: z.string(),
  code: z.string(),
  standard: z.boolean(),
});

export type ConceptSet = z.infer<typeof ConceptSet>;
export type OmopDefinition = z.infer<typeof OmopDefinition>;
export type OmopDefinitionInput = z.input<typeof OmopDefinition>;
export type OmopConcept = z.infer<typeof OmopConcept>;
