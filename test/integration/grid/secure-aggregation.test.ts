// Secure aggregation on the demo data, with real processes over real sockets: the model is the
// plain run's (rocAuc within 0.005), and a worker SIGKILLed after it sent its masked update
// still counts in that round, unmasked from the others' shares.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../../src-main/api/simulation/simulate';
import { Hyperparameters } from '../../../src-main/contract/records';
import { DEMO_DATA } from '../../support/cli';
import { isRunning } from '../../support/processes';

const demo = { data: DEMO_DATA, target: 'diagnosis', task: 'classify', positiveClass: 'M', model: { kind: 'logreg' } } as const;

describe('secure aggregation on the demo data', () => {
  it('trains the same model as the plain run: rocAuc within 0.005, and reports the encoding', async () => {
    const hyperparameters = { solver: 'sgd', rounds: 20, minClients: 2 } as const;
    const plain = await simulate({ ...demo, hyperparameters: Hyperparameters.parse(hyperparameters) });
    const secure = await simulate({ ...demo, hyperparameters: Hyperparameters.parse({ ...hyperparameters, privacy: { secureAggregation: true } }) });
    expect(plain.run.status).toBe('completed');
    expect(secure.run.status).toBe('completed');
    expect(secure.run.dropouts).toEqual([]);
    expect(secure.privacy).toMatchObject({ secureAggregation: true, dp: 'off', epsilon: null, quantization: { fractionalBits: 21, range: 128 } });
    expect(plain.privacy.secureAggregation).toBe(false);
    const rocAuc = (result: SimulationResult) => {
      const metrics = result.evaluation!.aggregate;
      if (metrics.kind !== 'binary' || metrics.rocAuc === null) throw new Error('expected binary metrics with a ROC AUC');
      return metrics.rocAuc;
    };
    expect(rocAuc(plain)).toBeGreaterThan(0.95);
    expect(Math.abs(rocAuc(secure) - rocAuc(plain))).toBeLessThanOrEqual(0.005);
    // The exported global models agree weight by weight within 20 rounds of quantisation error.
    const weights = async (result: SimulationResult) => new Float32Array((await readFile(join(result.artifacts.globalModel!, 'weights.bin'))).buffer.slice(0));
    const [a, b] = [await weights(plain), await weights(secure)];
    expect(a.length).toBe(31);
    let max = 0;
    a.forEach((value, i) => (max = Math.max(max, Math.abs(value - b[i]!))));
    expect(max).toBeLessThan(1e-4);
  }, 180_000);
});

describe('a worker killed after masking', () => {
  let data: string;
  const VICTIM = 'hospital-c';

  beforeAll(async () => {
    // The victim holds 30 rows, the others all theirs: its fit ends well before theirs, so it
    // is killed while the TTP still waits for them, before any unmasking.
    data = await mkdtemp(join(tmpdir(), 'cohort-secagg-kill-'));
    await cp(DEMO_DATA, data, { recursive: true });
    const train = (await readFile(join(DEMO_DATA, VICTIM, 'train.csv'), 'utf8')).trim().split('\n');
    await writeFile(join(data, VICTIM, 'train.csv'), `${train.slice(0, 31).join('\n')}\n`);
  });

  afterAll(async () => {
    await rm(data, { recursive: true, force: true });
  });

  it('still counts in its round: the round aggregates with it, the run finishes without it', async () => {
    let pids: number[] = [];
    let victim: number | undefined;
    let killed = false;
    const result = await simulate({
      ...demo,
      data,
      model: { kind: 'mlp', hidden: [32], activation: 'relu', dropout: 0 },
      hyperparameters: Hyperparameters.parse({ rounds: 3, epochs: 30, batchSize: 8, minClients: 2, roundTimeoutSeconds: 30, privacy: { secureAggregation: true } }),
      onProcesses: ({ hub, workers }) => {
        pids = [hub, ...Object.values(workers)];
        victim = workers[VICTIM];
      },
      onEvent: (event) => {
        if (!killed && event.kind === 'party' && event.party === VICTIM && event.activity === 'trained' && event.round === 2) {
          killed = true;
          process.kill(victim!, 'SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    expect(result.run.status).toBe('completed');
    expect(result.rounds).toHaveLength(3);
    // Round 2 aggregated the victim's masked update: it counts among the round's results.
    const round2 = (JSON.parse(await readFile(result.artifacts.history, 'utf8')) as Array<{ parties: Record<string, { ok: boolean; numExamples?: number }> }>)[1]!;
    expect(round2.parties[VICTIM]).toMatchObject({ ok: true, numExamples: 30 });
    expect(result.run.dropouts).toContainEqual(expect.objectContaining({ party: VICTIM, round: 2, reason: expect.stringContaining('left after sending its masked update') }));
    // Round 3 went on with the two others.
    expect(result.rounds[2]!.evaluate!.parties[VICTIM]).toBeUndefined();
    expect(result.evaluation!.aggregate.n).toBe(52 + 36);
    for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
  }, 180_000);
});
