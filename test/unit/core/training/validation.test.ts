// The validation split each party holds out of its train rows, the pooled validation loss,
// the best-round rule of early stopping, and the neural network's defaults.
import { describe, expect, it } from 'vitest';
import { Hyperparameters, modelDefaults, ModelSpec } from '../../../../src-main/contract/records';
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
  it('holds out 15 % of the rows, none when that is below the minimum cell count or a handful', () => {
    expect(validationRowCount(200, 5)).toBe(30);
    expect(validationRowCount(200, 31)).toBe(0); // its loss could never be sent
    expect(validationRowCount(30, 1)).toBe(0); // 4 rows say too little
    expect(validationRowCount(40, 1)).toBe(6);
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

  it('leaves spooled rows and rows too few as they are', () => {
    const few = rows(20);
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

  it('gives an mlp Adam, rounds until the validation loss stops improving, and the final evaluation only', () => {
    const h = Hyperparameters.parse(modelDefaults(mlp));
    expect(h.optimizer).toBe('adam');
    expect(h.earlyStopping).not.toBeNull();
    expect(h.rounds).toBeGreaterThan(10);
    expect(h.evaluateEvery).toBe(0);
  });

  it('never overrides what the user set, and leaves other models alone', () => {
    expect(modelDefaults(mlp, { rounds: 20 })).not.toHaveProperty('earlyStopping');
    expect(modelDefaults(mlp, { optimizer: 'sgd' })).not.toHaveProperty('learningRate');
    expect(modelDefaults(mlp, { algorithm: 'scaffold' })).not.toHaveProperty('optimizer');
    expect(modelDefaults(mlp, { privacy: Hyperparameters.parse({ privacy: { dp: 'local', noiseMultiplier: 1 } }).privacy })).not.toHaveProperty('earlyStopping');
    expect(modelDefaults({ kind: 'logreg' })).toEqual({});
  });
});
