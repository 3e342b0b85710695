// Runs with secure aggregation and differential privacy, end to end through the real engines:
// the TTP engine and three worker engines joined by in-memory channels (no sockets, no TF.js:
// each worker's "training" adds a fixed, party-specific step). What the TTP receives is watched
// at its end of each channel.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { alignFeatures } from '../../../src-main/core/alignment/align';
import type { PartyDeclaration } from '../../../src-main/contract/data';
import { GRID } from '../../../src-main/contract/grid';
import { TENSOR, tensorOf } from '../../../src-main/contract/tensors';
import { Hyperparameters, type Experiment, type Project, type Run } from '../../../src-main/contract/records';
import type { RoundRecord, RunResult } from '../../../src-main/contract/results';
import { declareProfile } from '../../../src-main/core/data/declare';
import { TableProfiler } from '../../../src-main/core/data/profile';
import { missingMatcher } from '../../../src-main/core/data/values';
import { fixedPointFor } from '../../../src-main/core/privacy/secagg';
import { ephemeralKeyPair } from '../../../src-main/core/crypto/keys';
import { newSigningKeyPair, signBytes, signingIdentity } from '../../../src-main/protocol/crypto';
import { fitConfigFor } from '../../../src-main/core/strategies/fit-config';
import type { ModelPort, RunContext, RunRepository, TrainingSession, WorkerDataPort } from '../../../src-main/engines/ports';
import { TtpEngine } from '../../../src-main/engines/ttp';
import { WorkerEngine } from '../../../src-main/engines/worker';
import { silentLog } from '../../../src-main/api/log';
import { channelPair, type MemoryChannel } from '../../support/memory-channel';
import { memoryRoundVectors } from '../../support/round-vectors';
import { ownerOf, TEST_HUB } from '../../support/owner';

const NOW = '2026-11-24T10:00:00.000Z';
const PARAMETERS = 4096;
const PARTIES = ['alpha', 'beta', 'gamma'];
const ROWS: Record<string, number> = { alpha: 10, beta: 25, gamma: 40 };
/** Each party's identity key: secure aggregation accepts only keys signed by the roster's. */
const IDENTITIES = Object.fromEntries([...PARTIES, 'delta'].map((party) => [party, signingIdentity(newSigningKeyPair().privateKeyPem)]));

function declaration(party: string): PartyDeclaration {
  const profiler = new TableProfiler(['age', 'outcome'], missingMatcher());
  [['50', 'yes'], ['60', 'no'], ['70', 'yes']].forEach((row, i) => profiler.pushRow(row, i + 2));
  return declareProfile(party, profiler.finish(`${party}.csv`, {}, 'outcome'), 'classify', 2);
}

/** The step a party's local training adds in a round: different per party, per round, per weight. */
function step(party: string, round: number, index: number): number {
  const p = PARTIES.indexOf(party) + 1;
  return 0.02 * Math.sin(index * 0.1 + p * 1.7 + round) * p;
}

function dataPort(party: string): WorkerDataPort {
  const rows = ROWS[party]!;
  return {
    declare: async () => ({ declaration: declaration(party), tags: { train: true, evaluate: false, predict: false } }),
    prepare: async () => ({
      train: { rows, featureCount: 1, x: new Float32Array(rows), y: new Float32Array(rows), outputCount: 1, sourceRows: new Int32Array(rows), skipped: { missingTarget: 0, unseenLabel: 0 }, unseenLevels: {}, unseenLabels: {} },
      unseenLevels: {},
    }),
  };
}

interface Federation {
  result: RunResult;
  history: RoundRecord[];
  /** What the TTP received from each party's fits, by party, in round order. */
  received: Map<string, Float32Array[]>;
  /** The global model each party saved at the end. */
  saved: Map<string, Float32Array>;
}

interface Trouble {
  /** Close this party's connection right after its fit reply of this round reached the TTP. */
  afterMasking?: { party: string; round: number };
  /** Close these parties' connections when their fit of this round starts. */
  beforeMasking?: { parties: string[]; round: number };
  /** The TTP replaces this party's advertised mask key with one of its own, as a lying hub would. */
  forgeKeysOf?: string;
}

async function federation(hyperparameters: Partial<Hyperparameters>, trouble: Trouble = {}): Promise<Federation> {
  const stamp = { createdAt: NOW, updatedAt: NOW };
  const project: Project = { id: 'p', collaborationId: 'c', name: 'P', targetColumn: 'outcome', task: 'classify', positiveClass: 'yes', description: '', alignment: { columns: 'union', missingIndicators: false }, ...stamp };
  const experiment: Experiment = { id: 'e', projectId: 'p', name: 'E', description: '', model: { kind: 'logreg' }, ...stamp };
  const run: Run = { id: 'r', experimentId: 'e', name: 'R', hyperparameters: Hyperparameters.parse({ solver: 'sgd', ...hyperparameters }), status: 'defined', round: 0, ...stamp };
  const context: RunContext = {
    collaboration: { id: 'c', name: 'C', description: '', ...stamp },
    run,
    experiment,
    project,
    participants: PARTIES.map((id) => ({ id, name: id, connection: { mode: 'dial-out' }, key: IDENTITIES[id]!.publicKeyText })),
  };
  let history: RoundRecord[] = [];
  let result: RunResult | undefined;
  const runs: RunRepository = {
    context: async () => structuredClone(context),
    setStatus: async () => undefined,
    saveHistory: async (_run, rounds) => void (history = structuredClone([...rounds])),
    saveResult: async (_run, saved) => void (result = saved),
  };
  const models: ModelPort = {
    initialWeights: async () => ({ weights: new Float32Array(PARAMETERS), parameterCount: PARAMETERS }),
    saveGlobal: async () => '/models/global',
    loadGlobal: async () => {
      throw new Error('no saved model');
    },
    backend: () => 'fake',
  };
  const ttp = new TtpEngine({ runs, models, log: silentLog }, { participantWaitMs: 1_000, approvalWaitMs: 1_000 });
  const received = new Map<string, Float32Array[]>(PARTIES.map((party) => [party, []]));
  const saved = new Map<string, Float32Array>();
  const ends = new Map<string, MemoryChannel>();
  for (const party of PARTIES) {
    const [ttpEnd, workerEnd] = channelPair(party);
    ends.set(party, ttpEnd);
    const session: TrainingSession = {
      backend: 'fake',
      regressionSums: () => Promise.reject(new Error('these runs train by gradient steps')),
      fit: async (global, config) => {
        if (trouble.beforeMasking?.round === config.round && trouble.beforeMasking.parties.includes(party)) ttpEnd.close('lost before masking');
        return { weights: Float32Array.from(global, (value, index) => value + step(party, config.round, index)), loss: 0.5, numExamples: ROWS[party]!, seconds: 0.001, steps: 1 };
      },
      predict: async () => new Float32Array(0),
      validationLoss: async () => 0.5,
      saveModel: async (weights, _dir, metadata) => void (metadata['model'] === 'global' && saved.set(party, Float32Array.from(weights))),
      close: async () => undefined,
    };
    const worker = new WorkerEngine({ id: party, name: party }, {
      data: dataPort(party),
      training: { open: async () => session },
      artifacts: { modelDir: (_project, runId, which) => `/tmp/${party}/${runId}/${which}`, roundVectors: () => memoryRoundVectors(), writePredictions: async () => 0 },
      consent: { decide: async () => ({ approved: true }) },
      owner: ownerOf(project),
      sign: (data) => signBytes(IDENTITIES[party]!, data),
      log: silentLog,
    });
    worker.serve(workerEnd, TEST_HUB);
    ttpEnd.onReply = (type, body, tensors) => {
      if (type === GRID.secaggAdvertise && trouble.forgeKeysOf === party) (body as { maskKey: string }).maskKey = ephemeralKeyPair().publicKeyText;
      if (type !== GRID.fit) return;
      // What the TTP sees of a fit: the local weights, or (secure aggregation) the masked vector.
      const tensor = tensors[TENSOR.weights] ?? tensors[TENSOR.masked];
      received.get(party)!.push(new Float32Array(tensor!.data.buffer, tensor!.data.byteOffset, tensor!.data.length));
      const round = received.get(party)!.length;
      if (trouble.afterMasking?.party === party && trouble.afterMasking.round === round) ttpEnd.close('lost after masking');
    };
    ttp.attach(party, ttpEnd);
  }
  await ttp.start('r');
  await ttp.wait('r');
  return { result: result!, history, received, saved };
}

/** The FedAvg of the steps, weighted by rows, applied `rounds` times from zeros. */
function plainFedAvg(rounds: number, partiesByRound: (round: number) => string[] = () => PARTIES): Float64Array {
  const weights = new Float64Array(PARAMETERS);
  for (let round = 1; round <= rounds; round += 1) {
    const parties = partiesByRound(round);
    const total = parties.reduce((sum, party) => sum + ROWS[party]!, 0);
    for (let i = 0; i < PARAMETERS; i += 1) weights[i]! += parties.reduce((sum, party) => sum + (ROWS[party]! / total) * step(party, round, i), 0);
  }
  return weights;
}

/** DP-FedAvg without noise: each party's step clipped to norm C, averaged with equal weights. */
function clippedMean(rounds: number, clip: number): Float64Array {
  const weights = new Float64Array(PARAMETERS);
  for (let round = 1; round <= rounds; round += 1) {
    for (const party of PARTIES) {
      const update = Float64Array.from({ length: PARAMETERS }, (_, i) => step(party, round, i));
      const scale = Math.min(1, clip / Math.hypot(...update));
      for (let i = 0; i < PARAMETERS; i += 1) weights[i]! += (update[i]! * scale) / PARTIES.length;
    }
  }
  return weights;
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function chiSquareOfLowBytes(values: Uint32Array): number {
  const counts = new Float64Array(256);
  for (const value of values) counts[value & 0xff]! += 1;
  const expected = values.length / 256;
  return counts.reduce((chi, count) => chi + (count - expected) ** 2 / expected, 0);
}

/** Quantisation error bound of one round's sum with n parties, after dividing by the weights (at least 1/n each... summing to 1). */
const roundError = (parties: number) => parties * 2 ** -(fixedPointFor(parties).fractionalBits + 1);

describe('secure aggregation through the engines', () => {
  it('gives the TTP masked vectors, and the same model as plain FedAvg within the quantisation error', async () => {
    const plain = await federation({ rounds: 3, minClients: 2 });
    const secure = await federation({ rounds: 3, minClients: 2, privacy: { secureAggregation: true } as Hyperparameters['privacy'] });
    expect(plain.result.status).toBe('completed');
    expect(secure.result.status).toBe('completed');
    expect(secure.result.privacy).toMatchObject({ secureAggregation: true, dp: 'off', epsilon: null, quantization: fixedPointFor(3) });

    // Plain: the TTP sees each party's weights, global + its step.
    expect(maxError(plain.received.get('beta')![0]!, Float64Array.from({ length: PARAMETERS }, (_, i) => step('beta', 1, i)))).toBeLessThan(1e-6);
    // Secure: a vector of PARAMETERS + 1 ring elements that looks uniformly random.
    for (const party of PARTIES) {
      for (const tensor of secure.received.get(party)!) {
        expect(tensor.length).toBe(PARAMETERS + 1);
        const ring = new Uint32Array(tensor.buffer, tensor.byteOffset, tensor.length);
        expect(chiSquareOfLowBytes(ring)).toBeLessThan(388); // p = 1e-6, 255 degrees of freedom
        let high = 0;
        for (const value of ring) high += value >>> 31;
        expect(Math.abs(high - ring.length / 2)).toBeLessThan(5 * Math.sqrt(ring.length / 4));
      }
    }
    // The same model at every party, equal to plain FedAvg's within 3 rounds of quantisation error.
    const expected = plainFedAvg(3);
    expect(maxError(plain.saved.get('alpha')!, expected)).toBeLessThan(1e-6);
    const secureModel = secure.saved.get('alpha')!;
    expect(maxError(secure.saved.get('gamma')!, secureModel)).toBe(0);
    expect(maxError(secureModel, expected)).toBeLessThan(3 * roundError(3) + 1e-6);
    expect(maxError(secureModel, expected)).toBeGreaterThan(0); // it is quantised, not bypassed
  });

  it('counts a party lost after masking: the round aggregates it from the others\' shares', async () => {
    const { result, saved } = await federation(
      { rounds: 2, minClients: 2, privacy: { secureAggregation: true } as Hyperparameters['privacy'] },
      { afterMasking: { party: 'beta', round: 2 } },
    );
    expect(result.status).toBe('completed');
    expect(result.rounds[1]!.parties['beta']).toMatchObject({ ok: true, numExamples: 25 });
    expect(result.dropouts).toEqual([expect.objectContaining({ party: 'beta', round: 2, reason: expect.stringContaining('left after sending its masked update') })]);
    expect(maxError(saved.get('alpha')!, plainFedAvg(2))).toBeLessThan(2 * roundError(3) + 1e-6);
  });

  it('leaves out a party lost before masking: its pairwise masks are rebuilt and removed', async () => {
    const { result, saved } = await federation(
      { rounds: 2, minClients: 2, privacy: { secureAggregation: true } as Hyperparameters['privacy'] },
      { beforeMasking: { parties: ['gamma'], round: 2 } },
    );
    expect(result.status).toBe('completed');
    expect(result.rounds[1]!.parties['gamma']).toMatchObject({ ok: false, reason: 'disconnected' });
    const expected = plainFedAvg(2, (round) => (round === 2 ? ['alpha', 'beta'] : PARTIES));
    expect(maxError(saved.get('alpha')!, expected)).toBeLessThan(2 * roundError(3) + 1e-6);
  });

  it('refuses to unmask when fewer than the threshold remain, and the run fails with the reason', async () => {
    const { result } = await federation(
      { rounds: 2, minClients: 1, privacy: { secureAggregation: true } as Hyperparameters['privacy'] },
      { beforeMasking: { parties: ['beta', 'gamma'], round: 2 } },
    );
    expect(result.status).toBe('failed');
    expect(result.error).toBe('round 2: only 1 of 3 parties sent masked updates; secure aggregation needs at least 2');
  });

  it('refuses keys the TTP swapped for its own: every party checks each signature against the roster', async () => {
    const { result, received } = await federation({ rounds: 1, minClients: 3, privacy: { secureAggregation: true } as Hyperparameters['privacy'] }, { forgeKeysOf: 'beta' });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^round 1: only 0 of 3 parties/);
    for (const party of PARTIES) expect(received.get(party)).toEqual([]);
  });
});

describe('differential privacy through the engines', () => {
  it('reports the epsilon spent after each round and stops before a round would exceed the target', async () => {
    const privacy = { dp: 'central', clip: 0.5, noiseMultiplier: 4, targetEpsilon: 2, delta: 1e-5 } as Hyperparameters['privacy'];
    const { result, history } = await federation({ rounds: 50, privacy });
    expect(result.status).toBe('completed');
    expect(result.privacy.stoppedByBudget).toBe(true);
    expect(history.length).toBeGreaterThan(1);
    expect(history.length).toBeLessThan(50);
    const spent = history.map((round) => round.privacy!.epsilon);
    expect(spent.every((epsilon, i) => i === 0 || epsilon > spent[i - 1]!)).toBe(true);
    expect(spent.at(-1)).toBeLessThanOrEqual(2);
    expect(result.privacy.epsilon).toBe(spent.at(-1));
    expect(result.privacy).toMatchObject({ dp: 'central', clip: 0.5, noiseMultiplier: 4, targetEpsilon: 2, delta: 1e-5 });
  });

  it('fails at once when a single round would spend more than the target', async () => {
    const { result } = await federation({ rounds: 5, privacy: { dp: 'central', noiseMultiplier: 0.5, targetEpsilon: 1 } as Hyperparameters['privacy'] });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^one round already spends epsilon \d+\.\d\d \(delta 0\.00001\), more than the target 1: raise the noise multiplier or the target epsilon$/);
  });

  it('clips each update to C and averages them with equal weights (noise negligible here)', async () => {
    const privacy = { dp: 'central', clip: 0.5, noiseMultiplier: 1e-9 } as Hyperparameters['privacy'];
    const { result, saved } = await federation({ rounds: 2, privacy });
    expect(result.status).toBe('completed');
    const model = saved.get('alpha')!;
    expect(maxError(model, clippedMean(2, 0.5))).toBeLessThan(1e-6);
    // Unclipped, sample-weighted FedAvg would be elsewhere.
    expect(maxError(model, plainFedAvg(2))).toBeGreaterThan(1e-3);
  });

  it('combines with secure aggregation: noise in shares, clipped updates, epsilon reported', async () => {
    const privacy = { secureAggregation: true, dp: 'central', clip: 1, noiseMultiplier: 1e-9 } as Hyperparameters['privacy'];
    const { result, saved } = await federation({ rounds: 2, minClients: 2, privacy });
    expect(result.status).toBe('completed');
    expect(result.privacy.epsilon).toBeGreaterThan(1000); // sigma ~ 0: no privacy to speak of
    // Clipped by each worker (the TTP cannot see the updates to clip them), equal weights.
    expect(maxError(saved.get('beta')!, clippedMean(2, 1))).toBeLessThan(2 * roundError(3) + 1e-6);
    expect(maxError(saved.get('beta')!, plainFedAvg(2))).toBeGreaterThan(1e-3);
  });
});

describe('a worker holds the TTP to the privacy settings its owner approved', () => {
  const approvedPrivacy = Hyperparameters.parse({ privacy: { secureAggregation: true, dp: 'central', noiseMultiplier: 1.2 } }).privacy;

  async function approvedWorker() {
    const [ttpEnd, workerEnd] = channelPair('alpha');
    const session: TrainingSession = {
      backend: 'fake',
      regressionSums: () => Promise.reject(new Error('these runs train by gradient steps')),
      fit: async (global) => ({ weights: Float32Array.from(global, (value) => value + 1), loss: 0.5, numExamples: 10, seconds: 0, steps: 1 }),
      predict: async () => new Float32Array(0),
      validationLoss: async () => 0.5,
      saveModel: async () => undefined,
      close: async () => undefined,
    };
    new WorkerEngine({ id: 'alpha', name: 'alpha' }, {
      data: dataPort('alpha'),
      training: { open: async () => session },
      artifacts: { modelDir: () => '/tmp/alpha', roundVectors: () => memoryRoundVectors(), writePredictions: async () => 0 },
      consent: { decide: async () => ({ approved: true }) },
      owner: ownerOf({ id: 'p', targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' }),
      sign: (data) => signBytes(IDENTITIES['alpha']!, data),
      log: silentLog,
    }).serve(workerEnd, TEST_HUB);
    const hyperparameters = Hyperparameters.parse({ privacy: approvedPrivacy });
    const summary = { collaboration: 'C', project: 'P', targetColumn: 'outcome', experiment: 'E', run: 'R', model: { kind: 'logreg' }, hyperparameters, tags: ['train'], privacy: approvedPrivacy };
    await ttpEnd.request(GRID.consent, { run: 'r', projectId: 'p', summary }, { schema: z.unknown() });
    const { body } = await ttpEnd.request(GRID.declare, { run: 'r', project: { id: 'p', targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' } }, { schema: z.object({ declaration: z.unknown() }) });
    const { alignment } = alignFeatures([body.declaration as PartyDeclaration, declaration('beta')], { targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' });
    return { ttpEnd, alignment: alignment!, hyperparameters };
  }

  it('refuses to prepare a run whose privacy settings differ from those approved', async () => {
    const { ttpEnd, alignment, hyperparameters } = await approvedWorker();
    const weaker = { ...hyperparameters, privacy: { ...hyperparameters.privacy, secureAggregation: false, dp: 'off' } };
    await expect(ttpEnd.request(GRID.prepare, { run: 'r', projectId: 'p', alignment, model: { kind: 'logreg' }, hyperparameters: weaker }, { schema: z.unknown() })).rejects.toThrow(
      'run "r" asks for a model or settings other than those alpha approved',
    );
  });

  it('never sends a plain update when secure aggregation was approved', async () => {
    const { ttpEnd, alignment, hyperparameters } = await approvedWorker();
    await ttpEnd.request(GRID.prepare, { run: 'r', projectId: 'p', alignment, model: { kind: 'logreg' }, hyperparameters }, { schema: z.unknown() });
    const config = fitConfigFor(hyperparameters, 1);
    await expect(ttpEnd.request(GRID.fit, { run: 'r', config }, { schema: z.unknown(), tensors: { [TENSOR.weights]: tensorOf(new Float32Array(2)) } })).rejects.toThrow(
      'this run uses secure aggregation: a fit must come with its shares',
    );
    // Nor accepts a threshold below more than half of the round.
    const setup = { run: 'r', round: 1, parties: ['alpha', 'beta', 'gamma', 'delta'], threshold: 2, encoding: fixedPointFor(4), length: 3 };
    await expect(ttpEnd.request(GRID.secaggAdvertise, setup, { schema: z.unknown() })).rejects.toThrow('a threshold of 2 for 4 parties is refused (at least 3)');
  });
});
