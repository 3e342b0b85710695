// The TTP's aggregation of the parties' metrics. Only metrics ever arrive, so:
// - confusion matrices are summed and everything that follows from one (accuracy, precision,
//   recall, F1, macro F1, per-class) is recomputed from the sum: exactly the pooled value;
// - log loss, MSE and MAE are means over rows, so their n-weighted mean is the pooled value;
// - ROC AUC and average precision come from the parties' score histograms summed: the pooled
//   value to within the histogram's bin width (or, where a party coarsened its histogram under
//   its disclosure rules, to within its merged runs), defined even when a party holds one class
//   (without histograms, the n-weighted mean of the parties' values, nulls skipped);
// - a table a party withheld (a cell of 1..k-1 rows) is left out of the pooled table, and the
//   aggregate says over how many rows the table was pooled (tableRows); when the parties summed
//   their tables securely (two or more evaluate), the pooled tables are exact and no party's own
//   table was ever sent;
// - R² is not decomposable from what is sent: the n-weighted mean of the parties' values;
// - rmse = sqrt(aggregate mse).
import type {
  AggregatedMetrics,
  BinaryMetrics,
  Metrics,
  MulticlassMetrics,
  RegressionMetrics,
} from '../../contract/metrics';
import { CohortError } from '../../contract/errors';
import { rankingFromHistogram } from './binary';
import { binaryRates, multiclassRates } from './confusion';
import { SCORE_BINS, type ScoreHistogram } from '../../contract/metrics';
import type { PooledTables } from './tables';

export interface PartyMetrics {
  party: string;
  metrics: Metrics;
}

/**
 * `pooled`: the parties' tables summed securely (the TTP never saw one party's); without it,
 * the tables the parties sent are summed here.
 */
export function aggregateMetrics(parts: ReadonlyArray<PartyMetrics>, pooled?: PooledTables): AggregatedMetrics {
  const first = parts[0];
  if (first === undefined) throw new CohortError('BAD_INPUT', 'cannot aggregate the metrics of no party');
  const parties = new Map<string, Metrics>();
  for (const { party, metrics } of parts) {
    if (parties.has(party)) throw new CohortError('BAD_INPUT', `party "${party}" reported metrics twice`, { party });
    if (metrics.kind !== first.metrics.kind) {
      throw new CohortError(
        'BAD_INPUT',
        `party "${party}" reported ${metrics.kind} metrics, but party "${first.party}" reported ${first.metrics.kind} metrics`,
        { party },
      );
    }
    parties.set(party, metrics);
  }

  let aggregate: Metrics;
  switch (first.metrics.kind) {
    case 'binary':
      aggregate = aggregateBinary(parts.map(({ metrics }) => metrics as BinaryMetrics), pooled?.kind === 'binary' ? pooled : undefined);
      break;
    case 'multiclass':
      aggregate = aggregateMulticlass(parts as ReadonlyArray<{ party: string; metrics: MulticlassMetrics }>, pooled?.kind === 'multiclass' ? pooled : undefined);
      break;
    case 'regression':
      aggregate = aggregateRegression(parts.map(({ metrics }) => metrics as RegressionMetrics));
      break;
  }
  return { aggregate, parties: Object.fromEntries(parties) };
}

/** The mean of the non-null values weighted by each one's n; null if all are null. */
function weightedMean<T extends { n: number }>(items: readonly T[], value: (item: T) => number | null): number | null {
  let weighted = 0;
  let weight = 0;
  for (const item of items) {
    const v = value(item);
    if (v === null) continue;
    weighted += item.n * v;
    weight += item.n;
  }
  return weight === 0 ? null : weighted / weight;
}

function totalRows(items: ReadonlyArray<{ n: number }>): number {
  return items.reduce((sum, item) => sum + item.n, 0);
}

function aggregateBinary(items: readonly BinaryMetrics[], pooled?: Extract<PooledTables, { kind: 'binary' }>): BinaryMetrics {
  // Tables a party withheld under its disclosure rules are left out of the pooled table.
  const withTables = pooled ? items : items.filter((item) => item.confusion !== null);
  const confusion = pooled ? { ...pooled.confusion } : { tp: 0, fp: 0, tn: 0, fn: 0 };
  if (!pooled) {
    for (const { confusion: c } of withTables) {
      confusion.tp += c!.tp;
      confusion.fp += c!.fp;
      confusion.tn += c!.tn;
      confusion.fn += c!.fn;
    }
  }
  const n = totalRows(items);
  const tableRows = totalRows(withTables);
  const hasTable = withTables.length > 0;
  const rates = binaryRates(confusion);
  const aggregate: BinaryMetrics = {
    kind: 'binary',
    n,
    accuracy: hasTable ? rates.accuracy : null,
    precision: hasTable ? rates.precision : null,
    recall: hasTable ? rates.recall : null,
    f1: hasTable ? rates.f1 : null,
    rocAuc: weightedMean(items, (m) => m.rocAuc),
    prAuc: weightedMean(items, (m) => m.prAuc),
    logLoss: weightedMean(items, (m) => m.logLoss)!,
    confusion: hasTable ? confusion : null,
    ...(hasTable && tableRows !== n ? { tableRows } : {}),
  };
  if (pooled) {
    Object.assign(aggregate, rankingFromHistogram(pooled.histogram), { scoreHistogram: pooled.histogram });
    return aggregate;
  }
  const withHistograms = items.filter((item) => item.scoreHistogram);
  if (withHistograms.length > 0) {
    const histogram: ScoreHistogram = { positive: new Array<number>(SCORE_BINS).fill(0), negative: new Array<number>(SCORE_BINS).fill(0) };
    for (const item of withHistograms) {
      item.scoreHistogram!.positive.forEach((count, bin) => (histogram.positive[bin]! += count));
      item.scoreHistogram!.negative.forEach((count, bin) => (histogram.negative[bin]! += count));
    }
    // Pooled curves from the histograms sent (all of them, or those that could be coarsened).
    Object.assign(aggregate, rankingFromHistogram(histogram), withHistograms.length === items.length ? { scoreHistogram: histogram } : {});
  }
  return aggregate;
}

function aggregateMulticlass(parts: ReadonlyArray<{ party: string; metrics: MulticlassMetrics }>, pooled?: Extract<PooledTables, { kind: 'multiclass' }>): MulticlassMetrics {
  const labels = parts[0]!.metrics.labels;
  const k = labels.length;
  const confusion = pooled ? pooled.confusion.map((row) => [...row]) : Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const { party, metrics } of parts) {
    if (metrics.labels.length !== k || metrics.labels.some((label, index) => label !== labels[index])) {
      throw new CohortError(
        'BAD_INPUT',
        `party "${party}" reported metrics for the labels [${metrics.labels.join(', ')}], but party "${parts[0]!.party}" for [${labels.join(', ')}]`,
        { party },
      );
    }
    if (metrics.confusion === null || pooled) continue;
    if (metrics.confusion.length !== k || metrics.confusion.some((row) => row.length !== k)) {
      throw new CohortError('BAD_INPUT', `party "${party}" reported a confusion matrix that is not ${k} x ${k}`, { party });
    }
    metrics.confusion.forEach((row, t) => row.forEach((cell, p) => (confusion[t]![p]! += cell)));
  }
  const items = parts.map(({ metrics }) => metrics);
  const withTables = pooled ? items : items.filter((item) => item.confusion !== null);
  const n = totalRows(items);
  const tableRows = totalRows(withTables);
  const logLoss = weightedMean(items, (m) => m.logLoss)!;
  if (withTables.length === 0) {
    const perClass = Object.fromEntries(labels.map((label) => [label, { precision: null, recall: null, f1: null, support: null }]));
    return { kind: 'multiclass', n, labels: [...labels], accuracy: null, macroF1: null, logLoss, perClass, confusion: null };
  }
  const { accuracy, macroF1, perClass } = multiclassRates(confusion, labels);
  return {
    kind: 'multiclass',
    n,
    labels: [...labels],
    accuracy,
    macroF1,
    logLoss,
    perClass,
    confusion,
    ...(tableRows !== n ? { tableRows } : {}),
  };
}

function aggregateRegression(items: readonly RegressionMetrics[]): RegressionMetrics {
  const mse = weightedMean(items, (m) => m.mse)!;
  return {
    kind: 'regression',
    n: totalRows(items),
    mse,
    rmse: Math.sqrt(mse),
    mae: weightedMean(items, (m) => m.mae)!,
    r2: pooledR2(items) ?? weightedMean(items, (m) => m.r2),
  };
}

/**
 * The pooled rows' R²: SS_res and SS_tot added over parties, each party's SS_tot moved to the
 * pooled mean (SS_tot = sum of SS_tot,p + n_p (mean_p - mean)²). Null when a party lacks its mean.
 */
function pooledR2(items: readonly RegressionMetrics[]): number | null {
  if (items.some((m) => m.targetMean === undefined || m.r2 === null || m.r2 >= 1)) return null;
  const n = totalRows(items);
  const mean = items.reduce((total, m) => total + m.n * m.targetMean!, 0) / n;
  let residual = 0;
  let total = 0;
  for (const m of items) {
    residual += m.n * m.mse;
    total += (m.n * m.mse) / (1 - m.r2!) + m.n * (m.targetMean! - mean) ** 2;
  }
  return total > 0 ? 1 - residual / total : null;
}
