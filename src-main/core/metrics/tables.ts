// The tables of classification metrics (confusion matrix, score histograms) as one vector of
// counts, so that parties can sum them securely: the TTP then learns the pooled tables and no
// party's own. Regression metrics have no table.
import type { BinaryConfusion, Metrics, ScoreHistogram } from '../../contract/metrics';
import { SCORE_BINS } from '../../contract/metrics';

export type PooledTables =
  | { kind: 'binary'; confusion: BinaryConfusion; histogram: ScoreHistogram }
  | { kind: 'multiclass'; confusion: number[][] };

/** How many counts the tables of these metrics hold (0: none to sum). */
export function tableLength(kind: Metrics['kind'], labels = 0): number {
  if (kind === 'binary') return 4 + 2 * SCORE_BINS;
  if (kind === 'multiclass') return labels * labels;
  return 0;
}

/** The party's tables as counts, in a fixed order. */
export function tableVector(metrics: Metrics): Float64Array {
  if (metrics.kind === 'binary') {
    const out = new Float64Array(tableLength('binary'));
    const { tp, fp, tn, fn } = metrics.confusion ?? { tp: 0, fp: 0, tn: 0, fn: 0 };
    out.set([tp, fp, tn, fn]);
    if (metrics.scoreHistogram) {
      out.set(metrics.scoreHistogram.positive, 4);
      out.set(metrics.scoreHistogram.negative, 4 + SCORE_BINS);
    }
    return out;
  }
  if (metrics.kind === 'multiclass') return Float64Array.from((metrics.confusion ?? []).flat());
  return new Float64Array(0);
}

/** The pooled tables from the summed vector (counts are whole numbers: rounded). */
export function tablesFromVector(kind: 'binary' | 'multiclass', sum: ArrayLike<number>, labels = 0): PooledTables {
  const count = (index: number) => Math.max(0, Math.round(sum[index]!));
  if (kind === 'binary') {
    return {
      kind,
      confusion: { tp: count(0), fp: count(1), tn: count(2), fn: count(3) },
      histogram: {
        positive: Array.from({ length: SCORE_BINS }, (_, bin) => count(4 + bin)),
        negative: Array.from({ length: SCORE_BINS }, (_, bin) => count(4 + SCORE_BINS + bin)),
      },
    };
  }
  return { kind, confusion: Array.from({ length: labels }, (_, t) => Array.from({ length: labels }, (_, p) => count(t * labels + p))) };
}

/** The metrics without their tables: what a party sends when its tables travel in a secure sum. */
export function withoutTables(metrics: Metrics): Metrics {
  if (metrics.kind === 'binary') {
    const { scoreHistogram: _histogram, ...rest } = metrics;
    return { ...rest, confusion: null };
  }
  if (metrics.kind === 'multiclass') return { ...metrics, confusion: null };
  return metrics;
}
