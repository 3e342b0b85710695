// One run, from start to teardown, as the TTP drives it:
//   waiting    participants connect (or are dialled, if they listen)
//   aligning   each declares its schema and aggregates; the TTP aligns and sends the alignment
//   training   rounds: sample, fit with a timeout, aggregate with the strategy (failures passed
//              in explicitly), evaluate the global model (metrics only), record the round
//   evaluating the final global model's metrics
//   exporting  workers save the global and their local model and predict locally; the TTP
//              saves the global model with its alignment, hyperparameters and metrics
// then every worker frees the run. Each phase is stored as the run's status.
import type { Alignment } from '../contract/data';
import {
  ConsentReply,
  DeclareReply,
  EvaluateReply,
  FinishReply,
  FitReply,
  GRID,
  PrepareReply,
  type FitConfig,
} from '../contract/grid';
import type { AggregatedMetrics } from '../contract/metrics';
import type { Dropout, PartyActivity, PartyRound, PrivacyReport, RoundRecord, RunEvent, RunResult } from '../contract/results';
import type { RunStatus } from '../contract/records';
import { alignFeatures } from '../core/alignment/align';
import { outputCountOf } from '../core/alignment/encode';
import { aggregateMetrics } from '../core/metrics/aggregate';
import { createStrategy } from '../core/strategies';
import type { AggregateOutcome, Failure, FailureReason, FitInstruction, FitResult, Strategy } from '../core/strategies/types';
import { RdpAccountant } from '../core/privacy/rdp-accountant';
import { SecAggError } from '../core/privacy/secagg';
import { evaluationLoss } from './evaluation';
import { privateMean } from './private-mean';
import { secureFitRound } from './secure-round';
import type { Channel, Dialer, Log, ModelPort, ModelShape, RunContext, RunRepository } from './ports';

export interface RunDeps {
  runs: RunRepository;
  models: ModelPort;
  dialer?: Dialer;
  log: Log;
  now: () => Date;
  /** The current channel to a party, if connected. */
  channelOf(party: string): Channel | undefined;
  /** Resolves when some party connects (or after `ms`). */
  nextConnection(ms: number): Promise<void>;
  emit(event: RunEvent): void;
  /** How long to wait for participants to connect before starting without the missing ones. */
  participantWaitMs: number;
  /** How long to wait for each participant to approve or decline the run. */
  approvalWaitMs: number;
}

/** The least time between two writes of a run's progress while it trains. */
const PERSIST_EVERY_MS = 1_000;

export class RunFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailed';
  }
}

class RunCancelled extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RunCancelled';
  }
}

interface Prepared {
  channel: Channel;
  hasEvaluate: boolean;
  trainRows: number;
}

/** What one round of training produced, before the strategy's server step. */
interface RoundOutcome {
  next: AggregateOutcome;
  parties: Record<string, PartyRound>;
  /** Local training losses and example counts of the parties that trained. */
  trained: Array<{ loss: number; numExamples: number }>;
}

export class RunExecution {
  private readonly abort = new AbortController();
  private readonly strategy: Strategy;
  private readonly prepared = new Map<string, Prepared>();
  /** The connection on which each participant approved the run. */
  private readonly approvedOn = new Map<string, Channel>();
  private readonly dropouts: Dropout[] = [];
  private readonly history: RoundRecord[] = [];
  private readonly startedAt: string;
  private alignment: Alignment | undefined;
  private shape: ModelShape | undefined;
  private parameterCount = 0;
  private round = 0;
  private status: RunStatus = 'waiting';
  private cancellation: Promise<never> | undefined;
  private persistedAt = Number.NEGATIVE_INFINITY;
  /** The privacy spent (runs with differential privacy). */
  private readonly accountant = new RdpAccountant();
  private stoppedByBudget = false;
  private encoding: PrivacyReport['quantization'] = null;

  constructor(
    private readonly context: RunContext,
    private readonly deps: RunDeps,
  ) {
    this.strategy = createStrategy(context.run.hyperparameters);
    this.startedAt = deps.now().toISOString();
  }

  get runId(): string {
    return this.context.run.id;
  }

  get hyperparameters() {
    return this.context.run.hyperparameters;
  }

  cancel(reason: string): void {
    this.abort.abort(new RunCancelled(reason));
  }

  /** Runs every phase; never throws: the outcome is in the result (and the stored status). */
  async execute(): Promise<RunResult> {
    let weights: Float32Array | undefined;
    let evaluation: AggregatedMetrics | null = null;
    let stoppedEarly: RunResult['stoppedEarly'] = null;
    let globalModel: string | null = null;
    let error: string | null = null;
    try {
      await this.setStatus('waiting');
      await this.waitForParticipants();
      await this.setStatus('awaiting-approval');
      await this.askConsent();
      await this.setStatus('aligning');
      const alignment = await this.align();
      await this.prepareAll(alignment);
      const init = await this.deps.models.initialWeights(this.context.experiment.model, this.shape!, this.hyperparameters.seed);
      this.parameterCount = init.parameterCount;
      await this.setStatus('training');
      const trained = await this.train(init.weights);
      weights = trained.weights;
      stoppedEarly = trained.stoppedEarly;
      await this.setStatus('evaluating');
      evaluation = trained.evaluation ?? (await this.evaluate(weights, this.round));
      await this.setStatus('exporting');
      globalModel = await this.export(weights, evaluation);
      this.status = 'completed';
    } catch (caught) {
      const reason = this.abort.signal.aborted ? this.abort.signal.reason : caught;
      this.status = reason instanceof RunCancelled ? 'cancelled' : 'failed';
      error = reason instanceof Error ? reason.message : String(reason);
      if (!(reason instanceof RunFailed || reason instanceof RunCancelled)) {
        this.deps.log.error('run failed unexpectedly', { run: this.runId, error: reason instanceof Error ? reason.stack : String(reason) });
      }
    }
    const parties = [...this.prepared.keys()].sort();
    await this.teardown(error ?? 'run completed');
    const result: RunResult = {
      run: this.runId,
      status: this.status,
      algorithm: this.hyperparameters.algorithm,
      features: this.alignment?.features ?? [],
      alignmentFingerprint: this.alignment?.fingerprint ?? null,
      parties,
      rounds: this.history,
      evaluation,
      dropouts: this.dropouts,
      stoppedEarly,
      backend: this.deps.models.backend(),
      parameterCount: this.parameterCount,
      artifacts: { globalModel },
      privacy: this.privacyReport(),
      startedAt: this.startedAt,
      finishedAt: this.deps.now().toISOString(),
      error,
    };
    await this.deps.runs.saveHistory(this.runId, this.history);
    await this.deps.runs.saveResult(this.runId, result);
    await this.deps.runs.setStatus(this.runId, {
      status: this.status,
      round: this.round,
      finishedAt: result.finishedAt,
      ...(error === null ? {} : { error }),
    });
    this.deps.emit({ kind: 'finished', run: this.runId, result });
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Phases

  private async waitForParticipants(): Promise<void> {
    const { participants } = this.context;
    const { minClients } = this.hyperparameters;
    if (participants.length === 0) throw new RunFailed('no participant is registered for this project');
    if (participants.length < minClients) {
      throw new RunFailed(`only ${participants.length} participants are registered, but minClients is ${minClients}`);
    }
    const deadline = Date.now() + this.deps.participantWaitMs;
    for (;;) {
      this.checkCancelled();
      const missing = participants.filter((participant) => !this.deps.channelOf(participant.id)?.isOpen);
      if (missing.length === 0) return;
      for (const participant of missing) {
        if (participant.connection.mode === 'listen' && this.deps.dialer) {
          await this.deps.dialer.reach(participant).catch((error: Error) =>
            this.deps.log.warn('could not reach a listening participant', { party: participant.id, error: error.message }),
          );
        }
        this.party(participant.id, 'waiting');
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const connected = participants.length - missing.length;
        if (connected < minClients) {
          throw new RunFailed(
            `waited ${seconds(this.deps.participantWaitMs)} for participants: ${missing.map((p) => p.id).join(', ')} did not connect ` +
              `(${connected} connected, minClients ${minClients})`,
          );
        }
        for (const participant of missing) this.dropout(participant.id, 0, 'did not connect in time');
        return;
      }
      await Promise.race([this.deps.nextConnection(Math.min(left, 500)), this.cancelled()]);
    }
  }

  /** Every connected participant is asked; those who decline are left out of the run. */
  private async askConsent(): Promise<void> {
    const replies = await this.inParallel(this.connectedParticipants(), 'approving', (party, channel) => this.consentOf(party, channel));
    for (const [party, reply] of replies) {
      if (reply.approved) continue;
      this.party(party, 'declined', 0, reply.reason);
      this.dropout(party, 0, `declined${reply.reason ? `: ${reply.reason}` : ''}`);
    }
    this.requireEnough(this.approvedOn.size, 'approved the run');
  }

  private async consentOf(party: string, channel: Channel): Promise<ConsentReply> {
    const { collaboration, project, experiment, run } = this.context;
    const { body } = await channel.request(
      GRID.consent,
      {
        run: this.runId,
        projectId: project.id,
        summary: {
          collaboration: collaboration.name,
          project: project.name,
          targetColumn: project.targetColumn,
          experiment: experiment.name,
          run: run.name,
          model: experiment.model,
          hyperparameters: this.hyperparameters,
          tags: ['train', 'evaluate', 'predict'],
          privacy: this.hyperparameters.privacy,
          roster: this.context.participants.map((participant) => ({
            id: participant.id,
            name: participant.name,
            ...(participant.key ? { key: participant.key } : {}),
          })),
        },
      },
      { schema: ConsentReply, timeoutMs: this.deps.approvalWaitMs },
    );
    if (body.approved) this.approvedOn.set(party, channel);
    return body;
  }

  private async align(): Promise<Alignment> {
    const { project } = this.context;
    const parties = this.connectedParticipants();
    const declared = await this.inParallel(parties, 'declaring', async (party, channel) => {
      const { body } = await channel.request(
        GRID.declare,
        {
          run: this.runId,
          project: {
            id: project.id,
            targetColumn: project.targetColumn,
            task: project.task,
            ...(project.positiveClass === undefined ? {} : { positiveClass: project.positiveClass }),
          },
        },
        { schema: DeclareReply, timeoutMs: this.timeoutMs() },
      );
      if (body.declaration.party !== party) throw new Error(`declared as "${body.declaration.party}", not "${party}"`);
      return body;
    });
    this.requireEnough(declared.size, 'declared their data');
    const { alignment, report } = alignFeatures(
      [...declared.values()].map((reply) => reply.declaration),
      { targetColumn: project.targetColumn, task: project.task, positiveClass: project.positiveClass, alignment: project.alignment },
    );
    for (const warning of report.warnings) this.deps.log.warn(warning.message, { run: this.runId });
    if (!alignment) {
      throw new RunFailed(`feature alignment failed: ${report.errors.map((issue) => issue.message).join('; ')}`);
    }
    this.alignment = alignment;
    this.shape = {
      inputSize: alignment.features.length,
      outputSize: outputCountOf(alignment),
      target: alignment.target.kind,
    };
    for (const [party, reply] of declared) {
      if (!reply.tags.evaluate) this.deps.log.info('party has no evaluate data', { run: this.runId, party });
    }
    return alignment;
  }

  private async prepareAll(alignment: Alignment): Promise<void> {
    const parties = this.connectedParticipants();
    await this.inParallel(parties, 'preparing', (party, channel) => this.prepareOne(party, channel, alignment));
    this.requireEnough(this.prepared.size, 'loaded their data');
  }

  private async prepareOne(party: string, channel: Channel, alignment: Alignment): Promise<PrepareReply> {
    const { body } = await channel.request(
      GRID.prepare,
      {
        run: this.runId,
        projectId: this.context.project.id,
        alignment,
        model: this.context.experiment.model,
        hyperparameters: this.hyperparameters,
      },
      { schema: PrepareReply, timeoutMs: this.timeoutMs() },
    );
    if (body.trainRows === 0) throw new Error('has no usable training rows');
    this.prepared.set(party, { channel, hasEvaluate: body.evaluateRows > 0, trainRows: body.trainRows });
    return body;
  }

  private async train(initial: Float32Array): Promise<{
    weights: Float32Array;
    evaluation: AggregatedMetrics | null;
    stoppedEarly: RunResult['stoppedEarly'];
  }> {
    const { rounds, evaluateEvery, earlyStopping } = this.hyperparameters;
    let weights = initial;
    let best: { loss: number; round: number; weights: Float32Array; evaluation: AggregatedMetrics } | undefined;
    let lastEvaluation: AggregatedMetrics | null = null;
    for (let round = 1; round <= rounds; round += 1) {
      this.checkCancelled();
      const started = performance.now();
      const available = await this.availableParties(round);
      const instructions = this.strategy.configureFit(round, available);
      this.requireEnough(instructions.length, `were available for round ${round}`);
      if (this.budgetSpentBy(round, instructions.length)) {
        // The privacy budget ends training like early stopping would: keep the best model so far.
        if (best) return { weights: best.weights, evaluation: best.evaluation, stoppedEarly: null };
        return { weights, evaluation: this.history.at(-1)?.evaluate ?? null, stoppedEarly: null };
      }
      const outcome = await this.fitRound(round, instructions, weights);
      this.checkCancelled();
      if (!outcome.next.ok) throw new RunFailed(`round ${round}: ${outcome.next.reason}`);
      weights = outcome.next.weights;
      const { parties } = outcome;

      const record: RoundRecord = { round, trainLoss: weightedLoss(outcome.trained), seconds: 0, parties };
      if (this.hyperparameters.privacy.dp !== 'off') {
        this.accountant.step(this.samplingRate(instructions.length), this.hyperparameters.privacy.noiseMultiplier);
        record.privacy = { epsilon: this.accountant.epsilon(this.hyperparameters.privacy.delta), delta: this.hyperparameters.privacy.delta };
      }
      const evaluateNow = round === rounds || (evaluateEvery > 0 && round % evaluateEvery === 0) || earlyStopping !== null;
      if (evaluateNow) {
        const evaluation = await this.evaluate(weights, round);
        if (evaluation) {
          record.evaluate = evaluation;
          lastEvaluation = evaluation;
        }
      }
      record.seconds = (performance.now() - started) / 1000;
      this.round = round;
      this.history.push(record);
      await this.persistProgress(round === rounds);
      this.deps.emit({ kind: 'round', run: this.runId, rounds, record });

      if (earlyStopping && record.evaluate) {
        const loss = evaluationLoss(record.evaluate.aggregate);
        if (!best || loss < best.loss - earlyStopping.minDelta) {
          best = { loss, round, weights, evaluation: record.evaluate };
        } else if (round - best.round >= earlyStopping.patience) {
          this.deps.log.info('early stopping', { run: this.runId, round, bestRound: best.round });
          return { weights: best.weights, evaluation: best.evaluation, stoppedEarly: { round, bestRound: best.round } };
        }
      }
    }
    if (best) return { weights: best.weights, evaluation: best.evaluation, stoppedEarly: null };
    return { weights, evaluation: lastEvaluation, stoppedEarly: null };
  }

  /** One round's fits and aggregation: plain, with differential privacy, or securely aggregated. */
  private async fitRound(round: number, instructions: readonly FitInstruction[], weights: Float32Array): Promise<RoundOutcome> {
    const { privacy } = this.hyperparameters;
    if (privacy.secureAggregation) return this.secureRound(round, instructions, weights);
    const results: FitResult[] = [];
    const failures: Failure[] = [];
    const parties: Record<string, PartyRound> = {};
    await Promise.all(
      instructions.map(async ({ clientId, config }) => {
        const outcome = await this.fitOne(clientId, config, weights);
        if ('failure' in outcome) {
          this.roundFailure(round, outcome.failure, failures, parties);
        } else {
          results.push(outcome.result);
          parties[clientId] = { ok: true, loss: outcome.result.loss, numExamples: outcome.result.numExamples, seconds: outcome.seconds };
        }
      }),
    );
    this.checkCancelled();
    // Results in a fixed order, so aggregation is deterministic whoever answered first.
    results.sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
    let next: AggregateOutcome;
    if (privacy.dp === 'off') {
      next = this.strategy.aggregateFit(round, weights, results, failures);
    } else {
      const wrong = results.find((result) => result.weights.length !== weights.length);
      next = wrong
        ? { ok: false, reason: `client ${wrong.clientId} returned ${wrong.weights.length} weights, but the model has ${weights.length}` }
        : this.strategy.aggregateMean(round, weights, privateMean(weights, results.map((result) => result.weights), privacy, instructions.length), results.map((result) => result.clientId), failures);
    }
    return { next, parties, trained: results };
  }

  private async secureRound(round: number, instructions: readonly FitInstruction[], weights: Float32Array): Promise<RoundOutcome> {
    const failures: Failure[] = [];
    const parties: Record<string, PartyRound> = {};
    if (instructions.length < 2) {
      throw new RunFailed(`round ${round}: secure aggregation needs at least 2 participants in a round, and only ${instructions.length} could take part`);
    }
    try {
      const result = await secureFitRound(
        {
          run: this.runId,
          timeoutMs: this.timeoutMs(),
          privacy: this.hyperparameters.privacy,
          channelOf: (party) => this.prepared.get(party)?.channel,
          trainRowsOf: (party) => this.prepared.get(party)?.trainRows ?? 0,
          withCancel: (work) => this.withCancel(work),
          activity: (party, activity, message) => this.party(party, activity, round, message),
          failed: (party, error) => {
            this.checkCancelled();
            const failure = { clientId: party, reason: failureReason(error), message: (error as Error).message };
            this.party(party, 'failed', round, failure.message);
            this.roundFailure(round, failure, failures, parties);
          },
          leftAfterMasking: (party, error) => {
            this.checkCancelled();
            this.party(party, 'failed', round, (error as Error).message);
            this.dropout(party, round, `left after sending its masked update (which still counts): ${(error as Error).message}`);
          },
          warn: (message, fields) => this.deps.log.warn(message, fields),
        },
        round,
        instructions,
        weights,
      );
      this.encoding = result.encoding;
      for (const trained of result.trained) parties[trained.party] = { ok: true, loss: trained.loss, numExamples: trained.numExamples, seconds: trained.seconds };
      return { next: this.strategy.aggregateMean(round, weights, result.mean, result.contributors, failures), parties, trained: result.trained };
    } catch (error) {
      if (error instanceof SecAggError) throw new RunFailed(`round ${round}: ${error.message}`);
      throw error;
    }
  }

  /** A party that gave no update this round: a failure for the strategy, a failed entry in the round's record, a dropout. */
  private roundFailure(round: number, failure: Failure, failures: Failure[], parties: Record<string, PartyRound>): void {
    failures.push(failure);
    parties[failure.clientId] = { ok: false, reason: failure.reason, message: failure.message };
    this.dropout(failure.clientId, round, `${failure.reason}: ${failure.message}`);
  }

  /**
   * The sampling rate of the round for the accountant: the parties sampled out of those taking
   * part in the run (1 when every participant trains every round, the cross-silo case).
   */
  private samplingRate(sampled: number): number {
    return Math.min(1, sampled / Math.max(1, this.prepared.size));
  }

  /** True when the next round would spend more than the target epsilon: training stops before it. */
  private budgetSpentBy(round: number, sampled: number): boolean {
    const { privacy } = this.hyperparameters;
    if (privacy.dp === 'off' || privacy.targetEpsilon === null) return false;
    const next = this.accountant.epsilonAfter(this.samplingRate(sampled), privacy.noiseMultiplier, 1, privacy.delta);
    if (next <= privacy.targetEpsilon) return false;
    if (round === 1) {
      throw new RunFailed(
        `one round already spends epsilon ${next.toFixed(2)} (delta ${privacy.delta}), more than the target ${privacy.targetEpsilon}: ` +
          'raise the noise multiplier or the target epsilon',
      );
    }
    this.stoppedByBudget = true;
    this.deps.log.info('privacy budget reached: training stops', { run: this.runId, round, epsilon: this.accountant.epsilon(privacy.delta), next });
    return true;
  }

  private privacyReport(): PrivacyReport {
    const { privacy } = this.hyperparameters;
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
      quantization: this.encoding,
    };
  }

  private async fitOne(
    party: string,
    config: FitConfig,
    weights: Float32Array,
  ): Promise<{ result: FitResult; seconds: number } | { failure: Failure }> {
    const prepared = this.prepared.get(party);
    if (!prepared) return { failure: { clientId: party, reason: 'error', message: 'not prepared' } };
    this.party(party, 'training', config.round);
    try {
      const { body, tensors } = await this.withCancel(
        prepared.channel.request(
          GRID.fit,
          { run: this.runId, config },
          { schema: FitReply, tensors: [weights], timeoutMs: this.timeoutMs() },
        ),
      );
      const [local] = tensors;
      if (!local || tensors.length !== 1) throw new Error('replied without exactly one weights tensor');
      this.party(party, 'trained', config.round);
      return { result: { clientId: party, weights: local, numExamples: body.numExamples, loss: body.loss }, seconds: body.seconds };
    } catch (error) {
      this.party(party, 'failed', config.round, (error as Error).message);
      return { failure: { clientId: party, reason: failureReason(error), message: (error as Error).message } };
    }
  }

  /** Metrics of the global model at every prepared party with evaluate data, aggregated. */
  private async evaluate(weights: Float32Array, round: number): Promise<AggregatedMetrics | null> {
    const parties = [...this.prepared].filter(([, prepared]) => prepared.hasEvaluate && prepared.channel.isOpen);
    const replies = await Promise.all(
      parties.map(async ([party, prepared]) => {
        this.party(party, 'evaluating', round);
        try {
          const { body } = await this.withCancel(
            prepared.channel.request(GRID.evaluate, { run: this.runId, round }, { schema: EvaluateReply, tensors: [weights], timeoutMs: this.timeoutMs() }),
          );
          this.party(party, 'trained', round);
          return body.metrics ? { party, metrics: body.metrics } : undefined;
        } catch (error) {
          this.checkCancelled();
          this.dropout(party, round, `evaluation failed: ${(error as Error).message}`);
          return undefined;
        }
      }),
    );
    const parts = replies.filter((reply) => reply !== undefined).sort((a, b) => (a.party < b.party ? -1 : 1));
    return parts.length > 0 ? aggregateMetrics(parts) : null;
  }

  private async export(weights: Float32Array, evaluation: AggregatedMetrics | null): Promise<string> {
    const metadata = {
      run: this.runId,
      experiment: this.context.experiment.id,
      project: this.context.project.id,
      algorithm: this.hyperparameters.algorithm,
      hyperparameters: this.hyperparameters,
      features: this.alignment!.features,
    };
    const finished = await this.inParallel(
      [...this.prepared].filter(([, prepared]) => prepared.channel.isOpen).map(([party, prepared]) => [party, prepared.channel] as const),
      'exporting',
      async (_party, channel) => {
        const { body } = await channel.request(GRID.finish, { run: this.runId, metadata }, {
          schema: FinishReply,
          tensors: [weights],
          timeoutMs: this.timeoutMs(),
        });
        return body;
      },
    );
    for (const [party] of finished) this.party(party, 'done', this.round);
    return this.deps.models.saveGlobal(this.runId, this.context.experiment.model, this.shape!, weights, {
      ...metadata,
      alignment: this.alignment,
      metrics: evaluation,
    });
  }

  private async teardown(reason: string): Promise<void> {
    for (const participant of this.context.participants) {
      const channel = this.deps.channelOf(participant.id);
      if (channel?.isOpen) await channel.notify(GRID.teardown, { run: this.runId, reason: reason.slice(0, 1000) }).catch(() => undefined);
    }
    this.prepared.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  /** Parties that can train this round; a party that reconnected is prepared again first. */
  private async availableParties(round: number): Promise<string[]> {
    const available: string[] = [];
    for (const participant of this.context.participants) {
      const channel = this.deps.channelOf(participant.id);
      if (!channel?.isOpen) continue;
      const prepared = this.prepared.get(participant.id);
      if (prepared?.channel === channel) {
        available.push(participant.id);
        continue;
      }
      if (!this.alignment || !prepared) continue; // never made it through preparation
      try {
        // A new connection: the worker asks its owner's decision again (it keeps it), then loads.
        if (this.approvedOn.get(participant.id) !== channel) {
          const reply = await this.consentOf(participant.id, channel);
          if (!reply.approved) throw new Error(`declined${reply.reason ? `: ${reply.reason}` : ''}`);
        }
        await this.prepareOne(participant.id, channel, this.alignment);
        this.deps.log.info('participant rejoined', { run: this.runId, party: participant.id, round });
        available.push(participant.id);
      } catch (error) {
        this.dropout(participant.id, round, `could not rejoin: ${(error as Error).message}`);
      }
    }
    return available;
  }

  /** Connected participants; once consent was asked, only those who approved. */
  private connectedParticipants(): Array<readonly [string, Channel]> {
    const out: Array<readonly [string, Channel]> = [];
    for (const participant of this.context.participants) {
      const channel = this.deps.channelOf(participant.id);
      if (!channel?.isOpen) continue;
      if (this.status !== 'waiting' && this.status !== 'awaiting-approval' && !this.approvedOn.has(participant.id)) continue;
      out.push([participant.id, channel]);
    }
    return out;
  }

  /** Runs a request on every party at once; failures become dropouts. */
  private async inParallel<T>(
    parties: ReadonlyArray<readonly [string, Channel]>,
    activity: PartyActivity,
    work: (party: string, channel: Channel) => Promise<T>,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    await Promise.all(
      parties.map(async ([party, channel]) => {
        this.party(party, activity);
        try {
          out.set(party, await this.withCancel(work(party, channel)));
        } catch (error) {
          this.checkCancelled();
          this.party(party, 'failed', this.round, (error as Error).message);
          this.dropout(party, this.round, `${activity} failed: ${(error as Error).message}`);
        }
      }),
    );
    this.checkCancelled();
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  private requireEnough(count: number, what: string): void {
    const { minClients } = this.hyperparameters;
    if (count < minClients) {
      const lost = this.dropouts.map((dropout) => `${dropout.party} (${dropout.reason})`).join('; ');
      throw new RunFailed(`only ${count} participant${count === 1 ? '' : 's'} ${what}, but minClients is ${minClients}${lost ? `; dropped: ${lost}` : ''}`);
    }
  }

  private dropout(party: string, round: number, reason: string): void {
    this.dropouts.push({ party, round, reason });
    this.deps.log.warn('participant dropped out', { run: this.runId, party, round, reason });
  }

  private party(party: string, activity: PartyActivity, round = this.round, message?: string): void {
    this.deps.emit({ kind: 'party', run: this.runId, party, activity, round, ...(message === undefined ? {} : { message }) });
  }

  private async setStatus(status: RunStatus): Promise<void> {
    this.checkCancelled();
    this.status = status;
    const patch = status === 'waiting' ? { status, round: 0, startedAt: this.startedAt } : { status, round: this.round };
    await this.deps.runs.setStatus(this.runId, patch);
    this.deps.emit({ kind: 'status', run: this.runId, status, round: this.round, rounds: this.hyperparameters.rounds });
  }

  private timeoutMs(): number {
    return this.hyperparameters.roundTimeoutSeconds * 1000;
  }

  private checkCancelled(): void {
    if (this.abort.signal.aborted) throw this.abort.signal.reason;
  }

  /**
   * Stores the history and the round reached. Rounds can take milliseconds, and each write is
   * fsynced, so progress is stored at most every PERSIST_EVERY_MS (and always at the end);
   * live events still report every round.
   */
  private async persistProgress(force: boolean): Promise<void> {
    const now = performance.now();
    if (!force && now - this.persistedAt < PERSIST_EVERY_MS) return;
    this.persistedAt = now;
    await this.deps.runs.saveHistory(this.runId, this.history);
    await this.deps.runs.setStatus(this.runId, { status: 'training', round: this.round });
  }

  /** Rejects when the run is cancelled; one promise (and one listener) for the run's life. */
  private cancelled(): Promise<never> {
    if (!this.cancellation) {
      this.cancellation = new Promise<never>((_, reject) => {
        this.abort.signal.addEventListener('abort', () => reject(this.abort.signal.reason), { once: true });
      });
      this.cancellation.catch(() => undefined);
    }
    return this.cancellation;
  }

  private withCancel<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.cancelled()]);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function weightedLoss(results: ReadonlyArray<{ loss: number; numExamples: number }>): number {
  const examples = results.reduce((total, result) => total + result.numExamples, 0);
  return examples === 0 ? Number.NaN : results.reduce((total, result) => total + result.loss * result.numExamples, 0) / examples;
}

function failureReason(error: unknown): FailureReason {
  const name = (error as Error | undefined)?.name;
  if (name === 'RequestTimeoutError') return 'timeout';
  if (name === 'PeerClosedError') return 'disconnected';
  if (name === 'RunCancelled') return 'cancelled';
  return 'error';
}
