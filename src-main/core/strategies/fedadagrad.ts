// FedAdagrad (Reddi et al. 2021, Algorithm 2): v_t = v_{t-1} + Delta_t^2, so each weight's
// step shrinks as its squared updates accumulate.
import { FedOpt } from './fedopt';

export class FedAdagrad extends FedOpt {
  readonly algorithm = 'fedadagrad' as const;

  protected secondMoment(previous: number, deltaSquared: number): number {
    return previous + deltaSquared;
  }
}
