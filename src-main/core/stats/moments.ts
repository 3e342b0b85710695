// Mean and spread without catastrophic cancellation. Sums of squares lose everything when the
// values are large and close together (1e8 + {1, 2, 3} has a sum of squares near 3e16, where a
// double's step is 4): each party therefore also keeps Welford's running sum of squared
// deviations from its own mean (M2), and the TTP pools the parties with Chan et al.'s parallel
// formula, which is exact in exact arithmetic and stable in floating point.

export interface Moments {
  count: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
}

export class RunningMoments implements Moments {
  count = 0;
  mean = 0;
  m2 = 0;

  add(value: number): void {
    this.count += 1;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
  }
}

/** Chan, Golub and LeVeque (1979): the moments of the union of the parts. */
export function combineMoments(parts: readonly Moments[]): Moments {
  let total: Moments = { count: 0, mean: 0, m2: 0 };
  for (const part of parts) {
    if (part.count === 0) continue;
    const count = total.count + part.count;
    const delta = part.mean - total.mean;
    total = {
      count,
      mean: total.mean + (delta * part.count) / count,
      m2: total.m2 + part.m2 + (delta * delta * total.count * part.count) / count,
    };
  }
  return total;
}

/** Population standard deviation (divides by n). */
export function populationStd(moments: Moments): number {
  return moments.count === 0 ? 0 : Math.sqrt(Math.max(0, moments.m2) / moments.count);
}
