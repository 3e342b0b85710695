// One run, from start to teardown, as the TTP drives it. The session does what every workflow
// needs: wait for the participants (dialling those that listen), ask each for consent, store
// the run's status at every step and announce it, write a checkpoint after each round, and in
// the end save the result and tell the workers the run is over. The workflow (federated
// averaging today; evaluation-only, statistics or tree-based ones tomorrow) does the rest.
// A run can be cancelled (it ends), stopped (resumable from its last checkpoint) or fail.
import { createHash } from 'node:crypto';
import type { PartyActivity, RoundRecord, RunEvent, RunResult } from '../../contract/results';
import type { RunStatus } from '../../contract/records';
import { canonicalJson } from '../../core/stats/canonical-json';
import type { Channel, Dialer, Log, ModelPort, RunContext, RunRepository } from '../ports';
import { Cancellation, RunCancelled, RunFailed, RunInterrupted } from './cancellation';
import type { Checkpoint, RunJournal } from './journal';
import { ParticipantPool } from './participants';

export interface SessionDeps {
  runs: RunRepository;
  models: ModelPort;
  journal: RunJournal;
  dialer?: Dialer;
  log: Log;
  now: () => Date;
  channelOf(party: string): Channel | undefined;
  nextConnection(ms: number): Promise<void>;
  emit(event: RunEvent): void;
  participantWaitMs: number;
  approvalWaitMs: number;
}

/** What a workflow reports for the run's result, whenever it ends. */
export interface WorkflowReport {
  evaluation: RunResult['evaluation'];
  stoppedEarly: RunResult['stoppedEarly'];
  globalModel: string | null;
  features: string[];
  alignmentFingerprint: string | null;
  parameterCount: number;
  privacy: RunResult['privacy'];
  /** An exact regression fit's table. */
  coefficients?: RunResult['coefficients'];
}

export interface Workflow {
  readonly name: string;
  /** Runs the workflow's phases (from a checkpoint when resuming); the report is read whatever happens. */
  run(session: RunSession, from: Checkpoint | null): Promise<void>;
  report(): WorkflowReport;
}

/** The least time between two writes of a run's progress while it trains. */
const PERSIST_EVERY_MS = 1_000;

export class RunSession {
  readonly cancellation = new Cancellation();
  readonly pool: ParticipantPool;
  readonly history: RoundRecord[] = [];
  round = 0;
  private status: RunStatus = 'waiting';
  private started: string;
  private persistedAt = Number.NEGATIVE_INFINITY;
  private journalWrite: Promise<void> = Promise.resolve();

  constructor(
    readonly context: RunContext,
    readonly deps: SessionDeps,
    private readonly workflow: Workflow,
  ) {
    this.started = deps.now().toISOString();
    this.pool = new ParticipantPool({
      context,
      channelOf: deps.channelOf,
      nextConnection: deps.nextConnection,
      ...(deps.dialer ? { dialer: deps.dialer } : {}),
      log: deps.log,
      cancellation: this.cancellation,
      activity: (party, activity, message) => this.party(party, activity, this.round, message),
      participantWaitMs: deps.participantWaitMs,
      approvalWaitMs: deps.approvalWaitMs,
      timeoutMs: () => this.timeoutMs(),
      round: () => this.round,
    });
  }

  get startedAt(): string {
    return this.started;
  }

  get runId(): string {
    return this.context.run.id;
  }

  get hyperparameters() {
    return this.context.run.hyperparameters;
  }

  /** The fingerprint of what the run trains with: a checkpoint of other settings is not resumed. */
  get settings(): string {
    return createHash('sha256').update(canonicalJson({ model: this.context.experiment.model, hyperparameters: this.hyperparameters })).digest('hex');
  }

  cancel(reason: string): void {
    this.cancellation.cancel(new RunCancelled(reason));
  }

  /** Stops the run so that it can be resumed later from its last checkpoint. */
  interrupt(reason: string): void {
    this.cancellation.cancel(new RunInterrupted(reason));
  }

  /** Runs every phase; never throws: the outcome is in the result (and the stored status). */
  async execute(from: Checkpoint | null = null): Promise<RunResult> {
    let error: string | null = null;
    if (from) {
      this.started = from.startedAt;
      this.round = from.round;
      this.history.push(...from.history);
      this.pool.restore(from.pool);
    }
    try {
      await this.setStatus('waiting');
      await this.pool.waitForParticipants();
      await this.setStatus('awaiting-approval');
      await this.pool.askConsent();
      await this.workflow.run(this, from);
      this.status = 'completed';
    } catch (caught) {
      const reason = this.cancellation.aborted ? this.cancellation.reason : caught;
      this.status = reason instanceof RunCancelled ? 'cancelled' : reason instanceof RunInterrupted ? 'interrupted' : 'failed';
      error = reason instanceof Error ? reason.message : String(reason);
      if (!(reason instanceof RunFailed || reason instanceof RunCancelled || reason instanceof RunInterrupted)) {
        this.deps.log.error('run failed unexpectedly', { run: this.runId, error: reason instanceof Error ? reason.stack : String(reason) });
      }
    }
    const report = this.workflow.report();
    const parties = this.pool.everPrepared();
    // A run that can resume keeps its workers' consent; one that ended is over for them too.
    await this.pool.teardown(error ?? 'run completed', this.status === 'interrupted');
    await this.flushJournal();
    const result: RunResult = {
      run: this.runId,
      status: this.status,
      algorithm: this.hyperparameters.algorithm,
      features: report.features,
      alignmentFingerprint: report.alignmentFingerprint,
      parties,
      rounds: this.history,
      evaluation: report.evaluation,
      dropouts: this.pool.dropouts,
      stoppedEarly: report.stoppedEarly,
      backend: this.deps.models.backend(),
      parameterCount: report.parameterCount,
      artifacts: { globalModel: report.globalModel },
      coefficients: report.coefficients ?? null,
      privacy: report.privacy,
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

  async setStatus(status: RunStatus): Promise<void> {
    this.cancellation.check();
    this.status = status;
    const patch = status === 'waiting' ? { status, round: this.round, startedAt: this.startedAt } : { status, round: this.round };
    await this.deps.runs.setStatus(this.runId, patch);
    this.deps.emit({ kind: 'status', run: this.runId, status, round: this.round, rounds: this.hyperparameters.rounds });
  }

  /** A round is done: its record is kept, announced, stored (at most every second) and checkpointed. */
  async completeRound(record: RoundRecord, checkpoint: () => Checkpoint): Promise<void> {
    this.round = record.round;
    this.history.push(record);
    const last = record.round === this.hyperparameters.rounds;
    await this.checkpoint(checkpoint());
    await this.persistProgress(last);
    this.deps.emit({ kind: 'round', run: this.runId, rounds: this.hyperparameters.rounds, record });
  }

  party(party: string, activity: PartyActivity, round = this.round, message?: string): void {
    this.deps.emit({ kind: 'party', run: this.runId, party, activity, round, ...(message === undefined ? {} : { message }) });
  }

  timeoutMs(): number {
    return this.hyperparameters.roundTimeoutSeconds * 1000;
  }

  /**
   * Writes a checkpoint while the next round trains: a round waits only for the previous
   * round's checkpoint, so a resume never starts more than one round before the round that
   * was interrupted (a participant redoes at most two rounds, within its redo allowance).
   */
  private async checkpoint(checkpoint: Checkpoint): Promise<void> {
    await this.journalWrite;
    this.journalWrite = this.deps.journal.save(checkpoint).catch((error: Error) => {
      this.deps.log.warn('could not write the run journal', { run: this.runId, round: checkpoint.round, error: error.message });
    });
  }

  private async flushJournal(): Promise<void> {
    await this.journalWrite;
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
}
