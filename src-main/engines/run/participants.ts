// The participants of one run, as the TTP sees them: who connected, who approved (on which
// connection), who declared and prepared their data, who dropped out and why. A participant that
// reconnects mid-run is asked again (its worker answers from the decision it stored), declares
// and prepares again with the run's alignment, and rejoins. Its state (who approved, who dropped
// and why) is saved with the run's checkpoints and restored on resume; connections are not.
import type { Alignment } from '../../contract/data';
import { ConsentReply, DeclareReply, GRID, PrepareReply, type DeclareReply as DeclareReplyType } from '../../contract/grid';
import type { Dropout, PartyActivity } from '../../contract/results';
import type { Channel, Dialer, Log, RunContext } from '../ports';
import { RunFailed, type Cancellation } from './cancellation';
import { Declined, TaskDispatcher, type TaskOutcome } from './dispatcher';

export interface PoolDeps {
  context: RunContext;
  channelOf(party: string): Channel | undefined;
  nextConnection(ms: number): Promise<void>;
  dialer?: Dialer;
  log: Log;
  cancellation: Cancellation;
  /** A party's activity in the current round, for the live view. */
  activity(party: string, activity: PartyActivity, message?: string): void;
  participantWaitMs: number;
  approvalWaitMs: number;
  timeoutMs(): number;
  round(): number;
}

interface Prepared {
  channel: Channel;
  hasEvaluate: boolean;
  trainRows: number;
}

export interface PoolState {
  approved: string[];
  prepared: Array<{ party: string; hasEvaluate: boolean; trainRows: number }>;
  dropouts: Dropout[];
}

export class ParticipantPool {
  readonly dispatcher: TaskDispatcher;
  /** The connection on which each participant approved the run. */
  private readonly approvedOn = new Map<string, Channel | null>();
  private readonly prepared = new Map<string, Prepared | { channel: null; hasEvaluate: boolean; trainRows: number }>();
  readonly dropouts: Dropout[] = [];
  private consentAsked = false;

  constructor(private readonly deps: PoolDeps) {
    this.dispatcher = new TaskDispatcher({ channelOf: deps.channelOf, cancellation: deps.cancellation, activity: deps.activity });
  }

  private get minClients(): number {
    return this.deps.context.run.hyperparameters.minClients;
  }

  /** Waits for the registered participants (dialling those that listen) until enough are here. */
  async waitForParticipants(): Promise<void> {
    const { participants } = this.deps.context;
    if (participants.length === 0) throw new RunFailed('no participant is registered for this project');
    if (participants.length < this.minClients) {
      throw new RunFailed(`only ${participants.length} participants are registered, but minClients is ${this.minClients}`);
    }
    const deadline = Date.now() + this.deps.participantWaitMs;
    for (;;) {
      this.deps.cancellation.check();
      const missing = participants.filter((participant) => !this.deps.channelOf(participant.id)?.isOpen);
      if (missing.length === 0) return;
      for (const participant of missing) {
        if (participant.connection.mode === 'listen' && this.deps.dialer) {
          await this.deps.dialer.reach(participant).catch((error: Error) =>
            this.deps.log.warn('could not reach a listening participant', { party: participant.id, error: error.message }),
          );
        }
        this.deps.activity(participant.id, 'waiting');
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const connected = participants.length - missing.length;
        if (connected < this.minClients) {
          throw new RunFailed(
            `waited ${seconds(this.deps.participantWaitMs)} for participants: ${missing.map((p) => p.id).join(', ')} did not connect ` +
              `(${connected} connected, minClients ${this.minClients})`,
          );
        }
        for (const participant of missing) this.dropout(participant.id, 0, 'did not connect in time');
        return;
      }
      await this.deps.cancellation.race(this.deps.nextConnection(Math.min(left, 500)));
    }
  }

  /** Every connected participant is asked; those who decline are left out of the run. */
  async askConsent(): Promise<void> {
    const outcomes = await this.dispatcher.dispatch(this.connected(), 'approving', (party, channel) => this.consentOf(party, channel));
    this.consentAsked = true;
    this.dropFailures(outcomes, 'approving');
    this.requireEnough(this.approvedOn.size, 'approved the run');
  }

  /** Each approved participant declares its data (aggregates only); returns the declarations. */
  async declare(): Promise<Map<string, DeclareReplyType>> {
    const outcomes = await this.dispatcher.dispatch(this.connected(), 'declaring', (party, channel) => this.declareOne(party, channel));
    const declared = this.dropFailures(outcomes, 'declaring');
    this.requireEnough(declared.size, 'declared their data');
    return declared;
  }

  /** Each participant that declared loads and encodes its data with the alignment. */
  async prepare(alignment: Alignment, parties: readonly string[]): Promise<void> {
    const outcomes = await this.dispatcher.dispatch(
      parties.filter((party) => this.deps.channelOf(party)?.isOpen),
      'preparing',
      (party, channel) => this.prepareOne(party, channel, alignment),
    );
    this.dropFailures(outcomes, 'preparing');
    this.requireEnough(this.preparedParties().length, 'loaded their data');
  }

  /**
   * The parties that can train now; a party that reconnected since it prepared is asked again,
   * declares and prepares again (with the run's alignment) before it rejoins.
   */
  async available(alignment: Alignment): Promise<string[]> {
    const available: string[] = [];
    for (const participant of this.deps.context.participants) {
      const channel = this.deps.channelOf(participant.id);
      if (!channel?.isOpen) continue;
      const prepared = this.prepared.get(participant.id);
      if (prepared?.channel === channel) {
        available.push(participant.id);
        continue;
      }
      if (!prepared) continue; // never made it through preparation
      try {
        if (this.approvedOn.get(participant.id) !== channel) await this.consentOf(participant.id, channel);
        await this.declareOne(participant.id, channel);
        await this.prepareOne(participant.id, channel, alignment);
        this.deps.log.info('participant rejoined', { run: this.deps.context.run.id, party: participant.id, round: this.deps.round() });
        available.push(participant.id);
      } catch (error) {
        this.deps.cancellation.check();
        this.dropout(participant.id, this.deps.round(), `could not rejoin: ${(error as Error).message}`);
      }
    }
    return available;
  }

  /** The prepared parties that are connected on the connection they prepared on. */
  preparedParties(): string[] {
    return [...this.prepared].filter(([party, prepared]) => prepared.channel !== null && prepared.channel === this.deps.channelOf(party) && prepared.channel.isOpen).map(([party]) => party).sort();
  }

  /** Every party that prepared at some point (the run's parties). */
  everPrepared(): string[] {
    return [...this.prepared.keys()].sort();
  }

  hasEvaluate(party: string): boolean {
    return this.prepared.get(party)?.hasEvaluate ?? false;
  }

  trainRows(party: string): number {
    return this.prepared.get(party)?.trainRows ?? 0;
  }

  /** Parties' channels as the tasks of a round use them (the one they prepared on). */
  channelOf(party: string): Channel | undefined {
    const prepared = this.prepared.get(party);
    return prepared?.channel ?? undefined;
  }

  requireEnough(count: number, what: string): void {
    if (count < this.minClients) {
      const lost = this.dropouts.map((dropout) => `${dropout.party} (${dropout.reason})`).join('; ');
      throw new RunFailed(`only ${count} participant${count === 1 ? '' : 's'} ${what}, but minClients is ${this.minClients}${lost ? `; dropped: ${lost}` : ''}`);
    }
  }

  dropout(party: string, round: number, reason: string): void {
    this.dropouts.push({ party, round, reason });
    this.deps.log.warn('participant dropped out', { run: this.deps.context.run.id, party, round, reason });
  }

  /** Tells every connected participant the run ended (or stopped, `resumable`). */
  async teardown(reason: string, resumable: boolean): Promise<void> {
    for (const participant of this.deps.context.participants) {
      const channel = this.deps.channelOf(participant.id);
      if (channel?.isOpen) await channel.notify(GRID.teardown, { run: this.deps.context.run.id, reason: reason.slice(0, 1000), resumable }).catch(() => undefined);
    }
  }

  state(): PoolState {
    return {
      approved: [...this.approvedOn.keys()].sort(),
      prepared: [...this.prepared].map(([party, prepared]) => ({ party, hasEvaluate: prepared.hasEvaluate, trainRows: prepared.trainRows })),
      dropouts: structuredClone(this.dropouts),
    };
  }

  /** A resumed run: who took part is known; every one of them will be asked, and prepare, again. */
  restore(state: PoolState): void {
    this.consentAsked = true;
    for (const party of state.approved) this.approvedOn.set(party, null);
    for (const { party, hasEvaluate, trainRows } of state.prepared) this.prepared.set(party, { channel: null, hasEvaluate, trainRows });
    this.dropouts.splice(0, this.dropouts.length, ...state.dropouts);
  }

  /** Connected participants; once consent was asked, only those who approved. */
  private connected(): string[] {
    return this.deps.context.participants
      .filter((participant) => this.deps.channelOf(participant.id)?.isOpen && (!this.consentAsked || this.approvedOn.has(participant.id)))
      .map((participant) => participant.id);
  }

  private async consentOf(party: string, channel: Channel): Promise<ConsentReply> {
    const { collaboration, project, experiment, run, participants } = this.deps.context;
    const { body } = await channel.request(
      GRID.consent,
      {
        run: run.id,
        projectId: project.id,
        summary: {
          collaboration: collaboration.name,
          project: project.name,
          targetColumn: project.targetColumn,
          experiment: experiment.name,
          run: run.name,
          model: experiment.model,
          hyperparameters: run.hyperparameters,
          tags: ['train', 'evaluate', 'predict'],
          privacy: run.hyperparameters.privacy,
          roster: participants.map((participant) => ({ id: participant.id, name: participant.name, ...(participant.key ? { key: participant.key } : {}) })),
        },
      },
      { schema: ConsentReply, timeoutMs: this.deps.approvalWaitMs },
    );
    if (!body.approved) throw new Declined(`declined${body.reason ? `: ${body.reason}` : ''}`);
    this.approvedOn.set(party, channel);
    return body;
  }

  private async declareOne(party: string, channel: Channel): Promise<DeclareReplyType> {
    const { project, run } = this.deps.context;
    const { body } = await channel.request(
      GRID.declare,
      {
        run: run.id,
        project: {
          id: project.id,
          targetColumn: project.targetColumn,
          task: project.task,
          ...(project.positiveClass === undefined ? {} : { positiveClass: project.positiveClass }),
        },
      },
      { schema: DeclareReply, timeoutMs: this.deps.timeoutMs() },
    );
    if (body.declaration.party !== party) throw new Error(`declared as "${body.declaration.party}", not "${party}"`);
    return body;
  }

  private async prepareOne(party: string, channel: Channel, alignment: Alignment): Promise<void> {
    const { experiment, project, run } = this.deps.context;
    const { body } = await channel.request(
      GRID.prepare,
      { run: run.id, projectId: project.id, alignment, model: experiment.model, hyperparameters: run.hyperparameters },
      { schema: PrepareReply, timeoutMs: this.deps.timeoutMs() },
    );
    if (body.trainRows === 0) throw new Error('has no usable training rows');
    this.prepared.set(party, { channel, hasEvaluate: body.evaluateRows > 0, trainRows: body.trainRows });
  }

  /** The outcomes that were ok, by party; every other one is recorded as a dropout. */
  private dropFailures<T>(outcomes: Map<string, TaskOutcome<T>>, activity: PartyActivity): Map<string, T> {
    const ok = new Map<string, T>();
    for (const [party, outcome] of outcomes) {
      if (outcome.kind === 'ok') ok.set(party, outcome.value);
      else this.dropout(party, this.deps.round(), outcome.kind === 'declined' ? outcome.message : `${activity} failed: ${outcome.message}`);
    }
    return ok;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
