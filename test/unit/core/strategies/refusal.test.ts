// What every strategy refuses, and what it must leave untouched.
import { describe, expect, it } from 'vitest';
import type { Algorithm } from '../../../../src-main/contract/records';
import { createStrategy, type Failure, type FitResult } from '../../../../src-main/core/strategies';
import { hyper, result, ROUND1, ROUND2, weightsOf, X0 } from './helpers';

const ALGORITHMS: Algorithm[] = ['fedavg', 'fedprox', 'fedavgm', 'fedadam', 'fedyogi', 'fedadagrad'];

function reasonOf(outcome: ReturnType<ReturnType<typeof createStrategy>['aggregateFit']>): string {
  if (outcome.ok) throw new Error('expected a refusal');
  return outcome.reason;
}

describe.each(ALGORITHMS)('%s refuses', (algorithm) => {
  const strategy = () => createStrategy(hyper({ algorithm, minClients: 3 }));

  it('fewer than minClients results, naming the counts and the failures', () => {
    const failures: Failure[] = [
      { clientId: 'c', reason: 'timeout', message: 'no reply within 600 s' },
      { clientId: 'd', reason: 'disconnected', message: '' },
    ];
    const outcome = strategy().aggregateFit(4, X0, ROUND1, failures);
    expect(outcome).toEqual({
      ok: false,
      reason:
        '2 results arrived from 4 sampled clients, fewer than the 3 required (minClients); ' +
        '2 clients failed: c (timeout: no reply within 600 s), d (disconnected)',
    });
  });

  it('fewer than minClients results when no failures were reported', () => {
    expect(reasonOf(strategy().aggregateFit(1, X0, [ROUND1[0]!], []))).toBe(
      '1 result arrived from 1 sampled client, fewer than the 3 required (minClients); no failures were reported',
    );
    expect(reasonOf(strategy().aggregateFit(1, X0, [], [{ clientId: 'a', reason: 'error', message: 'out of memory' }]))).toBe(
      '0 results arrived from 1 sampled client, fewer than the 3 required (minClients); 1 client failed: a (error: out of memory)',
    );
  });

  it('weights of a different length', () => {
    const results = [...ROUND2.slice(0, 2), result('c', 1, [0, 8])];
    expect(reasonOf(strategy().aggregateFit(2, X0, results, []))).toBe(
      'client c returned 2 weights, but the model has 3',
    );
  });

  it('NaN and infinite weights, naming the client and the index', () => {
    const nan = [...ROUND2.slice(0, 2), result('c', 1, [0, Number.NaN, -4])];
    expect(reasonOf(strategy().aggregateFit(2, X0, nan, []))).toBe(
      'non-finite weights from client c (NaN at index 1)',
    );
    const inf = [result('a', 2, [1, 1, Number.NEGATIVE_INFINITY]), ...ROUND2.slice(1)];
    expect(reasonOf(strategy().aggregateFit(2, X0, inf, []))).toBe(
      'non-finite weights from client a (-Infinity at index 2)',
    );
  });

  it('numExamples <= 0 or not finite', () => {
    for (const n of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const results = [ROUND2[0]!, ROUND2[1]!, { ...ROUND2[2]!, numExamples: n }];
      expect(reasonOf(strategy().aggregateFit(2, X0, results, []))).toBe(
        `client c reported ${n} training examples; it must be a finite number > 0`,
      );
    }
  });

  it('a client that replied twice, or both replied and failed', () => {
    expect(reasonOf(strategy().aggregateFit(2, X0, [...ROUND2, ROUND2[0]!], []))).toBe(
      'client a returned more than one result',
    );
    expect(
      reasonOf(strategy().aggregateFit(2, X0, ROUND2, [{ clientId: 'b', reason: 'cancelled', message: '' }])),
    ).toBe('client b is reported both as a result and as a failure (cancelled)');
  });

  it('non-finite current weights', () => {
    expect(reasonOf(strategy().aggregateFit(2, Float32Array.from([1, Number.NaN, 3]), ROUND2, []))).toBe(
      'the current global weights hold NaN at index 1',
    );
  });
});

describe.each(ALGORITHMS)('%s', (algorithm) => {
  it('aggregates once minClients results arrive, whatever else failed', () => {
    const strategy = createStrategy(hyper({ algorithm, minClients: 3 }));
    const failures: Failure[] = [{ clientId: 'd', reason: 'timeout', message: 'late' }];
    expect(strategy.aggregateFit(2, X0, ROUND2, failures).ok).toBe(true);
  });

  it('changes neither the current weights nor the results, and returns a new array', () => {
    const h = hyper({ algorithm, serverLearningRate: 0.5, serverMomentum: 0.5 });
    const strategy = createStrategy(h);
    const untouched = createStrategy(h);
    const current = Float32Array.from(X0);
    const results: FitResult[] = ROUND2.map((r) => ({ ...r, weights: Float32Array.from(r.weights) }));
    const snapshot = results.map((r) => ({ ...r, weights: Array.from(r.weights) }));
    const failures: Failure[] = [{ clientId: 'd', reason: 'error', message: 'boom' }];
    for (let round = 1; round <= 3; round++) {
      const out = weightsOf(strategy.aggregateFit(round, current, results, failures));
      expect(out).not.toBe(current);
      for (const r of results) expect(out).not.toBe(r.weights);
      // The caller owns the output: scribbling on it changes nothing the strategy keeps.
      expect(out).toEqual(weightsOf(untouched.aggregateFit(round, X0, ROUND2, [])));
      out.fill(123);
    }
    expect(Array.from(current)).toEqual([1, 2, 3]);
    expect(results.map((r) => ({ ...r, weights: Array.from(r.weights) }))).toEqual(snapshot);
    expect(failures).toEqual([{ clientId: 'd', reason: 'error', message: 'boom' }]);
  });

  it('gives the same weights for the same inputs in another instance', () => {
    const run = () => {
      const strategy = createStrategy(hyper({ algorithm }));
      const x1 = weightsOf(strategy.aggregateFit(1, X0, ROUND1, []));
      return weightsOf(strategy.aggregateFit(2, x1, ROUND2, []));
    };
    expect(run()).toEqual(run());
  });
});

describe('refusal messages', () => {
  it('list at most ten failures by name', () => {
    const failures: Failure[] = Array.from({ length: 13 }, (_, i) => ({
      clientId: `p${i}`,
      reason: 'timeout',
      message: '',
    }));
    const reason = reasonOf(createStrategy(hyper({ minClients: 2 })).aggregateFit(1, X0, [], failures));
    expect(reason).toContain('0 results arrived from 13 sampled clients, fewer than the 2 required');
    expect(reason).toContain('13 clients failed: p0 (timeout), p1 (timeout)');
    expect(reason).toContain('p9 (timeout), and 3 more');
    expect(reason).not.toContain('p10');
  });
});
