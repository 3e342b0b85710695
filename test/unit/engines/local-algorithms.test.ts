// A participant's half of SCAFFOLD, by hand: the correction it trains with, the control change
// it returns (option II), and its own control kept per round (a redone round starts alike).
import { describe, expect, it } from 'vitest';
import { Hyperparameters } from '../../../src-main/contract/records';
import { TENSOR, tensorOf, type Tensors } from '../../../src-main/contract/tensors';
import { localAlgorithmFor } from '../../../src-main/engines/local-algorithms';
import { memoryRoundVectors } from '../../support/round-vectors';

const f32 = (...values: number[]) => Float32Array.from(values);
const sent = (weights: Float32Array, control?: Float32Array): Tensors => ({
  [TENSOR.weights]: tensorOf(weights),
  ...(control ? { [TENSOR.control]: tensorOf(control) } : {}),
});

describe('SCAFFOLD (participant)', () => {
  const scaffold = () => localAlgorithmFor(Hyperparameters.parse({ algorithm: 'scaffold' }), memoryRoundVectors());

  it('trains with c - c_i and returns c_i+ - c_i, with c_i+ = c_i - c + (x - y) / (K * lr)', async () => {
    const algorithm = scaffold();
    const x = f32(1, 1);
    // Round 1: c_i = 0.
    expect(Array.from((await algorithm.beforeFit(1, sent(x, f32(0.5, -0.5)), 2)).correction!)).toEqual([0.5, -0.5]);
    // 4 steps at learning rate 0.5 from (1,1) to (0,3): (x - y) / (K lr) = (1, -2) / 2 = (0.5, -1).
    const first = await algorithm.afterFit(1, x, { weights: f32(0, 3), steps: 4 }, 0.5);
    // c_i+ = 0 - (0.5, -0.5) + (0.5, -1) = (0, -0.5).
    expect(Array.from(first[TENSOR.controlDelta]!)).toEqual([0, -0.5]);
    // Round 2 corrects by c - c_i = (1, 1) - (0, -0.5).
    expect(Array.from((await algorithm.beforeFit(2, sent(x, f32(1, 1)), 2)).correction!)).toEqual([1, 1.5]);
    await algorithm.afterFit(2, x, { weights: x, steps: 1 }, 0.5);
    // The hub redoes round 2 (after a crash): the same c_i as the first time.
    expect(Array.from((await algorithm.beforeFit(2, sent(x, f32(1, 1)), 2)).correction!)).toEqual([1, 1.5]);
  });

  it("refuses a fit without the server's control, with a bad one, or with a tensor it does not know", async () => {
    const algorithm = scaffold();
    await expect(algorithm.beforeFit(1, sent(f32(1, 1)), 2)).rejects.toThrow(/SCAFFOLD needs the server's control variate/);
    await expect(algorithm.beforeFit(1, sent(f32(1, 1), f32(1)), 2)).rejects.toThrow(/SCAFFOLD needs the server's control variate/);
    await expect(algorithm.beforeFit(1, sent(f32(1, 1), f32(1, Number.NaN)), 2)).rejects.toThrow("the server's control variate holds NaN at index 1");
    await expect(algorithm.beforeFit(1, { ...sent(f32(1, 1), f32(0, 0)), other: tensorOf(f32(1)) }, 2)).rejects.toThrow('SCAFFOLD takes no "other" tensor');
  });

  it('other algorithms take no extra tensor and return none', async () => {
    const fedavg = localAlgorithmFor(Hyperparameters.parse({ algorithm: 'fedavg' }), memoryRoundVectors());
    expect(fedavg.replyTensors).toEqual([]);
    expect(await fedavg.beforeFit(1, sent(f32(1)), 1)).toEqual({});
    await expect(fedavg.beforeFit(1, sent(f32(1), f32(0)), 1)).rejects.toThrow(`this run's algorithm takes no "control" tensor`);
  });
});
