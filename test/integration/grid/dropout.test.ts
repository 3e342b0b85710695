// A worker process killed in the middle of a round: the run goes on with the others when
// enough remain, fails cleanly with the reason when not, and leaves no process behind.
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../../src-main/api/simulation/simulate';
import { Hyperparameters } from '../../../src-main/contract/records';
import type { RunEvent } from '../../../src-main/contract/results';
import { DEMO_DATA } from '../../support/cli';
import { isRunning } from '../../support/processes';

const VICTIM = 'hospital-b';
const KILL_ROUND = 2;

/** Runs the demo federation and SIGKILLs the victim's process as its round-2 fit starts. */
async function simulateWithKill(minClients: number): Promise<{ result?: SimulationResult; error?: Error; pids: number[]; killedAt?: RunEvent }> {
  let pids: number[] = [];
  let victim: number | undefined;
  let killedAt: RunEvent | undefined;
  try {
    const result = await simulate({
      data: DEMO_DATA,
      target: 'diagnosis',
      task: 'classify',
      positiveClass: 'M',
      // A small MLP with many local steps, so each fit lasts long enough to be interrupted
      // (a second or two on the dense path: 6,000 epochs of 18 steps). The kill follows the
      // training notice through the hub, so on a fast machine the victim may still finish round 2
      // and be missed in round 3: both are a dropout in mid-run.
      model: { kind: 'mlp', hidden: [32], activation: 'relu', dropout: 0 },
      hyperparameters: Hyperparameters.parse({ rounds: 4, epochs: 6000, batchSize: 8, minClients, roundTimeoutSeconds: 60 }),
      onProcesses: ({ hub, workers }) => {
        pids = [hub, ...Object.values(workers)];
        victim = workers[VICTIM];
      },
      onEvent: (event) => {
        if (!killedAt && event.kind === 'party' && event.party === VICTIM && event.activity === 'training' && event.round === KILL_ROUND) {
          killedAt = event;
          process.kill(victim!, 'SIGKILL');
        }
      },
    });
    return { result, pids, killedAt };
  } catch (error) {
    return { error: error as Error, pids, killedAt };
  }
}

describe('a worker killed mid-round', () => {
  it('with --min-clients 2: the run finishes with the others and records the dropout', async () => {
    const { result, error, pids, killedAt } = await simulateWithKill(2);
    expect(error).toBeUndefined();
    expect(killedAt).toBeDefined();
    expect(result!.run.status).toBe('completed');
    expect(result!.rounds).toHaveLength(4);
    expect(result!.run.dropouts).toEqual([{ party: VICTIM, round: expect.toSatisfy((round: number) => round === KILL_ROUND || round === KILL_ROUND + 1), reason: expect.stringMatching(/^disconnected/) }]);
    // The victim trained in round 1 only; the others in every round.
    expect(Object.keys(result!.rounds[0]!.evaluate!.parties)).toContain(VICTIM);
    expect(Object.keys(result!.rounds[3]!.evaluate!.parties)).not.toContain(VICTIM);
    expect(result!.evaluation!.aggregate.n).toBe(52 + 26);
    expect(pids).toHaveLength(4);
    for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
  }, 180_000);

  it('with --min-clients 3: the run fails cleanly with the reason', async () => {
    const { result, error, pids, killedAt } = await simulateWithKill(3);
    expect(killedAt).toBeDefined();
    expect(result).toBeUndefined();
    expect(error).toMatchObject({ code: 'RUN_FAILED' });
    expect(error!.message).toMatch(/^the federated run failed: round [23]: /);
    expect(error!.message).toContain('minClients');
    expect(error!.message).toContain(VICTIM);
    for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
  }, 180_000);
});
