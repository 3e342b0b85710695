// FedAdam (Reddi et al. 2021, Algorithm 2): v_t = beta2 * v_{t-1} + (1 - beta2) * Delta_t^2.
import { FedOpt } from './fedopt';

export class FedAdam extends FedOpt {
  readonly algorithm = 'fedadam' as const;

  protected secondMoment(previous: number, deltaSquared: number): number {
    const beta2 = this.h.beta2;
    return beta2 * previous + (1 - beta2) * deltaSquared;
  }
}
