// Robust aggregation against faulty or poisoned updates: each needs every party's own update,
// so none of them can run under secure aggregation (the hub sees only the sum) or central
// differential privacy (its noise is calibrated for the mean); the run settings refuse those.
//   FedMedian     the coordinate-wise median of the parties' weights (Yin et al. 2018)
//   trimmed mean  per coordinate, the mean after dropping the largest and smallest beta share
//                 (Yin et al. 2018)
//   Krum          the one update closest to its n - f - 2 nearest neighbours (Blanchard et al.
//                 2017), f being the number of faulty parties tolerated
//   Multi-Krum    the mean of the m = n - f updates with the best Krum scores
// Updates weigh the same whatever a party's size: a poisoned party could otherwise claim many
// rows to win.
import { firstNonFinite } from './aggregate';
import { BaseStrategy, type Problem } from './base';

export class FedMedian extends BaseStrategy {
  readonly algorithm = 'fedmedian' as const;
  override readonly needsIndividualUpdates = true;

  protected combine(_current: Float32Array, updates: readonly Float32Array[]): Float32Array | Problem {
    return finiteOr(coordinateWise(updates, (values) => median(values)));
  }
}

export class TrimmedMean extends BaseStrategy {
  readonly algorithm = 'trimmedmean' as const;
  override readonly needsIndividualUpdates = true;

  protected combine(_current: Float32Array, updates: readonly Float32Array[]): Float32Array | Problem {
    const trim = Math.floor(this.h.trimBeta * updates.length);
    if (updates.length - 2 * trim < 1) return `trimming ${trim} updates from each end of ${updates.length} leaves none`;
    return finiteOr(coordinateWise(updates, (values) => {
      values.sort((a, b) => a - b);
      let sum = 0;
      for (let i = trim; i < values.length - trim; i += 1) sum += values[i]!;
      return sum / (values.length - 2 * trim);
    }));
  }
}

export class Krum extends BaseStrategy {
  readonly algorithm: 'krum' | 'multikrum' = 'krum';
  override readonly needsIndividualUpdates = true;

  protected combine(current: Float32Array, updates: readonly Float32Array[]): Float32Array | Problem {
    const n = updates.length;
    const f = this.h.byzantine;
    if (n < 2 * f + 3) return `Krum tolerating ${f} faulty participant${f === 1 ? '' : 's'} needs at least ${2 * f + 3} updates in a round, and ${n} arrived`;
    const scores = krumScores(current, updates, f);
    const keep = this.algorithm === 'krum' ? 1 : n - f;
    const chosen = scores.map((score, index) => ({ score, index })).sort((a, b) => a.score - b.score || a.index - b.index).slice(0, keep);
    const out = new Float32Array(current.length);
    for (let i = 0; i < out.length; i += 1) {
      let sum = 0;
      for (const { index } of chosen) sum += updates[index]![i]!;
      out[i] = sum / chosen.length;
    }
    return finiteOr(out);
  }
}

export class MultiKrum extends Krum {
  override readonly algorithm = 'multikrum' as const;
}

/**
 * Each update's Krum score: the sum of squared distances to its n - f - 2 nearest other updates
 * (distances between the updates' changes to the current weights, which is the same thing).
 */
export function krumScores(_current: Float32Array, updates: readonly Float32Array[], f: number): number[] {
  const n = updates.length;
  const distance = Array.from({ length: n }, () => new Float64Array(n));
  for (let a = 0; a < n; a += 1) {
    for (let b = a + 1; b < n; b += 1) {
      let sum = 0;
      const x = updates[a]!;
      const y = updates[b]!;
      for (let i = 0; i < x.length; i += 1) {
        const d = x[i]! - y[i]!;
        sum += d * d;
      }
      distance[a]![b] = sum;
      distance[b]![a] = sum;
    }
  }
  const neighbours = Math.max(1, n - f - 2);
  return distance.map((row, a) =>
    [...row]
      .filter((_, b) => b !== a)
      .sort((p, q) => p - q)
      .slice(0, neighbours)
      .reduce((sum, value) => sum + value, 0),
  );
}

/** Applies `reduce` to the values of each coordinate across the updates. */
function coordinateWise(updates: readonly Float32Array[], reduce: (values: Float64Array) => number): Float32Array {
  const length = updates[0]!.length;
  const out = new Float32Array(length);
  const values = new Float64Array(updates.length);
  for (let i = 0; i < length; i += 1) {
    for (let k = 0; k < updates.length; k += 1) values[k] = updates[k]![i]!;
    out[i] = reduce(values);
  }
  return out;
}

export function median(values: Float64Array): number {
  values.sort();
  const middle = values.length >> 1;
  return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
}

function finiteOr(out: Float32Array): Float32Array | Problem {
  const bad = firstNonFinite(out);
  return bad >= 0 ? `the aggregate holds ${out[bad]} at index ${bad}` : out;
}
