import { describe, expect, it } from 'vitest';
import { createStrategy, mulberry32, roundSeed, sampleClients, sampleSize } from '../../../../src-main/core/strategies';
import { hyper } from './helpers';

const TEN = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9'];
const options = (fractionFit: number, minClients = 1, seed = 42) => ({ fractionFit, minClients, seed });

describe('sampleSize', () => {
  it('takes the fraction rounded up, at least minClients, at most all', () => {
    expect(sampleSize(10, 1, 1)).toBe(10);
    expect(sampleSize(10, 0.5, 1)).toBe(5);
    expect(sampleSize(10, 0.25, 1)).toBe(3); // 2.5 rounds up
    expect(sampleSize(10, 0.3, 1)).toBe(3); // 0.3 * 10 = 3.0000000000000004 is still 3
    expect(sampleSize(7, 0.01, 1)).toBe(1); // 0.07 rounds up to 1
    expect(sampleSize(10, 0.1, 4)).toBe(4); // minClients wins over the fraction
    expect(sampleSize(3, 0.5, 5)).toBe(3); // fewer available than minClients: all of them
    expect(sampleSize(0, 0.5, 2)).toBe(0);
  });
});

describe('sampleClients', () => {
  it('samples the fraction of the available clients, sorted, without repeats', () => {
    const chosen = sampleClients(1, TEN, options(0.3));
    expect(chosen).toHaveLength(3);
    expect(new Set(chosen).size).toBe(3);
    for (const id of chosen) expect(TEN).toContain(id);
    expect(chosen).toEqual([...chosen].sort());
  });

  it('samples at least minClients', () => {
    expect(sampleClients(1, TEN, options(0.1, 4))).toHaveLength(4);
  });

  it('returns all available clients when fewer than minClients are available', () => {
    expect(sampleClients(1, ['b', 'a'], options(0.5, 3))).toEqual(['a', 'b']);
    expect(sampleClients(1, [], options(0.5, 3))).toEqual([]);
  });

  it('returns every client when fractionFit is 1', () => {
    expect(sampleClients(7, ['z', 'y', 'x'], options(1))).toEqual(['x', 'y', 'z']);
  });

  it('is deterministic for (seed, round, available)', () => {
    for (let round = 1; round <= 5; round++) {
      expect(sampleClients(round, TEN, options(0.4))).toEqual(sampleClients(round, TEN, options(0.4)));
    }
  });

  it('does not depend on the order clients connected in, nor on duplicates', () => {
    const reversed = [...TEN].reverse();
    const shuffled = ['c4', 'c9', 'c0', 'c7', 'c2', 'c5', 'c1', 'c8', 'c3', 'c6'];
    for (let round = 1; round <= 10; round++) {
      const expected = sampleClients(round, TEN, options(0.3));
      expect(sampleClients(round, reversed, options(0.3))).toEqual(expected);
      expect(sampleClients(round, shuffled, options(0.3))).toEqual(expected);
      expect(sampleClients(round, [...shuffled, 'c4', 'c9'], options(0.3))).toEqual(expected);
    }
  });

  it('gives different rounds different samples when fractionFit < 1', () => {
    expect(sampleClients(1, TEN, options(0.5))).not.toEqual(sampleClients(2, TEN, options(0.5)));
    const samples = new Set<string>();
    const picked = new Set<string>();
    for (let round = 1; round <= 20; round++) {
      const chosen = sampleClients(round, TEN, options(0.5));
      samples.add(chosen.join(','));
      chosen.forEach((id) => picked.add(id));
    }
    // 252 possible halves of 10: 20 rounds should repeat hardly any, and reach every client.
    expect(samples.size).toBeGreaterThanOrEqual(18);
    expect(picked.size).toBe(10);
  });

  it('gives different seeds different samples', () => {
    const differ = [1, 2, 3, 4, 5].filter(
      (round) => sampleClients(round, TEN, options(0.3, 1, 1)).join() !== sampleClients(round, TEN, options(0.3, 1, 2)).join(),
    );
    expect(differ.length).toBeGreaterThanOrEqual(4);
  });

  it('picks each client about equally often', () => {
    const counts = new Map<string, number>(TEN.map((id) => [id, 0]));
    for (let round = 1; round <= 2000; round++) {
      for (const id of sampleClients(round, TEN, options(0.3))) counts.set(id, counts.get(id)! + 1);
    }
    // Expected 600 each (2000 rounds * 3 / 10); binomial sd ~ 20.5, so 6 sd either side.
    for (const count of counts.values()) expect(Math.abs(count - 600)).toBeLessThan(125);
  });
});

describe('the PRNG', () => {
  it('mulberry32 is reproducible and uniform-looking in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const first = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first)).toBeLessThan(1);
    const sum = first.reduce((total, value) => total + value, 0);
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
    expect(mulberry32(124)()).not.toBe(mulberry32(123)());
  });

  it('roundSeed separates neighbouring seeds and rounds', () => {
    const seeds = new Set<number>();
    for (let seed = 0; seed < 20; seed++) for (let round = 0; round < 20; round++) seeds.add(roundSeed(seed, round));
    expect(seeds.size).toBe(400);
    // (seed, round) is not confused with (seed + 1, round - 1), as a plain sum would be.
    expect(roundSeed(5, 3)).not.toBe(roundSeed(6, 2));
  });
});

describe('configureFit', () => {
  const base = {
    epochs: 3,
    batchSize: 16,
    learningRate: 0.01,
    optimizer: 'adam',
    momentum: 0.8,
    l2: 0.001,
    mu: 0.25,
    seed: 7,
    fractionFit: 0.5,
    minClients: 2,
  };

  it('sends every sampled client the round config from the hyperparameters', () => {
    const strategy = createStrategy(hyper({ ...base, algorithm: 'fedavg' }));
    const instructions = strategy.configureFit(3, TEN);
    expect(instructions.map((i) => i.clientId)).toEqual(sampleClients(3, TEN, options(0.5, 2, 7)));
    expect(instructions).toHaveLength(5);
    for (const { config } of instructions) {
      expect(config).toEqual({
        round: 3,
        epochs: 3,
        batchSize: 16,
        learningRate: 0.01,
        optimizer: 'adam',
        momentum: 0.8,
        l2: 0.001,
        mu: 0, // not FedProx
        seed: 10, // h.seed + round = 7 + 3
      });
    }
    // Each round shuffles differently.
    expect(strategy.configureFit(4, TEN)[0]!.config.seed).toBe(11);
  });

  it('passes mu only for FedProx', () => {
    for (const algorithm of ['fedavg', 'fedavgm', 'fedadam', 'fedyogi', 'fedadagrad'] as const) {
      for (const { config } of createStrategy(hyper({ ...base, algorithm })).configureFit(1, TEN)) expect(config.mu).toBe(0);
    }
    for (const { config } of createStrategy(hyper({ ...base, algorithm: 'fedprox' })).configureFit(1, TEN)) {
      expect(config.mu).toBe(0.25);
    }
  });

  it('is deterministic and independent of the order of the available clients', () => {
    const strategy = createStrategy(hyper({ ...base, algorithm: 'fedyogi' }));
    const again = createStrategy(hyper({ ...base, algorithm: 'fedyogi' }));
    expect(strategy.configureFit(2, TEN)).toEqual(again.configureFit(2, [...TEN].reverse()));
  });

  it('gives every instruction its own config object', () => {
    const [first, second] = createStrategy(hyper({ ...base, algorithm: 'fedavg' })).configureFit(1, TEN);
    first!.config.epochs = 99;
    expect(second!.config.epochs).toBe(3);
  });

  it('is not affected by later edits to the hyperparameters object', () => {
    const h = hyper({ ...base, algorithm: 'fedavg' });
    const strategy = createStrategy(h);
    h.epochs = 50;
    expect(strategy.configureFit(1, TEN)[0]!.config.epochs).toBe(3);
  });
});
