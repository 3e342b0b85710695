// Baselines beside a federated run, trained in this process on the same encoded data:
// - centralized: the same model and the same total epochs on everyone's train data pooled,
//   evaluated on everyone's evaluate data pooled (what sharing all the rows would give); with
//   early stopping, the same rule on a validation share of the pooled train rows (rounds of
//   `epochs` epochs until its loss stops improving, the best kept); a model the exact solver
//   fits is fitted exactly on the pooled rows;
// - local: each party trained alone on its own data, evaluated on its own evaluate data.
import type { Alignment } from '../../contract/data';
import type { Metrics } from '../../contract/metrics';
import type { Hyperparameters, ModelSpec } from '../../contract/records';
import type { EncodedDataset } from '../../core/alignment/encode';
import type { CoefficientTable } from '../../contract/results';
import { fitRows, predictRows } from '../../core/glm/fit';
import { coefficientTable, type FitSummary } from '../../core/glm/inference';
import { usesExactSolver } from '../../core/glm/solver';
import { splitValidation, trackBest, type BestRound } from '../../core/training/validation';
import { glmSpecFor } from '../../core/glm/spec';
import { metricsFor } from '../../engines/evaluation';
import type { PreparedData } from '../../engines/ports';
import { selectBackend } from '../../ml/backend';
import { buildModel } from '../../ml/model';
import { LocalTrainer } from '../../ml/trainer';
import { modelShapeOf } from '../worker/training-port';

export type BaselineKind = 'centralized' | 'local';

export interface Baselines {
  centralized?: Metrics | null;
  local?: Record<string, Metrics | null>;
  /** Exact regression: the pooled fit's coefficient table (the federated one should match it). */
  centralizedCoefficients?: CoefficientTable | null;
}

/** Concatenates encoded datasets (same alignment, so the same widths). */
/** Encoded rows in one place: x row-major, y the targets. */
type Rows = { x: Float32Array; y: Float32Array; rows: number };

export function poolDatasets(parts: readonly EncodedDataset[]): Rows {
  const rows = parts.reduce((total, part) => total + part.rows, 0);
  const featureCount = parts[0]?.featureCount ?? 0;
  const outputCount = parts[0]?.outputCount ?? 0;
  const x = new Float32Array(rows * featureCount);
  const y = new Float32Array(rows * outputCount);
  let offset = 0;
  for (const part of parts) {
    x.set(part.x, offset * featureCount);
    if (part.y) y.set(part.y, offset * outputCount);
    offset += part.rows;
  }
  return { x, y, rows };
}

/** The exact regression fit of `train`, and its metrics on `evaluate` (null without rows to evaluate). */
function fitExactly(alignment: Alignment, penalty: number, train: Rows, evaluate: Rows): { fit: FitSummary; metrics: Metrics | null } {
  const spec = glmSpecFor(alignment.target, alignment.features.length);
  const fit = fitRows(spec, train, penalty);
  const metrics = evaluate.rows === 0 ? null : metricsFor(alignment.target, evaluate.y, predictRows(spec, fit.theta, evaluate.x, evaluate.rows), evaluate.rows);
  return { fit, metrics };
}

/** Trains the model for rounds x epochs epochs on `train`; the metrics of the result on `evaluate`. */
async function trainAndEvaluate(
  alignment: Alignment,
  model: ModelSpec,
  hyperparameters: Hyperparameters,
  train: Rows,
  evaluate: Rows,
): Promise<Metrics | null> {
  if (train.rows === 0 || evaluate.rows === 0) return null;
  if (usesExactSolver(model, hyperparameters)) return fitExactly(alignment, hyperparameters.penalty, train, evaluate).metrics;
  await selectBackend();
  const shape = modelShapeOf(alignment);
  const built = buildModel(model, shape, hyperparameters.seed);
  const rows = { ...train, featureCount: shape.inputSize, outputCount: shape.outputSize };
  const { earlyStopping } = hyperparameters;
  const split = earlyStopping ? splitValidation(rows, hyperparameters.seed, 0, alignment.target.kind !== 'regression') : { train: rows, validation: null };
  const trainer = new LocalTrainer(built, shape.target, split.train);
  try {
    if (earlyStopping && split.validation) {
      const weights = await trainUntilStopped(trainer, hyperparameters, split.validation, earlyStopping);
      const outputs = await trainer.predict(weights, evaluate.x, evaluate.rows);
      return metricsFor(alignment.target, evaluate.y, outputs, evaluate.rows);
    }
    const { weights } = await trainer.fit(trainer.weights(), {
      epochs: hyperparameters.rounds * hyperparameters.epochs,
      batchSize: hyperparameters.batchSize,
      learningRate: hyperparameters.learningRate,
      optimizer: hyperparameters.optimizer,
      momentum: hyperparameters.momentum,
      l2: hyperparameters.l2,
      mu: 0,
      seed: hyperparameters.seed,
      loss: hyperparameters.loss,
    });
    const outputs = await trainer.predict(weights, evaluate.x, evaluate.rows);
    return metricsFor(alignment.target, evaluate.y, outputs, evaluate.rows);
  } finally {
    trainer.dispose();
    built.dispose();
  }
}

/**
 * Rounds of `epochs` epochs (a fresh optimizer each, as a party's fit) on the pooled rows while
 * the validation loss improves: the best round's weights, by the federation's own rule.
 */
async function trainUntilStopped(
  trainer: LocalTrainer,
  hyperparameters: Hyperparameters,
  validation: { x: Float32Array; y?: Float32Array; rows: number },
  rule: NonNullable<Hyperparameters['earlyStopping']>,
): Promise<Float32Array> {
  let weights = trainer.weights();
  let best: (BestRound & { weights: Float32Array }) | undefined;
  for (let round = 1; round <= hyperparameters.rounds + 1; round += 1) {
    const loss = await trainer.evaluateLoss(weights, validation.x, validation.y!, validation.rows, hyperparameters.loss);
    const next = trackBest(best, round - 1, loss, rule);
    if (next.improved) best = { ...next.best, weights: weights.slice() };
    if (next.stop || round > hyperparameters.rounds) break;
    const fitted = await trainer.fit(weights, {
      epochs: hyperparameters.epochs,
      batchSize: hyperparameters.batchSize,
      learningRate: hyperparameters.learningRate,
      optimizer: hyperparameters.optimizer,
      momentum: hyperparameters.momentum,
      l2: hyperparameters.l2,
      mu: 0,
      seed: hyperparameters.seed + round,
      loss: hyperparameters.loss,
    });
    weights = fitted.weights;
  }
  return best?.weights ?? weights;
}

export async function computeBaselines(
  kinds: readonly BaselineKind[],
  alignment: Alignment,
  model: ModelSpec,
  hyperparameters: Hyperparameters,
  parties: ReadonlyMap<string, PreparedData>,
): Promise<Baselines> {
  const baselines: Baselines = {};
  const evaluateOf = (data: PreparedData) => data.evaluate ?? { ...data.train, rows: 0 };
  if (kinds.includes('centralized')) {
    const all = [...parties.values()];
    const train = poolDatasets(all.map((data) => data.train));
    const evaluate = poolDatasets(all.map(evaluateOf).filter((data) => data.rows > 0));
    if (usesExactSolver(model, hyperparameters) && train.rows > 0) {
      // One fit gives the pooled model's metrics and its table.
      const { fit, metrics } = fitExactly(alignment, hyperparameters.penalty, train, evaluate);
      baselines.centralizedCoefficients = coefficientTable(fit, alignment);
      baselines.centralized = metrics;
    } else {
      baselines.centralized = await trainAndEvaluate(alignment, model, hyperparameters, train, evaluate);
    }
  }
  if (kinds.includes('local')) {
    baselines.local = {};
    for (const [party, data] of parties) {
      baselines.local[party] = await trainAndEvaluate(alignment, model, hyperparameters, poolDatasets([data.train]), poolDatasets([evaluateOf(data)]));
    }
  }
  return baselines;
}
