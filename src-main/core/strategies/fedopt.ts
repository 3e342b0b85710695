// The adaptive server optimisers of Reddi et al. 2021, "Adaptive Federated Optimization"
// (ICLR), Algorithm 2. With Delta_t the sample-weighted average of the clients' weights minus
// the current global weights x_t:
//
//   m_t     = beta1 * m_{t-1} + (1 - beta1) * Delta_t
//   v_t     = FedAdagrad: v_{t-1} + Delta_t^2
//             FedAdam:    beta2 * v_{t-1} + (1 - beta2) * Delta_t^2
//             FedYogi:    v_{t-1} - (1 - beta2) * Delta_t^2 * sign(v_{t-1} - Delta_t^2)
//   x_{t+1} = x_t + eta * m_t / (sqrt(v_t) + tau)
//
// with m_{-1} = 0 and v_{-1} = tau^2, the paper's initialisation, and no bias correction.
// (Flower's FedOpt family differs: it starts v at 0, its FedAdam applies Adam's bias
// correction to eta, and its FedAdagrad defaults beta1 to 0; here beta1 = serverMomentum for
// all three, as in the paper's Algorithm 2.)
//
// eta = serverLearningRate, beta1 = serverMomentum, beta2 = beta2, tau = tau. The state (m, v)
// lives in this instance across rounds, in Float64, sized on the first aggregated round; a
// refused round leaves it as it was.
import { weightedAverage64 } from './aggregate';
import { BaseStrategy, type Problem } from './base';

export abstract class FedOpt extends BaseStrategy {
  abstract override readonly algorithm: 'fedadam' | 'fedyogi' | 'fedadagrad';
  private m: Float64Array | null = null;
  private v: Float64Array | null = null;
  /** Buffers the next state is written into, swapped in only when the round succeeds. */
  private nextM: Float64Array | null = null;
  private nextV: Float64Array | null = null;

  /** v_t from v_{t-1} and Delta_t^2, per the algorithm. */
  protected abstract secondMoment(previous: number, deltaSquared: number): number;

  protected override saveBuffers(): Record<string, Float64Array> {
    return this.m && this.v ? { m: Float64Array.from(this.m), v: Float64Array.from(this.v) } : {};
  }

  protected override loadBuffers(buffers: Record<string, Float64Array>): void {
    this.m = buffers['m'] ? Float64Array.from(buffers['m']) : null;
    this.v = buffers['v'] ? Float64Array.from(buffers['v']) : null;
    this.nextM = null;
    this.nextV = null;
  }

  protected combine(
    current: Float32Array,
    updates: readonly Float32Array[],
    numExamples: readonly number[],
  ): Float32Array | Problem {
    const length = current.length;
    if (this.m !== null && this.m.length !== length) {
      return `the model has ${length} weights, but the server optimiser state was sized for ${this.m.length} in an earlier round`;
    }
    const { serverLearningRate: eta, serverMomentum: beta1, tau } = this.h;
    const average = weightedAverage64(updates, numExamples);
    const previousM = this.m;
    const previousV = this.v;
    // Reuse last round's buffers; a refused first round may have left some of another size.
    const m = this.nextM?.length === length ? this.nextM : new Float64Array(length);
    const v = this.nextV?.length === length ? this.nextV : new Float64Array(length);
    const initialV = tau * tau;
    const out = new Float32Array(length);
    let finite = true;
    for (let i = 0; i < length; i++) {
      const x = current[i]!;
      const delta = average[i]! - x;
      const mPrevious = previousM === null ? 0 : previousM[i]!;
      const vPrevious = previousV === null ? initialV : previousV[i]!;
      const mi = beta1 * mPrevious + (1 - beta1) * delta;
      const vi = this.secondMoment(vPrevious, delta * delta);
      m[i] = mi;
      v[i] = vi;
      const value = Math.fround(x + (eta * mi) / (Math.sqrt(vi) + tau));
      out[i] = value;
      if (value - value !== 0) finite = false;
    }
    if (!finite) return 'the new weights are not finite';
    this.nextM = previousM;
    this.nextV = previousV;
    this.m = m;
    this.v = v;
    return out;
  }
}
