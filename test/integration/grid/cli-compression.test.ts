// `cohort simulate --compression`, as a user types it: a short run goes through, and the
// combinations and values the run refuses are refused with the reason, naming the flag.
import { describe, expect, it } from 'vitest';
import { DEMO_DATA, runCli } from '../../support/cli';

const DEMO = ['simulate', '--data', DEMO_DATA, '--target', 'diagnosis', '--positive', 'M', '--model', 'logreg'];

describe('cohort simulate with compressed updates', () => {
  it('trains with top-k updates', async () => {
    const { code, stderr } = await runCli([...DEMO, '--rounds', '2', '--compression', 'topk', '--topk-fraction', '0.2', '--json'], { timeoutMs: 120_000 });
    expect(code, stderr).toBe(0);
  }, 150_000);

  it('refuses compression with secure aggregation, an unknown method and a bad fraction', async () => {
    const secure = await runCli([...DEMO, '--compression', 'int8', '--secure-aggregation']);
    expect(secure.code).not.toBe(0);
    expect(secure.stderr).toContain('compressed updates are refused with secure aggregation');
    const method = await runCli([...DEMO, '--compression', 'gzip']);
    expect(method.code).not.toBe(0);
    expect(method.stderr).toContain('Allowed choices are none, float16, int8, topk');
    const fraction = await runCli([...DEMO, '--compression', 'topk', '--topk-fraction', '2']);
    expect(fraction.code).not.toBe(0);
    expect(fraction.stderr).toContain('topkFraction');
  }, 60_000);
});
