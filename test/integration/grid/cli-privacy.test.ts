// `cohort simulate` with the privacy flags, as a user types them: the JSON reports the
// protection and the epsilon spent, the text output says it, and bad values are refused.
import { describe, expect, it } from 'vitest';
import { DEMO_DATA, runCli } from '../../support/cli';

const DEMO = ['simulate', '--data', DEMO_DATA, '--target', 'diagnosis', '--positive', 'M', '--model', 'logreg'];

describe('cohort simulate with privacy flags', () => {
  it('trains with secure aggregation and central DP until the target epsilon, and reports both', async () => {
    const { code, stdout, stderr } = await runCli(
      [...DEMO, '--rounds', '5', '--min-clients', '2', '--secure-aggregation', '--dp', 'central', '--dp-clip', '1', '--dp-noise', '5', '--dp-target-epsilon', '1.2', '--dp-delta', '1e-5', '--json'],
      { timeoutMs: 120_000 },
    );
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as {
      rounds: Array<{ privacy?: { epsilon: number; delta: number } }>;
      privacy: { secureAggregation: boolean; dp: string; epsilon: number; delta: number; stoppedByBudget: boolean; quantization: unknown };
    };
    // Sigma 5, every hospital every round: rounds spend 0.79, 1.16, 1.45...: round 3 would exceed 1.2.
    expect(result.rounds).toHaveLength(2);
    expect(result.rounds.map((round) => round.privacy!.epsilon.toFixed(2))).toEqual(['0.79', '1.16']);
    expect(result.privacy).toMatchObject({ secureAggregation: true, dp: 'central', delta: 1e-5, stoppedByBudget: true, quantization: { fractionalBits: 21, range: 128 } });
    expect(result.privacy.epsilon).toBeCloseTo(1.158, 3);
  }, 150_000);

  it('prints the protection and the epsilon after the results', async () => {
    const { code, stdout, stderr } = await runCli([...DEMO, '--rounds', '2', '--dp', 'local', '--dp-noise', '3'], { timeoutMs: 120_000 });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/differential privacy: local, C 1, sigma 3: epsilon \d+\.\d+ \(delta 0\.00001\)/);
    expect(stdout).not.toContain('secure aggregation: on');
  }, 150_000);

  it('refuses values that make no sense, naming the flag', async () => {
    const noise = await runCli([...DEMO, '--dp', 'central', '--dp-noise', '0']);
    expect(noise.code).not.toBe(0);
    expect(noise.stderr).toContain("option '--dp-noise <sigma>' argument '0' is invalid. expected a positive number");
    const mode = await runCli([...DEMO, '--dp', 'sometimes']);
    expect(mode.code).not.toBe(0);
    expect(mode.stderr).toContain("Allowed choices are off, central, local");
    const delta = await runCli([...DEMO, '--dp', 'central', '--dp-delta', '2']);
    expect(delta.code).not.toBe(0);
    expect(delta.stderr).toContain('hyperparameter privacy.delta');
  });
});
