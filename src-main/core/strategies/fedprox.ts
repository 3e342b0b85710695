// FedProx (Li et al. 2020): clients minimise their loss plus mu/2 * ||w - w_global||^2, which
// keeps heterogeneous clients near the global model. The proximal term is applied by the client
// trainer; the server only sends mu (see fit-config.ts) and aggregates exactly as FedAvg does.
import { FedAvg } from './fedavg';

export class FedProx extends FedAvg {
  override readonly algorithm = 'fedprox' as const;
}
