import { describe, expect, it } from 'vitest';
import { Hyperparameters } from '../../../../src-main/contract/records';
import { describeProtection } from '../../../../src-main/core/disclosure/describe';

describe('the protection of an update, in words', () => {
  it('says how the update was compressed, after clipping and noise', () => {
    const plain = Hyperparameters.parse({});
    expect(describeProtection(plain.privacy, plain)).toBe('sent as it is to the hub');
    expect(describeProtection(plain.privacy)).toBe('sent as it is to the hub');
    const int8 = Hyperparameters.parse({ compression: 'int8', privacy: { dp: 'local', clip: 2, noiseMultiplier: 1.5 } });
    expect(describeProtection(int8.privacy, int8)).toBe('clipped to norm 2 and noised (local differential privacy, sigma 1.5); the change to the model rounded to 8 bits; sent to the hub');
    const topk = Hyperparameters.parse({ compression: 'topk' });
    expect(describeProtection(topk.privacy, topk)).toBe('only the largest 1 % of the changes to the model (the rest in later rounds); sent to the hub');
    const half = Hyperparameters.parse({ compression: 'float16', topkFraction: 0.3 });
    expect(describeProtection(half.privacy, half)).toContain('half precision');
  });
});
