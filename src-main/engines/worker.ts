// The worker: a participant's engine. It answers the TTP's requests for each run it takes part
// in: consent, declare (aggregates of the train data, never rows), prepare (load and encode the
// data, start a training thread), fit, evaluate (metrics only), finish (save the global and
// local models and write predictions into this party's own folder) and teardown. Several runs,
// from one or several hubs, can be served at once; each has its own training thread.
//
// It is the authority over its data (worker-authority.ts): every request is checked against
// the plan its owner approved, its own project and its own records; what leaves is held to the
// owner's disclosure threshold; and errors tell the hub codes and column names, not values.
import type { z } from 'zod';
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
  SumsRequest,
  TeardownNotice,
  type DeclareReply,
  type EvaluateReply,
  type FinishReply,
  type FitReply,
  type PrepareReply,
} from '../contract/grid';
import type { Tensors } from '../contract/tensors';
import type { Hyperparameters } from '../contract/records';
import { CohortError } from '../contract/errors';
import type { Disclosed } from '../contract/security';
import { describeDeclaration } from '../core/disclosure/describe';
import { usesExactSolver } from '../core/glm/solver';
import { splitValidation } from '../core/training/validation';
import { deriveSeed, stringSeed } from '../core/stats/random';
import { localAlgorithmFor } from './local-algorithms';
import { remoteError } from './remote-errors';
import { WorkerAuthority, type RunGrant } from './worker-authority';
import { evaluateGlobal, finishRun, type ResultsContext } from './worker-results';
import type { RunState, WorkerPorts } from './worker-run';
import { WorkerSecAgg } from './worker-secagg';
import { fitRound } from './worker-fit';
import { regressionSums } from './worker-sums';
import type { Channel } from './ports';

export type { WorkerPorts } from './worker-run';

/** Who is at the other end of a connection: the hub's identity key, proven in the handshake. */
export interface HubIdentity {
  key: string;
  /** Resolves once this party has stored what the hub told it on connecting (its projects). */
  ready?: Promise<void>;
}

/**
 * Prepared runs are kept per connection: a run ends with the connection it was prepared on (a
 * TTP that reconnects prepares it again). What the owner approved, and what a run used of it,
 * is kept per (hub, run) by the authority and outlives connections.
 */
export class WorkerEngine {
  private readonly runs = new Map<Channel, Map<string, RunState>>();
  /** Runs being prepared, so a teardown that arrives meanwhile is not lost. */
  private readonly preparing = new Map<Channel, Map<string, Promise<PrepareReply>>>();
  private readonly hubs = new Map<Channel, HubIdentity>();
  readonly authority: WorkerAuthority;
  private readonly results: ResultsContext;

  constructor(
    readonly party: { id: string; name: string },
    private readonly ports: WorkerPorts,
  ) {
    this.authority = new WorkerAuthority(party.id, ports.owner, ports.consent, ports.log);
    this.results = { party: party.id, ports, authority: this.authority, disclose: (grant, disclosed) => this.disclose(grant, disclosed) };
  }

  /** Answers a TTP over this channel, until it closes (then its runs are torn down). */
  serve(channel: Channel, hub: HubIdentity): void {
    this.runs.set(channel, new Map());
    this.preparing.set(channel, new Map());
    this.hubs.set(channel, hub);
    const handle = <T>(type: string, schema: z.ZodType, work: (body: T, tensors: Tensors) => Promise<{ body: unknown; tensors?: Tensors }>) =>
      channel.handle(type, schema, async (body, tensors) => {
        try {
          // Nothing is answered to a party whose identity key is not yet proven and trusted, nor
          // before this party has stored the hub's definitions (a run may start at once).
          if (!hub.key) throw new CohortError('CONSENT_REQUIRED', 'the hub has not proven its identity');
          await hub.ready;
          return await work(body as T, tensors);
        } catch (error) {
          // The owner sees everything; the hub only what names no value and no path.
          this.ports.log.warn('request refused or failed', { type, run: (body as { run?: string }).run, error: (error as Error).message });
          throw remoteError(error);
        }
      });
    handle<ConsentRequest>(GRID.consent, ConsentRequest, async (request) => ({ body: await this.consent(channel, hub, request) }));
    handle<DeclareRequest>(GRID.declare, DeclareRequest, async (request) => ({ body: await this.declare(channel, hub, request) }));
    handle<PrepareRequest>(GRID.prepare, PrepareRequest, async (request) => ({ body: await this.prepare(channel, hub, request) }));
    handle<FitRequest>(GRID.fit, FitRequest, async (request, tensors) => this.fit(channel, request, tensors));
    handle<SumsRequest>(GRID.sums, SumsRequest, async (request, tensors) => regressionSums(this.results, this.state(channel, request.run), request, tensors));
    handle<SecAggSetup>(GRID.secaggAdvertise, SecAggSetup, async (setup) => ({ body: this.state(channel, setup.run).secagg.advertise(setup) }));
    handle<z.infer<typeof SecAggShareRequest>>(GRID.secaggShare, SecAggShareRequest, async (request) => ({
      body: { ciphertexts: await this.state(channel, request.run).secagg.share(request) },
    }));
    handle<z.infer<typeof SecAggUnmaskRequest>>(GRID.secaggUnmask, SecAggUnmaskRequest, async (request) => ({
      body: { shares: this.state(channel, request.run).secagg.unmask(request) },
    }));
    handle<z.infer<typeof EvaluateRequest>>(GRID.evaluate, EvaluateRequest, async (request, tensors) => this.evaluate(channel, request, tensors));
    handle<FinishRequest>(GRID.finish, FinishRequest, async (request, tensors) => ({ body: await this.finish(channel, request, tensors) }));
    channel.on(GRID.teardown, TeardownNotice, (notice) => void this.teardown(channel, notice.run, notice.reason, !notice.resumable));
    void channel.closed.then(async () => {
      await this.teardownAll(channel, 'the connection to the TTP closed');
      this.runs.delete(channel);
      this.preparing.delete(channel);
      this.hubs.delete(channel);
    });
  }

  /** The runs prepared on any connection. */
  activeRuns(): string[] {
    return [...this.runs.values()].flatMap((runs) => [...runs.keys()]);
  }

  private async consent(channel: Channel, hub: HubIdentity, request: ConsentRequest) {
    const reply = await this.authority.decide(channel, hub.key, request);
    this.ports.log.info(reply.approved ? 'run approved' : 'run declined', { run: request.run, reason: reply.reason });
    return reply;
  }

  private async declare(channel: Channel, hub: HubIdentity, request: DeclareRequest): Promise<DeclareReply> {
    const grant = this.authority.grant(channel, hub.key, request.run);
    this.authority.checkDeclare(grant, request);
    this.ports.log.info('declaring data', { run: request.run, project: grant.project.id });
    const reply = await this.ports.data.declare(grant.project, this.party.id);
    grant.declaration = reply.declaration;
    this.disclose(grant, describeDeclaration(reply.declaration, grant.project.targetColumn));
    return reply;
  }

  private async prepare(channel: Channel, hub: HubIdentity, request: PrepareRequest): Promise<PrepareReply> {
    const grant = this.authority.grant(channel, hub.key, request.run);
    const { alignment, declaration } = this.authority.checkPrepare(grant, request);
    const runs = this.runsOf(channel);
    const existing = runs.get(request.run);
    // Prepared again (the alignment cannot change): the loaded data and thread can stay.
    if (existing) return this.prepareReply(existing);
    const work = (async () => {
      const data = await this.ports.data.prepare(grant.project, this.party.id, alignment, declaration);
      const evaluateRows = data.evaluate?.rows ?? 0;
      if (evaluateRows > 0 && evaluateRows < grant.project.minCellCount) {
        // Metrics of so few rows would describe patients: the evaluate data is left out.
        this.ports.log.warn('evaluate data below the minimum cell count: not used', { run: request.run, rows: evaluateRows });
        delete data.evaluate;
      }
      if (holdsValidation(grant.plan.model, request.hyperparameters)) {
        // Early stopping looks at rows held out of the train data, never at the evaluate data.
        // Seeded per party, so parties whose files share a layout do not hold out the same positions.
        const seed = deriveSeed(request.hyperparameters.seed, stringSeed(this.party.id));
        const split = splitValidation(data.train, seed, grant.project.minCellCount, alignment.target.kind !== 'regression');
        data.train = split.train;
        if (split.validation) data.validation = split.validation;
      }
      const session = await this.ports.training.open({ model: request.model, alignment, seed: request.hyperparameters.seed, data }).catch(async (error: unknown) => {
        await data.release?.();
        throw error;
      });
      const secagg = new WorkerSecAgg(this.party.id, hub.key, grant.plan, this.ports.sign);
      const algorithm = localAlgorithmFor(request.hyperparameters, this.ports.artifacts.roundVectors(grant.project.id, request.run));
      const state: RunState = { grant, alignment, hyperparameters: request.hyperparameters, data, session, secagg, algorithm };
      if (!this.runs.has(channel)) {
        await session.close(); // the connection closed while the data loaded
        throw new CohortError('NOT_FOUND', 'the connection to the TTP closed during preparation');
      }
      runs.set(request.run, state);
      this.ports.log.info('prepared', { run: request.run, trainRows: data.train.rows, backend: session.backend });
      this.ports.activity?.({
        kind: 'prepared',
        run: request.run,
        project: grant.project.id,
        trainRows: data.train.rows,
        evaluateRows: data.evaluate?.rows ?? 0,
        predictRows: data.predict?.rows ?? 0,
      });
      if (data.validation) this.ports.log.info('validation rows held out of the train rows', { run: request.run, rows: data.validation.rows });
      const reply = this.prepareReply(state);
      const unseenRows = Object.values(reply.unseenLevels).reduce((sum, rows) => sum + rows, 0);
      this.disclose(grant, { what: 'preparation', trainRows: reply.trainRows, evaluateRows: reply.evaluateRows, predictRows: reply.predictRows, unseenRows });
      return reply;
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

  private async fit(channel: Channel, request: FitRequest, tensors: Tensors): Promise<{ body: FitReply; tensors: Tensors }> {
    return fitRound(this.results, this.state(channel, request.run), request, tensors);
  }

  private async evaluate(channel: Channel, request: z.infer<typeof EvaluateRequest>, tensors: Tensors): Promise<{ body: EvaluateReply; tensors?: Tensors }> {
    return evaluateGlobal(this.results, this.state(channel, request.run), request, tensors);
  }

  private async finish(channel: Channel, request: FinishRequest, tensors: Tensors): Promise<FinishReply> {
    return finishRun(this.results, this.state(channel, request.run), request, tensors);
  }

  /** Frees a run's training thread and data. Safe to call twice. `ended`: the hub ended the run. */
  async teardown(channel: Channel, run: string, reason: string, ended = false): Promise<void> {
    await this.preparing.get(channel)?.get(run)?.catch(() => undefined);
    const hub = this.hubs.get(channel);
    if (hub) {
      let approved = true;
      try {
        this.authority.grant(channel, hub.key, run);
      } catch {
        approved = false;
      }
      if (!approved) await this.ports.consent.withdraw?.(hub.key, run, reason).catch(() => undefined);
      await this.authority.ended(hub.key, run, ended && approved);
    }
    const runs = this.runs.get(channel);
    const state = runs?.get(run);
    if (!state) return;
    runs!.delete(run);
    await state.session.close().catch(() => undefined);
    this.ports.log.info('run torn down', { run, reason });
    this.ports.activity?.({ kind: 'ended', run, project: state.grant.project.id, reason });
  }

  private async teardownAll(channel: Channel, reason: string): Promise<void> {
    for (const run of [...(this.runs.get(channel)?.keys() ?? [])]) await this.teardown(channel, run, reason);
  }

  async close(): Promise<void> {
    for (const channel of [...this.runs.keys()]) await this.teardownAll(channel, 'worker stopping');
    await this.authority.flush();
  }

  private disclose(grant: RunGrant, disclosed: Disclosed): void {
    this.ports.disclosed?.({ project: grant.project.id, run: grant.run, disclosed });
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
}

/** Whether a run holds validation rows out of the train rows: gradient steps with early stopping, without differential privacy. */
export function holdsValidation(model: RunState['grant']['plan']['model'], hyperparameters: Hyperparameters): boolean {
  return !usesExactSolver(model, hyperparameters) && hyperparameters.earlyStopping !== null && hyperparameters.privacy.dp === 'off';
}
