// Evaluation metrics. Each party computes them on its own evaluate data and sends only these
// numbers (never a row, a score or a prediction); the TTP parses them with these schemas and
// aggregates them (core/metrics/aggregate). The aggregate keeps every party's metrics beside it.
//
// Every number is finite: zod 4's z.number() already refuses NaN and ±Infinity (and z.int()
// refuses non-integers), so a metric that is undefined on the data is sent as null, never NaN.
import { z } from 'zod';

/** A number of rows or a confusion-matrix cell. */
const Count = z.int().min(0);
/** Rows evaluated: metrics of nothing are undefined, so at least one. */
const Rows = z.int().min(1);
/** A proportion: accuracy, precision, recall, F1, AUC. */
const Rate = z.number().min(0).max(1);
/** Losses and errors. */
const NonNegative = z.number().min(0);

// ---------------------------------------------------------------------------------------------
// Binary classification

export const BinaryConfusion = z.strictObject({ tp: Count, fp: Count, tn: Count, fn: Count });

/**
 * Resolution of the score histograms: bin i holds scores in [i / SCORE_BINS, (i + 1) / SCORE_BINS).
 * 1,000 bins keep the pooled ROC and PR AUC within about 0.001 of the exact values on the rows.
 */
export const SCORE_BINS = 1000;

/**
 * How many evaluate rows of each class scored in each bin: counts only (the same kind of
 * information as confusion matrices at SCORE_BINS thresholds). Summed over parties, they give
 * the pooled ROC and PR AUC, which stay defined when a party holds only one class.
 */
export const ScoreHistogram = z.strictObject({
  positive: z.array(Count).length(SCORE_BINS),
  negative: z.array(Count).length(SCORE_BINS),
});

/**
 * Disclosure control (core/disclosure/metrics): a party withholds a table whose cells include a
 * count of 1..k-1, and every rate whose cells do (null); the aggregate then pools the tables
 * that were sent, over `tableRows` of the n rows.
 */
const Withheld = { tableRows: Count.optional() };

function countedAs(metrics: { n: number; tableRows?: number | undefined }): string {
  return metrics.tableRows === undefined ? `n = ${metrics.n}` : `tableRows = ${metrics.tableRows}`;
}

export const BinaryMetrics = z
  .strictObject({
    kind: z.literal('binary'),
    n: Rows,
    /** From the confusion matrix at the decision threshold (positive when score > threshold). */
    accuracy: Rate.nullable(),
    /** tp / (tp + fp); 0 when nothing is predicted positive (scikit-learn's zero_division=0). */
    precision: Rate.nullable(),
    /** tp / (tp + fn); 0 when no row is actually positive. */
    recall: Rate.nullable(),
    /** 2tp / (2tp + fp + fn); 0 when that is 0 / 0. */
    f1: Rate.nullable(),
    /**
     * Area under the ROC curve (the Mann-Whitney statistic, ties counting one half). Null when
     * the data hold only one class: the area is then undefined.
     */
    rocAuc: Rate.nullable(),
    /**
     * Average precision (scikit-learn's area under the precision-recall curve). Null when the
     * data hold only one class: with no positives it is undefined, and with no negatives it is
     * trivially 1, which would only inflate an aggregate.
     */
    prAuc: Rate.nullable(),
    /** Mean binary cross-entropy, probabilities clipped to [1e-7, 1 - 1e-7]. */
    logLoss: NonNegative,
    confusion: BinaryConfusion.nullable(),
    scoreHistogram: ScoreHistogram.optional(),
    ...Withheld,
  })
  .superRefine((metrics, ctx) => {
    if (metrics.confusion === null) return;
    const { tp, fp, tn, fn } = metrics.confusion;
    const counted = metrics.tableRows ?? metrics.n;
    if (tp + fp + tn + fn !== counted) {
      ctx.addIssue({ code: 'custom', path: ['confusion'], message: `the confusion matrix counts ${tp + fp + tn + fn} rows, not ${countedAs(metrics)}` });
    }
    const histogram = metrics.scoreHistogram;
    if (histogram && metrics.tableRows === undefined) {
      const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);
      if (sum(histogram.positive) !== tp + fn || sum(histogram.negative) !== tn + fp) {
        ctx.addIssue({ code: 'custom', path: ['scoreHistogram'], message: 'the score histograms do not count the same rows as the confusion matrix' });
      }
    }
  });

// ---------------------------------------------------------------------------------------------
// Multiclass classification

export const ClassMetrics = z.strictObject({
  precision: Rate.nullable(),
  recall: Rate.nullable(),
  f1: Rate.nullable(),
  /** Rows whose true class is this one. */
  support: Count.nullable(),
});

export const MulticlassMetrics = z
  .strictObject({
    kind: z.literal('multiclass'),
    n: Rows,
    /** The class labels; class index i is labels[i]. */
    labels: z.array(z.string()).min(2),
    /** Predictions are the arg-max of each row's probabilities. */
    accuracy: Rate.nullable(),
    /** Unweighted mean of every label's F1 (a label never seen nor predicted counts as 0). */
    macroF1: Rate.nullable(),
    /** Mean categorical cross-entropy, the true class's probability clipped to [1e-7, 1 - 1e-7]. */
    logLoss: NonNegative,
    /** Per label; precision, recall and F1 are 0 where undefined, as for binary metrics. */
    perClass: z.record(z.string(), ClassMetrics),
    /** confusion[t][p]: rows whose true class is labels[t] and predicted class labels[p]. */
    confusion: z.array(z.array(Count)).nullable(),
    ...Withheld,
  })
  .superRefine((metrics, ctx) => {
    const { labels, confusion, perClass } = metrics;
    const k = labels.length;
    if (new Set(labels).size !== k) ctx.addIssue({ code: 'custom', path: ['labels'], message: 'the labels must be distinct' });
    if (confusion === null) return;
    if (confusion.length !== k || confusion.some((row) => row.length !== k)) {
      ctx.addIssue({ code: 'custom', path: ['confusion'], message: `the confusion matrix must be ${k} x ${k}, one row and column per label` });
      return;
    }
    let total = 0;
    for (const row of confusion) for (const cell of row) total += cell;
    const counted = metrics.tableRows ?? metrics.n;
    if (total !== counted) {
      ctx.addIssue({ code: 'custom', path: ['confusion'], message: `the confusion matrix counts ${total} rows, not ${countedAs(metrics)}` });
    }
    const keys = Object.keys(perClass);
    if (keys.length !== k || labels.some((label) => !Object.hasOwn(perClass, label))) {
      ctx.addIssue({ code: 'custom', path: ['perClass'], message: 'perClass must hold exactly one entry per label' });
      return;
    }
    labels.forEach((label, t) => {
      const support = confusion[t]!.reduce((sum, cell) => sum + cell, 0);
      if (perClass[label]!.support !== support) {
        ctx.addIssue({ code: 'custom', path: ['perClass', label, 'support'], message: `the support of "${label}" must be its confusion row's total, ${support}` });
      }
    });
  });

// ---------------------------------------------------------------------------------------------
// Regression

export const RegressionMetrics = z.strictObject({
  kind: z.literal('regression'),
  n: Rows,
  mse: NonNegative,
  rmse: NonNegative,
  mae: NonNegative,
  /** 1 - SS_res / SS_tot. Null when the targets are constant (SS_tot = 0). */
  r2: z.number().max(1).nullable(),
  /** The mean true value: with each party's, the aggregate R² is the pooled rows' (SS_tot about the pooled mean). */
  targetMean: z.number().optional(),
});

// ---------------------------------------------------------------------------------------------
// Any kind, and the aggregate over parties

export const Metrics = z.discriminatedUnion('kind', [BinaryMetrics, MulticlassMetrics, RegressionMetrics]);

/**
 * The TTP's aggregate beside every party's own metrics. Confusion-matrix metrics of the
 * aggregate equal those of the pooled predictions; AUCs, log loss, MAE, MSE and R² are means
 * weighted by n (exact pooled values for log loss, MAE and MSE; for the AUCs and R² a weighted
 * mean of the parties' values, which is not the pooled value). rmse = sqrt(aggregate mse).
 */
export const AggregatedMetrics = z
  .strictObject({
    aggregate: Metrics,
    /** Party id -> the metrics it reported. */
    parties: z.record(z.string(), Metrics),
  })
  .superRefine((aggregated, ctx) => {
    const parties = Object.entries(aggregated.parties);
    if (parties.length === 0) ctx.addIssue({ code: 'custom', path: ['parties'], message: 'an aggregate needs at least one party' });
    for (const [party, metrics] of parties) {
      if (metrics.kind !== aggregated.aggregate.kind) {
        ctx.addIssue({ code: 'custom', path: ['parties', party, 'kind'], message: `party "${party}" has ${metrics.kind} metrics in a ${aggregated.aggregate.kind} aggregate` });
      }
    }
    const rows = parties.reduce((sum, [, metrics]) => sum + metrics.n, 0);
    if (parties.length > 0 && rows !== aggregated.aggregate.n) {
      ctx.addIssue({ code: 'custom', path: ['aggregate', 'n'], message: `the aggregate's n must be the parties' total, ${rows}` });
    }
  });

export type BinaryConfusion = z.infer<typeof BinaryConfusion>;
export type BinaryMetrics = z.infer<typeof BinaryMetrics>;
export type ScoreHistogram = z.infer<typeof ScoreHistogram>;
export type ClassMetrics = z.infer<typeof ClassMetrics>;
export type MulticlassMetrics = z.infer<typeof MulticlassMetrics>;
export type RegressionMetrics = z.infer<typeof RegressionMetrics>;
export type Metrics = z.infer<typeof Metrics>;
export type AggregatedMetrics = z.infer<typeof AggregatedMetrics>;
export type MetricsKind = Metrics['kind'];
