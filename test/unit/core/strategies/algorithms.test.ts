// Every algorithm, two rounds each, against values worked out by hand (the arithmetic is in the
// comments). Outputs are float32, so they are compared to 6 decimals (|error| < 5e-7).
import { describe, expect, it } from 'vitest';
import { createStrategy } from '../../../../src-main/core/strategies';
import { expectClose, hyper, result, ROUND1, ROUND2, weightsOf, X0 } from './helpers';

describe('FedAvg', () => {
  it('takes the sample-weighted average, round after round', () => {
    const strategy = createStrategy(hyper({ algorithm: 'fedavg' }));
    expect(strategy.algorithm).toBe('fedavg');
    // Round 1: (1*[2, 2, 0] + 3*[0, 4, 4]) / 4 = [0.5, 3.5, 3]
    const x1 = weightsOf(strategy.aggregateFit(1, X0, ROUND1, []));
    expectClose(x1, [0.5, 3.5, 3]);
    // Round 2: (2*[1, 1, 1] + 5*[3, -1, 5] + 1*[0, 8, -4]) / 8 = [17, 5, 23] / 8
    const x2 = weightsOf(strategy.aggregateFit(2, x1, ROUND2, []));
    expectClose(x2, [2.125, 0.625, 2.875]);
  });

  it('weights by examples, not by clients', () => {
    const strategy = createStrategy(hyper({ algorithm: 'fedavg' }));
    // (99*[0] + 1*[100]) / 100 = 1, where the unweighted mean would be 50.
    const out = weightsOf(strategy.aggregateFit(1, Float32Array.from([7]), [result('a', 99, [0]), result('b', 1, [100])], []));
    expectClose(out, [1]);
  });
});

describe('FedProx', () => {
  it('aggregates exactly as FedAvg does', () => {
    const strategy = createStrategy(hyper({ algorithm: 'fedprox', mu: 0.1 }));
    expect(strategy.algorithm).toBe('fedprox');
    const x0 = Float32Array.from([0, 0, 0]);
    // Round 1: N = 10 + 30 = 40.
    //   (10*[0.1, 0.2, 0.3] + 30*[0.5, 0.6, 0.7]) / 40 = ([1, 2, 3] + [15, 18, 21]) / 40
    //   = [16, 20, 24] / 40 = [0.4, 0.5, 0.6]
    const x1 = weightsOf(
      strategy.aggregateFit(1, x0, [result('a', 10, [0.1, 0.2, 0.3]), result('b', 30, [0.5, 0.6, 0.7])], []),
    );
    expectClose(x1, [0.4, 0.5, 0.6]);
    // Round 2: N = 1 + 1 + 2 = 4.
    //   (1*[1, 0, -1] + 1*[0, 1, 1] + 2*[0.5, 0.5, 0.5]) / 4 = [2, 2, 1] / 4 = [0.5, 0.5, 0.25]
    const x2 = weightsOf(
      strategy.aggregateFit(
        2,
        x1,
        [result('a', 1, [1, 0, -1]), result('b', 1, [0, 1, 1]), result('c', 2, [0.5, 0.5, 0.5])],
        [],
      ),
    );
    expectClose(x2, [0.5, 0.5, 0.25]);
  });
});

describe('FedAvgM', () => {
  it('takes momentum steps on the pseudo-gradient current - fedavg', () => {
    // serverLearningRate = 0.5, serverMomentum = 0.5
    const strategy = createStrategy(hyper({ algorithm: 'fedavgm', serverLearningRate: 0.5, serverMomentum: 0.5 }));
    expect(strategy.algorithm).toBe('fedavgm');
    // Round 1: fedavg = [0.5, 3.5, 3]
    //   d1 = x0 - fedavg = [1 - 0.5, 2 - 3.5, 3 - 3] = [0.5, -1.5, 0]
    //   v1 = d1 (first round)
    //   x1 = x0 - 0.5 * v1 = [1 - 0.25, 2 + 0.75, 3 - 0] = [0.75, 2.75, 3]
    const x1 = weightsOf(strategy.aggregateFit(1, X0, ROUND1, []));
    expectClose(x1, [0.75, 2.75, 3]);
    // Round 2: fedavg = [2.125, 0.625, 2.875]
    //   d2 = x1 - fedavg = [0.75 - 2.125, 2.75 - 0.625, 3 - 2.875] = [-1.375, 2.125, 0.125]
    //   v2 = 0.5 * v1 + d2 = [0.25 - 1.375, -0.75 + 2.125, 0 + 0.125] = [-1.125, 1.375, 0.125]
    //   x2 = x1 - 0.5 * v2 = [0.75 + 0.5625, 2.75 - 0.6875, 3 - 0.0625] = [1.3125, 2.0625, 2.9375]
    const x2 = weightsOf(strategy.aggregateFit(2, x1, ROUND2, []));
    expectClose(x2, [1.3125, 2.0625, 2.9375]);
  });

  it('without momentum takes plain server SGD steps', () => {
    const strategy = createStrategy(hyper({ algorithm: 'fedavgm', serverLearningRate: 0.5, serverMomentum: 0 }));
    // Round 1: x1 = x0 - 0.5 * [0.5, -1.5, 0] = [0.75, 2.75, 3]
    const x1 = weightsOf(strategy.aggregateFit(1, X0, ROUND1, []));
    expectClose(x1, [0.75, 2.75, 3]);
    // Round 2: d2 = [-1.375, 2.125, 0.125] (as above), no momentum:
    //   x2 = x1 - 0.5 * d2 = [0.75 + 0.6875, 2.75 - 1.0625, 3 - 0.0625] = [1.4375, 1.6875, 2.9375]
    const x2 = weightsOf(strategy.aggregateFit(2, x1, ROUND2, []));
    expectClose(x2, [1.4375, 1.6875, 2.9375]);
  });

  it('with serverLearningRate 1 and no momentum is FedAvg', () => {
    const strategy = createStrategy(hyper({ algorithm: 'fedavgm', serverLearningRate: 1, serverMomentum: 0 }));
    // x - 1 * (x - fedavg) = fedavg
    const x1 = weightsOf(strategy.aggregateFit(1, X0, ROUND1, []));
    expectClose(x1, [0.5, 3.5, 3]);
    expectClose(weightsOf(strategy.aggregateFit(2, x1, ROUND2, [])), [2.125, 0.625, 2.875]);
  });
});

// Reddi et al. 2021, Algorithm 2, with m_{-1} = 0 and v_{-1} = tau^2.
// For FedAdam and FedYogi: eta = 0.5, beta1 = 0.5, beta2 = 0.75, tau = 0.5 (so v_{-1} = 0.25).
const ADAPTIVE = { serverLearningRate: 0.5, serverMomentum: 0.5, beta2: 0.75, tau: 0.5 };

describe('FedAdam', () => {
  it('follows Algorithm 2 of Reddi et al. with v starting at tau^2', () => {
    const strategy = createStrategy(hyper({ algorithm: 'fedadam', ...ADAPTIVE }));
    expect(strategy.algorithm).toBe('fedadam');
    // Round 1: Delta1 = fedavg - x0 = [0.5 - 1, 3.5 - 2, 3 - 3] = [-0.5, 1.5, 0]
    //   m1 = 0.5 * 0 + 0.5 * Delta1 = [-0.25, 0.75, 0]
    //   v1 = 0.75 * 0.25 + 0.25 * Delta1^2 = 0.1875 + 0.25 * [0.25, 2.25, 0]
    //      = [0.25, 0.75, 0.1875];  sqrt(v1) = [0.5, 0.86602540, 0.43301270]
    //   x1 = x0 + 0.5 * m1 / (sqrt(v1) + 0.5)
    //      = [1 - 0.125 / 1.0, 2 + 0.375 / 1.36602540, 3 + 0] = [0.875, 2.27451905, 3]
    const x1 = weightsOf(strategy.aggregateFit(1, X0, ROUND1, []));
    expectClose(x1, [0.875, 2.27451905, 3]);
    // Round 2: Delta2 = [2.125 - 0.875, 0.625 - 2.27451905, 2.875 - 3] = [1.25, -1.64951905, -0.125]
    //   m2 = 0.5 * m1 + 0.5 * Delta2 = [-0.125 + 0.625, 0.375 - 0.82475953, 0 - 0.0625]
    //      = [0.5, -0.44975953, -0.0625]
    //   v2 = 0.75 * v1 + 0.25 * Delta2^2
    //      = [0.1875 + 0.25 * 1.5625, 0.5625 + 0.25 * 2.72091311, 0.140625 + 0.25 * 0.015625]
    //      = [0.578125, 1.24272828, 0.14453125];  sqrt(v2) = [0.76034532, 1.11477723, 0.38017266]
    //   x2 = x1 + 0.5 * m2 / (sqrt(v2) + 0.5)
    //      = [0.875 + 0.25 / 1.26034532, 2.27451905 - 0.22487976 / 1.61477723, 3 - 0.03125 / 0.88017266]
    //      = [0.875 + 0.19835834, 2.27451905 - 0.13926365, 3 - 0.03550440]
    //      = [1.07335834, 2.13525541, 2.96449560]
    const x2 = weightsOf(strategy.aggregateFit(2, x1, ROUND2, []));
    expectClose(x2, [1.07335834, 2.13525541, 2.9644956]);
  });
});

describe('FedYogi', () => {
  it('follows Algorithm 2 of Reddi et al., v moving by the sign of v - Delta^2', () => {
    const strategy = createStrategy(hyper({ algorithm: 'fedyogi', ...ADAPTIVE }));
    expect(strategy.algorithm).toBe('fedyogi');
    // Round 1: Delta1 = [-0.5, 1.5, 0], Delta1^2 = [0.25, 2.25, 0], m1 = [-0.25, 0.75, 0]
    //   v1 = v0 - 0.25 * Delta1^2 * sign(v0 - Delta1^2), v0 = 0.25:
    //      [0.25 - 0.0625 * sign(0),  0.25 - 0.5625 * sign(-2),  0.25 - 0 * sign(0.25)]
    //      = [0.25, 0.8125, 0.25];  sqrt(v1) = [0.5, 0.90138782, 0.5]
    //   x1 = x0 + 0.5 * m1 / (sqrt(v1) + 0.5)
    //      = [1 - 0.125 / 1.0, 2 + 0.375 / 1.40138782, 3] = [0.875, 2.26759188, 3]
    const x1 = weightsOf(strategy.aggregateFit(1, X0, ROUND1, []));
    expectClose(x1, [0.875, 2.26759188, 3]);
    // Round 2: Delta2 = [2.125 - 0.875, 0.625 - 2.26759188, 2.875 - 3] = [1.25, -1.64259188, -0.125]
    //   Delta2^2 = [1.5625, 2.69810808, 0.015625]
    //   m2 = 0.5 * m1 + 0.5 * Delta2 = [0.5, 0.375 - 0.82129594, -0.0625] = [0.5, -0.44629594, -0.0625]
    //   v2: [0.25 - 0.25 * 1.5625 * sign(0.25 - 1.5625)      = 0.25 + 0.390625 = 0.640625,
    //        0.8125 - 0.25 * 2.69810808 * sign(0.8125 - 2.698) = 0.8125 + 0.67452702 = 1.48702702,
    //        0.25 - 0.25 * 0.015625 * sign(0.25 - 0.015625)  = 0.25 - 0.00390625 = 0.24609375]
    //   sqrt(v2) = [0.80039053, 1.21943717, 0.49607837]
    //   x2 = x1 + 0.5 * m2 / (sqrt(v2) + 0.5)
    //      = [0.875 + 0.25 / 1.30039053, 2.26759188 - 0.22314797 / 1.71943717, 3 - 0.03125 / 0.99607837]
    //      = [0.875 + 0.19224994, 2.26759188 - 0.12977966, 3 - 0.03137303]
    //      = [1.06724994, 2.13781222, 2.96862697]
    const x2 = weightsOf(strategy.aggregateFit(2, x1, ROUND2, []));
    expectClose(x2, [1.06724994, 2.13781222, 2.96862697]);
  });
});

describe('FedAdagrad', () => {
  it('follows Algorithm 2 of Reddi et al., v accumulating Delta^2', () => {
    // eta = 1, beta1 = 0.5, tau = 0.6 (v0 = 0.36). The updates are chosen so every sqrt is exact
    // (0.6-0.8-1 and 1-0.75-1.25 right triangles).
    const strategy = createStrategy(
      hyper({ algorithm: 'fedadagrad', serverLearningRate: 1, serverMomentum: 0.5, tau: 0.6 }),
    );
    expect(strategy.algorithm).toBe('fedadagrad');
    // Round 1: fedavg = (1*[3, 2, 1] + 3*[1.4, 2, 2.6]) / 4 = [7.2, 8, 8.8] / 4 = [1.8, 2, 2.2]
    //   Delta1 = [0.8, 0, -0.8];  m1 = 0.5 * Delta1 = [0.4, 0, -0.4]
    //   v1 = 0.36 + Delta1^2 = [1, 0.36, 1];  sqrt(v1) = [1, 0.6, 1]
    //   x1 = x0 + m1 / (sqrt(v1) + 0.6) = [1 + 0.4 / 1.6, 2 + 0, 3 - 0.4 / 1.6] = [1.25, 2, 2.75]
    const x1 = weightsOf(
      strategy.aggregateFit(1, X0, [result('a', 1, [3, 2, 1]), result('b', 3, [1.4, 2, 2.6])], []),
    );
    expectClose(x1, [1.25, 2, 2.75]);
    // Round 2: fedavg = (2*[2, 1, 3] + 1*[1, 1.4, 2] + 1*[3, 1.4, 3]) / 4 = [8, 4.8, 11] / 4 = [2, 1.2, 2.75]
    //   Delta2 = [2 - 1.25, 1.2 - 2, 2.75 - 2.75] = [0.75, -0.8, 0]
    //   m2 = 0.5 * m1 + 0.5 * Delta2 = [0.2 + 0.375, 0 - 0.4, -0.2 + 0] = [0.575, -0.4, -0.2]
    //   v2 = v1 + Delta2^2 = [1 + 0.5625, 0.36 + 0.64, 1 + 0] = [1.5625, 1, 1];  sqrt(v2) = [1.25, 1, 1]
    //   x2 = x1 + m2 / (sqrt(v2) + 0.6) = [1.25 + 0.575 / 1.85, 2 - 0.4 / 1.6, 2.75 - 0.2 / 1.6]
    //      = [1.25 + 0.31081081, 1.75, 2.625] = [1.56081081, 1.75, 2.625]
    const x2 = weightsOf(
      strategy.aggregateFit(
        2,
        x1,
        [result('a', 2, [2, 1, 3]), result('b', 1, [1, 1.4, 2]), result('c', 1, [3, 1.4, 3])],
        [],
      ),
    );
    expectClose(x2, [1.56081081, 1.75, 2.625]);
  });
});

describe('server state', () => {
  it('is private to each instance', () => {
    const h = hyper({ algorithm: 'fedadam', ...ADAPTIVE });
    const first = createStrategy(h);
    weightsOf(first.aggregateFit(1, X0, ROUND1, []));
    // A fresh instance starts from m = 0, v = tau^2 again: its first round is round 1 above.
    expectClose(weightsOf(createStrategy(h).aggregateFit(1, X0, ROUND1, [])), [0.875, 2.27451905, 3]);
  });

  it('is left as it was by a refused round', () => {
    for (const algorithm of ['fedavgm', 'fedadam'] as const) {
      const strategy = createStrategy(hyper({ algorithm, ...ADAPTIVE }));
      const x1 = weightsOf(strategy.aggregateFit(1, X0, ROUND1, []));
      const poisoned = [...ROUND2.slice(0, 2), result('c', 1, [0, Number.NaN, -4])];
      expect(strategy.aggregateFit(2, x1, poisoned, []).ok).toBe(false);
      // The retried round gives exactly what round 2 gives without the refusal in between.
      const reference = createStrategy(hyper({ algorithm, ...ADAPTIVE }));
      const expected = weightsOf(reference.aggregateFit(2, weightsOf(reference.aggregateFit(1, X0, ROUND1, [])), ROUND2, []));
      expect(weightsOf(strategy.aggregateFit(2, x1, ROUND2, []))).toEqual(expected);
    }
  });

  it('is sized on first use and refuses a model of another size later', () => {
    const strategy = createStrategy(hyper({ algorithm: 'fedyogi', ...ADAPTIVE }));
    weightsOf(strategy.aggregateFit(1, X0, ROUND1, []));
    const outcome = strategy.aggregateFit(2, Float32Array.from([1, 2]), [result('a', 1, [0, 0])], []);
    expect(outcome).toEqual({
      ok: false,
      reason: 'the model has 2 weights, but the server optimiser state was sized for 3 in an earlier round',
    });
  });
});
