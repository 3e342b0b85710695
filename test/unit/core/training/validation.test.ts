// The validation split each party holds out of its train rows, the pooled validation loss,
// the best-round rule of early stopping, and the neural network's defaults.
import { describe, expect, it } from 'vitest';
import { EXACT_ROUNDS, Hyperparameters, modelDefaults, ModelSpec } from '../../../../src-main/contract/records';
import { pooledValidationLoss, splitValidation, trackBest, validationRowCount, type BestRound } from '../../../../src-main/core/training/validation';

function rows(count: number) {
  // Row r has features [r, -r] and target r % 2, so every row can be traced.
  const x = new Float32Array(count * 2);
  const y = new Float32Array(count);
  for (let row = 0; row < count; row += 1) {
    x[row * 2] = row;
    x[row * 2 + 1] = -row;
    y[row] = row % 2;
  }
  return { rows: count, x, y, featureCount: 2, outputCount: 1, sourceRows: Int32Array.from({ length: count }, (_, row) => 100 + row) };
}

describe('validation split', () => {
  it('holds out 15 % of the rows, at least a handful and the minimum cell count, none from a party too small to spare them', () => {
    expect(validationRowCount(200, 5)).toBe(30);
    expect(validationRowCount(200, 40)).toBe(40); // fewer could not be sent
    expect(validationRowCount(200, 60)).toBe(0); // more than a quarter of the rows
    expect(validationRowCount(29, 1)).toBe(5); // 15 % would be 4 rows, too few to say much
    expect(validationRowCount(19, 1)).toBe(0);
  });

  it('splits rows whole, disjoint and seeded, keeping their source rows', () => {
    const data = rows(100);
    const { train, validation } = splitValidation(data, 7, 5);
    expect(train.rows + validation!.rows).toBe(100);
    expect(validation!.rows).toBe(15);
    const trainIds = Array.from({ length: train.rows }, (_, row) => train.x[row * 2]!);
    const heldIds = Array.from({ length: validation!.rows }, (_, row) => validation!.x[row * 2]!);
    expect(new Set([...trainIds, ...heldIds]).size).toBe(100);
    for (let row = 0; row < validation!.rows; row += 1) {
      const id = validation!.x[row * 2]!;
      expect(validation!.x[row * 2 + 1]).toBe(-id);
      expect(validation!.y![row]).toBe(id % 2);
      expect(validation!.sourceRows[row]).toBe(100 + id);
    }
    // The same seed gives the same rows; another seed, others.
    expect(Array.from(splitValidation(data, 7, 5).validation!.x)).toEqual(Array.from(validation!.x));
    expect(Array.from(splitValidation(data, 8, 5).validation!.x)).not.toEqual(Array.from(validation!.x));
  });

  it('holds out each class in its share, even from rows sorted by label', () => {
    // 80 rows of class 0 and then 20 of class 1: 15 held out, 12 and 3.
    const data = { ...rows(100), y: Float32Array.from({ length: 100 }, (_, row) => (row < 80 ? 0 : 1)) };
    for (const seed of [1, 2, 3]) {
      const { validation } = splitValidation(data, seed, 5, true);
      expect(Array.from(validation!.y!).filter((label) => label === 1)).toHaveLength(3);
      expect(validation!.rows).toBe(15);
    }
    // One-hot targets: by their largest column.
    const oneHot = { ...rows(40), outputCount: 3, y: Float32Array.from({ length: 120 }, (_, index) => (index % 3 === (Math.floor(index / 3) < 20 ? 0 : 2) ? 1 : 0)) };
    const { validation } = splitValidation(oneHot, 1, 5, true);
    const labels = Array.from({ length: validation!.rows }, (_, row) => validation!.y!.subarray(row * 3, row * 3 + 3).indexOf(1));
    expect(labels.sort()).toEqual([0, 0, 0, 2, 2, 2]);
  });

  it('leaves spooled rows and rows too few as they are', () => {
    const few = rows(19);
    expect(splitValidation(few, 1, 5)).toEqual({ train: few, validation: null });
    const spooled = { ...rows(1000), spool: { xPath: 'x', yPath: 'y' } };
    expect(splitValidation(spooled, 1, 5).validation).toBeNull();
  });
});

describe('pooled validation loss', () => {
  it('weights each party by its validation rows and skips those that sent none', () => {
    expect(pooledValidationLoss([{ loss: 1, rows: 10 }, undefined, { loss: 0.25, rows: 30 }])).toEqual({ loss: 0.4375, rows: 40 });
    expect(pooledValidationLoss([undefined, undefined])).toBeNull();
  });
});

describe('best round and stopping', () => {
  const rule = { patience: 2, minDelta: 0.01 };

  it('keeps the best round and stops `patience` rounds after it', () => {
    let best: BestRound | undefined;
    const steps = [0.9, 0.7, 0.695, 0.8, 0.6, 0.65, 0.61].map((loss, round) => {
      const next = trackBest(best, round, loss, rule);
      best = next.best;
      return [next.best.round, next.stop];
    });
    // 0.695 is not better by minDelta; round 4 improves; rounds 5 and 6 do not: stop at 6.
    expect(steps).toEqual([[0, false], [1, false], [1, false], [1, true], [4, false], [4, false], [4, true]]);
  });
});

describe('neural network defaults', () => {
  const mlp = ModelSpec.parse({ kind: 'mlp' });

  it('gives an mlp SGD with momentum, rounds until the validation loss stops improving, and the final evaluation only', () => {
    const h = Hyperparameters.parse(modelDefaults(mlp));
    expect(h).toMatchObject({ optimizer: 'sgd', momentum: 0.9 });
    expect(h.earlyStopping).not.toBeNull();
    expect(h.rounds).toBeGreaterThan(10);
    expect(h.evaluateEvery).toBe(0);
  });

  it('never overrides what the user set, and leaves other models alone', () => {
    expect(modelDefaults(mlp, { rounds: 20 })).not.toHaveProperty('earlyStopping');
    expect(modelDefaults(mlp, { optimizer: 'adam' })).toMatchObject({ learningRate: 0.001 });
    expect(modelDefaults(mlp, { optimizer: 'adam', learningRate: 0.01 })).not.toHaveProperty('learningRate');
    expect(modelDefaults(mlp, { optimizer: 'adam' })).not.toHaveProperty('momentum');
    // SCAFFOLD refuses momentum: its defaults keep plain SGD, and they parse.
    expect(modelDefaults(mlp, { algorithm: 'scaffold' })).not.toHaveProperty('momentum');
    expect(Hyperparameters.safeParse({ ...modelDefaults(mlp, { algorithm: 'scaffold' }), algorithm: 'scaffold' }).success).toBe(true);
    expect(modelDefaults(mlp, { privacy: Hyperparameters.parse({ privacy: { dp: 'local', noiseMultiplier: 1 } }).privacy })).not.toHaveProperty('earlyStopping');
    // The logreg preset fitted exactly gets room to converge; by gradient steps, the plain defaults.
    expect(modelDefaults({ kind: 'logreg' })).toEqual({ rounds: EXACT_ROUNDS, evaluateEvery: 0 });
    expect(modelDefaults({ kind: 'logreg' }, { rounds: 8, evaluateEvery: 2 })).toEqual({});
    expect(modelDefaults({ kind: 'logreg' }, { solver: 'sgd' })).toEqual({});
    expect(modelDefaults({ kind: 'logreg' }, { algorithm: 'fedprox' })).toEqual({});
  });
});
