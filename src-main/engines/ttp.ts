// The TTP: keeps the pool of connected workers and drives any number of runs at once, each its
// own grid over the workers registered for its project, as a session running a workflow.
// Status changes and rounds are stored through the RunRepository and announced as RunEvents;
// checkpoints go to the RunJournal, from which an interrupted run resumes.
import { EventEmitter } from 'node:events';
import { CohortError } from '../contract/errors';
import type { RunEvent, RunResult } from '../contract/results';
import type { RunStatus } from '../contract/records';
import { usesExactSolver } from '../core/glm/solver';
import type { Channel, Dialer, Log, ModelPort, RunContext, RunRepository } from './ports';
import { noJournal, type RunJournal } from './run/journal';
import { RunSession, type Workflow } from './run/run-session';
import { ExactRegression } from './workflows/exact-regression';
import { FederatedAveraging } from './workflows/federated-averaging';

export interface TtpPorts {
  runs: RunRepository;
  models: ModelPort;
  /** Where checkpoints go (default: nowhere; such runs cannot resume). */
  journal?: RunJournal;
  dialer?: Dialer;
  log: Log;
  now?: () => Date;
}

export interface TtpOptions {
  /** How long a starting run waits for its participants to connect. */
  participantWaitMs?: number;
  /** How long a run waits for each participant to approve it. */
  approvalWaitMs?: number;
}

/** Runs in these states can be started (again, from the first round). */
const STARTABLE: readonly RunStatus[] = ['defined', 'failed', 'cancelled', 'completed', 'interrupted'];

export class TtpEngine {
  private readonly channels = new Map<string, Channel>();
  private readonly executions = new Map<string, { session: RunSession; done: Promise<RunResult> }>();
  private readonly events = new EventEmitter();

  constructor(
    private readonly ports: TtpPorts,
    private readonly options: TtpOptions = {},
  ) {
    this.events.setMaxListeners(0);
  }

  /** A worker connected (replacing any earlier connection of the same party). */
  attach(party: string, channel: Channel): void {
    const previous = this.channels.get(party);
    if (previous && previous !== channel) previous.close('replaced by a new connection');
    this.channels.set(party, channel);
    this.ports.log.info('participant connected', { party });
    this.events.emit('connected', party);
    this.events.emit('connection', party);
    void channel.closed.then(({ reason }) => {
      if (this.channels.get(party) !== channel) return;
      this.channels.delete(party);
      this.ports.log.info('participant disconnected', { party, reason });
      this.events.emit('connection', party);
    });
  }

  connectedParties(): string[] {
    return [...this.channels.keys()].sort();
  }

  channelOf(party: string): Channel | undefined {
    return this.channels.get(party);
  }

  onEvent(listener: (event: RunEvent) => void): () => void {
    this.events.on('run', listener);
    return () => this.events.off('run', listener);
  }

  /** Told whenever a participant connects or disconnects. */
  onConnection(listener: (party: string) => void): () => void {
    this.events.on('connection', listener);
    return () => this.events.off('connection', listener);
  }

  isActive(runId: string): boolean {
    return this.executions.has(runId);
  }

  activeRuns(): string[] {
    return [...this.executions.keys()];
  }

  /** Starts a run in the background, from its first round; resolves once it is under way. */
  async start(runId: string): Promise<void> {
    if (this.executions.has(runId)) throw new CohortError('ALREADY_EXISTS', `run "${runId}" is already running`);
    const context = await this.ports.runs.context(runId);
    if (!STARTABLE.includes(context.run.status)) {
      throw new CohortError('BAD_INPUT', `run "${runId}" is ${context.run.status}; it cannot be started now`);
    }
    await this.journal.clear(runId);
    this.launch(new RunSession(context, this.sessionDeps(), workflowFor(context)), null);
  }

  /** Continues an interrupted run from its last checkpoint; resolves once it is under way. */
  async resume(runId: string): Promise<void> {
    if (this.executions.has(runId)) throw new CohortError('ALREADY_EXISTS', `run "${runId}" is already running`);
    const context = await this.ports.runs.context(runId);
    if (context.run.status !== 'interrupted') {
      throw new CohortError('BAD_INPUT', `run "${runId}" is ${context.run.status}; only an interrupted run can be resumed`);
    }
    const checkpoint = await this.journal.latest(runId);
    if (!checkpoint) throw new CohortError('NOT_FOUND', `run "${runId}" has no checkpoint to resume from (it stopped before its first round): start it again`);
    this.launch(new RunSession(context, this.sessionDeps(), workflowFor(context, checkpoint.workflow)), checkpoint);
  }

  /** Cancels a running run; resolves when it has stopped and its workers were told. */
  async cancel(runId: string, reason = 'cancelled by the orchestrator'): Promise<RunResult> {
    const entry = this.executions.get(runId);
    if (!entry) throw new CohortError('NOT_FOUND', `run "${runId}" is not running`);
    entry.session.cancel(reason);
    return entry.done;
  }

  /** Stops a running run so that it can be resumed later from its last checkpoint. */
  async stop(runId: string, reason = 'stopped by the orchestrator'): Promise<RunResult> {
    const entry = this.executions.get(runId);
    if (!entry) throw new CohortError('NOT_FOUND', `run "${runId}" is not running`);
    entry.session.interrupt(reason);
    return entry.done;
  }

  /** Resolves with the run's result when it ends. */
  wait(runId: string): Promise<RunResult> {
    const entry = this.executions.get(runId);
    if (!entry) throw new CohortError('NOT_FOUND', `run "${runId}" is not running`);
    return entry.done;
  }

  /** Stops every run (resumable) and closes every connection. */
  async close(): Promise<void> {
    await Promise.all([...this.executions.keys()].map((run) => this.stop(run, 'the hub is shutting down').catch(() => undefined)));
    for (const channel of this.channels.values()) channel.close('hub shutting down');
    this.channels.clear();
  }

  private get journal(): RunJournal {
    return this.ports.journal ?? noJournal;
  }

  private sessionDeps(): ConstructorParameters<typeof RunSession>[1] {
    return {
      runs: this.ports.runs,
      models: this.ports.models,
      journal: this.journal,
      ...(this.ports.dialer ? { dialer: this.ports.dialer } : {}),
      log: this.ports.log,
      now: this.ports.now ?? (() => new Date()),
      channelOf: (party) => this.channels.get(party),
      nextConnection: (ms) => this.nextConnection(ms),
      emit: (event) => this.events.emit('run', event),
      participantWaitMs: this.options.participantWaitMs ?? 60_000,
      approvalWaitMs: this.options.approvalWaitMs ?? 3_600_000,
    };
  }

  private launch(session: RunSession, from: Parameters<RunSession['execute']>[0]): void {
    const done = session.execute(from).finally(() => this.executions.delete(session.runId));
    this.executions.set(session.runId, { session, done });
  }

  private nextConnection(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.events.off('connected', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.events.once('connected', done);
    });
  }
}

/** The workflow of a run: the exact regression solver where the model and settings allow it (or the one a checkpoint names). */
function workflowFor(context: RunContext, saved?: string): Workflow {
  const exact = saved === undefined ? usesExactSolver(context.experiment.model, context.run.hyperparameters) : saved === 'exact-regression';
  return exact ? new ExactRegression() : new FederatedAveraging();
}
