// What a data owner sees about a file (the local summary), what a party declares to the TTP
// for feature alignment (schema and aggregate statistics, never rows), and the alignment the
// TTP sends back to every party.
import { z } from 'zod';
import { ColumnKind, Task } from './records';

// ---------------------------------------------------------------------------------------------
// Local summary: shown to the data owner, never sent.

export const NumericSummary = z.strictObject({
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  /** Population standard deviation (divides by n). */
  std: z.number(),
  /** Compensated sums, kept for the federated statistics. */
  sum: z.number(),
  sumSq: z.number(),
  /** Sum of squared deviations from the mean (Welford), for a stable pooled variance. */
  m2: z.number(),
  /** First quartile, median and third quartile of a numeric column (computed by the engine). Local only. */
  quartiles: z.tuple([z.number(), z.number(), z.number()]).optional(),
});

export const ColumnProfile = z.strictObject({
  name: z.string(),
  /** 1-based position in the file. */
  position: z.int().min(1),
  kind: ColumnKind,
  /** Why the kind was chosen when it was not obvious, or why the column is excluded. */
  note: z.string().optional(),
  excluded: z.boolean(),
  /** Non-missing values. */
  count: z.int().min(0),
  missing: z.int().min(0),
  numeric: NumericSummary.optional(),
  /** Level -> count for categorical and boolean columns, in stable sorted order. */
  levels: z.record(z.string(), z.int().min(0)).optional(),
  /** Distinct non-missing values seen (capped: see levelsTruncated). */
  distinct: z.int().min(0),
  levelsTruncated: z.boolean().optional(),
  /** Why the column looks like a quasi-identifier (names, dates, postcodes, free text, mostly unique). */
  quasiIdentifier: z.string().optional(),
  /** Categories held by fewer than k rows: they leave this machine merged into one "(other)" level. */
  rareLevels: z.strictObject({ levels: z.int().min(1), rows: z.int().min(1) }).optional(),
});

export const DataProfile = z.strictObject({
  /** The file as its owner named it, or a query's description. */
  file: z.string(),
  rows: z.int().min(0),
  columns: z.array(ColumnProfile),
  target: z.string().optional(),
});

export type NumericSummary = z.infer<typeof NumericSummary>;
export type ColumnProfile = z.infer<typeof ColumnProfile>;
export type DataProfile = z.infer<typeof DataProfile>;

// ---------------------------------------------------------------------------------------------
// Declaration: what a party sends for alignment. Aggregates only; identifiers send no values.

export const DeclaredStats = z.strictObject({
  name: z.string().min(1),
  kind: ColumnKind,
  excluded: z.boolean(),
  count: z.int().min(0),
  missing: z.int().min(0),
  /** numeric and boolean (as 0/1): sums for the pooled mean and standard deviation. */
  sum: z.number().optional(),
  sumSq: z.number().optional(),
  /** numeric and boolean: sum of squared deviations from this party's mean (stable where sumSq cancels). */
  m2: z.number().min(0).optional(),
  /** categorical: the distinct levels, sorted. */
  levels: z.array(z.string()).optional(),
  /** the target column only: rows per label, to report class balance. */
  labelCounts: z.record(z.string(), z.int().min(0)).optional(),
});

export const PartyDeclaration = z.strictObject({
  party: z.string().min(1).max(200),
  rows: z.int().min(0),
  columns: z.array(DeclaredStats),
});

export type DeclaredStats = z.infer<typeof DeclaredStats>;
export type PartyDeclaration = z.infer<typeof PartyDeclaration>;

// ---------------------------------------------------------------------------------------------
// The aligned feature space: identical for every party.

export const ALIGNMENT_VERSION = 1;

export const AlignedColumn = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('numeric'),
    name: z.string(),
    mean: z.number(),
    std: z.number().positive(),
    missingIndicator: z.boolean(),
    /** Parties that did not have this column when the alignment was made. */
    missingAt: z.array(z.string()),
  }),
  z.strictObject({
    kind: z.literal('boolean'),
    name: z.string(),
    /** Share of true values over all parties; imputes missing values. */
    mean: z.number().min(0).max(1),
    missingIndicator: z.boolean(),
    missingAt: z.array(z.string()),
  }),
  z.strictObject({
    kind: z.literal('categorical'),
    name: z.string(),
    levels: z.array(z.string()).min(1),
    missingAt: z.array(z.string()),
  }),
]);

export const AlignedTarget = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('binary'),
    column: z.string(),
    labels: z.tuple([z.string(), z.string()]),
    /** Encoded as 1; the other label as 0. */
    positive: z.string(),
  }),
  z.strictObject({ kind: z.literal('multiclass'), column: z.string(), labels: z.array(z.string()).min(3) }),
  z.strictObject({
    kind: z.literal('regression'),
    column: z.string(),
    /** The target is trained standardised; predictions are mapped back with these. */
    mean: z.number(),
    std: z.number().positive(),
  }),
]);

export const Alignment = z.strictObject({
  version: z.literal(ALIGNMENT_VERSION),
  /** sha256 of the canonical JSON of everything else: two parties agree iff fingerprints match. */
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  task: Task,
  columns: z.array(AlignedColumn),
  features: z.array(z.string()).min(1),
  target: AlignedTarget,
  parties: z.array(z.string()).min(1),
  /** Columns some party holds that are not features (identifiers, excluded, dropped). */
  ignored: z.array(z.string()),
  options: z.strictObject({ columns: z.enum(['union', 'intersection']), missingIndicators: z.boolean() }),
});

export type AlignedColumn = z.infer<typeof AlignedColumn>;
export type AlignedTarget = z.infer<typeof AlignedTarget>;
export type Alignment = z.infer<typeof Alignment>;

// ---------------------------------------------------------------------------------------------
// Report: why an alignment failed or what it papered over.

export type AlignmentIssueCode =
  | 'TARGET_MISSING'
  | 'TARGET_KIND'
  | 'KIND_CONFLICT'
  | 'COLUMN_MISSING'
  | 'COLUMN_DROPPED'
  | 'COLUMN_EXCLUDED'
  | 'NO_FEATURES'
  | 'NO_PARTIES'
  | 'DUPLICATE_PARTY'
  | 'POSITIVE_CLASS'
  | 'TOO_FEW_LABELS'
  | 'CONSTANT_COLUMN'
  | 'FEATURE_NAME_CLASH'
  | 'NEW_COLUMN'
  | 'UNSEEN_LEVEL';

export interface AlignmentIssue {
  code: AlignmentIssueCode;
  message: string;
  party?: string;
  column?: string;
}

export interface PartyAlignmentReport {
  rows: number;
  /** Aligned columns this party lacks (imputed for it). */
  missingColumns: string[];
  /** Columns this party has that were left out, with the reason. */
  droppedColumns: Record<string, string>;
  /** For evaluate / predict files checked against an alignment: level -> rows, per column. */
  unseenLevels: Record<string, Record<string, number>>;
  labelCounts?: Record<string, number>;
}

export interface AlignmentReport {
  ok: boolean;
  errors: AlignmentIssue[];
  warnings: AlignmentIssue[];
  parties: Record<string, PartyAlignmentReport>;
}
