// The worker: a participant's engine. It answers the TTP's requests for each run it takes part
// in: declare (aggregates of the train data, never rows), prepare (load and encode the data,
// start a training thread), fit, evaluate (metrics only), finish (save the global and local
// models and write predictions into this party's own folder) and teardown. Several runs, from
// one or several hubs, can be served at once; each has its own training thread.
import {
  ConsentRequest,
  DeclareRequest,
  EvaluateRequest,
  FinishRequest,
  FitRequest,
  GRID,
  PrepareRequest,
  SecAggSetup,
  SecAggShareRequest,
  SecAggUnmaskRequest,
  TeardownNotice,
  type DeclareReply,
  type EvaluateReply,
  type FinishReply,
  type FitReply,
  type PrepareReply,
} from '../contract/grid';
import type { Alignment } from '../contract/data';
import type { Hyperparameters, Privacy } from '../contract/records';
import { CohortError } from '../contract/errors';
import { canonicalJson } from '../core/stats/canonical-json';
import { addGaussianNoise, clipToNorm, partyMechanism } from '../core/privacy/dp';
import { SecAggClient, secAggThreshold } from '../core/privacy/secagg';
import { metricsFor } from './evaluation';
import type {
  Channel,
  ConsentPort,
  Log,
  PreparedData,
  TrainingPort,
  TrainingSession,
  WorkerActivity,
  WorkerArtifactsPort,
  WorkerDataPort,
} from './ports';

interface RunState {
  alignment: Alignment;
  hyperparameters: Hyperparameters;
  data: PreparedData;
  session: TrainingSession;
  /** This party's most recent locally trained weights: its "local model". */
  local?: Float32Array;
  /** This round's secure aggregation, from its keys to its unmasking. */
  secagg?: SecAggClient;
}

export interface WorkerPorts {
  data: WorkerDataPort;
  training: TrainingPort;
  artifacts: WorkerArtifactsPort;
  consent: ConsentPort;
  log: Log;
  /** Told of everything this worker does for a run, for its owner to follow. */
  activity?: (event: WorkerActivity) => void;
}

/**
 * Runs are kept per connection: two hubs may both have a run called "run", and a run ends
 * with the connection it was prepared on (a TTP that reconnects prepares it again).
 */
export class WorkerEngine {
  private readonly runs = new Map<Channel, Map<string, RunState>>();
  /** Runs being prepared, so a teardown that arrives meanwhile is not lost. */
  private readonly preparing = new Map<Channel, Map<string, Promise<PrepareReply>>>();
  /** Runs this party approved, per connection, with the privacy settings it approved: nothing else may touch its data. */
  private readonly approved = new Map<Channel, Map<string, Privacy>>();

  constructor(
    readonly party: { id: string; name: string },
    private readonly ports: WorkerPorts,
  ) {}

  /** Answers a TTP over this channel, until it closes (then its runs are torn down). */
  serve(channel: Channel): void {
    this.runs.set(channel, new Map());
    this.preparing.set(channel, new Map());
    this.approved.set(channel, new Map());
    channel.handle(GRID.consent, ConsentRequest, async (request) => ({ body: await this.consent(channel, request) }));
    channel.handle(GRID.declare, DeclareRequest, async (request) => {
      this.requireApproval(channel, request.run);
      return { body: await this.declare(request) };
    });
    channel.handle(GRID.prepare, PrepareRequest, async (request) => ({ body: await this.prepare(channel, request) }));
    channel.handle(GRID.fit, FitRequest, async (request, tensors) => this.fit(channel, request, tensors));
    channel.handle(GRID.secaggAdvertise, SecAggSetup, async (setup) => ({ body: this.secAggAdvertise(channel, setup) }));
    channel.handle(GRID.secaggShare, SecAggShareRequest, async (request) => ({
      body: { ciphertexts: await this.secAggClient(channel, request.run, request.round).shareKeys(request.keys) },
    }));
    channel.handle(GRID.secaggUnmask, SecAggUnmaskRequest, async (request) => {
      const client = this.secAggClient(channel, request.run, request.round);
      return { body: { shares: client.unmaskShares(request.survivors, request.dropped) } };
    });
    channel.handle(GRID.evaluate, EvaluateRequest, async (request, tensors) => ({ body: await this.evaluate(channel, request, tensors) }));
    channel.handle(GRID.finish, FinishRequest, async (request, tensors) => ({ body: await this.finish(channel, request, tensors) }));
    channel.on(GRID.teardown, TeardownNotice, (notice) => void this.teardown(channel, notice.run, notice.reason));
    void channel.closed.then(async () => {
      await this.teardownAll(channel, 'the connection to the TTP closed');
      this.runs.delete(channel);
      this.preparing.delete(channel);
      this.approved.delete(channel);
    });
  }

  /** The runs prepared on any connection. */
  activeRuns(): string[] {
    return [...this.runs.values()].flatMap((runs) => [...runs.keys()]);
  }

  private async consent(channel: Channel, request: ConsentRequest) {
    const reply = await this.ports.consent.decide(channel, request);
    if (reply.approved) this.approved.get(channel)?.set(request.run, request.summary.privacy);
    this.ports.log.info(reply.approved ? 'run approved' : 'run declined', { run: request.run, reason: reply.reason });
    return reply;
  }

  private requireApproval(channel: Channel, run: string): void {
    if (!this.approved.get(channel)?.has(run)) {
      throw new CohortError('CONSENT_REQUIRED', `run "${run}" has not been approved on ${this.party.id}; its data stays unused`);
    }
  }

  private async declare(request: DeclareRequest): Promise<DeclareReply> {
    this.ports.log.info('declaring data', { run: request.run, project: request.project.id });
    return this.ports.data.declare(request.project, this.party.id);
  }

  private async prepare(channel: Channel, request: PrepareRequest): Promise<PrepareReply> {
    this.requireApproval(channel, request.run);
    // The privacy settings the owner approved are the ones the run gets, not the TTP's word later.
    const approved = this.approved.get(channel)?.get(request.run);
    if (approved && canonicalJson(approved) !== canonicalJson(request.hyperparameters.privacy)) {
      throw new CohortError('CONSENT_REQUIRED', `run "${request.run}" asks for privacy settings other than those ${this.party.id} approved`);
    }
    const runs = this.runsOf(channel);
    const existing = runs.get(request.run);
    // Prepared again with the same alignment: the loaded data and thread can stay.
    if (existing && existing.alignment.fingerprint === request.alignment.fingerprint) return this.prepareReply(existing);
    if (existing) await this.teardown(channel, request.run, 'prepared again with a new alignment');
    const work = (async () => {
      const data = await this.ports.data.prepare(request.projectId, this.party.id, request.alignment);
      const session = await this.ports.training
        .open({ model: request.model, alignment: request.alignment, seed: request.hyperparameters.seed, data })
        .catch(async (error: unknown) => {
          await data.release?.();
          throw error;
        });
      const state: RunState = { alignment: request.alignment, hyperparameters: request.hyperparameters, data, session };
      if (!this.runs.has(channel)) {
        await session.close(); // the connection closed while the data loaded
        throw new CohortError('NOT_FOUND', 'the connection to the TTP closed during preparation');
      }
      runs.set(request.run, state);
      this.ports.log.info('prepared', { run: request.run, trainRows: data.train.rows, backend: session.backend });
      this.ports.activity?.({
        kind: 'prepared',
        run: request.run,
        trainRows: data.train.rows,
        evaluateRows: data.evaluate?.rows ?? 0,
        predictRows: data.predict?.rows ?? 0,
      });
      return this.prepareReply(state);
    })();
    const preparing = this.preparing.get(channel);
    preparing?.set(request.run, work);
    try {
      return await work;
    } finally {
      preparing?.delete(request.run);
    }
  }

  private prepareReply(state: RunState): PrepareReply {
    const { data } = state;
    return {
      trainRows: data.train.rows,
      evaluateRows: data.evaluate?.rows ?? 0,
      predictRows: data.predict?.rows ?? 0,
      backend: state.session.backend,
      unseenLevels: data.unseenLevels,
      skippedRows: data.train.skipped.missingTarget + data.train.skipped.unseenLabel,
    };
  }

  private async fit(channel: Channel, request: FitRequest, tensors: Float32Array[]): Promise<{ body: FitReply; tensors: Float32Array[] }> {
    const state = this.state(channel, request.run);
    const { privacy } = state.hyperparameters;
    // Never a plain update when the owner approved secure aggregation.
    if (privacy.secureAggregation !== (request.secagg !== undefined)) {
      throw new CohortError('BAD_INPUT', privacy.secureAggregation ? 'this run uses secure aggregation: a fit must come with its shares' : 'this run does not use secure aggregation');
    }
    const client = request.secagg ? this.secAggClient(channel, request.run, request.config.round) : undefined;
    if (client && request.secagg) client.receiveShares(request.secagg.ciphertexts);
    const received = this.globalWeights(tensors);
    const plain = privacy.dp === 'off' && !client;
    // The training thread may take the tensor's memory: keep a copy when the update is needed.
    const global = plain ? received : Float32Array.from(received);
    const result = await state.session.fit(received, { ...request.config, loss: state.hyperparameters.loss });
    state.local = result.weights;
    this.ports.activity?.({ kind: 'fit', run: request.run, round: request.config.round, loss: result.loss, numExamples: result.numExamples, seconds: result.seconds });
    const body = { numExamples: result.numExamples, loss: result.loss, seconds: result.seconds };
    if (plain) return { body, tensors: [result.weights] };

    // The update leaves clipped, noised and (with secure aggregation) masked.
    const mechanism = partyMechanism(privacy, client?.setup.threshold ?? null);
    const update = new Float64Array(global.length);
    for (let index = 0; index < update.length; index += 1) update[index] = result.weights[index]! - global[index]!;
    if (mechanism.clip !== null) clipToNorm(update, mechanism.clip);
    addGaussianNoise(update, mechanism.noiseStd);
    if (client && request.secagg) {
      const weight = mechanism.weighting === 'uniform' ? 1 : Math.min(1, result.numExamples / request.secagg.totalExamples);
      const { masked, clamped } = client.maskUpdate(update, weight, [weight]);
      if (clamped > 0) this.ports.log.warn('values clamped to the fixed-point range', { run: request.run, round: request.config.round, clamped });
      return { body: { ...body, clamped }, tensors: [new Float32Array(masked.buffer, masked.byteOffset, masked.length)] };
    }
    const sent = new Float32Array(global.length);
    for (let index = 0; index < sent.length; index += 1) sent[index] = global[index]! + update[index]!;
    return { body, tensors: [sent] };
  }

  /** A new round of secure aggregation: fresh keys, checked against the settings approved. */
  private secAggAdvertise(channel: Channel, setup: SecAggSetup) {
    const state = this.state(channel, setup.run);
    if (!state.hyperparameters.privacy.secureAggregation) throw new CohortError('BAD_INPUT', 'this run does not use secure aggregation');
    const parties = [...setup.parties].sort();
    if (new Set(parties).size !== parties.length) throw new CohortError('BAD_INPUT', 'the round lists a party twice');
    if (setup.threshold < secAggThreshold(parties.length) || setup.threshold > parties.length) {
      throw new CohortError('BAD_INPUT', `a threshold of ${setup.threshold} for ${parties.length} parties is refused (at least ${secAggThreshold(parties.length)})`);
    }
    state.secagg = new SecAggClient({ ...setup, parties }, this.party.id);
    return state.secagg.advertisement();
  }

  private secAggClient(channel: Channel, run: string, round: number): SecAggClient {
    const client = this.state(channel, run).secagg;
    if (!client || client.setup.round !== round) throw new CohortError('BAD_INPUT', `no secure aggregation under way for round ${round} of run "${run}"`);
    return client;
  }

  private async evaluate(channel: Channel, request: { run: string; round: number }, tensors: Float32Array[]): Promise<EvaluateReply> {
    const state = this.state(channel, request.run);
    const evaluate = state.data.evaluate;
    if (!evaluate || evaluate.rows === 0 || !evaluate.y) return { metrics: null };
    const outputs = await state.session.predict(this.globalWeights(tensors), 'evaluate');
    const metrics = metricsFor(state.alignment.target, evaluate.y, outputs, evaluate.rows);
    this.ports.activity?.({ kind: 'evaluated', run: request.run, round: request.round, metrics });
    return { metrics };
  }

  private async finish(channel: Channel, request: FinishRequest, tensors: Float32Array[]): Promise<FinishReply> {
    const state = this.state(channel, request.run);
    const global = this.globalWeights(tensors);
    const metadata = { ...request.metadata, party: this.party.id, alignment: state.alignment };
    await state.session.saveModel(global, this.ports.artifacts.modelDir(request.run, 'global'), { ...metadata, model: 'global' });
    await state.session.saveModel(state.local ?? global, this.ports.artifacts.modelDir(request.run, 'local'), {
      ...metadata,
      model: 'local',
    });
    let predictedRows: number | null = null;
    const predict = state.data.predict;
    if (predict && predict.rows > 0) {
      const outputs = await state.session.predict(global, 'predict');
      predictedRows = await this.ports.artifacts.writePredictions(request.run, state.alignment, predict, outputs);
    }
    this.ports.log.info('finished', { run: request.run, predictedRows });
    this.ports.activity?.({ kind: 'finished', run: request.run, predictedRows });
    return { predictedRows };
  }

  /** Frees a run's training thread and data. Safe to call twice. */
  async teardown(channel: Channel, run: string, reason: string): Promise<void> {
    await this.preparing.get(channel)?.get(run)?.catch(() => undefined);
    if (!this.approved.get(channel)?.has(run)) await this.ports.consent.withdraw?.(run, reason).catch(() => undefined);
    this.approved.get(channel)?.delete(run);
    const runs = this.runs.get(channel);
    const state = runs?.get(run);
    if (!state) return;
    runs!.delete(run);
    await state.session.close().catch(() => undefined);
    this.ports.log.info('run torn down', { run, reason });
    this.ports.activity?.({ kind: 'ended', run, reason });
  }

  private async teardownAll(channel: Channel, reason: string): Promise<void> {
    for (const run of [...(this.runs.get(channel)?.keys() ?? [])]) await this.teardown(channel, run, reason);
  }

  async close(): Promise<void> {
    for (const channel of [...this.runs.keys()]) await this.teardownAll(channel, 'worker stopping');
  }

  private runsOf(channel: Channel): Map<string, RunState> {
    const runs = this.runs.get(channel);
    if (!runs) throw new CohortError('NOT_FOUND', 'this connection is closed');
    return runs;
  }

  private state(channel: Channel, run: string): RunState {
    const state = this.runsOf(channel).get(run);
    if (!state) throw new CohortError('NOT_FOUND', `run "${run}" is not prepared on ${this.party.id}`);
    return state;
  }

  private globalWeights(tensors: Float32Array[]): Float32Array {
    const [weights] = tensors;
    if (!weights || tensors.length !== 1) throw new CohortError('BAD_INPUT', 'expected exactly one weights tensor');
    return weights;
  }
}
