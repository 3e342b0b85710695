// The federated-averaging workflow (FedAvg, FedProx, FedAvgM, FedAdam, FedYogi, FedAdagrad,
// SCAFFOLD and the robust aggregators are its strategies):
//   aligning   each party declares its schema and aggregates; the TTP aligns the features and
//              each party prepares its data with them (resumed: the saved alignment)
//   training   rounds: sample, train through the update pipeline (plain, central DP or secure
//              aggregation), aggregate with the strategy, evaluate the global model on schedule,
//              checkpoint; with early stopping, keep the best round by the loss on the parties'
//              validation rows (held out of their train rows; each fit reply carries the loss of
//              the global model it started from) and stop when it no longer improves
//   evaluating the final global model's metrics (with early stopping: the best round's model;
//              the evaluate data never chooses the model)
//   exporting  workers save the global and their local model and predict locally; the TTP
//              saves the global model with its alignment, hyperparameters and metrics
import type { Alignment } from '../../contract/data';
import type { AggregatedMetrics } from '../../contract/metrics';
import { NO_PRIVACY, type PrivacyReport, type RoundRecord } from '../../contract/results';
import { outputCountOf } from '../../core/alignment/encode';
import { RdpAccountant } from '../../core/privacy/rdp-accountant';
import { createStrategy } from '../../core/strategies';
import type { FitInstruction, Strategy } from '../../core/strategies/types';
import { pooledValidationLoss, trackBest } from '../../core/training/validation';
import type { ModelShape } from '../ports';
import { pipelineFor, type UpdatePipeline } from '../pipelines/update-pipeline';
import { RunFailed } from '../run/cancellation';
import { CHECKPOINT_VERSION, type Checkpoint } from '../run/journal';
import type { RunSession, Workflow, WorkflowReport } from '../run/run-session';
import { taskHostOf } from '../run/task-host';
import { alignParties } from './align-parties';
import { evaluateGlobal } from './evaluate-global';
import { exportModel } from './export-model';
import { warmStartWeights } from './warm-start';

/** The best global model so far by validation loss (round 0: the initial weights). */
interface Best {
  loss: number;
  round: number;
  weights: Float32Array;
}

export class FederatedAveraging implements Workflow {
  readonly name = 'federated-averaging';
  private alignment: Alignment | undefined;
  private shape: ModelShape | undefined;
  private parameterCount = 0;
  private evaluation: AggregatedMetrics | null = null;
  private stoppedEarly: WorkflowReport['stoppedEarly'] = null;
  private globalModel: string | null = null;
  private strategy: Strategy | undefined;
  private pipeline: UpdatePipeline | undefined;
  private accountant = new RdpAccountant();
  private stoppedByBudget = false;
  private best: Best | undefined;
  private lastEvaluation: AggregatedMetrics | null = null;
  private session!: RunSession;

  async run(session: RunSession, from: Checkpoint | null): Promise<void> {
    this.session = session;
    this.strategy = createStrategy(session.hyperparameters);
    if (from) this.restore(from);
    await session.setStatus('aligning');
    const initial = await this.align(from);
    await session.setStatus('training');
    const weights = await this.train(initial, from ? from.round + 1 : 1);
    await session.setStatus('evaluating');
    this.evaluation ??= await this.evaluate(weights, session.round);
    await session.setStatus('exporting');
    this.globalModel = await this.export(weights);
  }

  report(): WorkflowReport {
    return {
      evaluation: this.evaluation,
      stoppedEarly: this.stoppedEarly,
      globalModel: this.globalModel,
      features: this.alignment?.features ?? [],
      alignmentFingerprint: this.alignment?.fingerprint ?? null,
      parameterCount: this.parameterCount,
      privacy: this.privacyReport(),
    };
  }

  // -------------------------------------------------------------------------------------------

  /** Declarations, the alignment (or the saved one), preparation: the initial (or saved) weights. */
  private async align(from: Checkpoint | null): Promise<Float32Array> {
    const { session } = this;
    this.alignment = await alignParties(session, from ? from.alignment : null);
    if (from) return from.weights;
    this.shape = { inputSize: this.alignment.features.length, outputSize: outputCountOf(this.alignment), target: this.alignment.target.kind };
    const init = await session.deps.models.initialWeights(session.context.experiment.model, this.shape, session.hyperparameters.seed);
    this.parameterCount = init.parameterCount;
    const source = session.context.run.initialRunId;
    if (source === undefined) return init.weights;
    session.deps.log.info('starting from the final weights of another run', { run: session.runId, from: source });
    return warmStartWeights(session.deps.models, source, init.weights.length, this.alignment.features);
  }

  private async train(initial: Float32Array, firstRound: number): Promise<Float32Array> {
    const { session } = this;
    const { rounds, evaluateEvery, earlyStopping, privacy } = session.hyperparameters;
    this.pipeline = pipelineFor({
      run: session.runId,
      pool: session.pool,
      strategy: this.strategy!,
      privacy,
      normBound: session.hyperparameters.normBound,
      compression: session.hyperparameters.compression,
      cancellation: session.cancellation,
      timeoutMs: () => session.timeoutMs(),
      activity: (party, activity, round, message) => session.party(party, activity, round, message),
      failed: (round, failure) => session.pool.dropout(failure.clientId, round, `${failure.reason}: ${failure.message}`),
      leftAfterMasking: (party, round, message) => session.pool.dropout(party, round, `left after sending its masked update (which still counts): ${message}`),
      warn: (message, fields) => session.deps.log.warn(message, fields),
    });
    let weights = initial;
    let validated = false;
    for (let round = firstRound; round <= rounds; round += 1) {
      session.cancellation.check();
      const started = performance.now();
      const available = await session.pool.available(this.alignment!);
      const instructions = this.strategy!.configureFit(round, available);
      session.pool.requireEnough(instructions.length, `were available for round ${round}`);
      if (this.budgetSpentBy(round, instructions)) break;
      const sent = weights;
      const training = await this.pipeline.train(round, instructions, weights);
      session.cancellation.check();
      if (!training.outcome.ok) throw new RunFailed(`round ${round}: ${training.outcome.reason}`);
      weights = training.outcome.weights;
      // The replies' validation losses are those of the weights sent: the previous round's model.
      const validation = earlyStopping ? pooledValidationLoss(training.trained.map((party) => party.validation)) : null;

      const record: RoundRecord = { round, trainLoss: weightedLoss(training.trained), seconds: 0, parties: training.parties };
      if (privacy.dp !== 'off') {
        this.accountant.step(this.samplingRate(instructions.length), privacy.noiseMultiplier);
        record.privacy = { epsilon: this.accountant.epsilon(privacy.delta), delta: privacy.delta };
      }
      if (validation) record.validationLoss = validation.loss;
      // With early stopping the final model is evaluated after the loop (it may be an earlier round's).
      const evaluateNow = (round === rounds && !earlyStopping) || (evaluateEvery > 0 && round % evaluateEvery === 0);
      if (evaluateNow) {
        const evaluation = await this.evaluate(weights, round);
        if (evaluation) {
          record.evaluate = evaluation;
          this.lastEvaluation = evaluation;
        }
      }
      record.seconds = (performance.now() - started) / 1000;
      let stop = false;
      if (earlyStopping && validation) {
        validated = true;
        const previous = round - 1;
        const next = trackBest(this.best, previous, validation.loss, earlyStopping);
        if (next.improved) this.best = { ...next.best, weights: sent };
        if (next.stop) {
          session.deps.log.info('early stopping: the validation loss stopped improving', { run: session.runId, round, bestRound: next.best.round });
          this.stoppedEarly = { round, bestRound: next.best.round };
          stop = true;
        }
      } else if (earlyStopping && !validated && round === firstRound) {
        session.deps.log.warn('no party reported a validation loss (too few train rows to hold any out): the rounds run to their cap', { run: session.runId, round });
      }
      const current = weights;
      await session.completeRound(record, () => this.checkpoint(current, round));
      if (stop) break;
    }
    // Early stopping keeps the best round's model (or, with no validation loss, the last one),
    // evaluated once training is over: never an earlier round's figures for another model.
    if (earlyStopping) {
      this.evaluation = null;
      return this.best ? this.best.weights : weights;
    }
    this.evaluation = this.stoppedByBudget ? (session.history.at(-1)?.evaluate ?? null) : this.lastEvaluation;
    return weights;
  }

  private evaluate(weights: Float32Array, round: number): Promise<AggregatedMetrics | null> {
    const { session } = this;
    return evaluateGlobal({ ...taskHostOf(session), target: this.alignment!.target }, weights, round);
  }

  private export(weights: Float32Array): Promise<string> {
    return exportModel(this.session, { shape: this.shape!, alignment: this.alignment!, weights, evaluation: this.evaluation });
  }

  // -------------------------------------------------------------------------------------------
  // Privacy accounting

  /**
   * The sampling rate of the round for the accountant: the parties sampled out of those taking
   * part in the run (1 when every participant trains every round, the cross-silo case).
   */
  private samplingRate(sampled: number): number {
    return Math.min(1, sampled / Math.max(1, this.session.pool.everPrepared().length));
  }

  /** True when the next round would spend more than the target epsilon: training stops before it. */
  private budgetSpentBy(round: number, instructions: readonly FitInstruction[]): boolean {
    const { privacy } = this.session.hyperparameters;
    if (privacy.dp === 'off' || privacy.targetEpsilon === null) return false;
    const next = this.accountant.epsilonAfter(this.samplingRate(instructions.length), privacy.noiseMultiplier, 1, privacy.delta);
    if (next <= privacy.targetEpsilon) return false;
    if (round === 1) {
      throw new RunFailed(
        `one round already spends epsilon ${next.toFixed(2)} (delta ${privacy.delta}), more than the target ${privacy.targetEpsilon}: ` +
          'raise the noise multiplier or the target epsilon',
      );
    }
    this.stoppedByBudget = true;
    this.session.deps.log.info('privacy budget reached: training stops', { run: this.session.runId, round, epsilon: this.accountant.epsilon(privacy.delta), next });
    return true;
  }

  private privacyReport(): PrivacyReport {
    const { privacy } = this.session?.hyperparameters ?? { privacy: undefined };
    if (!privacy) return NO_PRIVACY;
    const dp = privacy.dp !== 'off';
    return {
      secureAggregation: privacy.secureAggregation,
      dp: privacy.dp,
      clip: dp ? privacy.clip : null,
      noiseMultiplier: dp ? privacy.noiseMultiplier : null,
      epsilon: dp ? this.accountant.epsilon(privacy.delta) : null,
      delta: dp ? privacy.delta : null,
      targetEpsilon: dp ? privacy.targetEpsilon : null,
      stoppedByBudget: this.stoppedByBudget,
      quantization: this.pipeline?.encoding ?? null,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Checkpoints

  private checkpoint(weights: Float32Array, round: number): Checkpoint {
    const { session } = this;
    return {
      version: CHECKPOINT_VERSION,
      run: session.runId,
      round,
      settings: session.settings,
      workflow: this.name,
      startedAt: session.startedAt,
      alignment: this.alignment!,
      shape: this.shape!,
      parameterCount: this.parameterCount,
      weights,
      strategy: this.strategy!.state(),
      accountant: session.hyperparameters.privacy.dp === 'off' ? null : this.accountant.state(),
      pool: session.pool.state(),
      history: [...session.history],
      state: {
        stoppedByBudget: this.stoppedByBudget,
        encoding: this.pipeline?.encoding ?? null,
        best: this.best ? { loss: this.best.loss, round: this.best.round } : null,
        lastEvaluation: this.lastEvaluation,
      },
      tensors: this.best ? { best: this.best.weights } : {},
    };
  }

  private restore(from: Checkpoint): void {
    if (from.settings !== this.session.settings) throw new RunFailed('the run was edited since its last checkpoint: start it again instead of resuming');
    this.alignment = from.alignment;
    this.shape = from.shape;
    this.parameterCount = from.parameterCount;
    this.strategy!.restore(from.strategy);
    if (from.accountant) this.accountant = RdpAccountant.restore(from.accountant);
    const state = from.state as { stoppedByBudget?: boolean; best?: { loss: number; round: number } | null; lastEvaluation?: AggregatedMetrics | null };
    this.stoppedByBudget = state.stoppedByBudget ?? false;
    this.lastEvaluation = state.lastEvaluation ?? null;
    if (state.best && from.tensors['best']) this.best = { loss: state.best.loss, round: state.best.round, weights: from.tensors['best'] };
  }
}

function weightedLoss(results: ReadonlyArray<{ loss: number; numExamples: number }>): number {
  const examples = results.reduce((total, result) => total + result.numExamples, 0);
  return examples === 0 ? Number.NaN : results.reduce((total, result) => total + result.loss * result.numExamples, 0) / examples;
}
