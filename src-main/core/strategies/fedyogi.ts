// FedYogi (Reddi et al. 2021, Algorithm 2; Yogi: Zaheer et al. 2018):
// v_t = v_{t-1} - (1 - beta2) * Delta_t^2 * sign(v_{t-1} - Delta_t^2). Unlike Adam, v grows or
// shrinks by an amount that does not depend on its own size, so it adapts more gently.
import { FedOpt } from './fedopt';

export class FedYogi extends FedOpt {
  readonly algorithm = 'fedyogi' as const;

  protected secondMoment(previous: number, deltaSquared: number): number {
    return previous - (1 - this.h.beta2) * deltaSquared * Math.sign(previous - deltaSquared);
  }
}
