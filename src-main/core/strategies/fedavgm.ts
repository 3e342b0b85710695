// FedAvgM (Hsu et al. 2019, "Measuring the Effects of Non-Identical Data Distribution for
// Federated Visual Classification"), as Flower's FedAvgM computes it: the server treats
// d = current - fedavg(results) as a pseudo-gradient and takes a momentum SGD step on it:
//
//   v = d                       in the first aggregated round
//   v = serverMomentum * v + d  afterwards            (only when serverMomentum > 0)
//   new = current - serverLearningRate * v            (v = d when serverMomentum = 0)
//
// With serverMomentum = 0 and serverLearningRate = 1 this is FedAvg. Flower decides "first
// round" by server_round == 1; here it is the first round this instance aggregates (the same
// thing when rounds count from 1, and robust to rounds counted from 0). A refused round leaves
// the momentum as it was.
import { weightedAverage64 } from './aggregate';
import { BaseStrategy, type Problem } from './base';

export class FedAvgM extends BaseStrategy {
  readonly algorithm = 'fedavgm' as const;
  /** The server momentum buffer, sized on first use; null until a round has been aggregated. */
  private velocity: Float64Array | null = null;
  /** Where the next round's velocity is written before it is committed (no allocation per round). */
  private spare: Float64Array | null = null;

  protected override saveBuffers(): Record<string, Float64Array> {
    return this.velocity ? { velocity: Float64Array.from(this.velocity) } : {};
  }

  protected override loadBuffers(buffers: Record<string, Float64Array>): void {
    this.velocity = buffers['velocity'] ? Float64Array.from(buffers['velocity']) : null;
    this.spare = null;
  }

  protected combine(
    current: Float32Array,
    updates: readonly Float32Array[],
    numExamples: readonly number[],
  ): Float32Array | Problem {
    const length = current.length;
    if (this.velocity !== null && this.velocity.length !== length) {
      return `the model has ${length} weights, but the server momentum was sized for ${this.velocity.length} in an earlier round`;
    }
    const beta = this.h.serverMomentum;
    const lr = this.h.serverLearningRate;
    const average = weightedAverage64(updates, numExamples);
    const previous = this.velocity;
    // Reuse last round's buffer; a refused first round may have left one of another size.
    const next = beta > 0 ? (this.spare?.length === length ? this.spare : new Float64Array(length)) : null;
    const out = new Float32Array(length);
    let finite = true;
    for (let i = 0; i < length; i++) {
      const x = current[i]!;
      const d = x - average[i]!;
      let step = d;
      if (next !== null) {
        step = previous === null ? d : beta * previous[i]! + d;
        next[i] = step;
      }
      const value = Math.fround(x - lr * step);
      out[i] = value;
      if (value - value !== 0) finite = false;
    }
    if (!finite) return 'the new weights are not finite';
    if (next !== null) {
      this.spare = previous;
      this.velocity = next;
    }
    return out;
  }
}
