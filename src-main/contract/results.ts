// What a run leaves for people to read: per-round history and the final result.
import { z } from 'zod';
import { AggregatedMetrics } from './metrics';
import { Algorithm, RunStatus } from './records';

export const PartyRound = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), loss: z.number(), numExamples: z.int().min(0), seconds: z.number().min(0) }),
  z.strictObject({ ok: z.literal(false), reason: z.enum(['timeout', 'error', 'disconnected', 'cancelled']), message: z.string() }),
]);

export const RoundRecord = z.strictObject({
  round: z.int().min(1),
  /** Sample-weighted mean of the parties' local training losses. */
  trainLoss: z.number(),
  seconds: z.number().min(0),
  parties: z.record(z.string(), PartyRound),
  evaluate: AggregatedMetrics.optional(),
  /**
   * Early stopping: the row-weighted loss, on the parties' validation rows (held out of their
   * train data), of the global model this round started from (round - 1's; round 0: the initial one).
   */
  validationLoss: z.number().optional(),
  /** The privacy spent so far, after this round (runs with differential privacy). */
  privacy: z.strictObject({ epsilon: z.number().min(0), delta: z.number().gt(0).lt(1) }).optional(),
});

export const Dropout = z.strictObject({ party: z.string(), round: z.int().min(0), reason: z.string() });

/** How a run protected its updates, and the differential privacy it spent. */
export const PrivacyReport = z.strictObject({
  secureAggregation: z.boolean(),
  dp: z.enum(['off', 'central', 'local']),
  clip: z.number().nullable(),
  noiseMultiplier: z.number().nullable(),
  /** Total (epsilon, delta) spent by the rounds trained (null without differential privacy). */
  epsilon: z.number().min(0).nullable(),
  delta: z.number().nullable(),
  targetEpsilon: z.number().nullable(),
  /** Training stopped before a round that would have spent more than the target epsilon. */
  stoppedByBudget: z.boolean(),
  /** Fixed-point encoding of masked updates (secure aggregation): fractional bits and value range. */
  quantization: z.strictObject({ fractionalBits: z.int(), range: z.number() }).nullable(),
});

/** One row of a regression table: a term's coefficient in the units of its column. */
export const CoefficientRow = z.strictObject({
  /** "(intercept)", a numeric column, "column=level" or "column (missing)". */
  term: z.string(),
  /** For K classes: the class compared with the reference class; otherwise null. */
  outcome: z.string().nullable(),
  /** Per unit of the column (per level present for categories), in the target's units for a numeric target. */
  estimate: z.number(),
  /** On the encoded scale the model was fitted on (per standard deviation of a numeric column). */
  encoded: z.number(),
  /** The column's standard deviation (1 for a level, an indicator or the intercept): estimate, interval and SE times it read per standard deviation. */
  scale: z.number().positive(),
  standardError: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  /** z (or t for a numeric target). */
  statistic: z.number().nullable(),
  p: z.number().min(0).max(1).nullable(),
  /** exp(estimate) with its interval: the odds ratio (binary), or the relative risk ratio against the reference class. */
  ratio: z.strictObject({ estimate: z.number(), low: z.number().nullable(), high: z.number().nullable() }).nullable(),
});

/** A regression model fitted exactly on the pooled sums, as clinicians and epidemiologists read it. */
export const CoefficientTable = z.strictObject({
  family: z.enum(['binomial', 'multinomial', 'gaussian']),
  /** The L2 penalty: the fit minimised loss + penalty/2 x ||coefficients|| squared (scikit-learn's C = 1 / penalty). */
  penalty: z.number().min(0),
  iterations: z.int().min(0),
  converged: z.boolean(),
  /** Rows in the fit, over all parties. */
  rows: z.int().min(0),
  parameters: z.int().min(0),
  statistic: z.enum(['z', 't']),
  confidence: z.number().gt(0).lt(1),
  /** The residual variance of a numeric target (in its units squared); null otherwise. */
  dispersion: z.number().nullable(),
  /** The label coded 1 (binary), or the reference class the others are compared with (K classes). */
  positive: z.string().nullable(),
  reference: z.string().nullable(),
  /** The penalised objective at the fit (loss summed over rows, plus the penalty). */
  objective: z.number(),
  /** What to keep in mind when reading the table. */
  notes: z.array(z.string()),
  terms: z.array(CoefficientRow),
});

/** What a run reports without secure aggregation or differential privacy. */
export const NO_PRIVACY: PrivacyReport = { secureAggregation: false, dp: 'off', clip: null, noiseMultiplier: null, epsilon: null, delta: null, targetEpsilon: null, stoppedByBudget: false, quantization: null };

export const RunResult = z.strictObject({
  run: z.string(),
  status: RunStatus,
  algorithm: Algorithm,
  features: z.array(z.string()),
  alignmentFingerprint: z.string().nullable(),
  parties: z.array(z.string()),
  rounds: z.array(RoundRecord),
  evaluation: AggregatedMetrics.nullable(),
  dropouts: z.array(Dropout),
  stoppedEarly: z.strictObject({ round: z.int(), bestRound: z.int() }).nullable(),
  backend: z.string(),
  parameterCount: z.int().min(0),
  artifacts: z.strictObject({ globalModel: z.string().nullable() }),
  /** The coefficient table of an exact regression fit; null for models trained by gradient steps. */
  coefficients: CoefficientTable.nullable().default(null),
  privacy: PrivacyReport.prefault(NO_PRIVACY),
  startedAt: z.string(),
  finishedAt: z.string(),
  error: z.string().nullable(),
});

export type PartyRound = z.infer<typeof PartyRound>;
export type RoundRecord = z.infer<typeof RoundRecord>;
export type Dropout = z.infer<typeof Dropout>;
export type PrivacyReport = z.infer<typeof PrivacyReport>;
export type RunResult = z.infer<typeof RunResult>;
export type CoefficientRow = z.infer<typeof CoefficientRow>;
export type CoefficientTable = z.infer<typeof CoefficientTable>;

/** Live events of a run, for progress bars, the UI and `cohort run watch`. */
export const PartyActivity = z.enum(['waiting', 'approving', 'declined', 'declaring', 'preparing', 'training', 'trained', 'evaluating', 'exporting', 'failed', 'done']);

export const RunEvent = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('status'),
    run: z.string(),
    status: RunStatus,
    round: z.int().min(0),
    rounds: z.int().min(0),
    message: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal('party'),
    run: z.string(),
    party: z.string(),
    activity: PartyActivity,
    round: z.int().min(0),
    message: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('round'), run: z.string(), rounds: z.int().min(1), record: RoundRecord }),
  z.strictObject({ kind: z.literal('finished'), run: z.string(), result: RunResult }),
]);

export type PartyActivity = z.infer<typeof PartyActivity>;
export type RunEvent = z.infer<typeof RunEvent>;
