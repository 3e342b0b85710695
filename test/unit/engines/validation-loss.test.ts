// The worker's side of early stopping, through the real worker engine over an in-memory
// channel: it holds validation rows out of its train rows (never trained on), sends the
// received global model's loss on them with each fit (and records that it did), and sends
// nothing of the kind when they would be fewer than its minimum cell count.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { alignFeatures } from '../../../src-main/core/alignment/align';
import type { PartyDeclaration } from '../../../src-main/contract/data';
import { FitReply, GRID } from '../../../src-main/contract/grid';
import { TENSOR, tensorOf } from '../../../src-main/contract/tensors';
import { Hyperparameters, ModelSpec } from '../../../src-main/contract/records';
import type { Disclosed } from '../../../src-main/contract/security';
import { declareProfile } from '../../../src-main/core/data/declare';
import { TableProfiler } from '../../../src-main/core/data/profile';
import { missingMatcher } from '../../../src-main/core/data/values';
import { fitConfigFor } from '../../../src-main/core/strategies/fit-config';
import type { PreparedData, TrainingSession } from '../../../src-main/engines/ports';
import { WorkerEngine } from '../../../src-main/engines/worker';
import { silentLog } from '../../../src-main/api/log';
import { newSigningKeyPair, signBytes, signingIdentity } from '../../../src-main/protocol/crypto';
import { channelPair } from '../../support/memory-channel';
import { memoryRoundVectors } from '../../support/round-vectors';
import { ownerOf, TEST_HUB } from '../../support/owner';

const ROWS = 100;
const IDENTITY = signingIdentity(newSigningKeyPair().privateKeyPem);

function declaration(party: string): PartyDeclaration {
  const profiler = new TableProfiler(['age', 'outcome'], missingMatcher());
  [['50', 'yes'], ['60', 'no'], ['70', 'yes']].forEach((row, i) => profiler.pushRow(row, i + 2));
  return declareProfile(party, profiler.finish(`${party}.csv`, {}, 'outcome'), 'classify', 2);
}

async function worker(minCellCount: number, privacy: Record<string, unknown> = {}) {
  const [ttpEnd, workerEnd] = channelPair('alpha');
  const opened: PreparedData[] = [];
  const evaluated: Float32Array[] = [];
  const disclosed: Disclosed[] = [];
  const session: TrainingSession = {
    backend: 'fake',
    regressionSums: () => Promise.reject(new Error('these runs train by gradient steps')),
    fit: async (global) => ({ weights: Float32Array.from(global, (value) => value + 1), loss: 0.5, numExamples: opened[0]!.train.rows, seconds: 0, steps: 1 }),
    predict: async () => new Float32Array(0),
    validationLoss: async (weights) => {
      evaluated.push(Float32Array.from(weights));
      return 0.25;
    },
    saveModel: async () => undefined,
    close: async () => undefined,
  };
  const y = Float32Array.from({ length: ROWS }, (_, row) => (row < 70 ? 0 : 1)); // sorted by label
  new WorkerEngine({ id: 'alpha', name: 'alpha' }, {
    data: {
      declare: async () => ({ declaration: declaration('alpha'), tags: { train: true, evaluate: false, predict: false } }),
      prepare: async () => ({
        train: { rows: ROWS, featureCount: 1, x: Float32Array.from({ length: ROWS }, (_, row) => row), y, outputCount: 1, sourceRows: new Int32Array(ROWS), skipped: { missingTarget: 0, unseenLabel: 0 }, unseenLevels: {}, unseenLabels: {} },
        unseenLevels: {},
      }),
    },
    training: {
      open: async ({ data }) => {
        opened.push(data);
        return session;
      },
    },
    artifacts: { modelDir: () => '/tmp/alpha', roundVectors: () => memoryRoundVectors(), writePredictions: async () => 0 },
    consent: { decide: async () => ({ approved: true }) },
    owner: ownerOf({ id: 'p', targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' }, { minCellCount }),
    sign: (data) => signBytes(IDENTITY, data),
    log: silentLog,
    disclosed: (event) => disclosed.push(event.disclosed),
  }).serve(workerEnd, TEST_HUB);
  const model = ModelSpec.parse({ kind: 'mlp', hidden: [4] });
  const hyperparameters = Hyperparameters.parse({ rounds: 5, earlyStopping: { patience: 2 }, privacy });
  const summary = { collaboration: 'C', project: 'P', targetColumn: 'outcome', experiment: 'E', run: 'R', model, hyperparameters, tags: ['train'], privacy: hyperparameters.privacy };
  await ttpEnd.request(GRID.consent, { run: 'r', projectId: 'p', summary }, { schema: z.unknown() });
  const { body } = await ttpEnd.request(GRID.declare, { run: 'r', project: { id: 'p', targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' } }, { schema: z.object({ declaration: z.unknown() }) });
  const { alignment } = alignFeatures([body.declaration as PartyDeclaration, declaration('beta')], { targetColumn: 'outcome', task: 'classify', positiveClass: 'yes' });
  await ttpEnd.request(GRID.prepare, { run: 'r', projectId: 'p', alignment: alignment!, model, hyperparameters }, { schema: z.unknown() });
  const fit = async (round: number, global: Float32Array) =>
    (await ttpEnd.request(GRID.fit, { run: 'r', config: fitConfigFor(hyperparameters, round) }, { schema: FitReply, tensors: { [TENSOR.weights]: tensorOf(global) } })).body;
  return { fit, opened, evaluated, disclosed };
}

describe('a worker with early stopping', () => {
  it('holds 15 % of its train rows out, per class, and sends the received model’s loss on them with each fit', async () => {
    const { fit, opened, evaluated, disclosed } = await worker(2);
    expect(opened[0]!.train.rows).toBe(85);
    expect(opened[0]!.validation!.rows).toBe(15);
    // The label mix of the train rows (30 % positive), though the file is sorted by label.
    expect(Array.from(opened[0]!.validation!.y!).filter((label) => label === 1)).toHaveLength(4); // 15 x 0.3 = 4.5 (a tie goes to the first class)
    // No validation row is trained on.
    const trained = new Set(opened[0]!.train.x);
    expect(Array.from(opened[0]!.validation!.x).some((row) => trained.has(row))).toBe(false);
    const reply = await fit(1, Float32Array.of(7, 8));
    expect(reply.validation).toEqual({ loss: 0.25, rows: 15 });
    expect(reply.numExamples).toBe(85);
    // The loss is that of the weights received, before training changed them.
    expect(Array.from(evaluated[0]!)).toEqual([7, 8]);
    expect(disclosed.at(-1)).toMatchObject({ what: 'model update', round: 1, validationRows: 15 });
  });

  it('sends no validation loss when its validation rows would be fewer than its minimum cell count', async () => {
    const { fit, opened, evaluated, disclosed } = await worker(30);
    expect(opened[0]!.validation).toBeUndefined();
    expect(opened[0]!.train.rows).toBe(ROWS);
    const reply = await fit(1, Float32Array.of(7, 8));
    expect(reply.validation).toBeUndefined();
    expect(evaluated).toHaveLength(0);
    expect(disclosed.at(-1)).not.toHaveProperty('validationRows');
  });

  it('sends none with differential privacy (the loss is not noised)', async () => {
    const { opened } = await worker(2, { dp: 'local', noiseMultiplier: 1 });
    expect(opened[0]!.validation).toBeUndefined();
  });
});
