import { describe, expect, it } from 'vitest';
import { Hyperparameters } from '../../../src-main/contract/records';

describe('the compression setting of a run', () => {
  it('is off by default, with a top-k fraction of 1 %', () => {
    const h = Hyperparameters.parse({});
    expect(h.compression).toBe('none');
    expect(h.topkFraction).toBe(0.01);
  });

  it('accepts each method, and a top-k fraction in (0, 1]', () => {
    for (const compression of ['float16', 'int8', 'topk'] as const) expect(Hyperparameters.parse({ compression }).compression).toBe(compression);
    expect(Hyperparameters.parse({ compression: 'topk', topkFraction: 0.1 }).topkFraction).toBe(0.1);
    expect(Hyperparameters.safeParse({ compression: 'gzip' }).success).toBe(false);
    expect(Hyperparameters.safeParse({ topkFraction: 0 }).success).toBe(false);
    expect(Hyperparameters.safeParse({ topkFraction: 1.5 }).success).toBe(false);
  });

  it('is refused with secure aggregation, saying why', () => {
    const result = Hyperparameters.safeParse({ compression: 'int8', privacy: { secureAggregation: true } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['compression']);
    expect(result.error?.issues[0]?.message).toMatch(/already fixed-point integers/);
    expect(Hyperparameters.safeParse({ compression: 'none', privacy: { secureAggregation: true } }).success).toBe(true);
  });

  it('is allowed with differential privacy (applied after clipping and noise)', () => {
    expect(Hyperparameters.safeParse({ compression: 'float16', privacy: { dp: 'local', noiseMultiplier: 1 } }).success).toBe(true);
    expect(Hyperparameters.safeParse({ compression: 'topk', privacy: { dp: 'central', noiseMultiplier: 1 } }).success).toBe(true);
  });
});
