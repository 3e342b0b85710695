// Metrics leave a party under its minimum cell count: tables with a small cell are withheld,
// rates computed from a small cell too, and score histograms are coarsened; checked by hand.
import { describe, expect, it } from 'vitest';
import { BinaryMetrics, Metrics, SCORE_BINS } from '../../../../src-main/contract/metrics';
import { binaryMetrics } from '../../../../src-main/core/metrics/binary';
import { multiclassMetrics } from '../../../../src-main/core/metrics/multiclass';
import { aggregateMetrics } from '../../../../src-main/core/metrics/aggregate';
import { coarsenCounts, discloseMetrics } from '../../../../src-main/core/disclosure/metrics';
import { tableVector, withoutTables } from '../../../../src-main/core/metrics/tables';

function binary(labels: number[], scores: number[]) {
  return binaryMetrics(Float32Array.from(labels), Float32Array.from(scores));
}

describe('metrics under the minimum cell count', () => {
  it('sends everything when no cell counts 1..k-1', () => {
    const m = binary([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.95, 0.85, 0.1, 0.2, 0.3, 0.15, 0.25, 0.05, 0.12]);
    const sent = discloseMetrics(m, 5) as BinaryMetrics;
    expect(sent.confusion).toEqual({ tp: 5, fp: 0, tn: 7, fn: 0 });
    expect(sent.accuracy).toBe(1);
    expect(sent.rocAuc).toBe(1);
    expect(BinaryMetrics.parse(sent)).toBeTruthy();
  });

  it('withholds the table and every rate a small cell enters, and keeps the rest', () => {
    // tp 6, fn 1, tn 6, fp 0: fn is a cell of 1.
    const m = binary([1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.95, 0.85, 0.6, 0.4, 0.1, 0.2, 0.3, 0.15, 0.25, 0.05]);
    const sent = discloseMetrics(m, 5) as BinaryMetrics;
    expect(sent.confusion).toBeNull();
    expect(sent.recall).toBeNull(); // tp, fn
    expect(sent.f1).toBeNull(); // tp, fp, fn
    expect(sent.accuracy).toBeNull(); // wrong = 1
    expect(sent.precision).toBe(1); // tp 6, fp 0
    expect(sent.rocAuc).toBe(m.rocAuc); // 7 positives, 6 negatives: both >= 5
    expect(sent.logLoss).toBe(m.logLoss);
    expect(Metrics.parse(sent)).toBeTruthy();
  });

  it('withholds the curves when a class has fewer than k rows', () => {
    const m = binary([1, 1, 0, 0, 0, 0, 0, 0], [0.9, 0.8, 0.1, 0.2, 0.3, 0.15, 0.25, 0.05]);
    const sent = discloseMetrics(m, 5) as BinaryMetrics;
    expect(sent.rocAuc).toBeNull();
    expect(sent.prAuc).toBeNull();
    expect(sent.scoreHistogram).toBeUndefined();
  });

  it('coarsens a histogram into runs of at least k rows, each reported in its middle', () => {
    const counts = new Array<number>(10).fill(0);
    counts[0] = 2;
    counts[2] = 3; // run 1: bins 0..2, 5 rows, middle of 0 and 2 -> 1
    counts[5] = 6; // run 2: bin 5 alone
    counts[8] = 1; // a short tail joins run 2: 5..9 with rows at 5 and 8 -> 6
    expect(coarsenCounts(counts, 5)).toEqual([0, 5, 0, 0, 0, 0, 7, 0, 0, 0]);
    expect(coarsenCounts([0, 3, 0], 5)).toBeUndefined();
    expect(coarsenCounts([0, 0, 0], 5)).toEqual([0, 0, 0]);
  });

  it('coarsened histograms keep every cell at 0 or k and more, and the pooled AUC near the truth', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const parties = [0, 1, 2].map(() => {
      const labels = Array.from({ length: 60 }, () => (random() < 0.4 ? 1 : 0));
      const scores = labels.map((label) => Math.min(0.999, Math.max(0, 0.5 + (label ? 0.2 : -0.2) + (random() - 0.5) * 0.6)));
      return { labels, scores };
    });
    const exact = aggregateMetrics(parties.map((party, index) => ({ party: `p${index}`, metrics: binary(party.labels, party.scores) })));
    const disclosed = parties.map((party, index) => ({ party: `p${index}`, metrics: discloseMetrics(binary(party.labels, party.scores), 5) }));
    for (const { metrics } of disclosed) {
      const histogram = (metrics as BinaryMetrics).scoreHistogram!;
      expect(histogram.positive).toHaveLength(SCORE_BINS);
      for (const count of [...histogram.positive, ...histogram.negative]) expect(count === 0 || count >= 5).toBe(true);
    }
    const pooled = aggregateMetrics(disclosed).aggregate as BinaryMetrics;
    expect(Math.abs(pooled.rocAuc! - (exact.aggregate as BinaryMetrics).rocAuc!)).toBeLessThan(0.02);
  });

  it('pools the tables that were sent and says over how many rows', () => {
    const open = binary([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.95, 0.85, 0.1, 0.2, 0.3, 0.15, 0.25]);
    const small = binary([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1], [0.9, 0.8, 0.7, 0.95, 0.85, 0.6, 0.1, 0.2, 0.3, 0.15, 0.25, 0.3]);
    const aggregate = aggregateMetrics([
      { party: 'a', metrics: discloseMetrics(open, 5) },
      { party: 'b', metrics: discloseMetrics(small, 5) },
    ]).aggregate as BinaryMetrics;
    expect(aggregate.n).toBe(22);
    expect(aggregate.tableRows).toBe(10);
    expect(aggregate.confusion).toEqual({ tp: 5, fp: 0, tn: 5, fn: 0 });
  });

  it('withholds a multiclass table with a small cell, and the per-class rates it enters', () => {
    const labels = ['a', 'b', 'c'];
    const truth = [...Array(6).fill(0), ...Array(6).fill(1), ...Array(6).fill(2)];
    const predicted = truth.map((t, i) => (i === 0 ? 1 : t));
    const outputs = new Float32Array(truth.length * 3);
    predicted.forEach((p, r) => (outputs[r * 3 + p] = 1));
    const m = multiclassMetrics(Int32Array.from(truth), outputs, labels);
    const sent = discloseMetrics(m, 5);
    if (sent.kind !== 'multiclass') throw new Error('multiclass expected');
    expect(sent.confusion).toBeNull();
    expect(sent.perClass['c']).toEqual(m.perClass['c']); // untouched class: 6 right, none wrong
    expect(sent.perClass['a']!.recall).toBeNull(); // one row of a missed
    expect(sent.perClass['b']!.precision).toBeNull(); // one false alarm
    expect(sent.accuracy).toBeNull();
    expect(Metrics.parse(sent)).toBeTruthy();
  });
});

describe('metrics whose tables travel in a secure sum', () => {
  it('still withhold the rates a small cell enters, though the table itself is summed', () => {
    // 49 right, 3 wrong: accuracy would give the wrong count away.
    const labels = [...Array(9).fill(1), ...Array(43).fill(0)];
    const scores = labels.map((label, i) => (i < 2 ? 1 - label : label ? 0.9 : 0.1) * 0.98 + 0.01);
    scores[20] = 0.8; // one false alarm
    const sent = withoutTables(discloseMetrics(binary(labels, scores), 5)) as BinaryMetrics;
    expect(sent.confusion).toBeNull();
    expect(sent.scoreHistogram).toBeUndefined();
    expect(sent.accuracy).toBeNull();
    expect(sent.rocAuc).not.toBeNull();
    expect(tableVector(binary(labels, scores)).slice(0, 4)).toEqual(Float64Array.from([7, 1, 42, 2]));
  });
});
