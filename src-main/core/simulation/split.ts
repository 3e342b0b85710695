// Deterministic splits of one data set into simulated parties, for `cohort simulate`:
// - iid: rows dealt at random (seeded), so every party sees the same distribution;
// - label-skew: each label's rows spread over the parties in proportions drawn from a
//   Dirichlet(alpha) distribution (Hsu et al. 2019): small alpha, strong skew.
// Each party's rows are then split into train and evaluate rows.
import { mulberry32, shuffleInPlace } from '../stats/random';

export type SplitMode = 'iid' | 'label-skew';

export interface SplitOptions {
  parties: number;
  mode: SplitMode;
  seed: number;
  /** Dirichlet concentration for label-skew. */
  alpha: number;
  /** Share of each party's rows held out as its evaluate data. */
  evaluateFraction: number;
  /** Every party needs at least this many train rows (label-skew redraws until it holds). */
  minTrainRows: number;
}

export interface PartySplit {
  train: number[];
  evaluate: number[];
}

export function splitRows(labels: readonly string[], options: SplitOptions): PartySplit[] {
  const { parties, mode, seed } = options;
  if (!Number.isInteger(parties) || parties < 1) throw new RangeError('parties must be a whole number >= 1');
  if (!(options.evaluateFraction >= 0 && options.evaluateFraction < 1)) throw new RangeError('the evaluate fraction must be in [0, 1)');
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const random = mulberry32((seed + attempt * 0x9e3779b1) >>> 0);
    const assignment = mode === 'iid' ? dealIid(labels.length, parties, random) : dealLabelSkew(labels, parties, options.alpha, random);
    const split = assignment.map((rows) => holdOut(rows, options.evaluateFraction, random));
    if (split.every((party) => party.train.length >= options.minTrainRows)) return split;
  }
  throw new RangeError(
    `cannot give each of ${parties} parties ${options.minTrainRows} training rows from ${labels.length} rows` +
      (mode === 'label-skew' ? ` with alpha ${options.alpha}; use fewer parties or a larger alpha` : ''),
  );
}

function dealIid(rows: number, parties: number, random: () => number): number[][] {
  const order = shuffleInPlace(Array.from({ length: rows }, (_, row) => row), random) as number[];
  const out: number[][] = Array.from({ length: parties }, () => []);
  order.forEach((row, index) => out[index % parties]!.push(row));
  return out.map((party) => party.sort((a, b) => a - b));
}

function dealLabelSkew(labels: readonly string[], parties: number, alpha: number, random: () => number): number[][] {
  if (!(alpha > 0)) throw new RangeError('alpha must be > 0');
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, row) => {
    const rows = byLabel.get(label) ?? [];
    rows.push(row);
    byLabel.set(label, rows);
  });
  const out: number[][] = Array.from({ length: parties }, () => []);
  for (const label of [...byLabel.keys()].sort()) {
    const rows = shuffleInPlace(byLabel.get(label)!, random) as number[];
    const shares = dirichlet(parties, alpha, random);
    let start = 0;
    let cumulative = 0;
    shares.forEach((share, party) => {
      cumulative += share;
      const end = party === parties - 1 ? rows.length : Math.round(cumulative * rows.length);
      out[party]!.push(...rows.slice(start, end));
      start = end;
    });
  }
  return out.map((party) => party.sort((a, b) => a - b));
}

function holdOut(rows: number[], fraction: number, random: () => number): PartySplit {
  const shuffled = shuffleInPlace([...rows], random) as number[];
  const evaluateCount = Math.round(rows.length * fraction);
  return {
    evaluate: shuffled.slice(0, evaluateCount).sort((a, b) => a - b),
    train: shuffled.slice(evaluateCount).sort((a, b) => a - b),
  };
}

/** A draw from the symmetric Dirichlet(alpha) distribution over k outcomes. */
export function dirichlet(k: number, alpha: number, random: () => number): number[] {
  const draws = Array.from({ length: k }, () => gamma(alpha, random));
  const total = draws.reduce((sum, value) => sum + value, 0);
  return total > 0 ? draws.map((value) => value / total) : draws.map(() => 1 / k);
}

/** Marsaglia and Tsang's method; for shape < 1, boosted by U^(1/shape). */
function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * Math.pow(Math.max(random(), Number.MIN_VALUE), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function normal(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Labels for label-skew on a numeric target: its quartile. */
export function quantileBins(values: readonly number[], bins = 4): string[] {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  const edges = Array.from({ length: bins - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / bins)] ?? 0);
  return values.map((value) => `q${edges.filter((edge) => value >= edge).length}`);
}
