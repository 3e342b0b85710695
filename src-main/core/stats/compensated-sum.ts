// Neumaier's compensated summation: sums of many doubles (and of their squares) stay accurate
// to a few ulps, so federated means and variances built from per-party sums match the pooled
// ones to far better than 1e-9.

export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const total = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - total + value;
    else this.compensation += value - total + this.sum;
    this.sum = total;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

export function compensatedTotal(values: Iterable<number>): number {
  const sum = new CompensatedSum();
  for (const value of values) sum.add(value);
  return sum.value;
}

/** Mean and population standard deviation from a count, a sum and a sum of squares. */
export function meanAndStd(count: number, sum: number, sumSq: number): { mean: number; std: number } {
  if (count === 0) return { mean: 0, std: 0 };
  const mean = sum / count;
  const variance = Math.max(0, sumSq / count - mean * mean);
  return { mean, std: Math.sqrt(variance) };
}
